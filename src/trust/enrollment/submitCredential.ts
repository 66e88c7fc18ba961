/**
 * POST /v1/enrollments/{id}/credential: the new device's registration response, verified
 * (challenge bound to this enrollment, origin, RP ID, user presence, accepted attestation
 * format), stored with its codes as evidence, and handed to policy — all in one transaction.
 * A recovery code naming a lost device revokes that device in the same transaction, before
 * the new device is approved. A refusal is audited and changes nothing else — except that a
 * refusal after the registration challenge was spent also closes the enrollment, which could
 * never finish without it (closeEnrollment.ts).
 */
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { appendAudit } from '../../store/audit.js';
import type { Queryable } from '../../store/database.js';
import { ConflictError, NotFoundError, TrustError } from '../errors.js';
import { newId } from '../ids.js';
import { canTransition } from '../lifecycle.js';
import { applyTransition } from '../transition.js';
import { answerClock, imitateRealAnswer, recordRealAnswer } from './answerTiming.js';
import type { Acting } from './caller.js';
import { closeEnrollment } from './closeEnrollment.js';
import { consumeChallenge, type ChallengeBinding } from './challenges.js';
import { redeemCode } from './codes.js';
import { findEnrollment, lockDevices, lockEnrollment, type EnrollmentRow } from './records.js';
import { auditingRefusals, type AuditContext } from './refusals.js';
import type { EnrollmentDeps } from './settings.js';
import { settleEnrollment, type Settled } from './settleEnrollment.js';
import { verificationCode } from './verificationCode.js';
import { claimedChallenge, verifyRegistration, type RegisteredCredential } from './webauthn.js';

export interface CredentialSubmission {
  registrationResponse: RegistrationResponseJSON;
  bootstrapCode?: string;
  recoveryCode?: string;
}

/**
 * What a registration presenting no code is told unless it was approved, for every account
 * alike — unknown (a decoy), without a device, in recovery, locked or disabled, in any approval
 * mode: every way forward there is. Telling the real ones (or a denial) would tell an anonymous
 * caller whether the handle exists, whether it has a device, whether a recovery code is
 * outstanding, whether the account is locked. The account's devices and administrators read the
 * enrollment's own requirements and state (GET /v1/enrollments/{id}).
 */
export const UNDISCLOSED_WAIT: Settled = {
  deviceId: '', state: 'pending', requirements: ['admin_approval', 'approval_by_trusted_device', 'bootstrap_code', 'recovery_code'], reasons: ['awaiting_approval'],
};

/** The answer to a registration: a code-less one not approved says no more than UNDISCLOSED_WAIT. */
function answerOf(settled: Settled, s: CredentialSubmission): Settled {
  const codeless = s.bootstrapCode === undefined && s.recoveryCode === undefined;
  const approved = settled.state === 'trusted' || settled.state === 'restricted';
  return codeless && !approved ? { ...UNDISCLOSED_WAIT, deviceId: settled.deviceId } : settled;
}

/** Consumes the challenge the response answers: its binding, or a refusal when it is unknown, expired or used. */
export async function spendChallenge(deps: EnrollmentDeps, challenge: string): Promise<ChallengeBinding> {
  const binding = await consumeChallenge(deps.redis, challenge);
  if (!binding) throw new TrustError(400, 'challenge_invalid', 'the challenge is unknown, expired or already used: start the enrollment again');
  return binding;
}

/** The spent challenge must have been issued for this enrollment's registration. */
export function assertRegistrationOf(binding: ChallengeBinding, enrollmentId: string): asserts binding is Extract<ChallengeBinding, { purpose: 'registration' }> {
  if (binding.purpose !== 'registration' || binding.enrollmentId !== enrollmentId) {
    throw new TrustError(400, 'challenge_foreign', `the challenge was issued for another ${binding.purpose === 'registration' ? 'enrollment' : 'ceremony'}`);
  }
}

/**
 * Runs `work`, a step of the enrollment a spent registration challenge was issued for. A refusal
 * closes that enrollment: without its challenge it could never finish, and a retry starts anew.
 */
