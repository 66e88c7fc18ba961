/**
 * Enigm Command: the administrator's own organisation and its policy settings.
 * GET /v1/admin/organisation (every role that reads), PATCH /v1/admin/organisation (owner):
 * the body is a settings change, merged (a setting given null goes back to its default),
 * effective from the next decision; refusals are audited.
 */
import { Router } from 'express';
import { rolesFor } from '../../../trust/admin/roles.js';
import { changeOrganisationSettings, getOrganisation } from '../../../trust/organisations/organisations.js';
import { auditActorOf } from '../../auth.js';
import { adminOf, adminRole, sendJson, type AdminRouteDeps } from './guard.js';

export function organisationRoutes(deps: AdminRouteDeps): Router {
  const router = Router();

  router.get('/v1/admin/organisation', adminRole(deps, rolesFor('organisation.read')), async (req, res) => {
    sendJson(deps, res, 'organisation', await getOrganisation(deps.db, adminOf(req).orgId));
  });

  router.patch('/v1/admin/organisation', adminRole(deps, rolesFor('organisation.write'), 'org.settings_changed'), async (req, res) => {
    sendJson(deps, res, 'organisation', await changeOrganisationSettings(deps.db, adminOf(req).orgId, req.body, auditActorOf(req)));
  });

  return router;
}
