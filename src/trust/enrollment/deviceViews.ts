/**
 * What an account's sessions and its organisation's administrators may read: one
 * enrollment's status, and the account's devices. Allow-listed fields only: no credential
 * ids, keys or codes. Another account's or organisation's objects answer as missing.
 */
import type { Queryable } from '../../store/database.js';
import { NotFoundError } from '../errors.js';
import { assertVisible, findEnrollment } from './records.js';

/** Where the reader may look: its own account (device session) or its organisation (admin). */
export type ReadScope = { accountId: string } | { orgId: string };

export interface EnrollmentView {
  enrollmentId: string;
  accountId: string;
  deviceId: string;
  state: string;
  deviceState: string;
  requirements: string[];
  replacesDeviceId: string | null;
  createdAt: string;
  expiresAt: string;
  decidedAt: string | null;
}

export async function getEnrollment(q: Queryable, enrollmentId: string, scope: ReadScope): Promise<EnrollmentView> {
  const e = await findEnrollment(q, enrollmentId);
  assertVisible(e, enrollmentId, scope);
  return {
    enrollmentId: e.id, accountId: e.account_id, deviceId: e.device_id, state: e.state, deviceState: e.device_state,
    requirements: e.requirements, replacesDeviceId: e.replaces_device_id, createdAt: e.created_at.toISOString(),
    expiresAt: e.expires_at.toISOString(), decidedAt: e.decided_at?.toISOString() ?? null,
  };
}

interface DeviceRow {
  id: string; state: string; label: string; platform: string; approval_method: string | null; approved_at: Date | null;
  replaces_device_id: string | null; replaced_by_device_id: string | null; state_reason: string | null;
  created_at: Date; state_changed_at: Date; last_seen_at: Date | null;
  enrollment_id: string | null; enrollment_state: string | null; requirements: string[] | null;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** The account's devices, oldest first, with the account's device-list epoch. */
export async function listAccountDevices(q: Queryable, accountId: string, scope: ReadScope, currentDeviceId?: string) {
  const account = await q.query<{ org_id: string; device_epoch: string | number; recovery_state: string }>('SELECT org_id, device_epoch, recovery_state FROM accounts WHERE id = $1', [accountId]);
  const a = account.rows[0];
  if (!a || ('accountId' in scope && scope.accountId !== accountId) || ('orgId' in scope && scope.orgId !== a.org_id)) {
    throw new NotFoundError('account_not_found', `no account ${accountId}`);
  }
  const r = await q.query<DeviceRow>(
    `SELECT d.id, d.state, d.label, d.platform, d.approval_method, d.approved_at, d.replaces_device_id, d.replaced_by_device_id, d.state_reason,
            d.created_at, d.state_changed_at, d.last_seen_at, e.id AS enrollment_id, e.state AS enrollment_state, e.requirements
       FROM devices d LEFT JOIN enrollments e ON e.device_id = d.id
      WHERE d.account_id = $1 ORDER BY d.created_at, d.id`, [accountId]);
  return {
    accountId,
    epoch: Number(a.device_epoch),
    recovering: a.recovery_state === 'recovering',
    devices: r.rows.map((d) => ({
      deviceId: d.id, state: d.state, label: d.label, platform: d.platform, current: d.id === currentDeviceId,
      approvalMethod: d.approval_method, approvedAt: iso(d.approved_at), stateReason: d.state_reason,
      replacesDeviceId: d.replaces_device_id, replacedByDeviceId: d.replaced_by_device_id,
      createdAt: iso(d.created_at), stateChangedAt: iso(d.state_changed_at), lastSeenAt: iso(d.last_seen_at),
      enrollment: d.enrollment_id ? { enrollmentId: d.enrollment_id, state: d.enrollment_state, requirements: d.requirements ?? [] } : null,
    })),
  };
}
