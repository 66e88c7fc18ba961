/**
 * Idempotency-Key on mutating requests. The first request with a key acts and its answer is
 * kept for a day; a retry from the same caller with the same key and the same request gets
 * that answer again (marked `Idempotent-Replayed: true`) and acts no more. Only successes
 * are kept: an error changed nothing, so its key is released and a retry acts afresh.
 *
 * Keys belong to the authenticated caller (the API key, or the device of a session), so one
 * caller can never read another's answers; requests without a principal are not replayed.
 * An answer marked `Cache-Control: no-store` (every answer carrying a one-time secret is) is
 * not kept either: a retry learns that the request already succeeded, and nothing more.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Database } from '../store/database.js';
import { DatabaseUnavailableError } from '../store/databaseUnavailable.js';
import { canonicalJson } from '../store/canonicalJson.js';
import { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey, sweepIdempotencyKeys, type IdempotencyRecord } from '../store/idempotencyKeys.js';
import { sha256Hex } from '../trust/ids.js';
import type { Logger } from './logger.js';
import type { Principal } from './auth.js';
import { HttpError } from './problem.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
// Visible ASCII, as a UUID or any client-chosen token would be.
const KEY = /^[\x21-\x7e]{1,255}$/;
// Headers of an answer worth giving again; the rest are per-response (request id, date).
const KEPT_HEADERS = ['content-type', 'location', 'cache-control'];
// Every this many claims, records past their day are deleted.
const SWEEP_EVERY = 100;

/** Whose keys these are: the API key, or the device of a session; undefined for anonymous callers. */
export function idempotencyScope(p: Principal | undefined): string | undefined {
  if (!p) return undefined;
  return p.kind === 'device' ? `device:${p.deviceId}` : `${p.kind}:${p.keyId}`;
}

/** What makes two requests the same: method, path with query, and the body's canonical JSON. */
export function requestFingerprint(method: string, url: string, body: unknown): string {
  return sha256Hex(`${method} ${url}\n${canonicalJson(body ?? null)}`);
}

function mayBeStored(res: Response): boolean {
  return !/(^|,)\s*no-store\s*(,|$)/i.test(String(res.getHeader('cache-control') ?? ''));
}

/** What a retry gets when the key already has a record. */
function answerExisting(record: IdempotencyRecord, fingerprint: string, res: Response, next: NextFunction): void {
  if (record.fingerprint !== fingerprint) {
    return next(new HttpError(422, 'idempotency_key_reused', 'this Idempotency-Key was already used for a different request (method, path or body); use a new key'));
  }
  const answer = record.answer;
  if (!answer) {
    res.set('Retry-After', '1');
    return next(new HttpError(409, 'idempotency_request_in_progress', 'a request with this Idempotency-Key is still being handled; retry shortly'));
  }
  if (!answer.kept) {
    return next(new HttpError(409, 'idempotent_answer_not_kept', `the request with this Idempotency-Key already succeeded (status ${answer.status}); its answer may not be stored (Cache-Control: no-store, as answers with one-time secrets are), so it was not kept`, { firstStatus: answer.status }));
  }
  res.status(answer.status).set(answer.headers).set('Idempotent-Replayed', 'true');
  if (answer.body === null) res.end();
  else res.send(answer.body);
}

/**
 * Mount after authentication. Keeps each success's answer before it is sent, so a retry that
 * follows the answer always finds it.
 */
export function idempotency(db: Database, logger?: Logger): RequestHandler {
  let claims = 0;
  // While the database is away its outage is logged once, not again by each request.
  const report = (level: 'warn' | 'error', message: string) => (err: unknown) => {
    if (!(err instanceof DatabaseUnavailableError)) logger?.[level]({ err }, message);
  };
  return async (req: Request, res: Response, next: NextFunction) => {
    if (!MUTATING.has(req.method)) return next();
    const key = req.get('idempotency-key');
    if (key === undefined) return next();
    if (!KEY.test(key)) return next(new HttpError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1 to 255 visible ASCII characters'));
    const principal = idempotencyScope(req.principal);
    if (principal === undefined) return next();
    const fingerprint = requestFingerprint(req.method, req.originalUrl, req.body);
    if (++claims % SWEEP_EVERY === 0) {
      sweepIdempotencyKeys(db, new Date()).catch(report('warn', 'idempotency records not swept'));
    }
    const claim = await claimIdempotencyKey(db, principal, key, fingerprint, new Date());
    if (!claim.claimed) return answerExisting(claim.record, fingerprint, res, next);

    let settled = false;
    let streamed = false;
    // Frees the key before the answer leaves, so a retry that follows it finds the key free.
    const releaseThen = (answer: () => void): void => {
      settled = true;
      releaseIdempotencyKey(db, principal, key).catch(report('warn', 'idempotency key not released')).finally(answer);
    };
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    res.write = ((...args: unknown[]) => {
      streamed = true;
      return write(...args);
    }) as Response['write'];
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    // Every answer ends here (json, send, problems, bare ends): keep a success, then send it.
    res.end = ((...args: unknown[]) => {
      if (settled) return end(...args);
      if (res.statusCode < 200 || res.statusCode >= 300) {
        releaseThen(() => end(...args));
        return res;
      }
      settled = true;
      const [chunk] = args;
      const body = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : null;
      const headers: Record<string, string> = {};
      for (const name of KEPT_HEADERS) {
        const value = res.getHeader(name);
        if (value !== undefined) headers[name] = String(value);
      }
      // A streamed answer cannot be given again whole; one that may not be stored is not kept.
      const kept = !streamed && mayBeStored(res);
      completeIdempotencyKey(db, principal, key, { status: res.statusCode, kept, headers, body }, new Date())
        // Unrecorded, the key stays claimed: a retry waits out the lease rather than act again now.
        .catch(report('error', 'idempotency answer not kept'))
        .finally(() => end(...args));
      return res;
    }) as Response['end'];
    // A dropped connection releases nothing: the handler still acts and ends, and its answer is
    // kept; a handler that never ends holds the key until the lease runs out.
    next();
  };
}
