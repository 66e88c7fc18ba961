/**
 * Closing an enrollment that can no longer finish: a step failed after its registration
 * challenge was spent (a refused code, a registration that did not verify), or the enrolling
 * device gave up before registering. The enrollment becomes `denied` and its still-pending
 * device `revoked`, audited and fanned out in one transaction, so nothing of it is left for a
 * retry — which starts a new enrollment — to trip over.
 */
import { appendAudit, type AuditActor } from '../../store/audit.js';
import type { Database } from '../../store/database.js';
import { applyTransition } from '../transition.js';
import { lockDevices, lockEnrollment } from './records.js';

export interface Closing {
  /** `enrollment.failed` (a refused step) or `enrollment.cancelled` (the device gave up). */
  type: 'enrollment.failed' | 'enrollment.cancelled';
  actor: AuditActor;
  /** Why, in words the account's activity list can show. */
  reason: string;
  /** The refusal's code, for a failure. */
  refusal?: string;
}

/** Closes the enrollment if it still waits for its credential; false when there was nothing to close. */
export async function closeEnrollment(db: Database, enrollmentId: string, c: Closing, now: Date = new Date()): Promise<boolean> {
  return db.transaction(async (tx) => {
    const e = await lockEnrollment(tx, enrollmentId);
    if (!e || e.state !== 'started') return false;
    const device = (await lockDevices(tx, [e.device_id])).get(e.device_id);
    await tx.query(`UPDATE enrollments SET state = 'denied', decided_at = $2, version = version + 1 WHERE id = $1`, [e.id, now]);
    await appendAudit(tx, {
      type: c.type, outcome: 'success', actor: c.actor, orgId: e.org_id, accountId: e.account_id, deviceId: e.device_id,
      details: { enrollment_id: e.id, reason: c.reason, ...(c.refusal ? { refusal: c.refusal } : {}) },
    }, now);
    if (device?.state === 'pending') {
      await applyTransition(tx, { deviceId: e.device_id, to: 'revoked', actor: c.actor, reason: c.reason, expectedStates: ['pending'] }, now);
    }
    return true;
  });
}
