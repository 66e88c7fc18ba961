/**
 * GET /v1/admin/devices (inventory), /v1/admin/devices/{id} (one device with its managed
 * status and protection), /v1/admin/accounts/{id}: readers of the key's organisation.
 */
import { Router } from 'express';
import { getAccount } from '../../../trust/admin/accounts.js';
import { getDevice, listDevices } from '../../../trust/admin/inventory.js';
import { MANAGED_STATUSES } from '../../../trust/admin/managedStatus.js';
import { rolesFor } from '../../../trust/admin/roles.js';
import { NotFoundError } from '../../../trust/errors.js';
import { DEVICE_STATES } from '../../../trust/lifecycle.js';
import { adminOf, adminRole, sendJson, type AdminRouteDeps } from './guard.js';
import { ACCOUNT_ID, boolean, DEVICE_ID, matching, oneOf, onlyKnown, orderedRange, page, platforms, timestamp, type RawQuery } from './query.js';

const ACCOUNT_HANDLE_SEARCH = /^[^\p{Cc}\p{Cs}]{1,64}$/u;

const INVENTORY_PARAMS = ['state', 'platform', 'accountId', 'accountHandle', 'lastSeenAfter', 'lastSeenBefore', 'neverSeen', 'managed', 'limit', 'cursor'];

function inventoryFilter(query: RawQuery) {
  onlyKnown(query, INVENTORY_PARAMS);
  const lastSeenAfter = timestamp(query, 'lastSeenAfter');
  const lastSeenBefore = timestamp(query, 'lastSeenBefore');
  orderedRange('lastSeenAfter', lastSeenAfter, 'lastSeenBefore', lastSeenBefore);
  return {
    states: oneOf(query, 'state', DEVICE_STATES),
    platforms: platforms(query),
    accountId: matching(query, 'accountId', ACCOUNT_ID, 'an account id (acc_…)'),
    accountHandle: matching(query, 'accountHandle', ACCOUNT_HANDLE_SEARCH, 'the start of an account handle (1 to 64 printable characters)'),
    lastSeenAfter,
    lastSeenBefore,
    neverSeen: boolean(query, 'neverSeen'),
    managed: oneOf(query, 'managed', MANAGED_STATUSES),
  };
}

/** The inventory routes. */
export function inventoryRoutes(deps: AdminRouteDeps): Router {
  const router = Router();

  router.get('/v1/admin/devices', adminRole(deps, rolesFor('inventory.read')), async (req, res) => {
    const query = req.query as RawQuery;
    const filter = inventoryFilter(query);
    const result = await listDevices(deps.db, deps.cursors, adminOf(req).orgId, filter, page(query));
    sendJson(deps, res, 'admin-device-list', result);
  });

  router.get('/v1/admin/devices/:deviceId', adminRole(deps, rolesFor('inventory.read')), async (req, res) => {
    onlyKnown(req.query as RawQuery, []);
    const id = String(req.params.deviceId);
    if (!DEVICE_ID.test(id)) throw new NotFoundError('device_not_found', `no device ${id}`);
    sendJson(deps, res, 'admin-device', await getDevice(deps.db, adminOf(req).orgId, id));
  });

  router.get('/v1/admin/accounts/:accountId', adminRole(deps, rolesFor('inventory.read')), async (req, res) => {
    onlyKnown(req.query as RawQuery, []);
    const id = String(req.params.accountId);
    if (!ACCOUNT_ID.test(id)) throw new NotFoundError('account_not_found', `no account ${id}`);
    sendJson(deps, res, 'admin-account', await getAccount(deps.db, adminOf(req).orgId, id));
  });

  return router;
}
