/**
 * Enigm OS integrity attestations: the OS's signed measurement of itself (verdict `pass` or
 * `fail`, plus measured properties), verified against the organisation's configured
 * attestation keys, bound to the device's `dev_…` id and to a fresh single-use nonce this
 * service issued for that device. Short-lived by default (one hour).
 */
import type { Redis } from 'ioredis';
import type { OrgSettings } from '../organisations/settings.js';
import { consumeSignalNonce } from './nonces.js';
import type { NewSignal } from './posture.js';
import { SignalRejectedError } from './signalRejectedError.js';
import { effectiveMaxAgeSeconds, type SignalSource } from './signalSources.js';
import { CLOCK_TOLERANCE_SECONDS, verifySignedStatement } from './verifySignedStatement.js';

export const OS_INTEGRITY_STATUSES = ['pass', 'fail'] as const;

/** Bounds on the measured properties kept: small flat metadata, never blobs. */
const MAX_MEASUREMENTS = 32;
const MEASUREMENT_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const MAX_MEASUREMENT_TEXT = 256;

export interface OsIntegrityCheck {
  token: string;
  /** The organisation's `os_integrity` source; undefined when none is configured. */
  source: SignalSource | undefined;
  defaultAudience: string | undefined;
  deviceId: string;
  settings: OrgSettings;
  /** Where the nonces live; undefined when Redis is not available to this process. */
  redis: Redis | undefined;
  now: Date;
}

type Measurement = string | number | boolean | null;

function measurementsOf(claim: unknown): Record<string, Measurement> {
  const field = 'osIntegrity';
  if (claim === undefined) return {};
  if (claim === null || typeof claim !== 'object' || Array.isArray(claim)) throw new SignalRejectedError('invalid_claim', field, 'measurements must be an object');
  const entries = Object.entries(claim as Record<string, unknown>);
  if (entries.length > MAX_MEASUREMENTS) throw new SignalRejectedError('invalid_claim', field, `at most ${MAX_MEASUREMENTS} measurements are accepted`);
  const out: Record<string, Measurement> = {};
  for (const [name, value] of entries) {
    const scalar = value === null || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && value.length <= MAX_MEASUREMENT_TEXT);
    if (!MEASUREMENT_NAME.test(name) || !scalar) {
      throw new SignalRejectedError('invalid_claim', field, `measurement ${JSON.stringify(name.slice(0, 64))} must be a snake_case name with a string (≤ ${MAX_MEASUREMENT_TEXT}), number, boolean or null value`);
    }
    out[name] = value as Measurement;
  }
  return out;
}

/**
 * Verifies an attestation and consumes its nonce. The signature and claims are checked
 * first, so a forged token cannot burn a nonce; then the nonce is consumed whatever follows,
 * so a genuine attestation is accepted at most once.
 */
export async function verifyOsIntegrity(c: OsIntegrityCheck): Promise<NewSignal> {
  const field = 'osIntegrity';
  if (!c.source) throw new SignalRejectedError('signal_source_not_configured', field, "the device's organisation has no Enigm OS attestation keys configured");
  const audience = c.source.audience ?? c.defaultAudience;
  if (!audience) throw new SignalRejectedError('signal_source_not_configured', field, 'no audience is configured for OS integrity attestations');
  const v = await verifySignedStatement({
    field, token: c.token, source: c.source, audience, deviceId: c.deviceId,
    maxAgeSeconds: effectiveMaxAgeSeconds('os_integrity', c.source.maxAgeSeconds, c.settings), now: c.now,
  });
  const { status, nonce } = v.payload;
  if (status === undefined) throw new SignalRejectedError('missing_claim', field, 'the "status" claim is required');
  if (!(OS_INTEGRITY_STATUSES as readonly unknown[]).includes(status)) {
    throw new SignalRejectedError('invalid_claim', field, `status must be one of ${OS_INTEGRITY_STATUSES.join(', ')}, got ${JSON.stringify(status)}`);
  }
  const measurements = measurementsOf(v.payload.measurements);
  if (typeof nonce !== 'string' || nonce.length === 0) throw new SignalRejectedError('missing_claim', field, 'the "nonce" claim is required (ask POST /v1/devices/{id}/signals/nonce)');
  if (!c.redis) throw new SignalRejectedError('unknown_nonce', field, 'nonces cannot be checked: this service has no Redis');
  const binding = await consumeSignalNonce(c.redis, nonce);
  if (!binding) throw new SignalRejectedError('unknown_nonce', field, 'the nonce is unknown, expired or already used');
  if (binding.deviceId !== c.deviceId) throw new SignalRejectedError('wrong_device', field, 'the nonce was issued for another device');
  // The attestation must have been made after the nonce existed: an older one was not made for it.
  if (v.issuedAt.getTime() < binding.issuedAt.getTime() - CLOCK_TOLERANCE_SECONDS * 1000) {
    throw new SignalRejectedError('too_old', field, 'the attestation was issued before its nonce');
  }
  return {
    kind: 'os_integrity', verified: true, status: status as string, issuer: c.source.issuer, issuedAt: v.issuedAt,
    payload: { kid: v.kid, alg: v.alg, expires_at: v.expiresAt.toISOString(), token_sha256: v.tokenSha256, measurements },
  };
}
