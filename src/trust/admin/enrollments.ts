/**
 * The enrollment review queue of one organisation: enrollments in the given states (by
 * default those waiting for approval, registered and not expired), oldest first so the
 * queue is worked in order, and one enrollment in detail with its approvals. Scoped to the
 * organisation in SQL; another organisation's enrollment is not found, exactly as a missing one.
 */
import type { Queryable } from '../../store/database.js';
import { NotFoundError } from '../errors.js';
import type { CursorCodec } from './cursor.js';
import { timeAndIdKey } from './cursor.js';
import { exactTime, iso, Params, type Page } from './sql.js';

export const ENROLLMENT_STATES = ['started', 'registered', 'trusted', 'restricted', 'denied', 'expired'] as const;
export type EnrollmentState = (typeof ENROLLMENT_STATES)[number];

export interface EnrollmentFilter {
  /** Default: `registered` (a credential is verified and the device waits for approval). */
  states?: EnrollmentState[];
  accountId?: string;
  /**
   * Also list open (started or registered) enrollments that can no longer be decided: their
   * time ran out, or their device left `pending` (e.g. an operator retired it). Default false.
   */
  includeExpired?: boolean;
}

/** One enrollment as the queue lists it. */
export interface EnrollmentSummary {
  enrollmentId: string;
  state: EnrollmentState;
  expired: boolean;
  deviceId: string;
  deviceState: string;
  accountId: string;
  accountHandle: string;
  label: string;
  platform: string;
  replacesDeviceId: string | null;
  requirements: string[];
  createdAt: string;
  expiresAt: string;
  decidedAt: string | null;
  approvals: number;
  protection: { attestationFormat: string; aaguid: string | null; backupEligible: boolean; backedUp: boolean; userVerified: boolean } | null;
}

/** One enrollment in detail, with every approval or denial recorded for it. */
export interface EnrollmentDetail extends EnrollmentSummary {
  approvalHistory: Array<{ method: string; decision: string; approverDeviceId: string | null; approverKeyId: string | null; approverRole: string | null; userVerified: boolean; reason: string | null; createdAt: string }>;
}

interface Row {
  id: string; state: EnrollmentState; expired: boolean; device_id: string; device_state: string; account_id: string; handle: string;
  label: string; platform: string; replaces_device_id: string | null; requirements: unknown; created_at: Date; expires_at: Date;
  decided_at: Date | null; approvals: number | string; sort_at: string;
  attestation_format: string | null; aaguid: string | null; backup_eligible: boolean | null; backed_up: boolean | null; credential_uv: boolean | null;
}

const VIEW = 'enrollments';
const OPEN_STATES: readonly string[] = ['started', 'registered'];

function selectSql(params: Params, now: Date): string {
  return `SELECT e.id, e.state, (e.state = 'expired' OR (e.state IN ('started', 'registered') AND e.expires_at <= ${params.add(now)})) AS expired,
                 e.device_id, d.state AS device_state, e.account_id, a.handle, d.label, d.platform,
                 coalesce(e.replaces_device_id, d.replaces_device_id) AS replaces_device_id, e.requirements,
                 e.created_at, e.expires_at, e.decided_at, ${exactTime('e.created_at')} AS sort_at,
                 (SELECT count(*) FROM approvals ap WHERE ap.enrollment_id = e.id) AS approvals,
                 c.attestation_format, c.aaguid, c.backup_eligible, c.backed_up, c.user_verified AS credential_uv
            FROM enrollments e
            JOIN accounts a ON a.id = e.account_id
            JOIN devices d ON d.id = e.device_id
            LEFT JOIN credentials c ON c.device_id = e.device_id`;
}

// Requirements are policy output (short strings); anything else is left out rather than passed on.
function requirementsOf(value: unknown): string[] {
  const list = typeof value === 'string' ? JSON.parse(value) as unknown : value;
  return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string').slice(0, 50) : [];
}

