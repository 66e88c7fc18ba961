/**
 * Enigm Command: the organisation's signal sources — its MDM connector and its Enigm OS
 * attestation keys. `PUT /v1/admin/signal-sources/{kind}` (operator) sets issuer, public key
 * set, audience and maximum age; `GET /v1/admin/signal-sources` (the readers of the role matrix)
 * lists them without key material; `DELETE /v1/admin/signal-sources/{kind}` (operator)
 * removes one. Always the admin key's own organisation; changes and refusals are audited.
 */
import { Router, type Request } from 'express';
import { appendAudit } from '../../../store/audit.js';
import type { Database } from '../../../store/database.js';
import type { AdminRole } from '../../../trust/apiKeys.js';
import { rolesFor } from '../../../trust/admin/roles.js';
import {
  deleteSignalSource, isSignalSourceKind, listSignalSources, putSignalSource, summarizeSource, type SignalSourceKind,
} from '../../../trust/signals/signalSources.js';
import { auditActorOf, type AdminPrincipal } from '../../auth.js';
import { HttpError } from '../../problem.js';

export interface SignalSourceRouteDeps {
  db: Database;
}

/** The admin principal, when it holds one of `roles`; refusals of changes (`audited`) are recorded. */
async function admin(deps: SignalSourceRouteDeps, req: Request, roles: readonly AdminRole[], audited?: string): Promise<AdminPrincipal> {
  const p = req.principal;
  if (!p) throw new HttpError(401, 'unauthenticated', 'this route needs an admin key (Authorization: Bearer eak_…)');
  const refusal = p.kind !== 'admin'
    ? new HttpError(403, 'wrong_principal', 'this route needs an admin key')
    : !roles.includes(p.role) ? new HttpError(403, 'insufficient_role', `this route needs one of the roles ${roles.join(', ')}`) : undefined;
  if (!refusal) return p as AdminPrincipal;
  if (audited) {
    await deps.db.transaction((tx) => appendAudit(tx, {
      type: audited, outcome: 'refused', actor: auditActorOf(req),
      orgId: p.kind === 'admin' || p.kind === 'device' ? p.orgId : null,
      details: { refusal: refusal.code },
    }));
  }
  throw refusal;
}

function kindOf(req: Request): SignalSourceKind {
  const kind = String(req.params.kind);
  if (!isSignalSourceKind(kind)) throw new HttpError(404, 'signal_source_kind_unknown', `no signal source kind ${kind.slice(0, 40)}; expected managed or os_integrity`);
  return kind;
}

export function signalSourceRoutes(deps: SignalSourceRouteDeps): Router {
  const router = Router();

  router.get('/v1/admin/signal-sources', async (req, res) => {
    const p = await admin(deps, req, rolesFor('signal_sources.read'));
    const sources = await listSignalSources(deps.db, p.orgId);
    res.set('cache-control', 'no-store').json({ sources: sources.map(summarizeSource) });
  });

  router.put('/v1/admin/signal-sources/:kind', async (req, res) => {
    const p = await admin(deps, req, rolesFor('signal_sources.write'), 'signal_source.configured');
    const source = await putSignalSource(deps.db, p.orgId, kindOf(req), req.body, auditActorOf(req));
    res.set('cache-control', 'no-store').json(summarizeSource(source));
  });

  router.delete('/v1/admin/signal-sources/:kind', async (req, res) => {
    const p = await admin(deps, req, rolesFor('signal_sources.write'), 'signal_source.removed');
    await deleteSignalSource(deps.db, p.orgId, kindOf(req), auditActorOf(req));
    res.status(204).end();
  });

  return router;
}
