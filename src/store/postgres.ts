/**
 * The Database contract on a PostgreSQL server through node-postgres.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Database, Queryable, QueryResult } from './database.js';
import { asDatabaseUnavailable } from './databaseUnavailable.js';

export interface PostgresOptions {
  connectionString: string;
  /** Schema to place first on the search path: lets tests share one database in isolation. */
  schema?: string;
  max?: number;
  /** Milliseconds a query may wait for a connection (opening one, or a free one) before the database counts as unavailable (default 5000). */
  connectTimeoutMs?: number;
}

// PostgreSQL bigint (int8) columns hold epochs and counters well inside 2^53: read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/**
 * Parameterised statements run as named prepared statements, so each connection parses and
 * plans a statement once instead of on every call. The name is a hash of the text, so two
 * texts never share a name; the set of texts is fixed by the code.
 */
const statementNames = new Map<string, string>();
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (name === undefined) {
    name = 'q' + createHash('sha1').update(sql).digest('base64url');
    statementNames.set(sql, name);
  }
  return name;
}

/** Re-throws a lost or refused connection as DatabaseUnavailableError, anything else as it is. */
function rethrow(err: unknown): never {
  throw asDatabaseUnavailable(err) ?? err;
}

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
      const r = await (params && params.length > 0
        ? client.query({ name: statementName(sql), text: sql, values: params as unknown[] })
        : client.query(sql)).catch(rethrow);
      return { rows: r.rows as Row[], rowCount: r.rowCount ?? 0 };
    },
    async exec(sql: string): Promise<void> {
      await client.query(sql).catch(rethrow);
    },
  };
}

/**
 * Settings of every session the pool opens. Prepared statements keep one generic plan: the
 * service's statements are key lookups and small filtered lists, and left to choose, the
 * planner re-plans the batched `= ANY($1)` lookups on every call (planning them costs more
 * than running them).
 */
function sessionOptions(schema: string | undefined): string {
  const settings = ['-c plan_cache_mode=force_generic_plan'];
  if (schema) settings.push(`-c search_path=${quoteIdent(schema)},public`);
  return settings.join(' ');
}

export function openPostgres(opts: PostgresOptions): Database {
  const pool = new pg.Pool({
    connectionString: opts.connectionString, max: opts.max ?? 10, options: sessionOptions(opts.schema),
    // Without a bound, a request waits for ever on a database host that stopped answering.
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
  });
  // An idle client that loses its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const direct = wrap(pool);
  return {
    kind: 'postgres',
    query: direct.query,
    exec: direct.exec,
    async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect().catch(rethrow);
      try {
        await client.query('BEGIN').catch(rethrow);
        const result = await work(wrap(client));
        await client.query('COMMIT').catch(rethrow);
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** Quotes an SQL identifier. */
export function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}
