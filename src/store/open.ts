/**
 * Opens the configured database: PostgreSQL when DATABASE_URL is set, else PGlite in DATA_DIR.
 */
import path from 'node:path';
import type { Database } from './database.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';

export interface StoreConfig {
  databaseUrl: string | undefined;
  dataDir: string;
}

export async function openDatabase(config: StoreConfig): Promise<Database> {
  if (config.databaseUrl !== undefined) {
    const db = openPostgres({ connectionString: config.databaseUrl });
    await db.query('SELECT 1'); // fail at start, not on the first request
    return db;
  }
  return openPglite(path.join(config.dataDir, 'db'));
}
