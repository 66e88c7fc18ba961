/**
 * `enigm-trust worker`: the outbox relay and the fan-out workers, without HTTP, for running
 * them apart from the service (set FANOUT_IN_PROCESS=false on the service then). Needs
 * PostgreSQL (DATABASE_URL) when a service runs too: the embedded database is single-process.
 * With WORKER_METRICS_PORT set it serves GET /metrics (the fan-out's queue depth, unrelayed
 * outbox, delivery latency and failures, and the process's own) on HOST at that port.
 * SIGTERM/SIGINT stop the relay, let in-progress deliveries finish, and close the pools.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { loadConfig } from '../config.js';
import { createLogger } from '../http/logger.js';
import { serveMetrics } from '../http/metricsServer.js';
import { startFanout } from '../queue/fanout.js';
import { createSigningKeyStore } from '../queue/signingKeys.js';
import { migrate } from '../store/migrate.js';
import { openWatchedDatabase } from '../store/openWatchedDatabase.js';

/** Starts the relay and the workers; resolves once running (the process stays up until a signal). */
export async function workerCommand(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const db = await openWatchedDatabase(config, logger);
  try {
    await migrate(db);
    const signingKeys = createSigningKeyStore({ db, idSecret: config.idSecret as string, configuredJwk: config.fanout.signingKey });
    await signingKeys.current();
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'enigm_trust_' });
    const fanout = await startFanout({ db, redisUrl: config.redisUrl, settings: config.fanout, signingKeys, logger, registry });
    let metrics: Server | undefined;
    if (config.workerMetricsPort !== undefined) {
      metrics = await serveMetrics(registry, config.host, config.workerMetricsPort).catch(async (err: unknown) => {
        await fanout.close();
        throw err;
      });
      const address = metrics.address();
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      logger.info({ url: `http://${host}:${(address as AddressInfo).port}/metrics` }, 'metrics served');
    }
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        logger.info({ signal }, 'worker stopping');
        metrics?.close();
        fanout.close().then(() => db.close()).then(
          () => process.exit(0),
          (err: unknown) => {
            logger.error({ err }, 'worker shutdown failed');
            process.exit(1);
          },
        );
      });
    }
  } catch (err) {
    await db.close();
    throw err;
  }
}
