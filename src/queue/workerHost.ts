/**
 * The BullMQ workers of one process: one for the events queue, and one per active subscriber
 * for its delivery queue, each with its own concurrency, so a subscriber that hangs until
 * its timeout only ever occupies its own slots. The set of subscribers is re-read
 * periodically (another instance may have registered one) and on demand.
 */
import { DelayedError, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Database } from '../store/database.js';
import { DatabaseUnavailableError } from '../store/databaseUnavailable.js';
import { retryDelay, type BackoffOptions } from './backoff.js';
import { OutcomeNotRecorded, markDeliveryFailed, processDelivery, type AttemptFailed, type DeliveryWorkerDeps } from './deliveryWorker.js';
import { processEvent, type EventWorkerDeps } from './eventWorker.js';
import { EVENTS_QUEUE, deliveryQueueName, workerConnectionOptions, type DeliveryJob, type EventJob } from './queues.js';
import { stallTimings } from './stallTimings.js';

export interface WorkerHostOptions {
  db: Database;
  /** Each worker opens (and on close, closes) its own connections to this Redis. */
  redisUrl: string;
  prefix: string;
  logger: Logger;
  events: Omit<EventWorkerDeps, 'onSubscriber'>;
  delivery: DeliveryWorkerDeps;
  /** Concurrent pushes per subscriber. */
  concurrency: number;
  /** A job whose worker died is taken up again within this many milliseconds (see stallTimings). */
  lockMs: number;
  backoff: BackoffOptions;
  /** Milliseconds between re-reads of the subscriber list. */
  refreshMs?: number;
}

export interface WorkerHost {
  /** Starts or stops delivery workers to match the active subscribers. */
  refresh(): Promise<void>;
  /** Starts a delivery worker for `subscriberId` unless one runs. */
  serve(subscriberId: string): void;
  /** Stops taking jobs and waits for those in progress, unless `force` (Redis is gone: nothing could be recorded). */
  close(force?: boolean): Promise<void>;
}

/**
 * BullMQ takes any error whose message mentions ECONNREFUSED (or is "Connection is closed.")
 * for a lost Redis connection, and then re-runs its failure handling instead of counting the
 * attempt — in a tight loop while the worker closes. A subscriber or the database refusing a
 * connection is an ordinary failed attempt: say it in words BullMQ does not match.
 */
function asJobError(err: unknown): Error {
  if (!(err instanceof Error)) return new Error(String(err));
  if (!/ECONNREFUSED|^Connection is closed\.$/.test(err.message) && (err as NodeJS.ErrnoException).code !== 'ECONNREFUSED') return err;
  const reworded = Object.assign(new Error(err.message.replace(/ECONNREFUSED/g, 'connection refused').replace(/^Connection is closed\.$/, 'connection closed')), {
    retryDelayMs: (err as Partial<AttemptFailed>).retryDelayMs,
  });
  reworded.name = err.name; // keeps UnrecoverableError recognisable
  return reworded;
}

/**
 * Runs a processor, rewording errors BullMQ would mistake for its own connection failures. While
 * the database is away the job waits `parkMs` and runs again without spending an attempt: the
 * outage is ours, not the subscriber's, and however long it lasts no delivery runs out of
 * attempts because of it. An outcome that could not be recorded is kept in the job's data first.
 */
async function guarded<T>(job: Job, token: string | undefined, parkMs: number, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof OutcomeNotRecorded) await job.updateData({ ...job.data, unrecorded: err.outcome });
    if ((err instanceof OutcomeNotRecorded || err instanceof DatabaseUnavailableError) && token !== undefined) {
      await job.moveToDelayed(Date.now() + parkMs, token);
      throw new DelayedError();
    }
    throw asJobError(err);
  }
}

/** Inside the processor: `attemptsMade` counts the attempts that failed before this one. */
function isLastAttempt(job: Job): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/** In a `failed` handler, after BullMQ counted the failure: no retry follows. */
function gaveUp(job: Job, err: Error): boolean {
  return err.name === 'UnrecoverableError' || job.finishedOn !== undefined || job.attemptsMade >= (job.opts.attempts ?? 1);
}

