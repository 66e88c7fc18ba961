/**
 * One account of the organisation as Enigm Command shows it: its state, recovery, device
 * counts per state, and which device-list epoch each subscriber acknowledged enforcing.
 */
import type { Queryable } from '../../store/database.js';
import { NotFoundError } from '../errors.js';
import { DEVICE_STATES, type DeviceState } from '../lifecycle.js';
import { iso } from './sql.js';

export interface AccountView {
  accountId: string;
  handle: string;
  state: string;
  recoveryState: string;
  recoveryStartedAt: string | null;
  deviceEpoch: number;
  createdAt: string;
  devices: Record<DeviceState, number>;
  /** While the account is in recovery: its latest recovery code's reason, issuer and approval. */
  recovery: RecoveryView | null;
  /** Per subscriber: the epoch it enforces, and whether that is the current one. */
  epochAcks: Array<{ subscriber: string; epoch: number; ackedAt: string; current: boolean }>;
}

export interface RecoveryView {
  reason: string | null;
  /** The key that started it. */
  startedBy: string | null;
  /** Whether a second administrator must approve it, and whether one did. */
  approval: 'not_required' | 'awaiting' | 'approved';
  approvedBy: string | null;
  approvedAt: string | null;
  codeExpiresAt: string;
}

interface CodeRow {
  reason: string | null; issued_by_key_id: string | null; approval_required: boolean; approved_by_key_id: string | null; approved_at: Date | null; expires_at: Date;
}

function recoveryOf(c: CodeRow | undefined): RecoveryView | null {
  if (!c) return null;
  return {
    reason: c.reason, startedBy: c.issued_by_key_id,
    approval: !c.approval_required ? 'not_required' : c.approved_at === null ? 'awaiting' : 'approved',
    approvedBy: c.approved_by_key_id, approvedAt: iso(c.approved_at), codeExpiresAt: iso(c.expires_at) as string,
  };
}

/** The account, when it belongs to `orgId`; NotFoundError otherwise, exactly as for a missing one. */
export async function getAccount(db: Queryable, orgId: string, accountId: string): Promise<AccountView> {
  const r = await db.query<{ id: string; handle: string; state: string; recovery_state: string; recovery_started_at: Date | null; device_epoch: string | number; created_at: Date }>(
    `SELECT id, handle, state, recovery_state, recovery_started_at, device_epoch, created_at FROM accounts WHERE org_id = $1 AND id = $2`, [orgId, accountId]);
  const a = r.rows[0];
  if (!a) throw new NotFoundError('account_not_found', `no account ${accountId}`);
  const [devices, acks, code] = await Promise.all([
    db.query<{ state: DeviceState; count: string | number }>('SELECT state, count(*) AS count FROM devices WHERE account_id = $1 GROUP BY state', [a.id]),
    db.query<{ name: string; epoch: string | number; acked_at: Date }>(
      `SELECT s.name, k.epoch, k.acked_at FROM epoch_acks k JOIN subscribers s ON s.id = k.subscriber_id
        WHERE k.account_id = $1 AND s.deleted_at IS NULL ORDER BY s.name`, [a.id]),
    db.query<CodeRow>(
      `SELECT reason, issued_by_key_id, approval_required, approved_by_key_id, approved_at, expires_at FROM account_codes
        WHERE account_id = $1 AND kind = 'recovery' ORDER BY created_at DESC, id DESC LIMIT 1`, [a.id]),
  ]);
  const counts = Object.fromEntries(DEVICE_STATES.map((s) => [s, 0])) as Record<DeviceState, number>;
  for (const row of devices.rows) counts[row.state] = Number(row.count);
  const epoch = Number(a.device_epoch);
  return {
    accountId: a.id,
    handle: a.handle,
    state: a.state,
    recoveryState: a.recovery_state,
    recoveryStartedAt: iso(a.recovery_started_at),
    deviceEpoch: epoch,
    createdAt: iso(a.created_at) as string,
    devices: counts,
    recovery: a.recovery_state === 'recovering' ? recoveryOf(code.rows[0]) : null,
    epochAcks: acks.rows.map((k) => ({ subscriber: k.name, epoch: Number(k.epoch), ackedAt: iso(k.acked_at) as string, current: Number(k.epoch) >= epoch })),
  };
}
