/**
 * Applies one lifecycle transition in one transaction: lock the device, check the
 * transition, write the state, bump the account's device-list epoch when the set of
 * content-eligible devices changes, end sessions of a device that loses trust, append the
 * audit event and write the outbox row for fan-out. A refused transition changes nothing
 * and leaves only an audit record of the attempt.
 */
import { appendAudit, type AuditActor } from '../store/audit.js';
import type { Database, Queryable } from '../store/database.js';
import { auditDeviceRefusal } from './auditDeviceRefusal.js';
import { ConflictError, NotFoundError, TrustError } from './errors.js';
import { newId } from './ids.js';
import { canTransition, changesDeviceList, endsTrust, type DeviceState } from './lifecycle.js';

export const LIFECYCLE_TOPIC = 'device.lifecycle';

export interface TransitionRequest {
  deviceId: string;
  to: DeviceState;
  actor: AuditActor;
  reason: string;
  /** The device must belong to this account (device sessions act for their own account). */
  accountId?: string;
  /** The device must belong to this organisation (admins act for their own organisation). */
  orgId?: string;
  /** Refuse unless the device is still in one of these states (the caller decided on a read). */
  expectedStates?: readonly DeviceState[];
  /** Audit event type; defaults to `device.<to>`. */
  auditType?: string;
}

export interface TransitionResult {
  deviceId: string;
  accountId: string;
  /** Null for an unmanaged account. */
  orgId: string | null;
  previousState: DeviceState;
  state: DeviceState;
  /** The account's device-list epoch after the transition. */
  epoch: number;
  auditId: string;
  outboxId: string;
}

interface LockedDevice {
  id: string;
  account_id: string;
  org_id: string | null;
  state: DeviceState;
}

async function lockDevice(tx: Queryable, deviceId: string): Promise<LockedDevice | undefined> {
  const r = await tx.query<LockedDevice>(
    `SELECT d.id, d.account_id, a.org_id, d.state
       FROM devices d JOIN accounts a ON a.id = d.account_id
      WHERE d.id = $1
      FOR UPDATE OF d`,
    [deviceId],
  );
  return r.rows[0];
}

function check(device: LockedDevice | undefined, req: TransitionRequest): asserts device is LockedDevice {
  // Another account's or organisation's device answers exactly as a missing one.
  if (!device || (req.accountId !== undefined && device.account_id !== req.accountId) || (req.orgId !== undefined && device.org_id !== req.orgId)) {
    throw new NotFoundError('device_not_found', `no device ${req.deviceId}`);
  }
  if (req.expectedStates && !req.expectedStates.includes(device.state)) {
    throw new ConflictError('device_state_changed', `device ${device.id} is now ${device.state}`, { state: device.state });
  }
  if (!canTransition(device.state, req.to)) {
    throw new ConflictError('invalid_transition', `a ${device.state} device cannot become ${req.to}`, { state: device.state });
  }
}

/**
 * The transition inside a caller's transaction, for operations that change more than one
 * device at once (replacement). Throws TrustError when refused; the caller rolls back.
 */
export async function applyTransition(tx: Queryable, req: TransitionRequest, now: Date = new Date()): Promise<TransitionResult> {
  const device = await lockDevice(tx, req.deviceId);
  check(device, req);
  const from = device.state;
  await tx.query(
    `UPDATE devices SET state = $2, state_reason = $3, state_changed_at = $4, version = version + 1 WHERE id = $1`,
    [device.id, req.to, req.reason, now],
  );
  const account = changesDeviceList(from, req.to)
    ? await tx.query<{ device_epoch: number }>('UPDATE accounts SET device_epoch = device_epoch + 1, updated_at = $2 WHERE id = $1 RETURNING device_epoch', [device.account_id, now])
    : await tx.query<{ device_epoch: number }>('SELECT device_epoch FROM accounts WHERE id = $1', [device.account_id]);
  const epoch = account.rows[0].device_epoch;
  if (endsTrust(req.to)) {
    await tx.query('UPDATE sessions SET revoked_at = $2 WHERE device_id = $1 AND revoked_at IS NULL', [device.id, now]);
  }
  const audit = await appendAudit(tx, {
    type: req.auditType ?? `device.${req.to}`,
    outcome: 'success',
    actor: req.actor,
    orgId: device.org_id,
    accountId: device.account_id,
    deviceId: device.id,
    details: { from, to: req.to, reason: req.reason, epoch },
  }, now);
  const outboxId = newId('evt');
  await tx.query(
    `INSERT INTO outbox (id, topic, account_id, device_id, payload, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
    [outboxId, LIFECYCLE_TOPIC, device.account_id, device.id, JSON.stringify({
      event_id: outboxId, device_id: device.id, account_id: device.account_id, org_id: device.org_id,
      state: req.to, previous_state: from, epoch, reason: req.reason, occurred_at: now.toISOString(), audit_id: audit.id,
    }), now],
  );
  return { deviceId: device.id, accountId: device.account_id, orgId: device.org_id, previousState: from, state: req.to, epoch, auditId: audit.id, outboxId };
}

/** Records a refused attempt in its own transaction: the refusal itself changed nothing. */
export function auditRefusal(db: Database, req: TransitionRequest, err: TrustError): Promise<void> {
  return auditDeviceRefusal(db, {
    type: req.auditType ?? `device.${req.to}`, actor: req.actor, deviceId: req.deviceId,
    details: () => ({ to: req.to, reason: req.reason, refusal: err.code, ...err.extensions }),
  });
}

/** One transition in its own transaction; a refusal is audited and re-thrown. */
export async function transitionDevice(db: Database, req: TransitionRequest, now?: Date): Promise<TransitionResult> {
  try {
    return await db.transaction((tx) => applyTransition(tx, req, now));
  } catch (err) {
    if (err instanceof TrustError) await auditRefusal(db, req, err);
    throw err;
  }
}
