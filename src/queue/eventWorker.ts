/**
 * Expands one relayed outbox row into deliveries: one row per (event, subscriber that asked
 * for one of its event types), each with its own `jti`, then one job per delivery on that
 * subscriber's queue (job id from the delivery id and its job generation), and marks the row
 * expanded. Running it twice changes nothing: the rows are unique per (event, subscriber) and
 * the job ids dedupe. Also handles re-drives, which an operator requests through the outbox so
 * that a request made while Redis is down still runs.
 */
import { UnrecoverableError } from 'bullmq';
import type { Database } from '../store/database.js';
import { deliveryJobId, deliveryJobOptions, type FanoutQueues } from './queues.js';
import { eventTypesOf, type LifecycleEvent } from './securityEventToken.js';

/** Outbox topic of lifecycle changes (written by the trust core). */
export const LIFECYCLE_TOPIC = 'device.lifecycle';
/** Outbox topic of an operator's re-drive of a failed delivery. */
export const REDRIVE_TOPIC = 'delivery.redrive';

/** Payload of a `delivery.redrive` outbox row. */
export interface RedrivePayload {
  delivery_id: string;
  subscriber_id: string;
  /** How many times this delivery has been re-driven, this one included. */
  redrive: number;
  /** The job generation the re-drive started (absent in re-drives requested before generations: then `redrive`). */
  generation?: number;
}

/** A delivery to hand to its subscriber's queue, carried by the job of `generation`. */
export interface DeliveryToEnqueue {
  deliveryId: string;
  subscriberId: string;
  generation: number;
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

/**
 * Adds one job per delivery to its subscriber's queue; a job id already present is left as it
 * is. `onSubscriber` is told of each subscriber first, so a local worker for it exists.
 */
export async function enqueueDeliveries(queues: FanoutQueues, attempts: number, list: DeliveryToEnqueue[], onSubscriber?: (subscriberId: string) => void): Promise<void> {
  const bySubscriber = new Map<string, DeliveryToEnqueue[]>();
  for (const d of list) bySubscriber.set(d.subscriberId, [...(bySubscriber.get(d.subscriberId) ?? []), d]);
  for (const [subscriberId, deliveries] of bySubscriber) {
    onSubscriber?.(subscriberId);
    await queues.deliveryQueue(subscriberId).addBulk(deliveries.map((d) => ({
      name: 'deliver', data: { deliveryId: d.deliveryId, generation: d.generation }, opts: deliveryJobOptions(deliveryJobId(d.deliveryId, d.generation), attempts),
    })));
  }
}

async function expand(deps: EventWorkerDeps, row: OutboxRow): Promise<number> {
  if (row.topic === REDRIVE_TOPIC) {
    const p = row.payload as RedrivePayload;
    const generation = p.generation ?? p.redrive;
    // Only while the re-drive's job is still the one to carry it (the reconciler may have replaced it since).
    const current = await deps.db.query('SELECT 1 FROM deliveries WHERE id = $1 AND status = $2 AND job_generation = $3', [p.delivery_id, 'pending', generation]);
    if (current.rowCount === 0) return 0;
    await enqueueDeliveries(deps.queues, deps.attempts, [{ deliveryId: p.delivery_id, subscriberId: p.subscriber_id, generation }], deps.onSubscriber);
    return 1;
  }
  if (row.topic !== LIFECYCLE_TOPIC) return 0;
  await createDeliveries(deps.db, row.payload as LifecycleEvent, row.id);
  const pending = await deps.db.query<{ id: string; subscriber_id: string; job_generation: number }>(
    `SELECT id, subscriber_id, job_generation FROM deliveries WHERE outbox_id = $1 AND status = 'pending'`, [row.id]);
  await enqueueDeliveries(deps.queues, deps.attempts, pending.rows.map((d) => ({ deliveryId: d.id, subscriberId: d.subscriber_id, generation: d.job_generation })), deps.onSubscriber);
  return pending.rows.length;
}

/** Processes one events-queue job; returns how many delivery jobs it enqueued. */
export async function processEvent(deps: EventWorkerDeps, outboxId: string): Promise<number> {
  const r = await deps.db.query<OutboxRow>('SELECT id, topic, payload FROM outbox WHERE id = $1', [outboxId]);
  const row = r.rows[0];
  // Another deployment sharing this Redis and prefix, or a deleted row: nothing to do here, ever.
  if (!row) throw new UnrecoverableError(`no outbox row ${outboxId} in this database`);
  const enqueued = await expand(deps, row);
  // Only now may the reconciler stop watching the row: its deliveries are in the database and queued.
  await deps.db.query('UPDATE outbox SET expanded_at = now() WHERE id = $1 AND expanded_at IS NULL', [row.id]);
  return enqueued;
}
