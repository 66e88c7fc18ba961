/**
 * The one place request input is decoded and checked, before any route sees it: the path's
 * and the query's percent-encoding (valid UTF-8, no control characters), the body's content
 * encoding, and the parsed JSON body (depth bounded, no NUL or unpaired surrogate in any key or
 * string, no number beyond a double). Each failure is a 4xx problem, so nothing a client sends reaches a route as input a
 * database, the audit encoder or a recursive walk could choke on.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpError } from './problem.js';

/** Deepest JSON nesting a body may have (the deepest schema needs far fewer). */
export const MAX_BODY_DEPTH = 32;

// Control characters (NUL included) and unpaired surrogates: no identifier, handle, label or
// reason needs them, and PostgreSQL or the audit log would refuse them later.
const CONTROL = /\p{Cc}/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Encodings the JSON parser decodes; anything else is refused before the body is read.
const CONTENT_ENCODINGS = new Set(['identity', 'gzip', 'deflate', 'br']);

/** Percent-decodes `text`, or undefined when its encoding is not valid UTF-8. */
function decoded(text: string, plusIsSpace: boolean): string | undefined {
  try {
    return decodeURIComponent(plusIsSpace ? text.replace(/\+/g, ' ') : text);
  } catch {
    return undefined;
  }
}

function badTarget(code: string, detail: string): HttpError {
  return new HttpError(400, code, detail);
}

/** Checks the request target (path and query) and the declared content encoding. */
export function checkRequestTarget(): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const url = req.url;
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    for (const segment of path.split('/')) {
      const text = decoded(segment, false);
      if (text === undefined) return next(badTarget('malformed_path', 'a path segment is not valid percent-encoded UTF-8'));
      if (CONTROL.test(text)) return next(badTarget('malformed_path', 'a path segment contains a control character'));
    }
    if (q !== -1) {
      for (const pair of url.slice(q + 1).split('&')) {
        for (const part of pair.split('=')) {
          const text = decoded(part, true);
          if (text === undefined) return next(badTarget('malformed_query', 'a query parameter is not valid percent-encoded UTF-8'));
          if (CONTROL.test(text)) return next(badTarget('malformed_query', 'a query parameter contains a control character'));
        }
      }
    }
    const encoding = req.get('content-encoding');
    if (encoding !== undefined) {
      const codings = encoding.toLowerCase().split(',').map((c) => c.trim());
      const unknown = codings.find((c) => !CONTENT_ENCODINGS.has(c));
      if (unknown !== undefined || codings.length > 1) {
        return next(new HttpError(415, 'unsupported_encoding', `Content-Encoding must be one of ${[...CONTENT_ENCODINGS].join(', ')}`));
      }
    }
    next();
  };
}

/**
 * For the JSON parser's `verify` hook: refuses a body nested deeper than `maxDepth` from its raw
 * bytes, before it is parsed — one pass, no recursion, strings skipped.
 */
export function refuseDeepJson(maxDepth: number = MAX_BODY_DEPTH): (req: unknown, res: unknown, buf: Buffer) => void {
  return (_req, _res, buf) => {
    let depth = 0;
    let inString = false;
    for (let i = 0; i < buf.length; i++) {
      const c = buf[i];
      if (inString) {
        if (c === 0x5c) i++; // backslash: the next byte is escaped
        else if (c === 0x22) inString = false;
      } else if (c === 0x22) {
        inString = true;
      } else if (c === 0x5b || c === 0x7b) {
        if (++depth > maxDepth) throw new HttpError(400, 'invalid_request', `the request body cannot be accepted: the body is nested deeper than ${maxDepth} levels`);
      } else if (c === 0x5d || c === 0x7d) {
        depth--;
      }
    }
  };
}

/**
 * Why a parsed JSON value may not be used, or undefined. Walks with its own stack (never
 * recursion), so a body nested thousands deep is refused, not a stack overflow.
 */
export function jsonValueProblem(value: unknown, maxDepth: number = MAX_BODY_DEPTH): string | undefined {
  const stack: Array<{ v: unknown; depth: number }> = [{ v: value, depth: 0 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop() as { v: unknown; depth: number };
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return 'a string contains a NUL character';
      if (LONE_SURROGATE.test(v)) return 'a string contains an unpaired surrogate (\\uD800–\\uDFFF alone)';
      continue;
    }
    // JSON.parse reads 1e400 as Infinity, which no JSON encoder (the idempotency fingerprint's) can write back.
    if (typeof v === 'number' && !Number.isFinite(v)) return 'a number is beyond what a double can hold';
    if (v === null || typeof v !== 'object') continue;
    if (depth >= maxDepth) return `the body is nested deeper than ${maxDepth} levels`;
    if (Array.isArray(v)) {
      for (const item of v) stack.push({ v: item, depth: depth + 1 });
    } else {
      for (const [k, item] of Object.entries(v)) {
        stack.push({ v: k, depth: depth + 1 }, { v: item, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/** Checks the parsed body; mount right after the JSON parser. */
export function checkRequestBody(): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (req.body === undefined) return next();
    const problem = jsonValueProblem(req.body);
    if (problem) return next(new HttpError(400, 'invalid_request', `the request body cannot be accepted: ${problem}`));
    next();
  };
}
