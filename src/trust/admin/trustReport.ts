/**
 * The trust-state report of one organisation: device counts per state and platform,
 * managed-device status of the devices that may receive content, stale devices (not seen for
 * a while), and devices whose signals restrict them — a verified OS-integrity failure, or an
 * unmet managed-compliance requirement — as the decision policy reads those signals.
 */
import type { Queryable } from '../../store/database.js';
import { DEVICE_STATES, type DeviceState } from '../lifecycle.js';
import { MANAGED_STATUSES, managedStatusSql, type ManagedStatus } from './managedStatus.js';
import { iso, Params } from './sql.js';

/** How many devices each list of the report shows at most (the counts are always complete). */
export const REPORT_LIST_LIMIT = 100;

export interface TrustReport {
  generatedAt: string;
  staleAfterDays: number;
  totals: { devices: number; byState: Record<DeviceState, number> };
  byStateAndPlatform: Array<{ state: DeviceState; platform: string; count: number }>;
  /** Over trusted and restricted devices. */
  managed: Record<ManagedStatus, number>;
  stale: { count: number; devices: Array<{ deviceId: string; accountId: string; state: DeviceState; platform: string; lastSeenAt: string | null }> };
  restrictedBySignal: {
    count: number;
    osIntegrityFailed: number;
    managedComplianceUnmet: number;
    devices: Array<{ deviceId: string; accountId: string; state: DeviceState; platform: string; signals: Array<'os_integrity' | 'managed'>; managedStatus: ManagedStatus }>;
  };
}

// Trusted and restricted devices (the ones that may receive content), with what their signals say.
function eligibleDevices(params: Params, orgId: string, now: Date): string {
  const managed = managedStatusSql(params, now);
  return `WITH eligible AS (
    SELECT d.id, d.account_id, d.state, d.platform, d.last_seen_at, d.approved_at, d.created_at,
           ${managed.status} AS managed_status,
           coalesce(o.settings->'require_managed_compliance' = 'true'::jsonb, false) AS compliance_required,
           coalesce(oi.verified AND oi.status = 'fail', false) AS os_integrity_failed
      FROM devices d
      JOIN accounts a ON a.id = d.account_id
      JOIN organisations o ON o.id = a.org_id
      ${managed.join}
      LEFT JOIN LATERAL (
        SELECT s.verified, s.status FROM signals s
         WHERE s.device_id = d.id AND s.kind = 'os_integrity'
         ORDER BY s.received_at DESC, s.id DESC LIMIT 1) oi ON true
     WHERE a.org_id = ${params.add(orgId)} AND d.state IN ('trusted', 'restricted'))`;
}

async function stateCounts(db: Queryable, orgId: string): Promise<Pick<TrustReport, 'totals' | 'byStateAndPlatform'>> {
  const r = await db.query<{ state: DeviceState; platform: string; count: string | number }>(
    `SELECT d.state, d.platform, count(*) AS count FROM devices d JOIN accounts a ON a.id = d.account_id
      WHERE a.org_id = $1 GROUP BY d.state, d.platform ORDER BY d.state, d.platform`, [orgId]);
  const byState = Object.fromEntries(DEVICE_STATES.map((s) => [s, 0])) as Record<DeviceState, number>;
  let devices = 0;
  const byStateAndPlatform = r.rows.map((row) => {
    const count = Number(row.count);
    byState[row.state] += count;
    devices += count;
    return { state: row.state, platform: row.platform, count };
  });
  return { totals: { devices, byState }, byStateAndPlatform };
}

async function managedCounts(db: Queryable, orgId: string, now: Date): Promise<Record<ManagedStatus, number>> {
  const params = new Params();
  const r = await db.query<{ managed_status: ManagedStatus; count: string | number }>(
    `${eligibleDevices(params, orgId, now)} SELECT managed_status, count(*) AS count FROM eligible GROUP BY managed_status`, params.values);
  const counts = Object.fromEntries(MANAGED_STATUSES.map((s) => [s, 0])) as Record<ManagedStatus, number>;
  for (const row of r.rows) counts[row.managed_status] = Number(row.count);
  return counts;
}

async function staleDevices(db: Queryable, orgId: string, staleAfterDays: number, now: Date): Promise<TrustReport['stale']> {
  const params = new Params();
  const with_ = eligibleDevices(params, orgId, now);
  // Never seen counts from approval (or creation): a device approved long ago and never used is stale too.
  const cutoff = params.add(new Date(now.getTime() - staleAfterDays * 86_400_000));
  const limit = params.add(REPORT_LIST_LIMIT);
  const r = await db.query<{ id: string; account_id: string; state: DeviceState; platform: string; last_seen_at: Date | null; total: string | number }>(
    `${with_}, stale AS (SELECT * FROM eligible WHERE coalesce(last_seen_at, approved_at, created_at) < ${cutoff})
     SELECT id, account_id, state, platform, last_seen_at, (SELECT count(*) FROM stale) AS total
       FROM stale ORDER BY coalesce(last_seen_at, approved_at, created_at), id LIMIT ${limit}`, params.values);
  return {
    count: r.rows.length ? Number(r.rows[0].total) : 0,
    devices: r.rows.map((d) => ({ deviceId: d.id, accountId: d.account_id, state: d.state, platform: d.platform, lastSeenAt: iso(d.last_seen_at) })),
  };
}

async function signalRestricted(db: Queryable, orgId: string, now: Date): Promise<TrustReport['restrictedBySignal']> {
  const params = new Params();
  const with_ = eligibleDevices(params, orgId, now);
  const limit = params.add(REPORT_LIST_LIMIT);
  const r = await db.query<{ id: string; account_id: string; state: DeviceState; platform: string; managed_status: ManagedStatus; os_failed: boolean; managed_unmet: boolean; total: string | number; os_total: string | number; managed_total: string | number }>(
    `${with_}, hit AS (
        SELECT *, os_integrity_failed AS os_failed, (compliance_required AND managed_status <> 'compliant') AS managed_unmet
          FROM eligible WHERE os_integrity_failed OR (compliance_required AND managed_status <> 'compliant'))
     SELECT id, account_id, state, platform, managed_status, os_failed, managed_unmet,
            (SELECT count(*) FROM hit) AS total,
            (SELECT count(*) FROM hit WHERE os_failed) AS os_total,
            (SELECT count(*) FROM hit WHERE managed_unmet) AS managed_total
       FROM hit ORDER BY created_at, id LIMIT ${limit}`, params.values);
  const first = r.rows[0];
  return {
    count: first ? Number(first.total) : 0,
    osIntegrityFailed: first ? Number(first.os_total) : 0,
    managedComplianceUnmet: first ? Number(first.managed_total) : 0,
    devices: r.rows.map((d) => ({
      deviceId: d.id, accountId: d.account_id, state: d.state, platform: d.platform, managedStatus: d.managed_status,
      signals: [...(d.os_failed ? ['os_integrity' as const] : []), ...(d.managed_unmet ? ['managed' as const] : [])],
    })),
  };
}

/** The organisation's trust-state report; a device counts as stale after `staleAfterDays` unseen. */
export async function trustReport(db: Queryable, orgId: string, staleAfterDays: number, now: Date = new Date()): Promise<TrustReport> {
  const [counts, managed, stale, restrictedBySignal] = await Promise.all([
    stateCounts(db, orgId), managedCounts(db, orgId, now), staleDevices(db, orgId, staleAfterDays, now), signalRestricted(db, orgId, now),
  ]);
  return { generatedAt: now.toISOString(), staleAfterDays, ...counts, managed, stale, restrictedBySignal };
}
