/**
 * Reading and locking the rows the enrollment flows work on. Lock order, everywhere: the
 * enrollment row, then every device involved in one statement ordered by id, then (late)
 * the audit lock that appendAudit takes — so two flows never wait on each other in a cycle.
 */
import type { Queryable } from '../../store/database.js';
import { ConflictError, NotFoundError, TrustError } from '../errors.js';
import type { DeviceState } from '../lifecycle.js';

export interface EnrollmentRow {
  id: string;
  account_id: string;
  /** Null for an unmanaged account. */
  org_id: string | null;
  handle: string;
  device_id: string;
  replaces_device_id: string | null;
  claimed_replaces_device_id: string | null;
  state: 'started' | 'registered' | 'trusted' | 'restricted' | 'denied' | 'expired';
  requirements: string[];
  expires_at: Date;
  created_at: Date;
  decided_at: Date | null;
  device_state: DeviceState;
  /** The link's six digits, once the credential is registered. */
  verification_code: string | null;
  label: string;
  platform: string;
}

export interface LockedDevice {
  id: string;
  account_id: string;
  state: DeviceState;
  counter_anomaly: boolean;
}

const ENROLLMENT_SQL = `SELECT e.id, e.account_id, a.org_id, a.handle, e.device_id, e.replaces_device_id, e.claimed_replaces_device_id,
       e.state, e.requirements, e.expires_at, e.created_at, e.decided_at, d.state AS device_state,
       e.verification_code, d.label, d.platform
  FROM enrollments e JOIN accounts a ON a.id = e.account_id JOIN devices d ON d.id = e.device_id
 WHERE e.id = $1`;

/** The enrollment, or undefined. */
export async function findEnrollment(q: Queryable, enrollmentId: string): Promise<EnrollmentRow | undefined> {
  return (await q.query<EnrollmentRow>(ENROLLMENT_SQL, [enrollmentId])).rows[0];
}

/** Locks the enrollment row (first in the lock order) and returns it. */
export async function lockEnrollment(tx: Queryable, enrollmentId: string): Promise<EnrollmentRow | undefined> {
  return (await tx.query<EnrollmentRow>(`${ENROLLMENT_SQL} FOR UPDATE OF e`, [enrollmentId])).rows[0];
}

/** Locks the given devices in id order and returns them by id. */
export async function lockDevices(tx: Queryable, ids: Array<string | null | undefined>): Promise<Map<string, LockedDevice>> {
  const wanted = [...new Set(ids.filter((x): x is string => typeof x === 'string'))].sort();
  const r = await tx.query<LockedDevice>(
    'SELECT id, account_id, state, counter_anomaly FROM devices WHERE id = ANY($1) ORDER BY id FOR UPDATE', [wanted]);
  return new Map(r.rows.map((d) => [d.id, d]));
}

/** An enrollment still waiting for evidence: registered, its device pending, not expired. */
export function assertAwaitingApproval(e: EnrollmentRow, deviceState: DeviceState, now: Date): void {
  if (e.state === 'trusted' || e.state === 'restricted' || e.state === 'denied' || deviceState !== 'pending') {
    throw new ConflictError('enrollment_decided', `enrollment ${e.id} is already decided (device ${deviceState})`, { state: deviceState });
  }
  if (e.state === 'expired' || e.expires_at.getTime() <= now.getTime()) throw new TrustError(410, 'enrollment_expired', `enrollment ${e.id} expired at ${e.expires_at.toISOString()}`);
  if (e.state === 'started') throw new ConflictError('enrollment_not_registered', `enrollment ${e.id} has no credential yet: the new device must first complete /credential`);
}

/** An enrollment still waiting for its new device's credential: started, its device pending, not expired. */
export function assertAwaitingCredential(e: EnrollmentRow, now: Date): void {
  if (e.state !== 'started' || e.device_state !== 'pending') {
    throw new ConflictError('enrollment_decided', `enrollment ${e.id} already has its credential or is decided`, { state: e.device_state });
  }
  if (e.expires_at.getTime() <= now.getTime()) throw new TrustError(410, 'enrollment_expired', `enrollment ${e.id} expired at ${e.expires_at.toISOString()}`);
}

/** The enrollment as seen from `accountId` (a device session) or `orgId` (an administrator): others' answer as missing. */
export function assertVisible(e: EnrollmentRow | undefined, id: string, scope: { accountId?: string; orgId?: string }): asserts e is EnrollmentRow {
  if (!e || (scope.accountId !== undefined && e.account_id !== scope.accountId) || (scope.orgId !== undefined && e.org_id !== scope.orgId)) {
    throw new NotFoundError('enrollment_not_found', `no enrollment ${id}`);
  }
}
