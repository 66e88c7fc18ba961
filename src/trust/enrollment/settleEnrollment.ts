/**
 * Asks the enrollment policy what a pending device has become given all the evidence
 * gathered so far, and applies the answer in the caller's transaction: still pending (with
 * its requirements), trusted or restricted (approved; a replaced device moves to `replaced`
 * in the same transaction), or denied (the pending device is revoked).
 * The caller holds the locks: the enrollment, its device, the device it replaces, any approver.
 */
import { appendAudit, type AuditActor } from '../../store/audit.js';
import type { Queryable } from '../../store/database.js';
import type { EnrollmentResult } from '../../policy/bundle.js';
import { loadDeviceContext } from '../deviceContext.js';
import { canTransition, type DeviceState } from '../lifecycle.js';
import { buildEnrollmentInput, type ApprovalEvidence } from '../policyInput.js';
import { applyTransition } from '../transition.js';
import type { EnrollmentRow } from './records.js';
import type { EnrollmentDeps } from './settings.js';

export interface Settled {
  deviceId: string;
  /** The enrolling device's lifecycle state after policy. */
  state: DeviceState;
  requirements: string[];
  reasons: string[];
}

interface ApprovalRow {
  method: 'device' | 'admin' | 'bootstrap' | 'recovery';
  decision: 'approve' | 'deny';
  approver_device_id: string | null;
  approver_role: string | null;
  user_verified: boolean;
  approver_state: DeviceState | null;
  approver_account_id: string | null;
  approver_counter_anomaly: boolean | null;
  code_confirmed: boolean;
}

/** The evidence of an enrollment, approvers as they are now (a since-revoked approver no longer counts). */
async function loadEvidence(tx: Queryable, e: EnrollmentRow): Promise<ApprovalEvidence[]> {
  const r = await tx.query<ApprovalRow>(
    `SELECT a.method, a.decision, a.approver_device_id, a.approver_role, a.user_verified, a.code_confirmed,
            d.state AS approver_state, d.account_id AS approver_account_id, d.counter_anomaly AS approver_counter_anomaly
       FROM approvals a LEFT JOIN devices d ON d.id = a.approver_device_id
      WHERE a.enrollment_id = $1 ORDER BY a.created_at, a.id`, [e.id]);
  return r.rows.map((a): ApprovalEvidence => {
    switch (a.method) {
      case 'bootstrap': return { method: 'bootstrap', valid: true };
      case 'recovery': return { method: 'recovery', valid: true };
      case 'admin': return { method: 'admin', decision: a.decision, role: a.approver_role ?? 'viewer', same_org: true };
      case 'device': {
        const approver = { id: a.approver_device_id as string, state: a.approver_state as DeviceState, same_account: a.approver_account_id === e.account_id, user_verified: a.user_verified, counter_anomaly: a.approver_counter_anomaly ?? false };
        return { method: 'device', approver, code_confirmed: a.code_confirmed };
      }
    }
  });
}

// How the device came to be trusted, for its record: the strongest grant policy named.
const GRANTS: Array<[string, 'admin' | 'device' | 'recovery' | 'bootstrap']> = [
  ['approved_by_admin', 'admin'], ['approved_by_trusted_device', 'device'], ['recovery_code_accepted', 'recovery'], ['bootstrap_code_accepted', 'bootstrap'],
];

function approvalMethod(reasons: string[]): string | null {
  return GRANTS.find(([reason]) => reasons.includes(reason))?.[1] ?? null;
}

