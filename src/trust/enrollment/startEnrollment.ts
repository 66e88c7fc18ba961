/**
 * Starting an enrollment: a `pending` device, its enrollment, and WebAuthn registration
 * options whose challenge is bound to that enrollment. An unknown account handle gets an
 * answer of the same shape (a decoy that is never stored), taking as long as a real one, so
 * the anonymous route does not tell which handles exist.
 */
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { appendAudit } from '../../store/audit.js';
import { deviceIdentifier, newDeviceHandle, webauthnUserId } from '../identifiers.js';
import { newId } from '../ids.js';
import { answerClock, imitateRealAnswer, recordRealAnswer } from './answerTiming.js';
import type { Acting } from './caller.js';
import { normaliseHandle } from './accounts.js';
import { issueChallenge } from './challenges.js';
import { issueReplacementCode } from './replacementCodes.js';
import { auditRefusal } from './refusals.js';
import type { EnrollmentDeps } from './settings.js';
import { registrationOptions } from './webauthn.js';
import { TrustError } from '../errors.js';

export interface StartedEnrollment {
  enrollmentId: string;
  deviceId: string;
  registrationOptions: PublicKeyCredentialCreationOptionsJSON;
  /** A replacement's short code for the new device, when one was asked for. */
  replacementCode?: { code: string; expiresAt: Date };
}

export interface NewEnrollment {
  account: { id: string; orgId: string | null; handle: string };
  label: string;
  platform: string;
  /** An authenticated replacement: the device this one will supersede once approved. */
  replacesDeviceId?: string;
  /** An anonymous claim, effective only with a recovery code. */
  claimedReplacesDeviceId?: string;
  /** Issue a replacement code living this many seconds, in the same transaction. */
  replacementCodeTtlSeconds?: number;
  /** Why it was started (an administrator's replacement), for the audit log. */
  reason?: string;
}

/** Creates the pending device and its enrollment, and returns registration options for it. */
export async function createEnrollment(deps: EnrollmentDeps, n: NewEnrollment, acting: Acting, now: Date = new Date()): Promise<StartedEnrollment> {
  const enrollmentId = newId('enr');
  const deviceId = deviceIdentifier(deps.idSecret, n.account.id, newDeviceHandle());
  // The challenge first: if Redis is down nothing is written.
  const challenge = await issueChallenge(deps.redis, { purpose: 'registration', enrollmentId }, deps.settings.challengeTtlSeconds);
  const replacementCode = await deps.db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO devices (id, account_id, state, label, platform, replaces_device_id, created_at, state_changed_at) VALUES ($1, $2, 'pending', $3, $4, $5, $6, $6)`,
      [deviceId, n.account.id, n.label, n.platform, n.replacesDeviceId ?? null, now]);
    await tx.query(
      `INSERT INTO enrollments (id, account_id, device_id, replaces_device_id, claimed_replaces_device_id, state, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, 'started', $6, $7)`,
      [enrollmentId, n.account.id, deviceId, n.replacesDeviceId ?? null, n.claimedReplacesDeviceId ?? null, new Date(now.getTime() + deps.settings.enrollmentTtlSeconds * 1000), now]);
    await appendAudit(tx, {
      type: 'enrollment.started', outcome: 'success', actor: acting.actor, orgId: n.account.orgId, accountId: n.account.id, deviceId,
      details: { enrollment_id: enrollmentId, label: n.label, platform: n.platform, replaces: n.replacesDeviceId ?? null, claims_to_replace: n.claimedReplacesDeviceId ?? null, ...(n.reason ? { reason: n.reason } : {}) },
    }, now);
    return n.replacementCodeTtlSeconds === undefined ? undefined : issueReplacementCode(tx, enrollmentId, n.replacementCodeTtlSeconds, now);
  });
  const registration = await registrationOptions(deps.rp, challenge, { id: webauthnUserId(deps.idSecret, n.account.id), name: n.account.handle, displayName: n.label }, deps.settings.challengeTtlSeconds * 1000);
  return { enrollmentId, deviceId, registrationOptions: registration, ...(replacementCode ? { replacementCode } : {}) };
}

/** A decoy for an unknown handle: same shape, a challenge that leads nowhere, nothing stored but the audit record. */
async function decoyEnrollment(deps: EnrollmentDeps, handle: string, label: string, acting: Acting): Promise<StartedEnrollment> {
  const enrollmentId = newId('enr');
  const deviceId = deviceIdentifier(deps.idSecret, `decoy\u0000${handle}`, newDeviceHandle());
  const challenge = await issueChallenge(deps.redis, { purpose: 'registration', enrollmentId, decoy: { deviceId } }, deps.settings.challengeTtlSeconds);
  await auditRefusal(deps.db, { type: 'enrollment.started', actor: acting.actor, details: { handle, decoy_enrollment_id: enrollmentId } },
    new TrustError(404, 'account_not_found', 'no account has this handle; answered with a decoy'));
  const registration = await registrationOptions(deps.rp, challenge, { id: webauthnUserId(deps.idSecret, `decoy\u0000${handle}`), name: handle, displayName: label }, deps.settings.challengeTtlSeconds * 1000);
  return { enrollmentId, deviceId, registrationOptions: registration };
}

/** POST /v1/enrollments: anyone may start; only evidence policy accepts makes the device trusted. */
export async function startEnrollment(deps: EnrollmentDeps, input: { accountHandle: string; label: string; platform: string; replacesDeviceId?: string }, acting: Acting, now: Date = new Date()): Promise<StartedEnrollment> {
  const startedAt = answerClock();
  const handle = normaliseHandle(input.accountHandle);
  const r = await deps.db.query<{ id: string; org_id: string | null }>('SELECT id, org_id FROM accounts WHERE handle = $1', [handle]);
  const account = r.rows[0];
  if (!account) {
    const decoy = await decoyEnrollment(deps, handle, input.label, acting);
    await imitateRealAnswer('enrollment_started', startedAt);
    return decoy;
  }
  const started = await createEnrollment(deps, {
    account: { id: account.id, orgId: account.org_id, handle }, label: input.label, platform: input.platform, claimedReplacesDeviceId: input.replacesDeviceId,
  }, acting, now);
  recordRealAnswer('enrollment_started', startedAt);
  return started;
}
