/**
 * Enigm Command: the organisation's admin keys, for its owner. POST /v1/admin/keys
 * `{role, name?}` → the key and its token (shown once), GET /v1/admin/keys, DELETE
 * /v1/admin/keys/{id}. Always the owner's own organisation; changes and refusals are audited.
 */
import { Router } from 'express';
import { issueAdminKey, listAdminKeys, revokeAdminKey } from '../../../trust/admin/adminKeys.js';
import { rolesFor } from '../../../trust/admin/roles.js';
import { auditActorOf } from '../../auth.js';
import { adminOf, adminRole, sendJson, type AdminRouteDeps } from './guard.js';

export function keyRoutes(deps: AdminRouteDeps): Router {
  const router = Router();
  const owners = rolesFor('keys.manage');

  router.post('/v1/admin/keys', adminRole(deps, owners, 'key.created'), async (req, res) => {
    const created = await issueAdminKey(deps.db, adminOf(req), req.body, auditActorOf(req));
    sendJson(deps, res, 'admin-key-created', created, 201);
  });

  router.get('/v1/admin/keys', adminRole(deps, owners), async (req, res) => {
    sendJson(deps, res, 'admin-key-list', { items: await listAdminKeys(deps.db, adminOf(req).orgId) });
  });

  router.delete('/v1/admin/keys/:keyId', adminRole(deps, owners, 'key.revoked'), async (req, res) => {
    sendJson(deps, res, 'admin-key-revoked', await revokeAdminKey(deps.db, adminOf(req), String(req.params.keyId), auditActorOf(req)));
  });

  return router;
}
