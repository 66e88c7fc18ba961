/**
 * POST /v1/devices/{id}/restrict, /unrestrict, /retire with `{reason}`: operators of the
 * device's organisation. Another organisation's device is a 404, as a missing one; every
 * refusal (role, state, organisation) is audited with the key, role and client address.
 */
import { Router } from 'express';
import { applyLifecycleAction, LIFECYCLE_ACTIONS } from '../../../trust/admin/lifecycleActions.js';
import { rolesFor } from '../../../trust/admin/roles.js';
import { NotFoundError } from '../../../trust/errors.js';
import { auditActorOf } from '../../auth.js';
import { validateBody } from '../../validateBody.js';
import { adminOf, adminRole, apiSchema, sendJson, type AdminRouteDeps } from './guard.js';
import { DEVICE_ID } from './query.js';

/** The operator's lifecycle actions. */
export function lifecycleRoutes(deps: AdminRouteDeps): Router {
  const router = Router();
  for (const action of LIFECYCLE_ACTIONS) {
    router.post(`/v1/devices/:deviceId/${action}`, adminRole(deps, rolesFor('devices.lifecycle'), `device.${action}`), validateBody(apiSchema('admin-lifecycle-request')), async (req, res) => {
      const id = String(req.params.deviceId);
      if (!DEVICE_ID.test(id)) throw new NotFoundError('device_not_found', `no device ${id}`);
      const { reason } = req.body as { reason: string };
      const result = await applyLifecycleAction(deps.db, action, { deviceId: id, orgId: adminOf(req).orgId, actor: auditActorOf(req), reason });
      req.log.info({ deviceId: id, action, keyId: adminOf(req).keyId, state: result.state }, 'admin lifecycle action');
      sendJson(deps, res, 'admin-lifecycle-result', { deviceId: result.deviceId, state: result.state, previousState: result.previousState, epoch: Number(result.epoch) });
    });
  }
  return router;
}
