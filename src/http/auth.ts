/**
 * Bearer-token authentication and per-route authorisation. A token's prefix says what it
 * is (service key, admin key, device session); each route says which principals and
 * scopes it accepts. Missing or unknown tokens are 401; a valid token without the right
 * is 403.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Database } from '../store/database.js';
import { authenticateKey } from '../trust/apiKeys.js';
import { HttpError } from './problem.js';

export type Principal =
  | { kind: 'service'; keyId: string; name: string; scopes: readonly string[] }
  | { kind: 'admin'; keyId: string; name: string; orgId: string; role: string };

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

const BEARER = /^Bearer ([A-Za-z0-9_-]{8,200})$/;

function unauthenticated(detail: string): HttpError {
  return new HttpError(401, 'unauthenticated', detail);
}

/** Resolves the bearer token, if any, to a principal. Never logs or echoes the token. */
export function authenticate(db: Database): RequestHandler {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const header = req.get('authorization');
    if (header === undefined) return next();
    const m = BEARER.exec(header);
    if (!m) return next(unauthenticated('the Authorization header must be "Bearer <token>"'));
    const key = await authenticateKey(db, m[1]);
    if (!key) return next(unauthenticated('the token is unknown, revoked or expired'));
    req.principal = key.kind === 'service'
      ? { kind: 'service', keyId: key.id, name: key.name, scopes: key.scopes }
      : { kind: 'admin', keyId: key.id, name: key.name, orgId: key.orgId as string, role: key.role as string };
    next();
  };
}

/** The route needs a service key holding `scope`. */
export function requireServiceScope(scope: string): RequestHandler {
  return (req, _res, next) => {
    const p = req.principal;
    if (!p) return next(unauthenticated('this route needs a service key (Authorization: Bearer esk_…)'));
    if (p.kind !== 'service') return next(new HttpError(403, 'wrong_principal', 'this route needs a service key'));
    if (!p.scopes.includes(scope)) return next(new HttpError(403, 'insufficient_scope', `this route needs the ${scope} scope`));
    next();
  };
}
