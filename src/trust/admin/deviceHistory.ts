/**
 * One device's lifecycle history for the organisation's readers: every transition, enrollment
 * step and replacement step recorded in the audit log for it, oldest first — who acted, when,
 * from which state to which, and why. Built field by field from the records' metadata; a
 * device of another organisation is not found, exactly as a missing one.
 */
import type { Queryable } from '../../store/database.js';
import { NotFoundError } from '../errors.js';

export interface HistoryStep {
  at: string;
  type: string;
  outcome: 'success' | 'refused';
  from: string | null;
  to: string | null;
  reason: string | null;
  refusal: string | null;
  decision: 'approve' | 'deny' | null;
  actor: { type: string; id: string | null; role: string | null };
}

const MAX_STEPS = 500;
const text = (v: unknown, max: number): string | null => (typeof v === 'string' ? v.slice(0, max) : null);

/** The device's steps, oldest first (at most the latest 500). */
export async function deviceHistory(q: Queryable, orgId: string, deviceId: string): Promise<{ deviceId: string; items: HistoryStep[] }> {
  const device = await q.query('SELECT 1 FROM devices d JOIN accounts a ON a.id = d.account_id WHERE d.id = $1 AND a.org_id = $2', [deviceId, orgId]);
  if (device.rowCount === 0) throw new NotFoundError('device_not_found', `no device ${deviceId}`);
  const r = await q.query<{ occurred_at: Date; type: string; outcome: 'success' | 'refused'; actor: Record<string, unknown>; details: Record<string, unknown> }>(
    `SELECT occurred_at, type, outcome, actor, details FROM (
       SELECT seq, occurred_at, type, outcome, actor, details FROM audit_events
        WHERE device_id = $1 AND org_id = $2 AND (type LIKE 'device.%' OR type LIKE 'enrollment.%' OR type LIKE 'replacement.%')
        ORDER BY seq DESC LIMIT ${MAX_STEPS}) x ORDER BY seq`, [deviceId, orgId]);
  return {
    deviceId,
    items: r.rows.map((row) => {
      const d = row.details ?? {};
      const a = row.actor ?? {};
      return {
        at: new Date(row.occurred_at).toISOString(),
        type: row.type.slice(0, 100),
        outcome: row.outcome,
        from: text(d.from, 20),
        to: text(d.to, 20),
        reason: text(d.reason, 10000),
        refusal: text(d.refusal, 100),
        decision: d.decision === 'approve' || d.decision === 'deny' ? d.decision : null,
        actor: { type: text(a.type, 20) ?? 'anonymous', id: text(a.id, 100), role: text(a.role, 20) },
      };
    }),
  };
}