export async function closingOnRefusal<T>(deps: EnrollmentDeps, binding: ChallengeBinding, acting: Acting, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof TrustError && err.status < 500 && binding.purpose === 'registration' && !binding.decoy) {
      await closeEnrollment(deps.db, binding.enrollmentId, { type: 'enrollment.failed', actor: acting.actor, reason: `enrollment failed: ${err.code}`, refusal: err.code });
    }
    throw err;
  }
}

async function storeCredential(tx: Queryable, deviceId: string, c: RegisteredCredential, now: Date): Promise<void> {
  const r = await tx.query(
    `INSERT INTO credentials (id, device_id, credential_id, public_key, sign_count, transports, backup_eligible, backed_up, aaguid, attestation_format, user_verified, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (credential_id) DO NOTHING`,
    [newId('cred'), deviceId, c.credentialId, Buffer.from(c.publicKey), c.counter, c.transports, c.backupEligible, c.backedUp, c.aaguid, c.format, c.userVerified, now]);
  if (r.rowCount === 0) throw new ConflictError('credential_already_registered', 'this credential is already registered to a device');
  // Registration verified the user (or not): that is the device's latest local unlock.
  await tx.query('UPDATE devices SET last_unlock_at = $2, last_unlock_method = $3, last_seen_at = $2 WHERE id = $1', [deviceId, now, c.userVerified ? 'webauthn_uv' : 'webauthn_up']);
}

/** Redeems the codes presented, recording each as evidence; a refused code rolls everything back. */
async function redeemCodes(tx: Queryable, e: EnrollmentRow, s: CredentialSubmission, now: Date): Promise<void> {
  for (const kind of ['bootstrap', 'recovery'] as const) {
    const code = kind === 'bootstrap' ? s.bootstrapCode : s.recoveryCode;
    if (code === undefined) continue;
    await redeemCode(tx, e.account_id, kind, code, now);
    await tx.query(`INSERT INTO approvals (id, enrollment_id, method, decision, created_at) VALUES ($1, $2, $3, 'approve', $4)`, [newId('apr'), e.id, kind, now]);
  }
}

/** The lost device a recovery enrollment named: revoked now, linked as the device this one replaces. */
async function revokeLostDevice(tx: Queryable, e: EnrollmentRow, lostId: string, acting: Acting, now: Date): Promise<EnrollmentRow> {
  const lost = await tx.query<{ account_id: string; state: string }>('SELECT account_id, state FROM devices WHERE id = $1', [lostId]);
  if (!lost.rows[0] || lost.rows[0].account_id !== e.account_id || lostId === e.device_id) {
    throw new NotFoundError('replaced_device_not_found', `no device ${lostId} in this account to replace`);
  }
  if (canTransition(lost.rows[0].state as never, 'revoked')) {
    await applyTransition(tx, { deviceId: lostId, to: 'revoked', actor: acting.actor, reason: 'reported lost: recovery code accepted', auditType: 'device.revoked' }, now);
  }
  await tx.query('UPDATE enrollments SET replaces_device_id = $2 WHERE id = $1', [e.id, lostId]);
  await tx.query('UPDATE devices SET replaces_device_id = $2 WHERE id = $1', [e.device_id, lostId]);
  return { ...e, replaces_device_id: lostId };
}

