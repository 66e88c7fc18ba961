/**
 * Expands one relayed outbox row into deliveries: one row per (event, subscriber that asked
 * for one of its event types), each with its own `jti`, then one job per delivery on that
 * subscriber's queue (job id = delivery id). Running it twice changes nothing: the rows are
 * unique per (event, subscriber) and the job ids dedupe. Also handles re-drives, which an
 * operator requests through the outbox so that a request made while Redis is down still runs.
 */
import { UnrecoverableError } from 'bullmq';
import type { Database } from '../store/database.js';
import { deliveryJobOptions, type FanoutQueues } from './queues.js';
import { eventTypesOf, type LifecycleEvent } from './securityEventToken.js';

/** Outbox topic of lifecycle changes (written by the trust core). */
export const LIFECYCLE_TOPIC = 'device.lifecycle';
/** Outbox topic of an operator's re-drive of a failed delivery. */
export const REDRIVE_TOPIC = 'delivery.redrive';

/** Payload of a `delivery.redrive` outbox row. */
export interface RedrivePayload {
  delivery_id: string;
  subscriber_id: string;
  /** How many times this delivery has been re-driven, this one included: makes the job id new. */
  redrive: number;
}

export interface EventWorkerDeps {
  db: Database;
  queues: FanoutQueues;
  /** Attempts of each delivery job. */
  attempts: number;
  /** Called for each subscriber that got a job, so a local worker for it exists. */
  onSubscriber?: (subscriberId: string) => void;
}

interface OutboxRow {
  id: string;
  topic: string;
  payload: unknown;
}

async function createDeliveries(db: Database, event: LifecycleEvent, outboxId: string): Promise<void> {
  // Random ids from the database itself: one statement, whatever the number of subscribers.
  await db.query(
    `INSERT INTO deliveries (id, outbox_id, subscriber_id, jti, status)
     SELECT 'dlv_' || replace(gen_random_uuid()::text, '-', ''), $1, s.id, gen_random_uuid()::text, 'pending'
       FROM subscribers s
      WHERE s.deleted_at IS NULL AND s.events && $2::text[]
     ON CONFLICT (outbox_id, subscriber_id) DO NOTHING`,
    [outboxId, eventTypesOf(event)],
  );
}

async function enqueue(deps: EventWorkerDeps, jobs: Array<{ jobId: string; deliveryId: string; subscriberId: string }>): Promise<void> {
  const bySubscriber = new Map<string, typeof jobs>();
  for (const j of jobs) bySubscriber.set(j.subscriberId, [...(bySubscriber.get(j.subscriberId) ?? []), j]);
  for (const [subscriberId, list] of bySubscriber) {
    deps.onSubscriber?.(subscriberId);
    await deps.queues.deliveryQueue(subscriberId).addBulk(list.map((j) => ({ name: 'deliver', data: { deliveryId: j.deliveryId }, opts: deliveryJobOptions(j.jobId, deps.attempts) })));
  }
}

/** Processes one events-queue job; returns how many delivery jobs it enqueued. */
export async function processEvent(deps: EventWorkerDeps, outboxId: string): Promise<number> {
  const r = await deps.db.query<OutboxRow>('SELECT id, topic, payload FROM outbox WHERE id = $1', [outboxId]);
  const row = r.rows[0];
  // Another deployment sharing this Redis and prefix, or a deleted row: nothing to do here, ever.
  if (!row) throw new UnrecoverableError(`no outbox row ${outboxId} in this database`);
  if (row.topic === REDRIVE_TOPIC) {
    const p = row.payload as RedrivePayload;
    const pending = await deps.db.query('SELECT 1 FROM deliveries WHERE id = $1 AND status = $2', [p.delivery_id, 'pending']);
    if (pending.rowCount === 0) return 0;
    await enqueue(deps, [{ jobId: `${p.delivery_id}-r${p.redrive}`, deliveryId: p.delivery_id, subscriberId: p.subscriber_id }]);
    return 1;
  }
  if (row.topic !== LIFECYCLE_TOPIC) return 0;
  await createDeliveries(deps.db, row.payload as LifecycleEvent, row.id);
  const pending = await deps.db.query<{ id: string; subscriber_id: string; redrives: number }>(
    `SELECT id, subscriber_id, redrives FROM deliveries WHERE outbox_id = $1 AND status = 'pending'`, [row.id]);
  await enqueue(deps, pending.rows.map((d) => ({ jobId: d.redrives > 0 ? `${d.id}-r${d.redrives}` : d.id, deliveryId: d.id, subscriberId: d.subscriber_id })));
  return pending.rows.length;
}
