/**
 * The device inventory of one organisation: filtered, newest first, in keyset pages, and one
 * device in detail. Every query joins the device to its account and keeps only the
 * organisation's rows in SQL; a device of another organisation is not found, exactly as a
 * missing one. Results are built field by field: no credential id, public key, session token
 * or signal payload is ever selected.
 */
import type { Queryable } from '../../store/database.js';
import { NotFoundError } from '../errors.js';
import type { DeviceState } from '../lifecycle.js';
import type { CursorCodec } from './cursor.js';
import { timeAndIdKey } from './cursor.js';
import { managedStatusSql, type ManagedStatus } from './managedStatus.js';
import { exactTime, iso, Params, type Page } from './sql.js';

export interface InventoryFilter {
  states?: DeviceState[];
  platforms?: string[];
  accountId?: string;
  /** Account handles starting with this text (case-insensitive). */
  accountHandle?: string;
  /** Seen at or after this time. */
  lastSeenAfter?: Date;
  /** Seen before this time. */
  lastSeenBefore?: Date;
  /** true: never seen; false: seen at least once. */
  neverSeen?: boolean;
  managed?: ManagedStatus[];
}

/** One device as the inventory lists it. */
export interface DeviceSummary {
  deviceId: string;
  accountId: string;
  accountHandle: string;
  label: string;
  platform: string;
  state: DeviceState;
  stateReason: string | null;
  stateChangedAt: string;
  approvalMethod: string | null;
  approvedAt: string | null;
  createdAt: string;
  lastSeenAt: string | null;
  replacesDeviceId: string | null;
  replacedByDeviceId: string | null;
  counterAnomaly: boolean;
  managed: { status: ManagedStatus; statementStatus: string | null; issuer: string | null; issuedAt: string | null };
}

/** One device in detail: the summary plus what protects its key and what its signals say. */
export interface DeviceDetail extends DeviceSummary {
  enrollmentId: string | null;
  protection: { attestationFormat: string; aaguid: string | null; backupEligible: boolean; backedUp: boolean; userVerifiedAtEnrollment: boolean } | null;
  activeSessions: number;
  signals: Array<{ kind: string; verified: boolean; status: string | null; issuer: string | null; issuedAt: string; receivedAt: string }>;
}

interface SummaryRow {
  id: string; account_id: string; handle: string; label: string; platform: string; state: DeviceState;
  state_reason: string | null; state_changed_at: Date; approval_method: string | null; approved_at: Date | null;
  created_at: Date; last_seen_at: Date | null; replaces_device_id: string | null; replaced_by_device_id: string | null;
  counter_anomaly: boolean; sort_at: string;
  managed_status: ManagedStatus; managed_statement_status: string | null; managed_issuer: string | null; managed_issued_at: Date | null;
}

interface DetailRow extends SummaryRow {
  enrollment_id: string | null;
  attestation_format: string | null; aaguid: string | null; backup_eligible: boolean | null; backed_up: boolean | null; credential_uv: boolean | null;
  active_sessions: number | string;
  signals: Array<{ kind: string; verified: boolean; status: string | null; issuer: string | null; issued_at: string; received_at: string }> | string;
}

const VIEW = 'devices';

function summarySelect(params: Params, now: Date): { columns: string; from: string } {
  const managed = managedStatusSql(params, now);
  return {
    columns: `d.id, d.account_id, a.handle, d.label, d.platform, d.state, d.state_reason, d.state_changed_at,
              d.approval_method, d.approved_at, d.created_at, d.last_seen_at, d.replaces_device_id, d.replaced_by_device_id,
              d.counter_anomaly, ${exactTime('d.created_at')} AS sort_at,
              ${managed.status} AS managed_status, ms.status AS managed_statement_status, ms.issuer AS managed_issuer, ms.issued_at AS managed_issued_at`,
    from: `devices d
           JOIN accounts a ON a.id = d.account_id
           JOIN organisations o ON o.id = a.org_id
           ${managed.join}`,
  };
}

function toSummary(r: SummaryRow): DeviceSummary {
  return {
    deviceId: r.id,
    accountId: r.account_id,
    accountHandle: r.handle,
    label: r.label,
    platform: r.platform,
    state: r.state,
    stateReason: r.state_reason,
    stateChangedAt: iso(r.state_changed_at) as string,
    approvalMethod: r.approval_method,
    approvedAt: iso(r.approved_at),
    createdAt: iso(r.created_at) as string,
    lastSeenAt: iso(r.last_seen_at),
    replacesDeviceId: r.replaces_device_id,
    replacedByDeviceId: r.replaced_by_device_id,
    counterAnomaly: r.counter_anomaly,
    managed: { status: r.managed_status, statementStatus: r.managed_statement_status, issuer: r.managed_issuer, issuedAt: iso(r.managed_issued_at) },
  };
}

