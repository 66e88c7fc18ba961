/**
 * Watches a database for outages: the first query that finds it unavailable starts an outage,
 * the first query that succeeds afterwards ends it, each reported once — so an outage is two
 * log lines, not one per request. Only a query that started after the last change may change
 * the state again: during a shutdown, queries already running on open connections still
 * succeed while new ones are refused, and must not make the outage flap.
 */
import type { Database, Queryable, QueryResult } from './database.js';
import { DatabaseUnavailableError } from './databaseUnavailable.js';

export interface AvailabilityEvents {
  /** An outage began; `err` says how the database failed. */
  onDown(err: DatabaseUnavailableError): void;
  /** The outage that began `downMs` milliseconds ago is over. */
  onUp(downMs: number): void;
}

/** A database whose outages are reported; `available()` tells whether one is going on. */
export interface WatchedDatabase extends Database {
  available(): boolean;
  /** Milliseconds since the current outage began, or 0. */
  downForMs(): number;
}

export function watchAvailability(db: Database, events: AvailabilityEvents): WatchedDatabase {
  let started = 0; // sequence number of the latest query to start
  let changedAt = 0; // sequence number current when the state last changed
  let downSince: number | undefined;

  const observe = <T>(work: () => Promise<T>): Promise<T> => {
    const seq = ++started;
    return work().then(
      (result) => {
        if (downSince !== undefined && seq > changedAt) {
          const downMs = Date.now() - downSince;
          downSince = undefined;
          changedAt = started;
          events.onUp(downMs);
        }
        return result;
      },
      (err: unknown) => {
        if (err instanceof DatabaseUnavailableError && downSince === undefined && seq > changedAt) {
          downSince = Date.now();
          changedAt = started;
          events.onDown(err);
        }
        throw err;
      },
    );
  };

  return {
    kind: db.kind,
    query: <Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> => observe(() => db.query<Row>(sql, params)),
    exec: (sql: string) => observe(() => db.exec(sql)),
    transaction: <T>(work: (tx: Queryable) => Promise<T>) => observe(() => db.transaction(work)),
    close: () => db.close(),
    available: () => downSince === undefined,
    downForMs: () => (downSince === undefined ? 0 : Date.now() - downSince),
  };
}
