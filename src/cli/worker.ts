/**
 * `enigm-trust worker`: the outbox relay and the fan-out workers, without HTTP, for running
 * them apart from the service (set FANOUT_IN_PROCESS=false on the service then). Needs
 * PostgreSQL (DATABASE_URL) when a service runs too: the embedded database is single-process.
 * SIGTERM/SIGINT stop the relay, let in-progress deliveries finish, and close the pools.
 */
import { loadConfig } from '../config.js';
import { createLogger } from '../http/logger.js';
import { startFanout } from '../queue/fanout.js';
import { createSigningKeyStore } from '../queue/signingKeys.js';
import { migrate } from '../store/migrate.js';
import { openDatabase } from '../store/open.js';

/** Starts the relay and the workers; resolves once running (the process stays up until a signal). */
export async function workerCommand(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const db = await openDatabase(config);
  try {
    await migrate(db);
    const signingKeys = createSigningKeyStore({ db, idSecret: config.idSecret as string, configuredJwk: config.fanout.signingKey });
    await signingKeys.current();
    const fanout = await startFanout({ db, redisUrl: config.redisUrl, settings: config.fanout, signingKeys, logger });
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        logger.info({ signal }, 'worker stopping');
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
