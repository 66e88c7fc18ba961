/**
 * A refused request about one device, audited in its own transaction (the refusal changed
 * nothing): filed under the device's account and organisation when the device exists, and
 * under none when it does not.
 */
import { appendAudit, type AuditActor } from '../store/audit.js';
import type { Database } from '../store/database.js';

export interface DeviceRefusal {
  type: string;
  actor: AuditActor;
  deviceId: string;
  /** The record's details; `known` says whether the device exists. */
  details: (known: boolean) => Record<string, unknown>;
}

export async function auditDeviceRefusal(db: Database, refusal: DeviceRefusal): Promise<void> {
  await db.transaction(async (tx) => {
    const owner = await tx.query<{ account_id: string; org_id: string }>(
      'SELECT d.account_id, a.org_id FROM devices d JOIN accounts a ON a.id = d.account_id WHERE d.id = $1', [refusal.deviceId]);
    const known = owner.rows[0];
    await appendAudit(tx, {
      type: refusal.type, outcome: 'refused', actor: refusal.actor,
      orgId: known?.org_id ?? null, accountId: known?.account_id ?? null, deviceId: known ? refusal.deviceId : null,
      details: refusal.details(known !== undefined),
    });
  });
}
