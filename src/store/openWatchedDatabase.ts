/**
 * The database of a long-running process (the service, the worker): started while PostgreSQL
 * is away, it waits and says so in one line; once running, each outage is logged when it
 * begins and when it ends, never once per request.
 */
import type { Logger } from 'pino';
import { watchAvailability, type WatchedDatabase } from './availability.js';
import { openDatabase, type StoreConfig } from './open.js';

export async function openWatchedDatabase(config: StoreConfig, logger: Logger): Promise<WatchedDatabase> {
  const db = await openDatabase(config, {
    onWaiting: (err) => logger.warn({ database: err.message }, 'waiting for the database; trying again every second'),
    onReady: (waitedMs) => logger.info({ waitedMs }, 'the database answers'),
  });
  return watchAvailability(db, {
    onDown: (err) => logger.warn({ database: err.message }, 'database unavailable: requests answer 503 database_unavailable until it returns'),
    onUp: (downMs) => logger.info({ downMs }, 'database available again'),
  });
}
