/**
 * Approving a pending enrollment: by an existing trusted device of the same account, which
 * signs a WebAuthn assertion over a challenge bound to this enrollment and to itself (its
 * sign counter checked and updated), or by an Enigm Command administrator of the account's
 * organisation (`approve` or `deny`, with a reason). Either way the approval is evidence:
 * policy decides the outcome. The enrollment row lock serialises concurrent approvals — the
 * one that arrives after the decision is refused.
 */
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { appendAudit } from '../../store/audit.js';
import { ForbiddenError, NotFoundError, TrustError } from '../errors.js';
import { newId } from '../ids.js';
import { credentialOfDevice, recordAssertion } from './assertionRecord.js';
import type { Acting, Caller } from './caller.js';
import { consumeChallenge, issueChallenge } from './challenges.js';
import { assertAwaitingApproval, assertVisible, findEnrollment, lockDevices, lockEnrollment } from './records.js';
import { auditingRefusals, type AuditContext } from './refusals.js';
import type { EnrollmentDeps } from './settings.js';
import { settleEnrollment, type Settled } from './settleEnrollment.js';
import { authenticationOptions, claimedChallenge, verifyAssertion } from './webauthn.js';

type DeviceCaller = Extract<Caller, { kind: 'device' }>;
type AdminCaller = Extract<Caller, { kind: 'admin' }>;

function auditContext(type: string, enrollmentId: string, acting: Acting): AuditContext {
  return { type, actor: acting.actor, details: { enrollment_id: enrollmentId } };
}

function refuseApprover(state: string): never {
  throw new ForbiddenError('approver_not_trusted', `only a trusted device may approve; this device is ${state}`);
}

/** What the approving device shows before its person decides: the device and the code to compare. */
export interface ApprovalOptions {
  authenticationOptions: PublicKeyCredentialRequestOptionsJSON;
  /** The six digits the new device must also show. */
  verificationCode: string;
  device: { deviceId: string; label: string; platform: string; createdAt: string };
}

/**
 * Authentication options for `caller` to approve the enrollment (its own credential, a challenge
 * bound to both), with the verification code its person compares with the new device's screen.
 */
export async function approvalOptions(deps: EnrollmentDeps, enrollmentId: string, caller: DeviceCaller, acting: Acting, now: Date = new Date()): Promise<ApprovalOptions> {
  const ctx = auditContext('enrollment.approval_options', enrollmentId, acting);
  return auditingRefusals(deps.db, ctx, async () => {
    const e = await findEnrollment(deps.db, enrollmentId);
    assertVisible(e, enrollmentId, { accountId: caller.accountId });
    Object.assign(ctx, { orgId: e.org_id, accountId: e.account_id, deviceId: e.device_id });
    const approver = await credentialOfDevice(deps.db, caller.deviceId);
    if (!approver) throw new NotFoundError('credential_not_found', 'this device has no credential');
    if (approver.deviceState !== 'trusted') refuseApprover(approver.deviceState);
    assertAwaitingApproval(e, e.device_state, now);
    const challenge = await issueChallenge(deps.redis, { purpose: 'approval', enrollmentId, approverDeviceId: caller.deviceId }, deps.settings.challengeTtlSeconds);
    return {
      authenticationOptions: await authenticationOptions(deps.rp, challenge, deps.settings.challengeTtlSeconds * 1000, [approver]),
      verificationCode: e.verification_code as string,
      device: { deviceId: e.device_id, label: e.label, platform: e.platform, createdAt: e.created_at.toISOString() },
    };
  });
}

/**
 * Approval by a trusted device: its assertion over the approval challenge, verified against its
 * stored credential. `codeConfirmed` says whether its person confirmed that both screens showed
 * the same verification code; policy receives it and, by default, counts only a confirmed one.
 */
