/**
 * Who may call the enrollment routes: the principal kinds a route accepts, and the
 * principal seen as the domain's Caller.
 */
import type { Request, RequestHandler } from 'express';
import type { Caller } from '../../../trust/enrollment/caller.js';
import type { Acting } from '../../../trust/enrollment/caller.js';
import { auditActorOf, type AdminRole } from '../../auth.js';
import { HttpError } from '../../problem.js';

export interface Accepts {
  /** Device sessions (any live one: trusted or restricted). */
  device?: boolean;
  /** Admin keys of these roles. */
  adminRoles?: readonly AdminRole[];
  /** Service keys holding this scope. */
  serviceScope?: string;
}

function describe(a: Accepts): string {
  return [a.device && 'a device session', a.adminRoles && `an admin key (${a.adminRoles.join(', ')})`, a.serviceScope && `a service key with ${a.serviceScope}`].filter(Boolean).join(' or ');
}

/** The route accepts these principals only: none is 401, another kind 403. */
export function accepts(a: Accepts): RequestHandler {
  return (req, _res, next) => {
    const p = req.principal;
    if (!p) return next(new HttpError(401, 'unauthenticated', `this route needs ${describe(a)}`));
    if (p.kind === 'device' && a.device) return next();
    if (p.kind === 'admin' && a.adminRoles) {
      return a.adminRoles.includes(p.role) ? next() : next(new HttpError(403, 'insufficient_role', `this route needs one of the roles ${a.adminRoles.join(', ')}`));
    }
    if (p.kind === 'service' && a.serviceScope) {
      return p.scopes.includes(a.serviceScope) ? next() : next(new HttpError(403, 'insufficient_scope', `this route needs the ${a.serviceScope} scope`));
    }
    next(new HttpError(403, 'wrong_principal', `this route needs ${describe(a)}`));
  };
}

/** The request's principal as the domain sees it. */
export function callerOf(req: Request): Caller | undefined {
  const p = req.principal;
  if (!p) return undefined;
  if (p.kind === 'device') return { kind: 'device', deviceId: p.deviceId, accountId: p.accountId, orgId: p.orgId, deviceState: p.deviceState, userVerified: p.userVerified };
  if (p.kind === 'admin') return { kind: 'admin', keyId: p.keyId, orgId: p.orgId, role: p.role };
  return { kind: 'service', keyId: p.keyId, scopes: p.scopes };
}

/** Caller and audit actor of an authenticated request. */
export function actingOf(req: Request): Acting {
  return { caller: callerOf(req), actor: auditActorOf(req) };
}

/** The caller of a route that accepts device sessions and admin keys only. */
export function deviceOrAdmin(req: Request): Exclude<Caller, { kind: 'service' }> {
  const c = callerOf(req);
  if (!c || c.kind === 'service') throw new HttpError(403, 'wrong_principal', 'this route needs a device session or an admin key');
  return c;
}

/** A path id of the expected shape, or a 404 (a malformed id names nothing). */
export function pathId(req: Request, name: string, prefix: string, code: string): string {
  const id = String(req.params[name]);
  if (!new RegExp(`^${prefix}_[A-Za-z0-9_-]{1,64}$`).test(id)) throw new HttpError(404, code, `no ${code.replace(/_not_found$/, '')} ${id}`);
  return id;
}