function filterClauses(params: Params, f: InventoryFilter): string[] {
  const where: string[] = [];
  if (f.states) where.push(`d.state = ANY(${params.add(f.states)}::text[])`);
  if (f.platforms) where.push(`d.platform = ANY(${params.add(f.platforms)}::text[])`);
  if (f.accountId !== undefined) where.push(`d.account_id = ${params.add(f.accountId)}`);
  // A prefix match: LIKE's wildcards in the search text are escaped, so they match themselves.
  if (f.accountHandle !== undefined) where.push(`lower(a.handle) LIKE ${params.add(`${f.accountHandle.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`);
  if (f.lastSeenAfter) where.push(`d.last_seen_at >= ${params.add(f.lastSeenAfter)}`);
  if (f.lastSeenBefore) where.push(`d.last_seen_at < ${params.add(f.lastSeenBefore)}`);
  if (f.neverSeen !== undefined) where.push(f.neverSeen ? 'd.last_seen_at IS NULL' : 'd.last_seen_at IS NOT NULL');
  return where;
}

/** The sort key a devices cursor carries: the exact creation time and the id. */
/**
 * The organisation's devices matching `filter`, newest first, `limit` per page. `cursor` is
 * the `nextCursor` of the previous page, for the same organisation and filters.
 */
export async function listDevices(
  db: Queryable, codec: CursorCodec, orgId: string, filter: InventoryFilter, page: { limit: number; cursor?: string }, now: Date = new Date(),
): Promise<Page<DeviceSummary>> {
  const scope = { orgId, filter };
  const after = page.cursor === undefined ? undefined : timeAndIdKey(codec.decode(VIEW, scope, page.cursor), 'dev_');
  const params = new Params();
  const select = summarySelect(params, now);
  const where = [`a.org_id = ${params.add(orgId)}`, ...filterClauses(params, filter)];
  if (after) where.push(`(d.created_at, d.id) < (${params.add(after[0])}::timestamptz, ${params.add(after[1])})`);
  const managed = filter.managed ? `WHERE x.managed_status = ANY(${params.add(filter.managed)}::text[])` : '';
  const sql = `SELECT * FROM (SELECT ${select.columns} FROM ${select.from} WHERE ${where.join(' AND ')}) x
               ${managed} ORDER BY x.created_at DESC, x.id DESC LIMIT ${params.add(page.limit + 1)}`;
  const r = await db.query<SummaryRow>(sql, params.values);
  const rows = r.rows.slice(0, page.limit);
  const last = rows[rows.length - 1];
  return {
    items: rows.map(toSummary),
    nextCursor: r.rows.length > page.limit ? codec.encode(VIEW, scope, [last.sort_at, last.id]) : null,
  };
}

function parseSignals(value: DetailRow['signals']): Exclude<DetailRow['signals'], string> {
  return typeof value === 'string' ? JSON.parse(value) as Exclude<DetailRow['signals'], string> : value;
}

/** One device of the organisation in detail; NotFoundError when missing or another organisation's. */
export async function getDevice(db: Queryable, orgId: string, deviceId: string, now: Date = new Date()): Promise<DeviceDetail> {
  const params = new Params();
  const select = summarySelect(params, now);
  const sql = `SELECT ${select.columns},
      (SELECT e.id FROM enrollments e WHERE e.device_id = d.id) AS enrollment_id,
      c.attestation_format, c.aaguid, c.backup_eligible, c.backed_up, c.user_verified AS credential_uv,
      (SELECT count(*) FROM sessions se WHERE se.device_id = d.id AND se.revoked_at IS NULL AND se.expires_at > ${params.add(now)}) AS active_sessions,
      (SELECT coalesce(json_agg(x ORDER BY x.kind), '[]'::json) FROM (
         SELECT DISTINCT ON (kind) kind, verified, status, issuer, issued_at, received_at
           FROM signals WHERE device_id = d.id ORDER BY kind, received_at DESC, id DESC) x) AS signals
    FROM ${select.from}
    LEFT JOIN credentials c ON c.device_id = d.id
   WHERE a.org_id = ${params.add(orgId)} AND d.id = ${params.add(deviceId)}`;
  const r = await db.query<DetailRow>(sql, params.values);
  const row = r.rows[0];
  if (!row) throw new NotFoundError('device_not_found', `no device ${deviceId}`);
  return {
    ...toSummary(row),
    enrollmentId: row.enrollment_id,
    protection: row.attestation_format === null ? null : {
      attestationFormat: row.attestation_format,
      aaguid: row.aaguid,
      backupEligible: row.backup_eligible ?? false,
      backedUp: row.backed_up ?? false,
      userVerifiedAtEnrollment: row.credential_uv ?? false,
    },
    activeSessions: Number(row.active_sessions),
    signals: parseSignals(row.signals).map((s) => ({
      kind: s.kind, verified: s.verified, status: s.status, issuer: s.issuer, issuedAt: iso(s.issued_at) as string, receivedAt: iso(s.received_at) as string,
    })),
  };
}
