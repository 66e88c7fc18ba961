/**
 * Records of Idempotency-Key requests: claimed by the first request, completed with its
 * answer, released when it changed nothing, and forgotten a day after they were made.
 */
import type { Queryable } from './database.js';

/** How long a key is remembered. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/** How long an unfinished first request holds its key before a retry may act again. */
export const IDEMPOTENCY_LEASE_SECONDS = 5 * 60;

export interface StoredAnswer {
  status: number;
  /** False when the answer may not be stored (no-store): only that it succeeded is known. */
  kept: boolean;
  headers: Record<string, string>;
  body: string | null;
}

export interface IdempotencyRecord {
  fingerprint: string;
  /** Undefined while the first request is still being handled. */
  answer?: StoredAnswer;
}

export type Claim = { claimed: true } | { claimed: false; record: IdempotencyRecord };

// Takes the key when it is new, or when its record expired or its first request was abandoned.
const CLAIM = `
INSERT INTO idempotency_keys (principal, key, fingerprint, created_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (principal, key) DO UPDATE
   SET fingerprint = EXCLUDED.fingerprint, created_at = EXCLUDED.created_at, completed_at = NULL,
       status = NULL, kept = false, headers = NULL, body = NULL
 WHERE idempotency_keys.created_at <= $4::timestamptz - make_interval(secs => $5)
    OR (idempotency_keys.completed_at IS NULL AND idempotency_keys.created_at <= $4::timestamptz - make_interval(secs => $6))
RETURNING principal`;

interface Row { fingerprint: string; status: number | null; kept: boolean; headers: Record<string, string> | null; body: string | null }

/** Claims `key` for `principal`'s request, or returns what the key already holds. */
export async function claimIdempotencyKey(q: Queryable, principal: string, key: string, fingerprint: string, now: Date): Promise<Claim> {
  // A record can vanish between the two statements (its request released it): then claim again.
  for (;;) {
    const claimed = await q.query(CLAIM, [principal, key, fingerprint, now, IDEMPOTENCY_TTL_SECONDS, IDEMPOTENCY_LEASE_SECONDS]);
    if (claimed.rowCount > 0) return { claimed: true };
    const r = await q.query<Row>('SELECT fingerprint, status, kept, headers, body FROM idempotency_keys WHERE principal = $1 AND key = $2', [principal, key]);
    const row = r.rows[0];
    if (!row) continue;
    const answer = row.status === null ? undefined : { status: row.status, kept: row.kept, headers: row.headers ?? {}, body: row.body };
    return { claimed: false, record: { fingerprint: row.fingerprint, answer } };
  }
}

/** Records the first request's answer. */
export async function completeIdempotencyKey(q: Queryable, principal: string, key: string, answer: StoredAnswer, now: Date): Promise<void> {
  await q.query(
    'UPDATE idempotency_keys SET completed_at = $3, status = $4, kept = $5, headers = $6, body = $7 WHERE principal = $1 AND key = $2',
    [principal, key, now, answer.status, answer.kept, answer.kept ? JSON.stringify(answer.headers) : null, answer.kept ? answer.body : null],
  );
}

/** Frees the key: its request changed nothing, so a retry may act. */
export async function releaseIdempotencyKey(q: Queryable, principal: string, key: string): Promise<void> {
  await q.query('DELETE FROM idempotency_keys WHERE principal = $1 AND key = $2 AND completed_at IS NULL', [principal, key]);
}

/** Forgets records older than the TTL; returns how many. */
export async function sweepIdempotencyKeys(q: Queryable, now: Date): Promise<number> {
  const r = await q.query('DELETE FROM idempotency_keys WHERE created_at <= $1::timestamptz - make_interval(secs => $2)', [now, IDEMPOTENCY_TTL_SECONDS]);
  return r.rowCount;
}
