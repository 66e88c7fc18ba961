import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { postgresSchema, tempDir } from '../../test/helpers/env.js';
import type { Database } from './database.js';
import { migrate, MigrationMismatchError, readMigrations } from './migrate.js';
import { openPglite } from './pglite.js';

type Opened = { db: Database; close(): Promise<void> };

const backends: Array<[string, () => Promise<Opened>]> = [
  ['PGlite', async () => {
    const tmp = tempDir();
    const db = await openPglite(tmp.dir);
    return { db, close: async () => { await db.close(); tmp.remove(); } };
  }],
  ['PostgreSQL', async () => {
    const s = await postgresSchema();
    return { db: s.db, close: s.drop };
  }],
];

function migrationsDir(files: Record<string, string>): { dir: string; remove(): void } {
  const tmp = tempDir('enigm-migrations-');
  for (const [name, sql] of Object.entries(files)) writeFileSync(path.join(tmp.dir, name), sql);
  return tmp;
}

describe.each(backends)('migrations and transactions on %s', (_name, open) => {
  let opened: Opened;
  beforeEach(async () => {
    opened = await open();
  });
  afterEach(async () => {
    await opened.close();
  });

  it('applies pending migrations in order, once, recording their checksums', async () => {
    const dir = migrationsDir({
      '0001_notes.sql': 'CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL);',
      '0002_tags.sql': 'ALTER TABLE notes ADD COLUMN tag text; CREATE INDEX notes_tag ON notes (tag);',
    });
    expect(await migrate(opened.db, readMigrations(dir.dir))).toEqual(['0001_notes.sql', '0002_tags.sql']);
    expect(await migrate(opened.db, readMigrations(dir.dir))).toEqual([]);
    const applied = await opened.db.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations ORDER BY name');
    expect(applied.rows.map((r) => r.name)).toEqual(['0001_notes.sql', '0002_tags.sql']);
    expect(applied.rows[0].checksum).toMatch(/^[0-9a-f]{64}$/);
    await opened.db.query("INSERT INTO notes (body, tag) VALUES ('x', 'y')");
    dir.remove();
  });

  it('refuses to start when an applied migration was changed', async () => {
    const dir = migrationsDir({ '0001_notes.sql': 'CREATE TABLE notes (id serial PRIMARY KEY);' });
    await migrate(opened.db, readMigrations(dir.dir));
    writeFileSync(path.join(dir.dir, '0001_notes.sql'), 'CREATE TABLE notes (id bigserial PRIMARY KEY);');
    await expect(migrate(opened.db, readMigrations(dir.dir))).rejects.toThrow(MigrationMismatchError);
    await expect(migrate(opened.db, readMigrations(dir.dir))).rejects.toThrow(/0001_notes\.sql was changed after it was applied/);
    dir.remove();
  });

  it('refuses to start when an applied migration file is missing', async () => {
    const dir = migrationsDir({ '0001_notes.sql': 'CREATE TABLE notes (id serial PRIMARY KEY);' });
    await migrate(opened.db, readMigrations(dir.dir));
    await expect(migrate(opened.db, [])).rejects.toThrow(/0001_notes\.sql was applied to this database but its file is missing/);
    dir.remove();
  });

  it('leaves nothing behind when a migration fails halfway', async () => {
    const dir = migrationsDir({ '0001_bad.sql': 'CREATE TABLE half (id int); SELECT no_such_function();' });
    await expect(migrate(opened.db, readMigrations(dir.dir))).rejects.toThrow(/no_such_function/);
    const tables = await opened.db.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'half' AND table_schema = current_schema()");
    expect(tables.rowCount).toBe(0);
    expect((await opened.db.query('SELECT 1 FROM schema_migrations')).rowCount).toBe(0);
    dir.remove();
  });

  it('stops at unique audiences, naming the ones two active subscribers share, until the operator keeps one', async () => {
    const all = readMigrations();
    await migrate(opened.db, all.filter((m) => m.name < '0013'));
    const insert = "INSERT INTO subscribers (id, name, url, events, audience) VALUES ($1, $2, 'https://x.example/', '{}', $3)";
    await opened.db.query(insert, ['sub_a', 'a', 'urn:calls']);
    await opened.db.query(insert, ['sub_b', 'b', 'urn:calls']);
    await expect(migrate(opened.db, all)).rejects.toThrow("active subscribers share an audience ('urn:calls')");
    expect((await opened.db.query("SELECT 1 FROM schema_migrations WHERE name LIKE '0013%'")).rowCount).toBe(0);
    await opened.db.query("UPDATE subscribers SET deleted_at = now() WHERE id = 'sub_b'");
    expect(await migrate(opened.db, all)).toContain('0013_subscriber_audience.sql');
    await expect(opened.db.query(insert, ['sub_c', 'c', 'urn:calls'])).rejects.toThrow(/subscribers_active_audience/);
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await opened.db.query('CREATE TABLE counter (n int NOT NULL)');
    await opened.db.transaction(async (tx) => {
      await tx.query('INSERT INTO counter (n) VALUES ($1)', [1]);
    });
    await expect(opened.db.transaction(async (tx) => {
      await tx.query('INSERT INTO counter (n) VALUES ($1)', [2]);
      throw new Error('changed my mind');
    })).rejects.toThrow('changed my mind');
    const rows = await opened.db.query<{ n: number }>('SELECT n FROM counter');
    expect(rows.rows).toEqual([{ n: 1 }]);
  });
});

describe('the embedded database folder', () => {
  it('is held by one process: a second opener in another process is refused with a clear message', async () => {
    const tmp = tempDir();
    // A live process that is not us: our parent (jest's runner).
    writeFileSync(path.join(tmp.dir, '.lock'), String(process.ppid));
    await expect(openPglite(tmp.dir)).rejects.toThrow(/in use by process \d+; stop it first, or set DATABASE_URL/);
    tmp.remove();
  });

  it('takes over a lock left by a process that died', async () => {
    const tmp = tempDir();
    writeFileSync(path.join(tmp.dir, '.lock'), '999999999');
    const db = await openPglite(tmp.dir);
    expect((await db.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await db.close();
    tmp.remove();
  });
});