function toSummary(r: Row): EnrollmentSummary {
  return {
    enrollmentId: r.id,
    state: r.state,
    expired: r.expired,
    deviceId: r.device_id,
    deviceState: r.device_state,
    accountId: r.account_id,
    accountHandle: r.handle,
    label: r.label,
    platform: r.platform,
    replacesDeviceId: r.replaces_device_id,
    requirements: requirementsOf(r.requirements),
    createdAt: iso(r.created_at) as string,
    expiresAt: iso(r.expires_at) as string,
    decidedAt: iso(r.decided_at),
    approvals: Number(r.approvals),
    protection: r.attestation_format === null ? null : {
      attestationFormat: r.attestation_format, aaguid: r.aaguid, backupEligible: r.backup_eligible ?? false,
      backedUp: r.backed_up ?? false, userVerified: r.credential_uv ?? false,
    },
  };
}

/** The organisation's enrollments matching `filter`, oldest first. */
export async function listEnrollments(
  db: Queryable, codec: CursorCodec, orgId: string, filter: EnrollmentFilter, page: { limit: number; cursor?: string }, now: Date = new Date(),
): Promise<Page<EnrollmentSummary>> {
  const states = filter.states ?? ['registered'];
  const scope = { orgId, filter: { ...filter, states } };
  const after = page.cursor === undefined ? undefined : timeAndIdKey(codec.decode(VIEW, scope, page.cursor), 'enr_');
  const params = new Params();
  const select = selectSql(params, now);
  const where = [`a.org_id = ${params.add(orgId)}`, `e.state = ANY(${params.add(states)}::text[])`];
  if (filter.accountId !== undefined) where.push(`e.account_id = ${params.add(filter.accountId)}`);
  // An open enrollment past its time, or whose device is no longer pending, can no longer be
  // approved: out of the queue unless asked for.
  if (!filter.includeExpired && states.some((s) => OPEN_STATES.includes(s))) {
    where.push(`NOT (e.state IN ('started', 'registered') AND (e.expires_at <= ${params.add(now)} OR d.state <> 'pending'))`);
  }
  if (after) where.push(`(e.created_at, e.id) > (${params.add(after[0])}::timestamptz, ${params.add(after[1])})`);
  const r = await db.query<Row>(`${select} WHERE ${where.join(' AND ')} ORDER BY e.created_at, e.id LIMIT ${params.add(page.limit + 1)}`, params.values);
  const rows = r.rows.slice(0, page.limit);
  const last = rows[rows.length - 1];
  return { items: rows.map(toSummary), nextCursor: r.rows.length > page.limit ? codec.encode(VIEW, scope, [last.sort_at, last.id]) : null };
}

/** One enrollment of the organisation with its approvals; NotFoundError when missing or another organisation's. */
export async function getEnrollment(db: Queryable, orgId: string, enrollmentId: string, now: Date = new Date()): Promise<EnrollmentDetail> {
  const params = new Params();
  const select = selectSql(params, now);
  const r = await db.query<Row>(`${select} WHERE a.org_id = ${params.add(orgId)} AND e.id = ${params.add(enrollmentId)}`, params.values);
  const row = r.rows[0];
  if (!row) throw new NotFoundError('enrollment_not_found', `no enrollment ${enrollmentId}`);
  const approvals = await db.query<{ method: string; decision: string; approver_device_id: string | null; approver_key_id: string | null; approver_role: string | null; user_verified: boolean; reason: string | null; created_at: Date }>(
    `SELECT method, decision, approver_device_id, approver_key_id, approver_role, user_verified, reason, created_at
       FROM approvals WHERE enrollment_id = $1 ORDER BY created_at, id`, [row.id]);
  return {
    ...toSummary(row),
    approvalHistory: approvals.rows.map((a) => ({
      method: a.method, decision: a.decision, approverDeviceId: a.approver_device_id, approverKeyId: a.approver_key_id, approverRole: a.approver_role,
      userVerified: a.user_verified, reason: a.reason, createdAt: iso(a.created_at) as string,
    })),
  };
}
