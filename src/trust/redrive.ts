/**
 * Re-drive of a delivery by an admin operator of the device's organisation: one that failed, or
 * one still owed that seems stuck (pending, or retrying with its next attempt far off). The
 * delivery goes (back) to `pending` with a new job, a fresh attempt budget and the same `jti`
 * (receivers that did get it de-duplicate; a job already queued for it finds itself superseded
 * and does nothing), and a `delivery.redrive` outbox row, written in the same transaction as the
 * audit record, makes the relay enqueue it — also if Redis is down now. A delivered delivery is
 * refused: there is nothing to send.
 */
import { REDRIVE_TOPIC, type RedrivePayload } from '../queue/eventWorker.js';
import { appendAudit, type AuditActor } from '../store/audit.js';
import type { Database } from '../store/database.js';
import { ConflictError, NotFoundError, TrustError } from './errors.js';
import { newId } from './ids.js';

export interface RedriveRequest {
  deliveryId: string;
  /** The operator's organisation: a delivery of another one answers as missing. */
  orgId: string;
  reason: string;
  actor: AuditActor;
}

export interface Redriven {
  deliveryId: string;
  status: 'pending';
  redrives: number;
}

interface LockedDelivery {
  id: string;
  status: string;
  subscriber_id: string;
  outbox_id: string;
  account_id: string;
  device_id: string;
  org_id: string;
  redrives: number;
  job_generation: number;
  subscriber_active: boolean;
}

async function redrive(db: Database, req: RedriveRequest): Promise<Redriven> {
  return db.transaction(async (tx) => {
    const r = await tx.query<LockedDelivery>(
      `SELECT d.id, d.status, d.subscriber_id, d.outbox_id, d.redrives, d.job_generation, o.account_id, o.device_id, a.org_id, s.deleted_at IS NULL AS subscriber_active
         FROM deliveries d JOIN outbox o ON o.id = d.outbox_id JOIN accounts a ON a.id = o.account_id JOIN subscribers s ON s.id = d.subscriber_id
        WHERE d.id = $1
        FOR UPDATE OF d`,
      [req.deliveryId],
    );
    const d = r.rows[0];
    if (!d || d.org_id !== req.orgId) throw new NotFoundError('delivery_not_found', `no delivery ${req.deliveryId}`);
    if (d.status === 'delivered') throw new ConflictError('delivery_already_delivered', `delivery ${d.id} was delivered; there is nothing to re-drive`, { deliveryStatus: d.status });
    // No worker serves a deleted subscriber: the delivery would wait forever.
    if (!d.subscriber_active) throw new ConflictError('subscriber_deleted', `the subscriber of delivery ${d.id} was deleted`);
    const redrives = d.redrives + 1;
    // A new job carries it from now on; any older one still queued finds itself superseded.
    const generation = d.job_generation + 1;
    await tx.query(`UPDATE deliveries SET status = 'pending', redrives = $2, job_generation = $3, enqueued_at = now(), next_attempt_at = NULL WHERE id = $1`, [d.id, redrives, generation]);
    await appendAudit(tx, {
      type: 'fanout.delivery_redriven', outcome: 'success', actor: req.actor, orgId: d.org_id, accountId: d.account_id, deviceId: d.device_id,
      details: { deliveryId: d.id, subscriberId: d.subscriber_id, eventId: d.outbox_id, previousStatus: d.status, redrives, reason: req.reason },
    });
    const payload: RedrivePayload = { delivery_id: d.id, subscriber_id: d.subscriber_id, redrive: redrives, generation };
    await tx.query('INSERT INTO outbox (id, topic, account_id, device_id, payload) VALUES ($1, $2, $3, $4, $5)',
      [newId('evt'), REDRIVE_TOPIC, d.account_id, d.device_id, JSON.stringify(payload)]);
    return { deliveryId: d.id, status: 'pending' as const, redrives };
  });
}

/** Re-drives a failed delivery; refusals are audited (against the operator's organisation) and re-thrown. */
export async function redriveDelivery(db: Database, req: RedriveRequest): Promise<Redriven> {
  try {
    return await redrive(db, req);
  } catch (err) {
    if (err instanceof TrustError) {
      await db.transaction((tx) => appendAudit(tx, {
        type: 'fanout.delivery_redriven', outcome: 'refused', actor: req.actor, orgId: req.orgId,
        details: { deliveryId: req.deliveryId, reason: req.reason, refusal: err.code },
      }));
    }
    throw err;
  }
}
