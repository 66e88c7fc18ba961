/**
 * The Database contract on PGlite, PostgreSQL compiled to WebAssembly, in a local folder.
 * PGlite is single-process: a lock file says which process holds the folder, so a second
 * one stops with a clear message instead of corrupting it.
 */
import { PGlite } from '@electric-sql/pglite';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Database, Queryable, QueryResult } from './database.js';

/** The embedded database folder is held by another live process. */
export class DatabaseInUseError extends Error {
  override name = 'DatabaseInUseError';
}

interface PGliteQueryable {
  query<Row>(sql: string, params?: unknown[]): Promise<{ rows: Row[]; affectedRows?: number; fields: unknown[] }>;
  exec(sql: string): Promise<unknown>;
}

function wrap(db: PGliteQueryable): Queryable {
  return {
    async query<Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
      const r = await db.query<Row>(sql, params as unknown[] | undefined);
      // As node-postgres does: a statement that returns rows counts them, others count what they changed.
      return { rows: r.rows, rowCount: r.fields.length > 0 ? r.rows.length : (r.affectedRows ?? 0) };
    },
    async exec(sql: string): Promise<void> {
      await db.exec(sql);
    },
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function acquireLock(lockFile: string): void {
  try {
    writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const holder = Number(readFileSync(lockFile, 'utf8').trim());
  if (Number.isInteger(holder) && holder !== process.pid && processAlive(holder)) {
    throw new DatabaseInUseError(
      `the embedded database in ${path.dirname(lockFile)} is in use by process ${holder}; stop it first, or set DATABASE_URL`,
    );
  }
  // A stale lock from a process that died: take it over.
  writeFileSync(lockFile, String(process.pid));
}

/**
 * Opens (creating if needed) the PGlite database in `dir`, or an in-memory one when
 * `dir` is undefined.
 */
export async function openPglite(dir: string | undefined): Promise<Database> {
  let lockFile: string | undefined;
  if (dir !== undefined) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    lockFile = path.join(dir, '.lock');
    acquireLock(lockFile);
  }
  let db: PGlite;
  try {
    db = await PGlite.create(dir === undefined ? undefined : path.join(dir, 'pgdata'));
  } catch (err) {
    if (lockFile) rmSync(lockFile, { force: true });
    throw err;
  }
  const direct = wrap(db);
  return {
    kind: 'pglite',
    query: direct.query,
    exec: direct.exec,
    transaction: <T>(work: (tx: Queryable) => Promise<T>): Promise<T> => db.transaction((tx) => work(wrap(tx))),
    async close() {
      await db.close();
      if (lockFile) rmSync(lockFile, { force: true });
    },
  };
}
