/**
 * Accounts and their devices: POST /v1/accounts, POST /v1/accounts/{id}/recovery,
 * POST /v1/accounts/{id}/recovery/approval, GET /v1/accounts/{id}/devices, GET /v1/accounts/{id}/activity,
 * POST /v1/accounts/{id}/activity/seen, POST /v1/devices/{id}/revoke, POST /v1/devices/{id}/replace.
 */
import { Router } from 'express';
import { accountActivity, markActivitySeen } from '../../../trust/enrollment/accountActivity.js';
import { createAccount, startRecovery } from '../../../trust/enrollment/accounts.js';
import { revokeDevice, startReplacement } from '../../../trust/enrollment/deviceActions.js';
import { listAccountDevices } from '../../../trust/enrollment/deviceViews.js';
import type { EnrollmentDeps } from '../../../trust/enrollment/settings.js';
import { NotFoundError } from '../../../trust/errors.js';
import { ADMIN_ROLES, rolesFor } from '../../../trust/admin/roles.js';
import { approveRecovery } from '../../../trust/enrollment/recoveryApproval.js';
import { HttpError } from '../../problem.js';
import { validateBody } from '../../validateBody.js';
import { accepts, actingOf, callerOf, deviceOrAdmin, pathId } from './principals.js';

const schema = (name: string) => `https://schemas.enigm.dev/trust/api/${name}.schema.json`;

/** `?limit=` of the activity list: 1–200, default 50; anything else is a 400. */
function activityLimit(raw: unknown): number {
  if (raw === undefined) return 50;
  const n = typeof raw === 'string' && /^[0-9]{1,3}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= 200)) throw new HttpError(400, 'invalid_request', 'limit must be a whole number from 1 to 200');
  return n;
}

export function accountRoutes(deps: EnrollmentDeps): Router {
  const router = Router();
  const operatorOrService = accepts({ adminRoles: rolesFor('accounts.write'), serviceScope: 'accounts:write' });

  router.post('/v1/accounts', operatorOrService, validateBody(schema('account-create')), async (req, res) => {
    const { handle, org } = req.body as { handle: string; org?: string };
    const caller = callerOf(req);
    // A service key naming no organisation creates an unmanaged account.
    let orgId = org ?? null;
    if (caller?.kind === 'admin') {
      // An administrator creates accounts in their own organisation; naming another answers as a missing one.
      if (org !== undefined && org !== caller.orgId) throw new HttpError(404, 'org_not_found', `no organisation ${org}`);
      orgId = caller.orgId;
    }
    const a = await createAccount(deps.db, { handle, orgId, codeTtlSeconds: deps.settings.bootstrapCodeTtlSeconds }, actingOf(req));
    res.status(201).set('Cache-Control', 'no-store').json({
      accountId: a.accountId, handle: a.handle, orgId: a.orgId, bootstrapCode: a.bootstrapCode, bootstrapCodeExpiresAt: a.bootstrapCodeExpiresAt.toISOString(),
    });
  });

  router.post('/v1/accounts/:accountId/recovery', operatorOrService, async (req, res, next) => {
    // The body is optional; when sent it must be a valid one.
    if (req.body === undefined) return next();
    validateBody(schema('account-recovery'))(req, res, next);
  }, async (req, res) => {
    const accountId = pathId(req, 'accountId', 'acc', 'account_not_found');
    const caller = callerOf(req);
    const reason = (req.body as { reason?: string } | undefined)?.reason;
    const r = await startRecovery(deps.db, { accountId, orgId: caller?.kind === 'admin' ? caller.orgId : undefined, codeTtlSeconds: deps.settings.recoveryCodeTtlSeconds, reason }, actingOf(req));
    res.set('Cache-Control', 'no-store').json({ accountId, recoveryCode: r.recoveryCode, recoveryCodeExpiresAt: r.expiresAt.toISOString(), approvalRequired: r.approvalRequired });
  });

  // Any admin key reaches the domain, which refuses (and audits) a role that may not approve.
  router.post('/v1/accounts/:accountId/recovery/approval', accepts({ adminRoles: ADMIN_ROLES }), async (req, res) => {
    const accountId = pathId(req, 'accountId', 'acc', 'account_not_found');
    const r = await approveRecovery(deps.db, accountId, req.body, actingOf(req));
    res.json({ accountId, approved: true, approvedAt: r.approvedAt.toISOString(), recoveryCodeExpiresAt: r.recoveryCodeExpiresAt.toISOString() });
  });

  router.get('/v1/accounts/:accountId/devices', accepts({ device: true, adminRoles: rolesFor('inventory.read') }), async (req, res) => {
    const accountId = pathId(req, 'accountId', 'acc', 'account_not_found');
    const caller = deviceOrAdmin(req);
    const scope = caller.kind === 'device' ? { accountId: caller.accountId } : { orgId: caller.orgId };
    res.set('Cache-Control', 'no-store').json(await listAccountDevices(deps.db, accountId, scope, caller.kind === 'device' ? caller.deviceId : undefined));
  });

  // The account's own devices only: administrators read the audit log instead.
  router.get('/v1/accounts/:accountId/activity', accepts({ device: true }), async (req, res) => {
    const accountId = pathId(req, 'accountId', 'acc', 'account_not_found');
    const caller = deviceOrAdmin(req);
    if (caller.kind !== 'device' || caller.accountId !== accountId) throw new NotFoundError('account_not_found', `no account ${accountId}`);
    const limit = activityLimit(req.query.limit);
    res.set('Cache-Control', 'no-store').json(await accountActivity(deps.db, accountId, caller.deviceId, limit));
  });

  router.post('/v1/accounts/:accountId/activity/seen', accepts({ device: true }), validateBody(schema('activity-seen')), async (req, res) => {
    const accountId = pathId(req, 'accountId', 'acc', 'account_not_found');
    const caller = deviceOrAdmin(req);
    if (caller.kind !== 'device' || caller.accountId !== accountId) throw new NotFoundError('account_not_found', `no account ${accountId}`);
    res.json({ seenUntil: await markActivitySeen(deps.db, accountId, caller.deviceId, new Date((req.body as { until: string }).until)) });
  });

    router.post('/v1/devices/:deviceId/revoke', accepts({ device: true, adminRoles: rolesFor('devices.lifecycle') }), validateBody(schema('device-revoke')), async (req, res) => {
    const deviceId = pathId(req, 'deviceId', 'dev', 'device_not_found');
    const r = await revokeDevice(deps, deviceId, (req.body as { reason: string }).reason, deviceOrAdmin(req), actingOf(req));
    res.json({ deviceId, ...r });
  });

  router.post('/v1/devices/:deviceId/replace', accepts({ device: true, adminRoles: rolesFor('devices.lifecycle') }), validateBody(schema('device-replace')), async (req, res) => {
    const deviceId = pathId(req, 'deviceId', 'dev', 'device_not_found');
    const { replacementCode, ...started } = await startReplacement(deps, deviceId, req.body as { label: string; platform: string; reason?: string }, deviceOrAdmin(req), actingOf(req));
    res.status(201).set('Cache-Control', 'no-store').json({
      ...started, replacesDeviceId: deviceId, replacementCode: replacementCode?.code, replacementCodeExpiresAt: replacementCode?.expiresAt.toISOString(),
    });
  });

  return router;
}
