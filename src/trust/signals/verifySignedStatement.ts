/**
 * The verification both signed signals share: a compact JWS (ES256 or EdDSA) checked with
 * jose against the organisation's configured key set, then its issuer, audience, subject
 * (the device's `dev_…` id), issue time, expiry and age. Written as a flat list of guards;
 * each failure is a SignalRejectedError that says what was expected and what arrived.
 */
import { createHash } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify, type JSONWebKeySet, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import { SignalRejectedError, type SignalField } from './signalRejectedError.js';
import { SIGNAL_ALGORITHMS, type SignalSource } from './signalSources.js';

/** Clock skew tolerated between the signer and this service, in seconds. */
export const CLOCK_TOLERANCE_SECONDS = 60;

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export interface StatementCheck {
  /** The request field the token came in, for error messages. */
  field: SignalField;
  token: string;
  source: SignalSource;
  /** The `aud` the statement must name. */
  audience: string;
  /** The device the statement must be about (`sub`). */
  deviceId: string;
  /** Oldest acceptable `iat`, as an age in seconds. */
  maxAgeSeconds: number;
  now: Date;
}

export interface VerifiedStatement {
  payload: JWTPayload;
  kid: string;
  alg: string;
  issuedAt: Date;
  expiresAt: Date;
  /** SHA-256 of the compact token: recognises the same statement sent twice. */
  tokenSha256: string;
}

function header(field: SignalField, token: string): ProtectedHeaderParameters {
  if (!COMPACT_JWS.test(token)) throw new SignalRejectedError('malformed_token', field, 'expected a compact JWS (three base64url parts separated by dots)');
  try {
    return decodeProtectedHeader(token);
  } catch {
    throw new SignalRejectedError('malformed_token', field, 'the JWS protected header is not valid base64url-encoded JSON');
  }
}

/** Turns a jose failure into the reason the caller sees; anything unexpected is re-thrown. */
function rejectionOf(err: unknown, c: StatementCheck, kid: string): SignalRejectedError {
  const f = c.field;
  if (err instanceof errors.JWSSignatureVerificationFailed) return new SignalRejectedError('bad_signature', f, `the signature does not verify with key "${kid}" of issuer ${c.source.issuer}`);
  if (err instanceof errors.JWKSNoMatchingKey) return new SignalRejectedError('unknown_key_id', f, `key "${kid}" does not fit the token's algorithm`);
  if (err instanceof errors.JWTExpired) return new SignalRejectedError('expired', f, `the statement expired (exp ${String(err.payload.exp)})`);
  if (err instanceof errors.JOSEAlgNotAllowed) return new SignalRejectedError('algorithm_not_allowed', f, `alg must be one of ${SIGNAL_ALGORITHMS.join(', ')}`);
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.reason === 'missing') return new SignalRejectedError('missing_claim', f, `the "${err.claim}" claim is required`);
    if (err.claim === 'iss') return new SignalRejectedError('wrong_issuer', f, `expected issuer ${c.source.issuer}, got ${JSON.stringify(err.payload.iss)}`);
    if (err.claim === 'aud') return new SignalRejectedError('wrong_audience', f, `expected audience ${c.audience}, got ${JSON.stringify(err.payload.aud)}`);
    if (err.claim === 'nbf') return new SignalRejectedError('issued_in_future', f, 'the statement is not valid yet (nbf)');
    return new SignalRejectedError('invalid_claim', f, `the "${err.claim}" claim is invalid: ${err.message}`);
  }
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid || err instanceof errors.JOSENotSupported) {
    return new SignalRejectedError('malformed_token', f, err.message);
  }
  throw err;
}

/**
 * Verifies `c.token` against `c.source` and returns its claims. Refuses, in this order: a
 * token that is not a compact JWS, an algorithm other than ES256/EdDSA, a missing or unknown
 * kid, a bad signature, a wrong issuer or audience, missing iat/exp/sub, an expired
 * statement, one issued in the future or older than the maximum age, and one about another
 * device.
 */
export async function verifySignedStatement(c: StatementCheck): Promise<VerifiedStatement> {
  const h = header(c.field, c.token);
  // The algorithm is checked against an allow-list before any key is chosen (no "none", no HMAC).
  if (typeof h.alg !== 'string' || !(SIGNAL_ALGORITHMS as readonly string[]).includes(h.alg)) {
    throw new SignalRejectedError('algorithm_not_allowed', c.field, `alg must be one of ${SIGNAL_ALGORITHMS.join(', ')}, got ${JSON.stringify(h.alg)}`);
  }
  // Statements name their key: with several keys during a rotation, guessing is not verifying.
  if (typeof h.kid !== 'string' || h.kid.length === 0) throw new SignalRejectedError('missing_key_id', c.field, 'the JWS header has no kid');
  const kid = h.kid;
  if (!c.source.keys.some((k) => k.kid === kid)) {
    throw new SignalRejectedError('unknown_key_id', c.field, `issuer ${c.source.issuer} has no key "${kid}" configured`);
  }
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(c.token, createLocalJWKSet({ keys: c.source.keys } as JSONWebKeySet), {
      algorithms: [...SIGNAL_ALGORITHMS],
      issuer: c.source.issuer,
      audience: c.audience,
      requiredClaims: ['iat', 'exp', 'sub'],
      currentDate: c.now,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    }));
  } catch (err) {
    throw rejectionOf(err, c, kid);
  }
  const nowSeconds = Math.floor(c.now.getTime() / 1000);
  const iat = payload.iat as number;
  // A statement from the future is a signer clock problem or a forgery attempt: not evidence.
  if (iat > nowSeconds + CLOCK_TOLERANCE_SECONDS) throw new SignalRejectedError('issued_in_future', c.field, `iat ${iat} is in the future`);
  if (nowSeconds - iat > c.maxAgeSeconds) {
    throw new SignalRejectedError('too_old', c.field, `issued ${nowSeconds - iat} s ago; the maximum age is ${c.maxAgeSeconds} s`);
  }
  // The statement must be about this very device: another device's statement proves nothing here.
  if (payload.sub !== c.deviceId) throw new SignalRejectedError('wrong_device', c.field, `the statement is about ${JSON.stringify(payload.sub)}, not ${c.deviceId}`);
  return {
    payload, kid, alg: h.alg,
    issuedAt: new Date(iat * 1000),
    expiresAt: new Date((payload.exp as number) * 1000),
    tokenSha256: createHash('sha256').update(c.token, 'utf8').digest('hex'),
  };
}
