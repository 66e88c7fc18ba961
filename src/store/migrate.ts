/**
 * Forward-only SQL migrations: numbered `.sql` files applied in order, each in its own
 * transaction under an advisory lock, each recorded with its checksum. A file changed or
 * removed after it was applied stops start-up: the database no longer matches the code.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.js';

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

/** An applied migration no longer matches its file, or its file is gone. */
export class MigrationMismatchError extends Error {
  override name = 'MigrationMismatchError';
}

/** The folder of this service's migrations (copied beside the compiled code by the build). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

// One constant key for pg_advisory_xact_lock: "enigm-trust migrations".
const LOCK_KEY = 0x656e6967;

export function readMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((name) => {
      const sql = readFileSync(`${dir}/${name}`, 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

async function appliedChecksums(db: Database): Promise<Map<string, string>> {
  const r = await db.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations');
  return new Map(r.rows.map((row) => [row.name, row.checksum]));
}

function checkApplied(applied: Map<string, string>, migrations: Migration[]): void {
  const byName = new Map(migrations.map((m) => [m.name, m]));
  for (const [name, checksum] of applied) {
    const m = byName.get(name);
    if (!m) throw new MigrationMismatchError(`migration ${name} was applied to this database but its file is missing`);
    if (m.checksum !== checksum) {
      throw new MigrationMismatchError(`migration ${name} was changed after it was applied (checksum ${checksum.slice(0, 12)}… now ${m.checksum.slice(0, 12)}…); add a new migration instead`);
    }
  }
}

/** Applies every pending migration; returns the names applied now. */
export async function migrate(db: Database, migrations: Migration[] = readMigrations()): Promise<string[]> {
  await db.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    name text PRIMARY KEY,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now())`);
  checkApplied(await appliedChecksums(db), migrations);
  const appliedNow: string[] = [];
  for (const m of migrations) {
    const applied = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
      const seen = await tx.query('SELECT 1 FROM schema_migrations WHERE name = $1', [m.name]);
      if (seen.rowCount > 0) return false; // another process applied it while we waited
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)', [m.name, m.checksum]);
      return true;
    });
    if (applied) appliedNow.push(m.name);
  }
  return appliedNow;
}