async function registerAndSettle(deps: EnrollmentDeps, enrollmentId: string, s: CredentialSubmission, credential: RegisteredCredential, code: string, acting: Acting, now: Date): Promise<Settled> {
  return deps.db.transaction(async (tx) => {
    let e = await lockEnrollment(tx, enrollmentId);
    if (!e) throw new NotFoundError('enrollment_not_found', `no enrollment ${enrollmentId}`);
    if (e.state !== 'started') throw new ConflictError('credential_already_submitted', `enrollment ${e.id} already has its credential`);
    const lostId = s.recoveryCode !== undefined ? e.claimed_replaces_device_id : null;
    await lockDevices(tx, [e.device_id, e.replaces_device_id, lostId]);
    await redeemCodes(tx, e, s, now);
    await storeCredential(tx, e.device_id, credential, now);
    if (lostId) e = await revokeLostDevice(tx, e, lostId, acting, now);
    await tx.query(`UPDATE enrollments SET state = 'registered', verification_code = $2, version = version + 1 WHERE id = $1`, [e.id, code]);
    await appendAudit(tx, {
      type: 'enrollment.credential', outcome: 'success', actor: acting.actor, orgId: e.org_id, accountId: e.account_id, deviceId: e.device_id,
      details: {
        enrollment_id: e.id, attestation_format: credential.format, aaguid: credential.aaguid, user_verified: credential.userVerified,
        backup_eligible: credential.backupEligible, backed_up: credential.backedUp, codes: [s.bootstrapCode && 'bootstrap', s.recoveryCode && 'recovery'].filter(Boolean),
      },
    }, now);
    return settleEnrollment(tx, deps, { ...e, state: 'registered' }, acting.actor, now);
  });
}

// The refusals a decoy gives, whose real counterparts it must take as long as.
const CODE_REFUSALS = new Set(['bootstrap_code_invalid', 'recovery_code_invalid']);

/**
 * Verifies and stores the new device's credential, then lets policy decide what it is. A
 * decoy's answer (registered or code refused) takes as long as a real one of the same kind.
 */
export async function submitCredential(deps: EnrollmentDeps, enrollmentId: string, s: CredentialSubmission, acting: Acting, now: Date = new Date()): Promise<Settled> {
  const startedAt = answerClock();
  const seen = { decoy: false };
  try {
    const settled = await registerCredential(deps, enrollmentId, s, acting, now, seen);
    if (seen.decoy) await imitateRealAnswer('credential_registered', startedAt);
    else recordRealAnswer('credential_registered', startedAt);
    return settled;
  } catch (err) {
    if (err instanceof TrustError && CODE_REFUSALS.has(err.code)) {
      if (seen.decoy) await imitateRealAnswer('credential_code_refused', startedAt);
      else recordRealAnswer('credential_code_refused', startedAt);
    }
    throw err;
  }
}

async function registerCredential(deps: EnrollmentDeps, enrollmentId: string, s: CredentialSubmission, acting: Acting, now: Date, seen: { decoy: boolean }): Promise<Settled> {
  const ctx: AuditContext = { type: 'enrollment.credential', actor: acting.actor, details: { enrollment_id: enrollmentId } };
  return auditingRefusals(deps.db, ctx, async () => {
    const challenge = claimedChallenge(s.registrationResponse, 'registration');
    const binding = await spendChallenge(deps, challenge);
    return closingOnRefusal(deps, binding, acting, async () => {
      assertRegistrationOf(binding, enrollmentId);
      const e = binding.decoy ? undefined : await findEnrollment(deps.db, enrollmentId);
      if (e) Object.assign(ctx, { orgId: e.org_id, accountId: e.account_id, deviceId: e.device_id });
      const credential = await verifyRegistration(deps.rp, s.registrationResponse, challenge, deps.settings.attestationFormats);
      if (binding.decoy) {
        seen.decoy = true;
        // Exactly what a real account answers to a wrong code, or to no code at all.
        if (s.bootstrapCode !== undefined) throw new TrustError(403, 'bootstrap_code_invalid', 'the bootstrap code is not valid for this account');
        if (s.recoveryCode !== undefined) throw new TrustError(403, 'recovery_code_invalid', 'the recovery code is not valid for this account');
        return { ...UNDISCLOSED_WAIT, deviceId: binding.decoy.deviceId };
      }
      if (!e) throw new NotFoundError('enrollment_not_found', `no enrollment ${enrollmentId}`);
      if (e.expires_at.getTime() <= now.getTime()) throw new TrustError(410, 'enrollment_expired', `enrollment ${e.id} expired at ${e.expires_at.toISOString()}`);
      return answerOf(await registerAndSettle(deps, enrollmentId, s, credential, verificationCode(challenge, credential.credentialId), acting, now), s);
    });
  });
}
