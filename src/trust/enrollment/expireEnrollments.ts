/**
 * Closes enrollments whose time ran out undecided. Each becomes `expired`, and its device,
 * if still `pending`, is retired: a pending device never receives anything, but left alone
 * it would sit in inventories and counts for ever. One transaction per enrollment, with
 * its audit records and the device's outbox row; enrollments another sweeper holds are
 * skipped, so every instance may sweep.
 */
import { appendAudit, type AuditActor } from '../../store/audit.js';
import type { Database } from '../../store/database.js';
import { applyTransition } from '../transition.js';

export const SWEEPER: AuditActor = { type: 'system', id: 'enrollment-expiry' };

interface Expiring {
  id: string;
  account_id: string;
  org_id: string;
  device_id: string;
  expires_at: Date;
}

/** Expires one enrollment if it is still open, past its time and not held by another transaction. */
async function expireOne(db: Database, enrollmentId: string, now: Date): Promise<boolean> {
  return db.transaction(async (tx) => {
    // Lock order as in every enrollment flow (records.ts): the enrollment, its device, then the audit log.
    const r = await tx.query<Expiring>(
      `SELECT e.id, e.account_id, a.org_id, e.device_id, e.expires_at
         FROM enrollments e JOIN accounts a ON a.id = e.account_id
        WHERE e.id = $1 AND e.state IN ('started', 'registered') AND e.expires_at <= $2
          FOR UPDATE OF e SKIP LOCKED`, [enrollmentId, now]);
    const e = r.rows[0];
    if (!e) return false;
    const device = await tx.query<{ state: string }>('SELECT state FROM devices WHERE id = $1 FOR UPDATE', [e.device_id]);
    const deviceState = device.rows[0].state;
    await tx.query(`UPDATE enrollments SET state = 'expired', decided_at = $2, version = version + 1 WHERE id = $1`, [e.id, now]);
    await appendAudit(tx, {
      type: 'enrollment.expired', outcome: 'success', actor: SWEEPER, orgId: e.org_id, accountId: e.account_id, deviceId: e.device_id,
      details: { enrollment_id: e.id, expired_at: e.expires_at.toISOString(), device_state: deviceState },
    }, now);
    // A device an operator already retired or revoked keeps its state.
    if (deviceState === 'pending') {
      await applyTransition(tx, { deviceId: e.device_id, to: 'retired', actor: SWEEPER, reason: 'enrollment expired', expectedStates: ['pending'] }, now);
    }
    return true;
  });
}

/**
 * Expires up to `limit` open enrollments past their time, oldest first; returns how many it
 * closed. Call it again while it returns `limit`.
 */
export async function expireEnrollments(db: Database, now: Date = new Date(), limit = 100): Promise<number> {
  const due = await db.query<{ id: string }>(
    `SELECT id FROM enrollments WHERE state IN ('started', 'registered') AND expires_at <= $1 ORDER BY expires_at, id LIMIT $2`, [now, limit]);
  let closed = 0;
  for (const { id } of due.rows) if (await expireOne(db, id, now)) closed++;
  return closed;
}

export interface EnrollmentExpiry {
  /** Stops sweeping and waits for a sweep in progress. */
  stop(): Promise<void>;
}

/**
 * Sweeps every `intervalMs` (first right away), draining whatever is due; sweeps never
 * overlap. A failed sweep is reported and the next one tries again.
 */
export function startEnrollmentExpiry(db: Database, opts: { intervalMs: number; onError: (err: unknown) => void }): EnrollmentExpiry {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const LIMIT = 100;
  const sweep = async (): Promise<void> => {
    try {
      while (!stopped && (await expireEnrollments(db, new Date(), LIMIT)) === LIMIT);
    } catch (err) {
      opts.onError(err);
    }
    if (!stopped) timer = setTimeout(() => { running = sweep(); }, opts.intervalMs).unref();
  };
  running = sweep();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
