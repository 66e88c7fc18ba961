/**
 * Bearer-token authentication and per-route authorisation. A token's prefix says what it
 * is (service key, admin key, device session); each route says which principals and
 * scopes it accepts. Missing or unknown tokens are 401; a valid token without the right
 * is 403.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Database } from '../store/database.js';
import { appendAudit } from '../store/audit.js';
import { keyAuthenticator, revokedKeyOf, type AdminRole, type KeyPrincipal } from '../trust/apiKeys.js';
import { authenticateSession, type DeviceSession } from '../trust/sessions.js';
import { authenticateAdminSession } from '../trust/admin/console/adminSessions.js';
import { HttpError } from './problem.js';

export type ServicePrincipal = { kind: 'service'; keyId: string; name: string; scopes: readonly string[] };
/**
 * An administrator: by admin key (`keyId` is the key's id), or signed in to the Command console
 * (`keyId` is the administrator's id, `adm_…`, with the session's id and end).
 */
export type AdminPrincipal = { kind: 'admin'; keyId: string; name: string; orgId: string; role: AdminRole; sessionId?: string; sessionExpiresAt?: Date };
export type DevicePrincipal = { kind: 'device' } & DeviceSession;
export type Principal = ServicePrincipal | AdminPrincipal | DevicePrincipal;

export type { AdminRole };

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

const BEARER = /^Bearer ([A-Za-z0-9_-]{8,200})$/;

function unauthenticated(detail: string): HttpError {
  return new HttpError(401, 'unauthenticated', detail);
}

// A revoked key's refusals are audited at most once a minute per key: its holder cannot flood
// the (serialised) audit log; every refusal still leaves an access-log line.
const REVOKED_AUDIT_INTERVAL_MS = 60_000;

/** Audits a refused revoked key (`auth.refused`), throttled per key; never fails the request. */
function revokedKeyAuditor(db: Database): (req: Request, token: string) => Promise<void> {
  const lastAudited = new Map<string, number>();
  return async (req, token) => {
    try {
      const key = await revokedKeyOf(db, token);
      if (!key || (lastAudited.get(key.id) ?? -Infinity) > Date.now() - REVOKED_AUDIT_INTERVAL_MS) return;
      if (lastAudited.size >= 1000) lastAudited.delete(lastAudited.keys().next().value as string);
      lastAudited.set(key.id, Date.now());
      await db.transaction((tx) => appendAudit(tx, {
        type: 'auth.refused', outcome: 'refused', orgId: key.orgId,
        actor: { type: key.kind, id: key.id, ...(key.role ? { role: key.role } : {}), address: req.socket.remoteAddress },
        details: { refusal: 'key_revoked', method: req.method, path: req.path.slice(0, 200).replace(/[\p{Cc}\p{Cs}]/gu, '\uFFFD') },
      }));
    } catch (err) {
      req.log.warn({ err }, 'could not audit the refusal of a revoked key');
    }
  };
}

/**
 * Resolves the bearer token, if any, to a principal. Never logs or echoes the token. API keys
 * are looked up fresh unless another `authenticateKey` is given (a route that confirms its
 * caller itself may pass a remembering one). A revoked API key is refused and its refusal audited.
 */
export function authenticate(db: Database, authenticateKey: (token: string) => Promise<KeyPrincipal | null> = keyAuthenticator(db)): RequestHandler {
  const auditRevoked = revokedKeyAuditor(db);
  return async (req: Request, _res: Response, next: NextFunction) => {
    const header = req.get('authorization');
    if (header === undefined) return next();
    const m = BEARER.exec(header);
    if (!m) return next(unauthenticated('the Authorization header must be "Bearer <token>"'));
    const token = m[1];
    if (token.startsWith('eds_')) {
      const session = await authenticateSession(db, token);
      if (!session) return next(unauthenticated('the session is unknown, expired or ended'));
      req.principal = { kind: 'device', ...session };
      return next();
    }
    if (token.startsWith('eas_')) {
      const s = await authenticateAdminSession(db, token);
      if (!s) return next(unauthenticated('the admin session is unknown, expired or ended: sign in again'));
      req.principal = { kind: 'admin', keyId: s.administratorId, name: s.name, orgId: s.orgId, role: s.role, sessionId: s.sessionId, sessionExpiresAt: s.expiresAt };
      return next();
    }
    const key = await authenticateKey(token);
    if (!key) {
      await auditRevoked(req, token);
      return next(unauthenticated('the token is unknown, revoked or expired'));
    }
    req.principal = key.kind === 'service'
      ? { kind: 'service', keyId: key.id, name: key.name, scopes: key.scopes }
      : { kind: 'admin', keyId: key.id, name: key.name, orgId: key.orgId as string, role: key.role as AdminRole };
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

/** The route needs an admin key of one of `roles` (always scoped to the key's organisation). */
export function requireAdminRole(...roles: AdminRole[]): RequestHandler {
  return (req, _res, next) => {
    const p = req.principal;
    if (!p) return next(unauthenticated('this route needs an admin key (Authorization: Bearer eak_…)'));
    if (p.kind !== 'admin') return next(new HttpError(403, 'wrong_principal', 'this route needs an admin key'));
    if (!roles.includes(p.role)) return next(new HttpError(403, 'insufficient_role', `this route needs one of the roles ${roles.join(', ')}`));
    next();
  };
}

/** The route needs a device session. */
export function requireDeviceSession(): RequestHandler {
  return (req, _res, next) => {
    const p = req.principal;
    if (!p) return next(unauthenticated('this route needs a device session (Authorization: Bearer eds_…)'));
    if (p.kind !== 'device') return next(new HttpError(403, 'wrong_principal', 'this route needs a device session'));
    next();
  };
}

/** Who acted, for the audit log: never the token, only what identifies its holder. */
export function auditActorOf(req: Request): { type: 'device' | 'admin' | 'service' | 'anonymous'; id?: string; role?: string; address?: string } {
  const p = req.principal;
  const address = req.socket.remoteAddress;
  if (!p) return { type: 'anonymous', address };
  if (p.kind === 'device') return { type: 'device', id: p.deviceId, address };
  if (p.kind === 'admin') return { type: 'admin', id: p.keyId, role: p.role, address };
  return { type: 'service', id: p.keyId, address };
}
