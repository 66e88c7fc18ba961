/**
 * Every refusal of an authenticated principal is audited. Routes and the domain record their
 * own refusals with what they know (`admin.refused`, `device.revoked` refused, …); any 4xx
 * that leaves a request without one — a role or scope refused, a body or filter refused, a
 * route that does not exist — is recorded here as `request.refused`, naming the principal, the
 * route and the problem code. A request refused before authentication ran (its path, query or
 * body unreadable) is attributed to its token's holder all the same.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { appendAudit } from '../store/audit.js';
import { watchAudit, type AuditWatch } from '../store/auditWatch.js';
import type { Database } from '../store/database.js';
import { auditActorOf, authenticate } from './auth.js';
import { httpErrorOf } from './errors.js';

declare module 'express-serve-static-core' {
  interface Request {
    auditWatch?: AuditWatch;
  }
}

/** Watches what the rest of the request audits; mount once input is decoded. */
export function watchRequestAudit(): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => watchAudit((watch) => {
    req.auditWatch = watch;
    next();
  });
}

/** The error middleware that records an unaudited refusal, then hands the error on. */
export function auditUnrecordedRefusals(db: Database): (err: unknown, req: Request, res: Response, next: NextFunction) => Promise<void> {
  const identify = authenticate(db);
  return async (err, req, res, next) => {
    const known = httpErrorOf(err);
    // A 401 has no principal to name (a revoked key's refusal is audited where it is refused).
    if (!known || known.status < 400 || known.status === 401 || known.status >= 500 || (req.auditWatch?.refusals ?? 0) > 0) return next(err);
    try {
      if (!req.principal && req.get('authorization') !== undefined) await new Promise<void>((resolve) => { void identify(req, res, () => resolve()); });
      const p = req.principal;
      if (!p) return next(err);
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      await db.transaction((tx) => appendAudit(tx, {
        type: 'request.refused', outcome: 'refused', actor: auditActorOf(req),
        orgId: p.kind === 'service' ? null : p.orgId,
        accountId: p.kind === 'device' ? p.accountId : null,
        details: { action: `${req.method} ${route}`, path: req.path.slice(0, 200), status: known.status, refusal: known.code },
      }));
    } catch (auditErr) {
      req.log.error({ err: auditErr }, 'could not audit a refusal');
    }
    next(err);
  };
}
