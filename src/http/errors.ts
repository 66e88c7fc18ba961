/**
 * The last two middlewares: unknown routes, and every error turned into problem+json.
 * Unexpected errors are logged and answered without internals. A database that cannot be
 * reached is no fault of the request: 503 with Retry-After, and no line per request (the
 * outage itself is logged once, see store/availability.ts).
 */
import type { NextFunction, Request, Response } from 'express';
import { DatabaseUnavailableError } from '../store/databaseUnavailable.js';
import { TrustError } from '../trust/errors.js';
import { HttpError, problemOf, sendProblem } from './problem.js';

export function notFound(req: Request, _res: Response, next: NextFunction): void {
  next(new HttpError(404, 'not_found', `no route for ${req.method} ${req.path}`));
}

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

function fromBodyParser(err: BodyParserError): HttpError | undefined {
  switch (err.type) {
    case 'entity.parse.failed': return new HttpError(400, 'malformed_json', 'the request body is not valid JSON');
    case 'entity.too.large': return new HttpError(413, 'body_too_large', `the request body exceeds ${err.limit ?? 'the'} bytes`);
    case 'encoding.unsupported':
    case 'charset.unsupported': return new HttpError(415, 'unsupported_encoding', err.message);
    case 'request.aborted': return new HttpError(400, 'request_aborted', 'the request body was not received in full');
    default:
      // A body that does not decode as its Content-Encoding says (zlib, brotli), or another
      // client error a parser or the router raised: the client's fault, never a 500.
      if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) {
        return new HttpError(err.status, 'malformed_request', `the request could not be read: ${String(err.message).slice(0, 200)}`);
      }
      return undefined;
  }
}

function fromDomain(err: unknown): HttpError | undefined {
  return err instanceof TrustError ? new HttpError(err.status, err.code, err.message, err.extensions) : undefined;
}

/** What a client is told of `err`, or undefined for a fault of the service (a 500). */
export function httpErrorOf(err: unknown): HttpError | undefined {
  if (err instanceof HttpError) return err;
  if (err === null || typeof err !== 'object') return undefined;
  return fromDomain(err) ?? fromBodyParser(err as BodyParserError);
}

/** Seconds a client is told to wait before trying again while the database is away. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

export function errorHandler(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  if (err instanceof DatabaseUnavailableError) {
    res.setHeader('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
    sendProblem(res, problemOf(503, 'database_unavailable', 'the database is unavailable; try again shortly'));
    return;
  }
  const known = httpErrorOf(err);
  if (known) {
    // A 503 is expected while a dependency is away; anything else at 5xx is a fault.
    if (known.status === 503) req.log.warn({ code: known.code, detail: known.message }, 'request refused: dependency unavailable');
    else if (known.status >= 500) req.log.error({ err }, 'request failed');
    sendProblem(res, problemOf(known.status, known.code, known.message, known.extensions));
    return;
  }
  req.log.error({ err }, 'unexpected error');
  sendProblem(res, problemOf(500, 'internal_error', 'the service failed to handle this request; see its logs for the request id', { requestId: req.id }));
}
