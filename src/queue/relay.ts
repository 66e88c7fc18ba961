/**
 * The outbox relay: moves committed outbox rows to the events queue and marks them relayed.
 * The job id is the outbox id, so a row enqueued twice (two relays, or a crash between the
 * enqueue and the mark) is one job. While Redis is unreachable the rows simply stay
 * unrelayed; the relay keeps polling with back-off and catches up when Redis answers again.
 * Rows are found by `relayed_at IS NULL`, not by a high-water mark, so a transaction that
 * commits after a later one is still picked up.
 */
import type { Queue } from 'bullmq';
import type { Database } from '../store/database.js';
import type { Logger } from 'pino';
import { EVENT_JOB_OPTIONS, type EventJob } from './queues.js';
import { withTimeout } from './timeout.js';

export interface RelayOptions {
  db: Database;
  queue: Queue<EventJob>;
  logger: Logger;
  /** Milliseconds between polls while there is nothing to do. */
  pollMs: number;
  /** Rows per pass. */
  batchSize?: number;
  /** Milliseconds one enqueue may take before the pass counts as failed. */
  enqueueTimeoutMs?: number;
  /** False while the queue's Redis connection is down: the pass fails at once instead of waiting. */
  connected?: () => boolean;
}

/** A relay loop; `stop` waits for the pass in progress. */
export interface OutboxRelay {
  /** One pass: enqueues and marks up to a batch of rows, returns how many. Throws when Redis or the database fails. */
  relayOnce(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

const MAX_FAILURE_DELAY_MS = 5000;

export function createOutboxRelay(opts: RelayOptions): OutboxRelay {
  const batchSize = opts.batchSize ?? 200;
  const enqueueTimeoutMs = opts.enqueueTimeoutMs ?? 5000;
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> | undefined;
  let failures = 0;

  async function relayOnce(): Promise<number> {
    if (opts.connected && !opts.connected()) throw new Error('Redis is not connected');
    const pending = await opts.db.query<{ id: string }>('SELECT id FROM outbox WHERE relayed_at IS NULL ORDER BY seq LIMIT $1', [batchSize]);
    if (pending.rows.length === 0) return 0;
    const ids = pending.rows.map((r) => r.id);
    await withTimeout(opts.queue.addBulk(ids.map((id) => ({ name: 'event', data: { outboxId: id }, opts: { ...EVENT_JOB_OPTIONS, jobId: id } }))), enqueueTimeoutMs, 'enqueueing outbox rows');
    await opts.db.query('UPDATE outbox SET relayed_at = now() WHERE id = ANY($1) AND relayed_at IS NULL', [ids]);
    return ids.length;
  }

  async function loop(): Promise<void> {
    let delay = opts.pollMs;
    try {
      const moved = await relayOnce();
      if (failures > 0) opts.logger.info({ after: failures }, 'outbox relay: enqueueing again');
      failures = 0;
      // A full batch means more may be waiting: go again at once.
      if (moved >= batchSize) delay = 0;
    } catch (err) {
      failures++;
      if (failures === 1) opts.logger.warn({ err: (err as Error).message }, 'outbox relay: cannot enqueue; rows stay in the outbox and will be relayed later');
      delay = Math.min(MAX_FAILURE_DELAY_MS, opts.pollMs * 2 ** Math.min(failures, 10));
    }
    if (running) timer = setTimeout(tick, delay);
  }

  function tick(): void {
    pass = loop();
  }

  return {
    relayOnce,
    start() {
      if (running) return;
      running = true;
      tick();
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      await pass;
    },
  };
}
