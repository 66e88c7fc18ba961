/**
 * Enigm Command: the organisation's admin keys, for its owner. POST /v1/admin/keys
 * `{role, name?}` → the key and its token (shown once), GET /v1/admin/keys, DELETE
 * /v1/admin/keys/{id}. Always the owner's own organisation; changes and refusals are audited.
 */
import { Router } from 'express';
import { issueAdminKey, listAdminKeys, revokeAdminKey } from '../../../trust/admin/adminKeys.js';
import { rolesFor } from '../../../trust/admin/roles.js';
import { KeyNotFoundError } from '../../../trust/apiKeys.js';
import { auditActorOf } from '../../auth.js';
import { adminOf, adminRole, sendJson, type AdminRouteDeps } from './guard.js';

const KEY_ID = /^key_[A-Za-z0-9_-]{1,64}$/;

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
    const keyId = String(req.params.keyId);
    // Not an id this service issues: answered as any unknown key.
    if (!KEY_ID.test(keyId)) throw new KeyNotFoundError(keyId);
    sendJson(deps, res, 'admin-key-revoked', await revokeAdminKey(deps.db, adminOf(req), keyId, auditActorOf(req)));
  });

  return router;
}
