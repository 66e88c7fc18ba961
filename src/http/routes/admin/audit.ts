/**
 * GET /v1/admin/audit (search the organisation's audit records) and /v1/admin/audit/verify
 * (walk the chain, report the first broken link): auditors of the key's organisation.
 */
import { Router } from 'express';
import { searchAudit, verifyAuditForOrg } from '../../../trust/admin/auditReview.js';
import { rolesFor } from '../../../trust/admin/roles.js';
import { auditActorOf } from '../../auth.js';
import { adminOf, adminRole, sendJson, type AdminRouteDeps } from './guard.js';
import { ACCOUNT_ID, DEVICE_ID, matching, onlyKnown, orderedRange, page, timestamp, type RawQuery } from './query.js';

const ACTOR_ID = /^[A-Za-z0-9_.:-]{1,100}$/;
const EVENT_TYPE = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/;

/** The audit review routes. */
export function auditRoutes(deps: AdminRouteDeps): Router {
  const router = Router();

  router.get('/v1/admin/audit', adminRole(deps, rolesFor('audit.read')), async (req, res) => {
    const query = req.query as RawQuery;
    onlyKnown(query, ['deviceId', 'accountId', 'actorId', 'type', 'since', 'until', 'limit', 'cursor']);
    const since = timestamp(query, 'since');
    const until = timestamp(query, 'until');
    orderedRange('since', since, 'until', until);
    const search = {
      deviceId: matching(query, 'deviceId', DEVICE_ID, 'a device id (dev_…)'),
      accountId: matching(query, 'accountId', ACCOUNT_ID, 'an account id (acc_…)'),
      actorId: matching(query, 'actorId', ACTOR_ID, 'an actor id (key_…, dev_…)'),
      type: matching(query, 'type', EVENT_TYPE, 'a dotted event type, e.g. device.revoked'),
      since,
      until,
    };
    sendJson(deps, res, 'admin-audit-list', await searchAudit(deps.db, deps.cursors, adminOf(req).orgId, search, page(query)));
  });

  router.get('/v1/admin/audit/verify', adminRole(deps, rolesFor('audit.read')), async (req, res) => {
    onlyKnown(req.query as RawQuery, []);
    sendJson(deps, res, 'admin-audit-verify', await verifyAuditForOrg(deps.db, adminOf(req).orgId, auditActorOf(req)));
  });

  return router;
}
