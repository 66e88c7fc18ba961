/**
 * A signal the service refused: a token that did not verify, a statement about another
 * device, a used nonce, a body it will not take. Carries a stable reason code (also the
 * problem's `code`) and which field of the request it concerns; rendered as problem+json.
 */
import { TrustError } from '../errors.js';

/** Why a signal was refused. Each is a stable problem `code`. */
export type SignalRejection =
  | 'malformed_token'
  | 'algorithm_not_allowed'
  | 'missing_key_id'
  | 'unknown_key_id'
  | 'bad_signature'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'missing_claim'
  | 'invalid_claim'
  | 'expired'
  | 'too_old'
  | 'issued_in_future'
  | 'wrong_device'
  | 'unknown_nonce'
  | 'statement_superseded'
  | 'statement_replayed'
  | 'signal_source_not_configured';

/** HTTP status per rejection: what cannot be parsed is 400, what was understood and refused is 422. */
const STATUS: Record<SignalRejection, number> = {
  malformed_token: 400,
  algorithm_not_allowed: 422,
  missing_key_id: 422,
  unknown_key_id: 422,
  bad_signature: 422,
  wrong_issuer: 422,
  wrong_audience: 422,
  missing_claim: 422,
  invalid_claim: 422,
  expired: 422,
  too_old: 422,
  issued_in_future: 422,
  wrong_device: 422,
  unknown_nonce: 422,
  statement_superseded: 409,
  statement_replayed: 409,
  signal_source_not_configured: 422,
};

/** Which part of the request body a rejection is about. */
export type SignalField = 'posture' | 'managedStatement' | 'osIntegrity';

export class SignalRejectedError extends TrustError {
  override name = 'SignalRejectedError';
  constructor(readonly reason: SignalRejection, readonly field: SignalField, message: string) {
    super(STATUS[reason], reason, `${field}: ${message}`, { signal: field });
  }
}
