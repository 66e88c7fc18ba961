/**
 * Managed-device statements: an MDM connector's signed word that a device is compliant,
 * noncompliant or of unknown status. Verified against the organisation's configured
 * connector (issuer, key set, audience, maximum age; default 30 days as Intune's compliance
 * validity), bound to the device's `dev_…` id.
 */
import type { OrgSettings } from '../organisations/settings.js';
import type { NewSignal } from './posture.js';
import { SignalRejectedError } from './signalRejectedError.js';
import { effectiveMaxAgeSeconds, type SignalSource } from './signalSources.js';
import { verifySignedStatement } from './verifySignedStatement.js';

export const MANAGED_STATUSES = ['compliant', 'noncompliant', 'unknown'] as const;
export type ManagedStatus = (typeof MANAGED_STATUSES)[number];

export interface ManagedStatementCheck {
  token: string;
  /** The organisation's `managed` source; undefined when none is configured. */
  source: SignalSource | undefined;
  /** The service's own audience, used when the source names none. */
  defaultAudience: string | undefined;
  deviceId: string;
  settings: OrgSettings;
  now: Date;
}

/** The optional `jti`, kept for tracing a statement back to its connector; bounded. */
function statementId(jti: unknown): string | null {
  return typeof jti === 'string' && jti.length > 0 && jti.length <= 256 ? jti : null;
}

/** Verifies a managed-device statement and returns the signal to store (verified). */
export async function verifyManagedStatement(c: ManagedStatementCheck): Promise<NewSignal> {
  const field = 'managedStatement';
  if (!c.source) throw new SignalRejectedError('signal_source_not_configured', field, "the device's organisation has no MDM connector configured");
  const audience = c.source.audience ?? c.defaultAudience;
  if (!audience) throw new SignalRejectedError('signal_source_not_configured', field, 'no audience is configured for managed statements');
  const v = await verifySignedStatement({
    field, token: c.token, source: c.source, audience, deviceId: c.deviceId,
    maxAgeSeconds: effectiveMaxAgeSeconds('managed', c.source.maxAgeSeconds, c.settings), now: c.now,
  });
  const status = v.payload.status;
  if (status === undefined) throw new SignalRejectedError('missing_claim', field, 'the "status" claim is required');
  if (!(MANAGED_STATUSES as readonly unknown[]).includes(status)) {
    throw new SignalRejectedError('invalid_claim', field, `status must be one of ${MANAGED_STATUSES.join(', ')}, got ${JSON.stringify(status)}`);
  }
  return {
    kind: 'managed', verified: true, status: status as ManagedStatus, issuer: c.source.issuer, issuedAt: v.issuedAt,
    payload: { kid: v.kid, alg: v.alg, jti: statementId(v.payload.jti), expires_at: v.expiresAt.toISOString(), token_sha256: v.tokenSha256 },
  };
}
