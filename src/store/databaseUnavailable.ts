/**
 * The database cannot be reached: refused or cut connections, a server shutting down or
 * starting, no free connection slot, a connection that timed out. Not a fault of the request
 * or of the SQL: it passes, and callers answer 503 or try again later instead of failing for
 * good. The message says what happened in words, never an error code such as "ECONNREFUSED"
 * (BullMQ reads that code as its own Redis connection failing).
 */

/** The database did not answer; `cause` is the driver's error. */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
  readonly code = 'database_unavailable';
}

const NETWORK_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'name resolution failed',
};

// SQLSTATE: class 08 (connection exception), operator intervention (57P01-57P03), too many connections.
const UNAVAILABLE_STATES = /^(08...|57P0[123]|53300)$/;

// node-postgres reports connections it lost or could not open in words, without a code.
const DRIVER_WORDS = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed)/;

function describe(err: { code?: unknown; message?: unknown; errors?: unknown }): string | undefined {
  const code = typeof err.code === 'string' ? err.code : undefined;
  const message = typeof err.message === 'string' ? err.message : '';
  if (code && NETWORK_WORDS[code]) return NETWORK_WORDS[code];
  if (code && UNAVAILABLE_STATES.test(code)) return message;
  if (DRIVER_WORDS.test(message)) return message;
  // Connecting to a name with several addresses fails with one error per address.
  if (Array.isArray(err.errors)) for (const e of err.errors) if (e && typeof e === 'object') return describe(e as object);
  return undefined;
}

/** `err` as a DatabaseUnavailableError when it says the database could not be reached, else undefined. */
export function asDatabaseUnavailable(err: unknown): DatabaseUnavailableError | undefined {
  if (err instanceof DatabaseUnavailableError) return err;
  if (!err || typeof err !== 'object') return undefined;
  const words = describe(err as object);
  if (words === undefined) return undefined;
  return new DatabaseUnavailableError(`the database is unavailable: ${words.replace(/ECONNREFUSED/g, 'connection refused')}`, { cause: err });
}
