/**
 * Opens the configured database: PostgreSQL when DATABASE_URL is set, else PGlite in DATA_DIR.
 */
import path from 'node:path';
import type { Database } from './database.js';
import { asDatabaseUnavailable, type DatabaseUnavailableError } from './databaseUnavailable.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';

export interface StoreConfig {
  databaseUrl: string | undefined;
  dataDir: string;
}

/** How a long-running process waits for a PostgreSQL that does not answer yet. */
export interface DatabaseWait {
  /** Called once, when the first attempt finds the database unavailable. */
  onWaiting(err: DatabaseUnavailableError): void;
  /** Called once it answers, after `waitedMs`. */
  onReady(waitedMs: number): void;
  /** Milliseconds between attempts (default 1000). */
  retryMs?: number;
}

/**
 * Opens the database. On PostgreSQL it checks the connection first, so a one-shot command fails
 * at once (with DatabaseUnavailableError) rather than on its first query; given `wait`, it keeps
 * trying instead until the database answers.
 */
export async function openDatabase(config: StoreConfig, wait?: DatabaseWait): Promise<Database> {
  if (config.databaseUrl === undefined) return openPglite(path.join(config.dataDir, 'db'));
  const db = openPostgres({ connectionString: config.databaseUrl });
  const began = Date.now();
  let waiting = false;
  while (true) {
    try {
      await db.query('SELECT 1');
      if (waiting) wait?.onReady(Date.now() - began);
      return db;
    } catch (err) {
      const unavailable = asDatabaseUnavailable(err);
      if (!wait || !unavailable) {
        await db.close();
        throw err;
      }
      if (!waiting) wait.onWaiting(unavailable);
      waiting = true;
      await new Promise((resolve) => setTimeout(resolve, wait.retryMs ?? 1000));
    }
  }
}
