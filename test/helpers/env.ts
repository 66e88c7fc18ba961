/**
 * Shared test plumbing: real PostgreSQL in an isolated schema per test file, temporary
 * folders, and the Redis URL. Integration tests talk to the real services.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Database } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';
import { openPglite } from '../../src/store/pglite.js';
import { openPostgres, quoteIdent } from '../../src/store/postgres.js';

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** A Redis URL where nothing listens. */
export const DEAD_REDIS_URL = 'redis://127.0.0.1:1';

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

export function tempDir(prefix = 'enigm-test-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A database on the real PostgreSQL whose tables live in a fresh schema, dropped by `drop`. */
export async function postgresSchema(): Promise<{ db: Database; schema: string; drop(): Promise<void> }> {
  const schema = uniqueName('t');
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
  await admin.end();
  const db = openPostgres({ connectionString: POSTGRES_URL, schema });
  return {
    db,
    schema,
    async drop() {
      await db.close();
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      await c.query(`DROP SCHEMA ${quoteIdent(schema)} CASCADE`);
      await c.end();
    },
  };
}

/** An open, migrated database and how to dispose of it. */
export interface OpenedDatabase {
  db: Database;
  close(): Promise<void>;
}

/** Both backends the service runs on, for `describe.each`: embedded PGlite and the real PostgreSQL. */
export const BACKENDS: Array<[string, () => Promise<OpenedDatabase>]> = [
  ['PGlite', async () => {
    const db = await openPglite(undefined);
    await migrate(db);
    return { db, close: () => db.close() };
  }],
  ['PostgreSQL', async () => {
    const s = await postgresSchema();
    await migrate(s.db);
    return { db: s.db, close: s.drop };
  }],
];
