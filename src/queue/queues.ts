/**
 * The BullMQ layout of the fan-out: one `events` queue the relay fills (job id = outbox id),
 * and one delivery queue per subscriber (job id = delivery id), so a slow or failing
 * subscriber's backlog and retries never hold up another's.
 */
import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';

export const EVENTS_QUEUE = 'fanout-events';

/** The delivery queue of one subscriber. */
export function deliveryQueueName(subscriberId: string): string {
  return `fanout-deliver-${subscriberId}`;
}

/** Job data of the events queue. */
export interface EventJob {
  outboxId: string;
}

/** What a delivery job could not write down while the database was away: done, not to be repeated. */
export type UnrecordedOutcome = { kind: 'delivered' } | { kind: 'failed'; error: string };

/** Job data of a delivery queue. */
export interface DeliveryJob {
  deliveryId: string;
  /** The delivery's job generation this job carries (absent in jobs enqueued before generations existed). */
  generation?: number;
  /** Set when the push's outcome is known but not yet recorded: the next run only records it. */
  unrecorded?: UnrecordedOutcome;
}

/**
 * The id of the job carrying a delivery at `generation`: the delivery id, then `<id>-r<n>` for
 * the n-th job that replaced the first (a re-drive, or the reconciler finding no live job).
 */
export function deliveryJobId(deliveryId: string, generation: number): string {
  return generation === 0 ? deliveryId : `${deliveryId}-r${generation}`;
}

/**
 * A connection for producers (Queue): commands fail at once while Redis is down, so the relay
 * notices and keeps its rows for the next pass instead of hanging.
 */
export function producerConnection(url: string): Redis {
  const redis = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: (n) => Math.min(n * 200, 2000) });
  redis.on('error', () => undefined);
  redis.connect().catch(() => undefined);
  return redis;
}

/**
 * Connection options for a Worker, which opens and closes its own connections. BullMQ requires
 * blocking commands to wait across reconnects (maxRetriesPerRequest null).
 */
export function workerConnectionOptions(url: string): ConnectionOptions {
  return { url, maxRetriesPerRequest: null, connectTimeout: 2000, retryStrategy: (n: number) => Math.min(n * 200, 2000) } as ConnectionOptions;
}

/** Options of every events job: kept a while after completion so a second relay's add is a no-op. */
export const EVENT_JOB_OPTIONS: JobsOptions = {
  attempts: 20,
  backoff: { type: 'fanout' },
  removeOnComplete: { age: 24 * 3600, count: 100_000 },
  // On final failure the row goes back to the relay (see eventWorker), which needs the id free.
  removeOnFail: true,
};

/** Options of a delivery job with `attempts` tries. */
export function deliveryJobOptions(jobId: string, attempts: number): JobsOptions {
  return {
    jobId,
    attempts,
    backoff: { type: 'fanout' },
    removeOnComplete: { age: 3600, count: 100_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

/**
 * BullMQ bundles its own ioredis release, whose class type differs from ours though the
 * connection is the same kind of object (BullMQ recognises instances by their methods).
 */
export function asBullConnection(redis: Redis): ConnectionOptions {
  return redis as unknown as ConnectionOptions;
}

/** Producer handles: the events queue and each subscriber's delivery queue, opened on demand. */
export class FanoutQueues {
  readonly events: Queue<EventJob>;
  private readonly deliveries = new Map<string, Queue<DeliveryJob>>();

  private readonly connection: ConnectionOptions;

  constructor(connection: Redis, private readonly prefix: string) {
    this.connection = asBullConnection(connection);
    this.events = new Queue<EventJob>(EVENTS_QUEUE, { connection: this.connection, prefix });
    this.events.on('error', () => undefined);
  }

  /** The delivery queue of `subscriberId`. */
  deliveryQueue(subscriberId: string): Queue<DeliveryJob> {
    const open = this.deliveries.get(subscriberId);
    if (open) return open;
    const q = new Queue<DeliveryJob>(deliveryQueueName(subscriberId), { connection: this.connection, prefix: this.prefix });
    q.on('error', () => undefined);
    this.deliveries.set(subscriberId, q);
    return q;
  }

  /** Every delivery queue opened so far. */
  deliveryQueues(): Array<[string, Queue<DeliveryJob>]> {
    return [...this.deliveries.entries()];
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.events.close(), ...[...this.deliveries.values()].map((q) => q.close())]);
  }
}
