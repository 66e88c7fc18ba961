/**
 * GET /v1/admin/replacements (old → new tracking) and /v1/admin/reports/trust-states:
 * readers of the key's organisation.
 */
import { Router } from 'express';
import { listReplacements, REPLACEMENT_STATUSES } from '../../../trust/admin/replacements.js';
import { rolesFor } from '../../../trust/admin/roles.js';
import { trustReport } from '../../../trust/admin/trustReport.js';
import { adminOf, adminRole, sendJson, type AdminRouteDeps } from './guard.js';
import { ACCOUNT_ID, DEVICE_ID, integer, matching, oneOf, onlyKnown, page, type RawQuery } from './query.js';

/** The replacement and report routes. */
export function reportRoutes(deps: AdminRouteDeps): Router {
  const router = Router();

  router.get('/v1/admin/replacements', adminRole(deps, rolesFor('inventory.read')), async (req, res) => {
    const query = req.query as RawQuery;
    onlyKnown(query, ['status', 'accountId', 'deviceId', 'limit', 'cursor']);
    const filter = {
      statuses: oneOf(query, 'status', REPLACEMENT_STATUSES),
      accountId: matching(query, 'accountId', ACCOUNT_ID, 'an account id (acc_…)'),
      deviceId: matching(query, 'deviceId', DEVICE_ID, 'a device id (dev_…)'),
    };
    sendJson(deps, res, 'admin-replacement-list', await listReplacements(deps.db, deps.cursors, adminOf(req).orgId, filter, page(query)));
  });

  router.get('/v1/admin/reports/trust-states', adminRole(deps, rolesFor('inventory.read')), async (req, res) => {
    const query = req.query as RawQuery;
    onlyKnown(query, ['staleAfterDays']);
    const staleAfterDays = integer(query, 'staleAfterDays', 1, 3650, 30);
    sendJson(deps, res, 'admin-trust-report', await trustReport(deps.db, adminOf(req).orgId, staleAfterDays));
  });

  return router;
}