async function approve(tx: Queryable, e: EnrollmentRow, result: EnrollmentResult, actor: AuditActor, now: Date): Promise<void> {
  const outcome = result.outcome as 'trusted' | 'restricted';
  await tx.query('UPDATE devices SET approval_method = $2, approved_at = $3 WHERE id = $1', [e.device_id, approvalMethod(result.reasons), now]);
  await tx.query('UPDATE accounts SET devices_enrolled = devices_enrolled + 1, updated_at = $2 WHERE id = $1', [e.account_id, now]);
  const recovering = await tx.query<{ recovery_state: string }>('SELECT recovery_state FROM accounts WHERE id = $1', [e.account_id]);
  if (recovering.rows[0]?.recovery_state === 'recovering') {
    // A device admitted during recovery ends it; codes still unused stop working.
    await tx.query(`UPDATE accounts SET recovery_state = 'none', recovery_started_at = NULL WHERE id = $1`, [e.account_id]);
    await tx.query(`UPDATE account_codes SET expires_at = $2 WHERE account_id = $1 AND kind = 'recovery' AND used_at IS NULL AND expires_at > $2`, [e.account_id, now]);
  }
  await applyTransition(tx, { deviceId: e.device_id, to: outcome, actor, reason: `enrollment approved (${result.reasons.join(', ')})`, expectedStates: ['pending'] }, now);
  if (e.replaces_device_id) {
    const old = await tx.query<{ state: DeviceState }>('SELECT state FROM devices WHERE id = $1', [e.replaces_device_id]);
    await tx.query('UPDATE devices SET replaced_by_device_id = $2 WHERE id = $1', [e.replaces_device_id, e.device_id]);
    // A lost device revoked at recovery stays revoked; a live one is superseded now.
    if (old.rows[0] && canTransition(old.rows[0].state, 'replaced')) {
      await applyTransition(tx, { deviceId: e.replaces_device_id, to: 'replaced', actor, reason: `replaced by ${e.device_id}` }, now);
    }
  }
}

/** Evaluates the enrollment policy for `e` and applies its outcome. */
export async function settleEnrollment(tx: Queryable, deps: Pick<EnrollmentDeps, 'policy' | 'validateEnrollmentInput'>, e: EnrollmentRow, actor: AuditActor, now: Date): Promise<Settled> {
  const ctx = await loadDeviceContext(tx, e.device_id);
  if (!ctx) throw new Error(`enrollment ${e.id} has no device ${e.device_id}`);
  const old = e.replaces_device_id ? await tx.query<{ state: DeviceState }>('SELECT state FROM devices WHERE id = $1', [e.replaces_device_id]) : undefined;
  const input = buildEnrollmentInput(ctx, await loadEvidence(tx, e), { replaces: e.replaces_device_id, old_state: old?.rows[0]?.state ?? null }, now);
  const problem = deps.validateEnrollmentInput(input);
  if (problem !== undefined) throw new Error(`built enrollment input does not match its schema: ${problem}`);
  const bundle = deps.policy();
  const result = bundle.enroll(input);
  let state: DeviceState = 'pending';
  if (result.outcome === 'trusted' || result.outcome === 'restricted') {
    await approve(tx, e, result, actor, now);
    state = result.outcome;
  } else if (result.outcome === 'denied') {
    await applyTransition(tx, { deviceId: e.device_id, to: 'revoked', actor, reason: `enrollment denied (${result.reasons.join(', ')})`, expectedStates: ['pending'] }, now);
    state = 'revoked';
  }
  const enrollmentState = result.outcome === 'pending' ? null : result.outcome;
  await tx.query(
    `UPDATE enrollments SET requirements = $2, state = coalesce($3, state), decided_at = CASE WHEN $3::text IS NULL THEN decided_at ELSE $4 END, version = version + 1 WHERE id = $1`,
    [e.id, JSON.stringify(result.requirements), enrollmentState, now]);
  await appendAudit(tx, {
    type: 'enrollment.evaluated', outcome: 'success', actor, orgId: e.org_id, accountId: e.account_id, deviceId: e.device_id,
    details: { enrollment_id: e.id, outcome: result.outcome, requirements: result.requirements, reasons: result.reasons, policy_revision: bundle.revision },
  }, now);
  return { deviceId: e.device_id, state, requirements: result.requirements, reasons: result.reasons };
}
