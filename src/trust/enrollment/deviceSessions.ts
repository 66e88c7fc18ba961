/**
 * Opening a device session: anyone may ask for options for an account handle (the answer
 * is the same whether the handle exists: a fresh challenge and no credential list, since
 * credentials are discoverable); a trusted or restricted device answers with an assertion,
 * verified against its stored credential, its counter checked, and gets an `eds_` token.
 */
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { appendAudit } from '../../store/audit.js';
import { ForbiddenError, TrustError } from '../errors.js';
import { sha256Hex } from '../ids.js';
import { createSession } from '../sessions.js';
import { credentialById, recordAssertion } from './assertionRecord.js';
import type { Acting } from './caller.js';
import { normaliseHandle } from './accounts.js';
import { consumeChallenge, issueChallenge } from './challenges.js';
import { lockDevices } from './records.js';
import { auditingRefusals, type AuditContext } from './refusals.js';
import type { EnrollmentDeps } from './settings.js';
import { authenticationOptions, claimedChallenge, verifyAssertion } from './webauthn.js';

const handleHash = (handle: string) => sha256Hex(`handle\u0000${normaliseHandle(handle)}`);

/** Options for a session ceremony; nothing here depends on whether the handle exists. */
export async function sessionOptions(deps: EnrollmentDeps, accountHandle: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const challenge = await issueChallenge(deps.redis, { purpose: 'session', handleHash: handleHash(accountHandle) }, deps.settings.challengeTtlSeconds);
  return authenticationOptions(deps.rp, challenge, deps.settings.challengeTtlSeconds * 1000);
}

export interface OpenedSession {
  sessionToken: string;
  deviceId: string;
  accountId: string;
  expiresAt: Date;
}

/** Verifies the assertion and opens a session for its device, if that device is trusted or restricted. */
export async function openSession(deps: EnrollmentDeps, response: AuthenticationResponseJSON, acting: Acting, now: Date = new Date()): Promise<OpenedSession> {
  const ctx: AuditContext = { type: 'session.created', actor: acting.actor };
  return auditingRefusals(deps.db, ctx, async () => {
    const challenge = claimedChallenge(response, 'assertion');
    const binding = await consumeChallenge(deps.redis, challenge);
    if (!binding) throw new TrustError(400, 'challenge_invalid', 'the challenge is unknown, expired or already used: ask for session options again');
    if (binding.purpose !== 'session') throw new TrustError(400, 'challenge_foreign', 'the challenge was issued for another ceremony');
    const owner = typeof response.id === 'string' ? await credentialById(deps.db, response.id) : undefined;
    if (!owner) throw new TrustError(401, 'credential_unknown', 'this credential is not registered here');
    Object.assign(ctx, { orgId: owner.orgId, accountId: owner.accountId, deviceId: owner.deviceId });
    if (binding.handleHash !== handleHash(owner.handle)) throw new TrustError(400, 'challenge_foreign', 'the challenge was issued for another account handle', { reason: 'other_handle' });
    const verified = await verifyAssertion(deps.rp, response, challenge, owner);
    const opened = await deps.db.transaction(async (tx) => {
      const device = (await lockDevices(tx, [owner.deviceId])).get(owner.deviceId);
      if (!device || (device.state !== 'trusted' && device.state !== 'restricted')) {
        // The caller proved it holds the credential: it may learn its device's state, so the page can say what to do.
        throw new TrustError(403, 'device_not_eligible', `a ${device?.state ?? 'unknown'} device cannot open a session${device?.state === 'pending' ? ': its enrollment awaits approval' : ''}`, { state: device?.state ?? null });
      }
      if (await recordAssertion(tx, device.id, device.state, verified, acting.actor, now) === 'regression') return undefined;
      const session = await createSession(tx, { deviceId: device.id, accountId: owner.accountId, userVerified: verified.userVerified }, now);
      await appendAudit(tx, {
        type: 'session.created', outcome: 'success', actor: { ...acting.actor, type: 'device', id: device.id },
        orgId: owner.orgId, accountId: owner.accountId, deviceId: device.id,
        details: { session_id: session.sessionId, user_verified: verified.userVerified, expires_at: session.expiresAt.toISOString() },
      }, now);
      return { sessionToken: session.token, deviceId: device.id, accountId: owner.accountId, expiresAt: session.expiresAt };
    });
    if (!opened) throw new ForbiddenError('sign_counter_regression', 'the authenticator reported a sign counter that did not increase: the device is now restricted and no session was opened');
    return opened;
  });
}