export async function approveByDevice(deps: EnrollmentDeps, enrollmentId: string, response: AuthenticationResponseJSON, codeConfirmed: boolean, caller: DeviceCaller, acting: Acting, now: Date = new Date()): Promise<Settled> {
  const ctx = auditContext('enrollment.approval', enrollmentId, acting);
  ctx.details = { ...ctx.details, method: 'device', approver: caller.deviceId, code_confirmed: codeConfirmed };
  return auditingRefusals(deps.db, ctx, async () => {
    const challenge = claimedChallenge(response, 'assertion');
    const binding = await consumeChallenge(deps.redis, challenge);
    if (!binding) throw new TrustError(400, 'challenge_invalid', 'the challenge is unknown, expired or already used: ask for approval options again');
    if (binding.purpose !== 'approval' || binding.enrollmentId !== enrollmentId || binding.approverDeviceId !== caller.deviceId) {
      throw new TrustError(400, 'challenge_foreign', 'the challenge was issued for another enrollment, device or ceremony');
    }
    const approver = await credentialOfDevice(deps.db, caller.deviceId);
    if (!approver) throw new NotFoundError('credential_not_found', 'this device has no credential');
    const verified = await verifyAssertion(deps.rp, response, challenge, approver);
    const result = await deps.db.transaction(async (tx) => {
      const e = await lockEnrollment(tx, enrollmentId);
      assertVisible(e, enrollmentId, { accountId: caller.accountId });
      Object.assign(ctx, { orgId: e.org_id, accountId: e.account_id, deviceId: e.device_id });
      const devices = await lockDevices(tx, [e.device_id, e.replaces_device_id, caller.deviceId]);
      const me = devices.get(caller.deviceId);
      // The session was checked when the request arrived; the device may have lost trust since.
      if (!me || me.account_id !== e.account_id) throw new NotFoundError('enrollment_not_found', `no enrollment ${enrollmentId}`);
      if (me.state !== 'trusted') refuseApprover(me.state);
      assertAwaitingApproval(e, devices.get(e.device_id)?.state ?? e.device_state, now);
      if (await recordAssertion(tx, me.id, me.state, verified, acting.actor, now) === 'regression') return 'regression' as const;
      await tx.query(
        `INSERT INTO approvals (id, enrollment_id, method, decision, approver_device_id, user_verified, code_confirmed, created_at) VALUES ($1, $2, 'device', 'approve', $3, $4, $5, $6)`,
        [newId('apr'), e.id, me.id, verified.userVerified, codeConfirmed, now]);
      await appendAudit(tx, {
        type: 'enrollment.approval', outcome: 'success', actor: acting.actor, orgId: e.org_id, accountId: e.account_id, deviceId: e.device_id,
        details: { enrollment_id: e.id, method: 'device', approver: me.id, user_verified: verified.userVerified, code_confirmed: codeConfirmed },
      }, now);
      return settleEnrollment(tx, deps, e, acting.actor, now);
    });
    if (result === 'regression') {
      throw new ForbiddenError('sign_counter_regression', 'the approving authenticator reported a sign counter that did not increase: the device is now restricted and the approval refused');
    }
    return result;
  });
}

/** Approval or denial by an administrator of the account's organisation; its role is evidence for policy. */
export async function decideByAdmin(deps: EnrollmentDeps, enrollmentId: string, d: { decision: 'approve' | 'deny'; reason: string }, caller: AdminCaller, acting: Acting, now: Date = new Date()): Promise<Settled> {
  const ctx = auditContext('enrollment.approval', enrollmentId, acting);
  ctx.details = { ...ctx.details, method: 'admin', decision: d.decision, reason: d.reason };
  return auditingRefusals(deps.db, ctx, () => deps.db.transaction(async (tx) => {
    const e = await lockEnrollment(tx, enrollmentId);
    assertVisible(e, enrollmentId, { orgId: caller.orgId });
    Object.assign(ctx, { orgId: e.org_id, accountId: e.account_id, deviceId: e.device_id });
    const devices = await lockDevices(tx, [e.device_id, e.replaces_device_id]);
    assertAwaitingApproval(e, devices.get(e.device_id)?.state ?? e.device_state, now);
    await tx.query(
      `INSERT INTO approvals (id, enrollment_id, method, decision, approver_key_id, approver_role, reason, created_at) VALUES ($1, $2, 'admin', $3, $4, $5, $6, $7)`,
      [newId('apr'), e.id, d.decision, caller.keyId, caller.role, d.reason, now]);
    await appendAudit(tx, {
      type: 'enrollment.approval', outcome: 'success', actor: acting.actor, orgId: e.org_id, accountId: e.account_id, deviceId: e.device_id,
      details: { enrollment_id: e.id, method: 'admin', decision: d.decision, role: caller.role, reason: d.reason },
    }, now);
    return settleEnrollment(tx, deps, e, acting.actor, now);
  }));
}
