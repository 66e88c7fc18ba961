/**
 * The fan-out runtime of one process: the outbox relay and the workers that expand events and
 * push SETs. `enigm-trust worker` runs it alone; the service runs it in-process unless
 * FANOUT_IN_PROCESS=false. `close` stops the relay, lets in-progress deliveries finish, and
 * closes every Redis connection it opened.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Database } from '../store/database.js';
import type { FanoutConfig } from './fanoutConfig.js';
import { fanoutMetrics } from './metrics.js';
import { pushAgents } from './push.js';
import { FanoutQueues, producerConnection } from './queues.js';
import { createReconciler, type Reconciler } from './reconciler.js';
import { createOutboxRelay, type OutboxRelay } from './relay.js';
import type { SigningKeyStore } from './signingKeys.js';
import { whenRedisReady } from './redis.js';
import { withTimeout } from './timeout.js';
import { createWorkerHost, type WorkerHost } from './workerHost.js';

const CLOSE_TIMEOUT_MS = 10_000;

export type FanoutSettings = Pick<FanoutConfig, 'prefix' | 'attempts' | 'backoffMs' | 'backoffMaxMs' | 'timeoutMs' | 'concurrency' | 'lockMs' | 'pollMs' | 'reconcileMs' | 'issuer'>;

export interface FanoutOptions {
  db: Database;
  redisUrl: string;
  settings: FanoutSettings;
  signingKeys: SigningKeyStore;
  logger: Logger;
  /** The service's metrics registry; without it nothing is measured. */
  registry?: Registry;
  /** Run the outbox relay (default true). */
  relay?: boolean;
  /** Run the workers (default true). */
  worker?: boolean;
  /** Milliseconds between re-reads of the subscriber list (default 2000). */
  subscriberRefreshMs?: number;
}

export interface FanoutRuntime {
  relay: OutboxRelay | undefined;
  /** Runs wherever the workers run. */
  reconciler: Reconciler | undefined;
  queues: FanoutQueues;
  close(): Promise<void>;
}

export async function startFanout(opts: FanoutOptions): Promise<FanoutRuntime> {
  const { settings, logger } = opts;
  const producer = producerConnection(opts.redisUrl);
  const queues = new FanoutQueues(producer, settings.prefix);
  const metrics = opts.registry ? fanoutMetrics(opts.registry, { db: opts.db, queues: () => queues }) : undefined;
  let host: WorkerHost | undefined;
  const agents = pushAgents(settings.concurrency);
  if (opts.worker !== false) {
    host = createWorkerHost({
      db: opts.db,
      redisUrl: opts.redisUrl,
      prefix: settings.prefix,
      logger,
      events: { db: opts.db, queues, attempts: settings.attempts },
      delivery: { db: opts.db, signingKeys: opts.signingKeys, issuer: settings.issuer, push: { timeoutMs: settings.timeoutMs, agents }, backoff: { baseMs: settings.backoffMs, maxMs: settings.backoffMaxMs }, metrics },
      concurrency: settings.concurrency,
      lockMs: settings.lockMs,
      backoff: { baseMs: settings.backoffMs, maxMs: settings.backoffMaxMs },
      refreshMs: opts.subscriberRefreshMs,
    });
    await host.refresh().catch((err: Error) => logger.warn({ err: err.message }, 'fan-out: cannot read subscribers yet'));
  }
  // Give the connection a moment, so a healthy start does not begin with a failed pass.
  await whenRedisReady(producer, 1000).catch(() => undefined);
  const relay = opts.relay === false ? undefined : createOutboxRelay({ db: opts.db, queue: queues.events, logger, pollMs: settings.pollMs, connected: () => producer.status === 'ready' });
  relay?.start();
  const reconciler = host === undefined ? undefined : createReconciler({
    db: opts.db, queues, logger, intervalMs: settings.reconcileMs, attempts: settings.attempts,
    lockMs: settings.lockMs, timeoutMs: settings.timeoutMs, backoffMaxMs: settings.backoffMaxMs,
    connected: () => producer.status === 'ready', onSubscriber: host.serve, metrics,
  });
  reconciler?.start();
  logger.info({ relay: relay !== undefined, worker: host !== undefined, reconcileMs: reconciler ? settings.reconcileMs : undefined, prefix: settings.prefix }, 'fan-out started');
  let closing: Promise<void> | undefined;
  return {
    relay,
    reconciler,
    queues,
    close: () => (closing ??= (async () => {
      await relay?.stop();
      await reconciler?.stop();
      // BullMQ waits for Redis to close cleanly; while Redis is unreachable there is nothing to
      // wait for, and the close is bounded anyway.
      await withTimeout(host?.close(producer.status !== 'ready') ?? Promise.resolve(), CLOSE_TIMEOUT_MS, 'closing the workers')
        .catch((err: Error) => logger.warn({ err: err.message }, 'fan-out: workers did not close cleanly'));
      if (producer.status === 'ready') await withTimeout(queues.close(), CLOSE_TIMEOUT_MS, 'closing the queues').catch(() => undefined);
      agents.http.destroy();
      agents.https.destroy();
      if (producer.status === 'ready') await withTimeout(producer.quit(), 1000, 'quit').catch(() => producer.disconnect());
      else producer.disconnect();
    })()),
  };
}
