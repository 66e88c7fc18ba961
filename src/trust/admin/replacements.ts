/**
 * Replacement tracking for one organisation: each old device → new device pair, with both
 * states and the times that matter, newest first. A replacement is `completed` once the new
 * device was approved, `abandoned` when its enrollment was denied or ran out, or the new
 * device lost its chance before approval, and `in_progress` otherwise.
 */
import type { Queryable } from '../../store/database.js';
import type { CursorCodec } from './cursor.js';
import { timeAndIdKey } from './cursor.js';
import { exactTime, iso, Params, type Page } from './sql.js';

export const REPLACEMENT_STATUSES = ['in_progress', 'completed', 'abandoned'] as const;
export type ReplacementStatus = (typeof REPLACEMENT_STATUSES)[number];

export interface ReplacementFilter {
  statuses?: ReplacementStatus[];
  accountId?: string;
  /** Replacements where this device is the old or the new one. */
  deviceId?: string;
}

/** One replacement: old → new. */
export interface Replacement {
  status: ReplacementStatus;
  accountId: string;
  enrollmentId: string | null;
  enrollmentState: string | null;
  startedAt: string;
  completedAt: string | null;
  old: { deviceId: string; label: string; platform: string; state: string; stateChangedAt: string };
  new: { deviceId: string; label: string; platform: string; state: string; stateChangedAt: string; approvedAt: string | null };
}

interface Row {
  status: ReplacementStatus; account_id: string; enrollment_id: string | null; enrollment_state: string | null; sort_at: string;
  old_id: string; old_label: string; old_platform: string; old_state: string; old_changed: Date;
  new_id: string; new_label: string; new_platform: string; new_state: string; new_changed: Date; new_created: Date; new_approved: Date | null;
}

const VIEW = 'replacements';

function selectSql(params: Params, orgId: string, now: Date): string {
  const at = params.add(now);
  // Both devices must belong to the organisation: the old one is joined through its own account.
  return `SELECT * FROM (
    SELECT CASE WHEN n.approved_at IS NOT NULL THEN 'completed'
                WHEN n.state IN ('revoked', 'retired') OR e.state IN ('denied', 'expired')
                     OR (e.state IN ('started', 'registered') AND e.expires_at <= ${at}) THEN 'abandoned'
                ELSE 'in_progress' END AS status,
           n.account_id, e.id AS enrollment_id, e.state AS enrollment_state, ${exactTime('n.created_at')} AS sort_at,
           o.id AS old_id, o.label AS old_label, o.platform AS old_platform, o.state AS old_state, o.state_changed_at AS old_changed,
           n.id AS new_id, n.label AS new_label, n.platform AS new_platform, n.state AS new_state, n.state_changed_at AS new_changed,
           n.created_at AS new_created, n.approved_at AS new_approved
      FROM devices n
      JOIN accounts na ON na.id = n.account_id
      LEFT JOIN enrollments e ON e.device_id = n.id
      JOIN devices o ON o.id = coalesce(n.replaces_device_id, e.replaces_device_id)
      JOIN accounts oa ON oa.id = o.account_id
     WHERE na.org_id = ${params.add(orgId)} AND oa.org_id = na.org_id) x`;
}

function toReplacement(r: Row): Replacement {
  return {
    status: r.status,
    accountId: r.account_id,
    enrollmentId: r.enrollment_id,
    enrollmentState: r.enrollment_state,
    startedAt: iso(r.new_created) as string,
    completedAt: r.status === 'completed' ? iso(r.new_approved) : null,
    old: { deviceId: r.old_id, label: r.old_label, platform: r.old_platform, state: r.old_state, stateChangedAt: iso(r.old_changed) as string },
    new: { deviceId: r.new_id, label: r.new_label, platform: r.new_platform, state: r.new_state, stateChangedAt: iso(r.new_changed) as string, approvedAt: iso(r.new_approved) },
  };
}

/** The organisation's replacements matching `filter`, newest first. */
export async function listReplacements(
  db: Queryable, codec: CursorCodec, orgId: string, filter: ReplacementFilter, page: { limit: number; cursor?: string }, now: Date = new Date(),
): Promise<Page<Replacement>> {
  const scope = { orgId, filter };
  const after = page.cursor === undefined ? undefined : timeAndIdKey(codec.decode(VIEW, scope, page.cursor), 'dev_');
  const params = new Params();
  const select = selectSql(params, orgId, now);
  const where: string[] = [];
  if (filter.statuses) where.push(`x.status = ANY(${params.add(filter.statuses)}::text[])`);
  if (filter.accountId !== undefined) where.push(`x.account_id = ${params.add(filter.accountId)}`);
  if (filter.deviceId !== undefined) {
    const id = params.add(filter.deviceId);
    where.push(`(x.old_id = ${id} OR x.new_id = ${id})`);
  }
  if (after) where.push(`(x.new_created, x.new_id) < (${params.add(after[0])}::timestamptz, ${params.add(after[1])})`);
  const sql = `${select} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY x.new_created DESC, x.new_id DESC LIMIT ${params.add(page.limit + 1)}`;
  const r = await db.query<Row>(sql, params.values);
  const rows = r.rows.slice(0, page.limit);
  const last = rows[rows.length - 1];
  return { items: rows.map(toReplacement), nextCursor: r.rows.length > page.limit ? codec.encode(VIEW, scope, [last.sort_at, last.new_id]) : null };
}
