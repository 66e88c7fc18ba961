/**
 * Opaque, tamper-evident page cursors for the admin views. A cursor is
 * `base64url(JSON {v, view, scope, after}) . base64url(HMAC-SHA256)`: the last sort key of a
 * page, bound to the view, the organisation and the exact filters that produced it. A cursor
 * that was edited, truncated, minted for another view, organisation or filter set, or is not
 * a cursor at all is refused with 400 `invalid_cursor` before any query runs.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from '../../store/canonicalJson.js';
import { TrustError } from '../errors.js';
import { EXACT_TIME } from './sql.js';

/** Keys cursors; one per process unless derived from a configured secret (then stable across instances). */
export interface CursorCodec {
  encode(view: string, scope: unknown, after: readonly (string | number)[]): string;
  /** The sort key the cursor carries; throws TrustError 400 `invalid_cursor` when it is not a valid cursor for this view and scope. */
  decode(view: string, scope: unknown, cursor: string): Array<string | number>;
}

const VERSION = 1;
const MAC_BYTES = 16;
const MAX_CURSOR_LENGTH = 1024;
const SHAPE = /^[A-Za-z0-9_-]{1,1000}\.[A-Za-z0-9_-]{22}$/;

export function invalidCursor(detail: string): TrustError {
  return new TrustError(400, 'invalid_cursor', `the cursor is not valid for this query: ${detail}; start again without a cursor`);
}

// The scope (organisation + normalised filters) is folded into a digest: the cursor stays short
// and carries no filter values in clear.
function digest(scope: unknown): string {
  return createHash('sha256').update(canonicalJson(scope)).digest('base64url').slice(0, 22);
}

function isSortValue(v: unknown): v is string | number {
  return (typeof v === 'string' && v.length <= 200) || (typeof v === 'number' && Number.isSafeInteger(v));
}

/**
 * A codec keyed by `secret` (e.g. the configured ID secret, from which a separate key is
 * derived) or, without one, by a random per-process key.
 */
export function createCursorCodec(secret?: string): CursorCodec {
  const key = secret === undefined
    ? randomBytes(32)
    : createHmac('sha256', secret).update('enigm-trust admin cursor v1').digest();
  const mac = (payload: string): Buffer => createHmac('sha256', key).update(payload).digest().subarray(0, MAC_BYTES);

  return {
    encode(view, scope, after) {
      const payload = Buffer.from(JSON.stringify({ v: VERSION, view, scope: digest(scope), after })).toString('base64url');
      return `${payload}.${mac(payload).toString('base64url')}`;
    },
    decode(view, scope, cursor) {
      // Guard: the shape of a cursor we issue, before any decoding.
      if (typeof cursor !== 'string' || cursor.length > MAX_CURSOR_LENGTH || !SHAPE.test(cursor)) throw invalidCursor('malformed');
      const [payload, tag] = cursor.split('.');
      // Guard: our MAC, compared in constant time; anything edited fails here.
      if (!timingSafeEqual(mac(payload), Buffer.from(tag, 'base64url'))) throw invalidCursor('it was not issued by this service, or was altered');
      let body: unknown;
      try {
        body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        throw invalidCursor('malformed');
      }
      const b = body as { v?: unknown; view?: unknown; scope?: unknown; after?: unknown };
      // Guard: the version, view and filters it was minted for.
      if (b.v !== VERSION) throw invalidCursor('unknown version');
      if (b.view !== view) throw invalidCursor(`it belongs to another view (${String(b.view)})`);
      if (b.scope !== digest(scope)) throw invalidCursor('it was issued for other filters');
      if (!Array.isArray(b.after) || b.after.length === 0 || b.after.length > 4 || !b.after.every(isSortValue)) throw invalidCursor('malformed sort key');
      return b.after;
    },
  };
}

/**
 * A decoded (exact time, id) sort key, as the newest-first and oldest-first views keep it;
 * anything else is a malformed cursor.
 */
export function timeAndIdKey(after: Array<string | number>, idPrefix: string): [string, string] {
  const [at, id] = after;
  if (after.length !== 2 || typeof at !== 'string' || !EXACT_TIME.test(at) || typeof id !== 'string' || !id.startsWith(idPrefix)) throw invalidCursor('malformed sort key');
  return [at, id];
}
