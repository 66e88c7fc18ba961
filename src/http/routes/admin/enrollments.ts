/**
 * GET /v1/admin/enrollments (the review queue) and /v1/admin/enrollments/{id}: readers of the
 * key's organisation. Deciding an enrollment is `POST /v1/enrollments/{id}/approvals`.
 */
import { Router } from 'express';
import { ENROLLMENT_STATES, getEnrollment, listEnrollments } from '../../../trust/admin/enrollments.js';
import { rolesFor } from '../../../trust/admin/roles.js';
import { NotFoundError } from '../../../trust/errors.js';
import { adminOf, adminRole, sendJson, type AdminRouteDeps } from './guard.js';
import { ACCOUNT_ID, boolean, ENROLLMENT_ID, matching, oneOf, onlyKnown, page, type RawQuery } from './query.js';

/** The review-queue routes. */
export function enrollmentRoutes(deps: AdminRouteDeps): Router {
  const router = Router();

  router.get('/v1/admin/enrollments', adminRole(deps, rolesFor('inventory.read')), async (req, res) => {
    const query = req.query as RawQuery;
    onlyKnown(query, ['state', 'accountId', 'includeExpired', 'limit', 'cursor']);
    const filter = {
      states: oneOf(query, 'state', ENROLLMENT_STATES),
      accountId: matching(query, 'accountId', ACCOUNT_ID, 'an account id (acc_…)'),
      includeExpired: boolean(query, 'includeExpired'),
    };
    sendJson(deps, res, 'admin-enrollment-list', await listEnrollments(deps.db, deps.cursors, adminOf(req).orgId, filter, page(query)));
  });

  router.get('/v1/admin/enrollments/:enrollmentId', adminRole(deps, rolesFor('inventory.read')), async (req, res) => {
    onlyKnown(req.query as RawQuery, []);
    const id = String(req.params.enrollmentId);
    if (!ENROLLMENT_ID.test(id)) throw new NotFoundError('enrollment_not_found', `no enrollment ${id}`);
    sendJson(deps, res, 'admin-enrollment', await getEnrollment(deps.db, adminOf(req).orgId, id));
  });

  return router;
}
