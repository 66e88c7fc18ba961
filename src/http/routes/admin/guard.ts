/**
 * What every admin route shares: the role check (refusals of state-changing actions are
 * audited), responses validated against their schema outside production, and the deps.
 */
import type { RequestHandler, Response } from 'express';
import { describeErrors, schemas } from '../../../policy/schemaRegistry.js';
import { appendAudit } from '../../../store/audit.js';
import type { Database } from '../../../store/database.js';
import type { AdminRole } from '../../../trust/apiKeys.js';
import type { CursorCodec } from '../../../trust/admin/cursor.js';
import { auditActorOf, type AdminPrincipal } from '../../auth.js';
import { HttpError } from '../../problem.js';
import { DEVICE_ID } from './query.js';

export interface AdminRouteDeps {
  db: Database;
  cursors: CursorCodec;
  /** Check every response against its schema (outside production): a field that is not allow-listed fails loudly. */
  validateResponses: boolean;
}

const SCHEMA_BASE = 'https://schemas.enigm.dev/trust/api/';

/** The `$id` of `schemas/api/<name>.schema.json`. */
export function apiSchema(name: string): string {
  return `${SCHEMA_BASE}${name}.schema.json`;
}

/**
 * The route needs an admin key holding one of `roles`. With `audit`, a refusal (another
 * principal, or an admin of the wrong role) is recorded as `admin.refused` for that action.
 */
export function adminRole(deps: AdminRouteDeps, roles: readonly AdminRole[], audit?: string): RequestHandler {
  return async (req, _res, next) => {
    const p = req.principal;
    if (!p) return next(new HttpError(401, 'unauthenticated', 'this route needs an admin key (Authorization: Bearer eak_…)'));
    const refusal = p.kind !== 'admin'
      ? new HttpError(403, 'wrong_principal', 'this route needs an admin key')
      : !roles.includes(p.role) ? new HttpError(403, 'insufficient_role', `this route needs one of the roles ${roles.join(', ')}`) : undefined;
    if (!refusal) return next();
    if (audit) {
      const requested = typeof req.params.deviceId === 'string' && DEVICE_ID.test(req.params.deviceId) ? req.params.deviceId : undefined;
      await deps.db.transaction((tx) => appendAudit(tx, {
        type: 'admin.refused', outcome: 'refused', actor: auditActorOf(req),
        orgId: p.kind === 'admin' ? p.orgId : p.kind === 'device' ? p.orgId : null,
        details: { action: audit, refusal: refusal.code, ...(requested ? { requestedDeviceId: requested } : {}) },
      }));
    }
    next(refusal);
  };
}

/** The admin principal of a request that passed `adminRole`. */
export function adminOf(req: { principal?: unknown }): AdminPrincipal {
  return req.principal as AdminPrincipal;
}

/**
 * Sends `body` as JSON, never cached. Outside production it must match its response schema
 * first: an unexpected field is a 500 (and a log line), not a leak.
 */
export function sendJson(deps: AdminRouteDeps, res: Response, schema: string, body: unknown, status = 200): void {
  if (deps.validateResponses) {
    const validate = schemas().validator(apiSchema(schema));
    if (!validate(body)) throw new Error(`response does not match ${schema}: ${describeErrors(validate.errors).join('; ')}`);
  }
  res.status(status).set('cache-control', 'no-store').json(body);
}
