/**
 * The reconciler: the database, not Redis, is the truth about what is owed to subscribers.
 * Every `intervalMs` each instance looks for work its queues should hold and do not — jobs Redis
 * lost (restarted without persistence, flushed), jobs that stopped moving, a give-up nobody could
 * write down — and puts it right:
 *
 * - an event relayed but never expanded, whose events job is gone, goes back to the relay;
 * - a delivery neither delivered nor failed whose job is gone, or has not moved for longer than
 *   the lock, the push timeout and the back-off allow, gets a new job (next generation, same
 *   `jti`: receivers de-duplicate);
 * - a delivery whose job gave up while the database was away gets its `failed` recorded.
 *
 * Only rows quiet for a grace period are looked at, so work just handed over is left alone.
 * Every instance may run it at once: each change is a compare-and-set on the row, so two
 * reconcilers never both replace one job, and a replaced job that turns up later does nothing.
 * While Redis or the database is away a pass does nothing; the next one catches up.
 */
import type { Job, Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { Database } from '../store/database.js';
import { DatabaseUnavailableError } from '../store/databaseUnavailable.js';
import { enqueueDeliveries, type DeliveryToEnqueue } from './eventWorker.js';
import type { FanoutMetrics } from './metrics.js';
import { deliveryJobId, type DeliveryJob, type FanoutQueues } from './queues.js';

export interface ReconcilerOptions {
  db: Database;
  queues: FanoutQueues;
  logger: Logger;
  /** Milliseconds between passes. */
  intervalMs: number;
  /** Attempts of each new delivery job. */
  attempts: number;
  /** The job lock, the push timeout and the largest back-off: how long a live job may stay still. */
  lockMs: number;
  timeoutMs: number;
  backoffMaxMs: number;
  /** False while the queues' Redis connection is down: the pass is skipped. */
  connected: () => boolean;
  /** Told of each subscriber that gets a job, so a local worker for it exists. */
  onSubscriber?: (subscriberId: string) => void;
  metrics?: Pick<FanoutMetrics, 'reconciled'>;
  /** Rows read per query (default 500). */
  pageSize?: number;
}

/** What one pass put right. */
export interface ReconcileResult {
  /** Deliveries given a new job. */
  requeued: number;
  /** Deliveries whose give-up was recorded. */
  failedRecorded: number;
  /** Events handed back to the relay. */
  eventsRequeued: number;
}

export interface Reconciler {
  reconcileOnce(): Promise<ReconcileResult>;
  start(): void;
  /** Stops and waits for a pass in progress. */
  stop(): Promise<void>;
}

interface PendingRow {
  id: string;
  subscriber_id: string;
  job_generation: number;
  /** Since the last attempt began, or the hand-over. */
  quiet_ms: number;
  /** Since the next attempt was due (or, without one, since the last attempt or the hand-over). */
  overdue_ms: number;
}

/** Where a job stands, as far as the reconciler cares. */
type Seen = 'waiting' | 'active' | 'delayed' | 'failed' | 'gone';

const LIVE_WAITING = new Set(['waiting', 'prioritized', 'waiting-children', 'paused']);

function asSeen(state: string): Seen {
  if (LIVE_WAITING.has(state)) return 'waiting';
  if (state === 'active' || state === 'delayed' || state === 'failed') return state;
  return 'gone'; // completed (yet the delivery is still owed) or unknown
}

/** The ids of a queue's jobs by state, read once per pass (a few list reads, not one call per job). */
async function jobStates(queue: Queue): Promise<Map<string, Seen>> {
  const states = new Map<string, Seen>();
  // Read in the order jobs move (waiting → active → delayed), so one moving meanwhile is seen at least once.
  for (const [types, seen] of [[['waiting', 'prioritized', 'waiting-children', 'paused'], 'waiting'], [['active'], 'active'], [['delayed'], 'delayed']] as const) {
    for (const id of await queue.getRanges([...types])) if (!states.has(id)) states.set(id, seen);
  }
  return states;
}

export function createReconciler(opts: ReconcilerOptions): Reconciler {
  const pageSize = opts.pageSize ?? 500;
  // A job just handed over, or just finished, is not looked at yet.
  const graceMs = Math.min(5000, opts.intervalMs);
  const stillActiveMs = opts.lockMs + opts.timeoutMs + graceMs;
  const stillDelayedMs = opts.lockMs + opts.backoffMaxMs + graceMs;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let pass: Promise<unknown> = Promise.resolve();

  /** Hands events whose expansion was lost back to the relay. */
  async function reconcileEvents(): Promise<number> {
    let requeued = 0;
    let after = '';
    while (true) {
      const r = await opts.db.query<{ id: string }>(
        `SELECT id FROM outbox WHERE relayed_at IS NOT NULL AND expanded_at IS NULL AND relayed_at < now() - $1 * interval '1 millisecond' AND id > $2
          ORDER BY id LIMIT $3`, [graceMs, after, pageSize]);
      for (const { id } of r.rows) {
        const state = asSeen(await opts.queues.events.getJobState(id));
        if (state === 'waiting' || state === 'active' || state === 'delayed') continue;
        // A finished job keeps its id for a while: remove it, or the relay's add would be ignored.
        await opts.queues.events.remove(id).catch(() => undefined);
        const back = await opts.db.query('UPDATE outbox SET relayed_at = NULL WHERE id = $1 AND relayed_at IS NOT NULL AND expanded_at IS NULL', [id]);
        requeued += back.rowCount;
      }
      if (r.rows.length < pageSize) return requeued;
      after = r.rows[r.rows.length - 1].id;
    }
  }

  /** Whether `row`'s job, seen as `seen`, needs replacing: gone, or still for longer than it may be. */
  function suspect(row: PendingRow, seen: Seen | undefined): boolean {
    if (seen === undefined || seen === 'gone' || seen === 'failed') return true;
    if (seen === 'active') return row.quiet_ms > stillActiveMs;
    if (seen === 'delayed') return row.overdue_ms > stillDelayedMs;
    return false;
  }

  /** Gives each row a new job, unless another reconciler or a re-drive did first. */
  async function requeue(rows: PendingRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const r = await opts.db.query<{ id: string; subscriber_id: string; job_generation: number }>(
      `UPDATE deliveries d SET job_generation = d.job_generation + 1, enqueued_at = now(), next_attempt_at = NULL
         FROM unnest($1::text[], $2::int[]) AS seen(id, generation)
        WHERE d.id = seen.id AND d.job_generation = seen.generation AND d.status = 'pending'
       RETURNING d.id, d.subscriber_id, d.job_generation`,
      [rows.map((row) => row.id), rows.map((row) => row.job_generation)]);
    const list: DeliveryToEnqueue[] = r.rows.map((d) => ({ deliveryId: d.id, subscriberId: d.subscriber_id, generation: d.job_generation }));
    // Should Redis fail now, the rows are quiet again by the next pass, which enqueues them then.
    await enqueueDeliveries(opts.queues, opts.attempts, list, opts.onSubscriber);
    for (const d of list) opts.logger.debug({ deliveryId: d.deliveryId, subscriberId: d.subscriberId, generation: d.generation }, 'reconciler: delivery enqueued again');
    return list.length;
  }

  /** Records the give-up of a job that failed for good while its delivery is still owed. */
  async function recordGiveUp(row: PendingRow, job: Job<DeliveryJob> | undefined): Promise<number> {
    const reason = (job?.failedReason || 'the delivery job gave up').slice(0, 300);
    const r = await opts.db.query(`UPDATE deliveries SET status = 'failed', last_error = $3, next_attempt_at = NULL WHERE id = $1 AND job_generation = $2 AND status = 'pending'`,
      [row.id, row.job_generation, reason]);
    return r.rowCount;
  }

  async function reconcileDeliveries(): Promise<Pick<ReconcileResult, 'requeued' | 'failedRecorded'>> {
    const result = { requeued: 0, failedRecorded: 0 };
    const seenBySubscriber = new Map<string, Map<string, Seen>>();
    let after = '';
    while (true) {
      const page = (await opts.db.query<PendingRow>(
        `SELECT d.id, d.subscriber_id, d.job_generation,
                extract(epoch FROM now() - coalesce(d.last_attempt_at, d.enqueued_at)) * 1000 AS quiet_ms,
                extract(epoch FROM now() - coalesce(d.next_attempt_at, d.last_attempt_at, d.enqueued_at)) * 1000 AS overdue_ms
           FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id AND s.deleted_at IS NULL
          WHERE d.status = 'pending' AND d.id > $2
            AND d.enqueued_at < now() - $1 * interval '1 millisecond'
            AND (d.last_attempt_at IS NULL OR d.last_attempt_at < now() - $1 * interval '1 millisecond')
          ORDER BY d.id LIMIT $3`, [graceMs, after, pageSize])).rows.map((row) => ({ ...row, quiet_ms: Number(row.quiet_ms), overdue_ms: Number(row.overdue_ms) }));
      const toRequeue: PendingRow[] = [];
      for (const row of page) {
        const queue = opts.queues.deliveryQueue(row.subscriber_id);
        let seen = seenBySubscriber.get(row.subscriber_id);
        if (!seen) seenBySubscriber.set(row.subscriber_id, (seen = await jobStates(queue)));
        const jobId = deliveryJobId(row.id, row.job_generation);
        if (!suspect(row, seen.get(jobId))) continue;
        // Look again at this one job before acting: it may have moved since the lists were read.
        const now = asSeen(await queue.getJobState(jobId));
        if (now === 'failed') result.failedRecorded += await recordGiveUp(row, await queue.getJob(jobId));
        else if (suspect(row, now)) toRequeue.push(row);
      }
      result.requeued += await requeue(toRequeue);
      if (page.length < pageSize) return result;
      after = page[page.length - 1].id;
    }
  }

  async function reconcileOnce(): Promise<ReconcileResult> {
    if (!opts.connected()) return { requeued: 0, failedRecorded: 0, eventsRequeued: 0 };
    const eventsRequeued = await reconcileEvents();
    const { requeued, failedRecorded } = await reconcileDeliveries();
    opts.metrics?.reconciled.inc({ action: 'event_requeued' }, eventsRequeued);
    opts.metrics?.reconciled.inc({ action: 'requeued' }, requeued);
    opts.metrics?.reconciled.inc({ action: 'failed_recorded' }, failedRecorded);
    if (requeued + failedRecorded + eventsRequeued > 0) {
      opts.logger.warn({ requeued, failedRecorded, eventsRequeued }, 'reconciler: fan-out work the queues had lost was put back');
    }
    return { requeued, failedRecorded, eventsRequeued };
  }

  async function loop(): Promise<void> {
    try {
      await reconcileOnce();
    } catch (err) {
      // A database or Redis that went away mid-pass is the next pass's business; the outage is logged elsewhere.
      if (!(err instanceof DatabaseUnavailableError) && opts.connected()) opts.logger.warn({ err: (err as Error).message }, 'reconciler: pass failed');
    }
    if (running) timer = setTimeout(() => { pass = loop(); }, opts.intervalMs).unref();
  }

  return {
    reconcileOnce,
    start() {
      if (running) return;
      running = true;
      pass = loop();
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      await pass;
    },
  };
}