export function createWorkerHost(opts: WorkerHostOptions): WorkerHost {
  const delivering = new Map<string, Worker<DeliveryJob>>();
  let closed = false;
  const common = {
    // Not a shared connection: a worker that closes must not lose Redis under another's feet.
    connection: workerConnectionOptions(opts.redisUrl),
    prefix: opts.prefix,
    ...stallTimings(opts.lockMs),
    // A job whose worker was killed is taken up again; only a job that kills workers over and over fails.
    maxStalledCount: 5,
    // The processor chose (and recorded) the delay of a failed push; other failures back off alike.
    settings: { backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) => (err as Partial<AttemptFailed> | undefined)?.retryDelayMs ?? retryDelay(Math.max(1, attemptsMade), opts.backoff) },
  };
  // How long a job waits for the database to come back before it looks again.
  const parkMs = Math.min(opts.backoff.maxMs, Math.max(opts.backoff.baseMs, 1000));
  const quiet = (worker: Worker, what: string) => worker.on('error', (err) => opts.logger.debug({ err: err.message, worker: what }, 'fan-out worker error'));

  function ensureDeliveryWorker(subscriberId: string): void {
    if (closed || delivering.has(subscriberId)) return;
    const worker = new Worker<DeliveryJob>(
      deliveryQueueName(subscriberId),
      (job, token) => guarded(job, token, parkMs, () => processDelivery(opts.delivery, job.data, { failedBefore: job.attemptsMade, last: isLastAttempt(job) })),
      { ...common, concurrency: opts.concurrency },
    );
    quiet(worker, subscriberId);
    worker.on('stalled', (jobId) => {
      opts.logger.warn({ jobId, deliveryId: jobId.replace(/-r\d+$/, ''), subscriberId }, 'delivery interrupted (its worker stopped); sending it again with the same jti');
    });
    worker.on('failed', (job, err) => {
      if (!job) return;
      if (gaveUp(job, err)) {
        opts.logger.warn({ deliveryId: job.data.deliveryId, subscriberId, error: err.message }, 'delivery failed');
        // If the database is away now, the reconciler records it later (the failed job stays in Redis).
        markDeliveryFailed(opts.db, job.data, err.message).catch(() => undefined);
      }
    });
    delivering.set(subscriberId, worker);
  }

  const eventWorker = new Worker<EventJob>(
    EVENTS_QUEUE,
    (job, token) => guarded(job, token, parkMs, () => processEvent({ ...opts.events, onSubscriber: ensureDeliveryWorker }, job.data.outboxId)),
    { ...common, concurrency: 8 },
  );
  quiet(eventWorker, 'events');
  eventWorker.on('stalled', (jobId) => opts.logger.warn({ outboxId: jobId }, 'event expansion interrupted (its worker stopped); expanding it again'));
  eventWorker.on('failed', (job, err) => {
    if (!job || err.name === 'UnrecoverableError' || !gaveUp(job, err)) return;
    // Out of attempts (e.g. the database was down for long): hand the row back to the relay,
    // which enqueues it afresh, so no event is ever dropped.
    opts.logger.error({ outboxId: job.data.outboxId, error: err.message }, 'fan-out event expansion failed; returned to the outbox');
    opts.db.query('UPDATE outbox SET relayed_at = NULL WHERE id = $1', [job.data.outboxId]).catch(() => undefined);
  });

  async function refresh(): Promise<void> {
    const r = await opts.db.query<{ id: string }>('SELECT id FROM subscribers WHERE deleted_at IS NULL');
    const active = new Set(r.rows.map((row) => row.id));
    for (const id of active) ensureDeliveryWorker(id);
    for (const [id, worker] of delivering) {
      if (active.has(id)) continue;
      delivering.delete(id);
      await worker.close();
    }
  }

  const refreshing = setInterval(() => {
    refresh().catch((err: Error) => opts.logger.debug({ err: err.message }, 'fan-out: subscriber refresh failed'));
  }, opts.refreshMs ?? 2000);
  refreshing.unref();

  return {
    refresh,
    serve: ensureDeliveryWorker,
    async close(force = false) {
      closed = true;
      clearInterval(refreshing);
      await Promise.allSettled([eventWorker.close(force), ...[...delivering.values()].map((w) => w.close(force))]);
      delivering.clear();
    },
  };
}
