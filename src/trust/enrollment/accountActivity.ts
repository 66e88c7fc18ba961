/**
 * An account's activity, as its own devices read it on the device page: the lifecycle of each of
 * its devices (asked to join, joined, restricted, trusted again, revoked, replaced, retired) and
 * who did it, newest first, from the audit log. Allow-listed fields only: an administrator is
 * named by role, never by key; a device by its identifier and label. Each device remembers how
 * far its person has read, so the page can say what joined or left since they last looked.
 */
import type { AuditActor } from '../../store/audit.js';
import type { Queryable } from '../../store/database.js';
import { NotFoundError } from '../errors.js';

export type ActivityActor =
  | { kind: 'device'; deviceId: string; label: string | null }
  | { kind: 'admin'; role: string | null }
  | { kind: 'service' | 'system' | 'anonymous' };

export interface ActivityItem {
  id: string;
  at: string;
  /** `enrollment_started`, or `state_changed` with `from` and `to`. */
  event: 'enrollment_started' | 'state_changed';
  deviceId: string;
  deviceLabel: string;
  from: string | null;
  to: string | null;
  /** The reason recorded with the change (typed by a person, or the service's own words). */
  reason: string | null;
  /** For a device that joined: how it was approved (`device`, `admin`, `bootstrap`, `recovery`). */
  approvalMethod: string | null;
  actor: ActivityActor;
  /** A device joined or left after the reading device last looked. */
  unseen: boolean;
}

export interface AccountActivity {
  accountId: string;
  /** Until when the reading device has seen the activity (null: never looked, nothing before it joined counts). */
  seenUntil: string | null;
  items: ActivityItem[];
}

const JOINED = new Set(['trusted', 'restricted']);
const LEFT = new Set(['revoked', 'replaced', 'retired']);

/** True when the change is a device joining (approved) or leaving (losing trust for good). */
export function joinsOrLeaves(from: string | null, to: string | null): boolean {
  return (from === 'pending' && JOINED.has(to ?? '')) || (from !== 'pending' && LEFT.has(to ?? ''));
}

interface Row {
  id: string; occurred_at: Date; device_id: string; type: string; actor: AuditActor; details: Record<string, unknown>;
  label: string | null; approval_method: string | null; actor_label: string | null;
}

function actorOf(a: AuditActor, label: string | null): ActivityActor {
  if (a.type === 'device' && a.id) return { kind: 'device', deviceId: a.id, label };
  if (a.type === 'admin') return { kind: 'admin', role: a.role ?? null };
  return { kind: a.type === 'device' ? 'anonymous' : a.type };
}

const str = (v: unknown) => (typeof v === 'string' ? v : null);

/** The newest `limit` events of the account, as `readerDeviceId` (a device of the account) sees them. */
export async function accountActivity(q: Queryable, accountId: string, readerDeviceId: string, limit: number): Promise<AccountActivity> {
  const reader = await q.query<{ seen: Date | null }>(
    'SELECT coalesce(activity_seen_at, approved_at) AS seen FROM devices WHERE id = $1 AND account_id = $2', [readerDeviceId, accountId]);
  if (!reader.rows[0]) throw new NotFoundError('account_not_found', `no account ${accountId}`);
  const seen = reader.rows[0].seen;
  const r = await q.query<Row>(
    `SELECT e.id, e.occurred_at, e.device_id, e.type, e.actor, e.details, d.label, d.approval_method, ad.label AS actor_label
       FROM audit_events e
       JOIN devices d ON d.id = e.device_id AND d.account_id = e.account_id
       LEFT JOIN devices ad ON ad.id = e.actor->>'id' AND ad.account_id = e.account_id
      WHERE e.account_id = $1 AND e.outcome = 'success'
        AND (e.type = 'enrollment.started' OR (e.type LIKE 'device.%' AND e.details ? 'to'))
      ORDER BY e.seq DESC LIMIT $2`, [accountId, limit]);
  return {
    accountId,
    seenUntil: seen?.toISOString() ?? null,
    items: r.rows.map((row): ActivityItem => {
      const started = row.type === 'enrollment.started';
      const from = started ? null : str(row.details.from);
      const to = started ? null : str(row.details.to);
      return {
        id: row.id, at: row.occurred_at.toISOString(), event: started ? 'enrollment_started' : 'state_changed',
        deviceId: row.device_id, deviceLabel: row.label ?? '', from, to,
        reason: started ? null : str(row.details.reason),
        approvalMethod: from === 'pending' && JOINED.has(to ?? '') ? row.approval_method : null,
        actor: actorOf(row.actor, row.actor_label),
        unseen: joinsOrLeaves(from, to) && seen !== null && row.occurred_at.getTime() > seen.getTime(),
      };
    }),
  };
}

/** Records that the reading device's person has seen the activity until `until` (never moves back, never past now). */
export async function markActivitySeen(q: Queryable, accountId: string, readerDeviceId: string, until: Date, now: Date = new Date()): Promise<string> {
  const at = until.getTime() > now.getTime() ? now : until;
  const r = await q.query<{ activity_seen_at: Date }>(
    `UPDATE devices SET activity_seen_at = greatest(coalesce(activity_seen_at, $3), $3) WHERE id = $1 AND account_id = $2 RETURNING activity_seen_at`,
    [readerDeviceId, accountId, at]);
  if (!r.rows[0]) throw new NotFoundError('account_not_found', `no account ${accountId}`);
  return r.rows[0].activity_seen_at.toISOString();
}
