/**
 * POST /v1/decisions and GET /v1/accounts/{id}/recipients: what dependent services ask.
 */
import { Router } from 'express';
import { rememberingKeyAuthenticator } from '../../trust/apiKeys.js';
import { decide, listRecipients, type DecisionDeps } from '../../trust/decide.js';
import { decisionReader } from '../../trust/deviceContext.js';
import { CallerRevokedError } from '../../trust/errors.js';
import { authenticate, requireServiceScope } from '../auth.js';
import { HttpError } from '../problem.js';
import { validateBody } from '../validateBody.js';

const ID = /^acc_[A-Za-z0-9_-]{1,64}$/;

/**
 * POST /v1/decisions authenticates on its own, before the API's shared authentication: it
 * remembers service keys and confirms the caller's key in the same read as the device, so a
 * decision costs one round trip and a revoked key still decides nothing from its commit on.
 * Mount it ahead of `authenticate`; `recipientsRoute` expects the shared one.
 */
export function decisionRoute(deps: DecisionDeps): Router {
  const router = Router();
  const keys = rememberingKeyAuthenticator(deps.db);
  const reading = { ...deps, read: decisionReader(deps.db) };
  router.post('/v1/decisions', authenticate(deps.db, keys.authenticate), requireServiceScope('decisions:read'), validateBody('https://schemas.enigm.dev/trust/api/decision-request.schema.json'), async (req, res) => {
    const { accountId, deviceId, action } = req.body as { accountId: string; deviceId: string; action: string };
    const principal = req.principal as { keyId: string };
    try {
      const d = await decide(reading, { accountId, deviceId, action, caller: principal.keyId });
      req.log.info({ decisionId: d.decisionId, deviceId, action, allow: d.allow, reasons: d.reasons, policyRevision: d.policyRevision }, 'decision');
      res.json({ decisionId: d.decisionId, allow: d.allow, reasons: d.reasons, obligations: d.obligations, deviceState: d.deviceState, policyRevision: d.policyRevision });
    } catch (err) {
      if (err instanceof CallerRevokedError) keys.forget(err.keyId);
      throw err;
    }
  });
  return router;
}

/** GET /v1/accounts/{id}/recipients, behind the API's shared authentication. */
export function recipientsRoute(deps: DecisionDeps): Router {
  const router = Router();

  router.get('/v1/accounts/:accountId/recipients', requireServiceScope('decisions:read'), async (req, res) => {
    const accountId = String(req.params.accountId);
    if (!ID.test(accountId)) throw new HttpError(404, 'account_not_found', `no account ${accountId}`);
    const action = req.query.action ?? 'message.receive';
    if (typeof action !== 'string') throw new HttpError(400, 'invalid_request', 'give one action');
    const epochParam = req.query.epoch;
    let knownEpoch: number | undefined;
    if (epochParam !== undefined) {
      if (typeof epochParam !== 'string' || !/^\d{1,15}$/.test(epochParam)) throw new HttpError(400, 'invalid_request', 'epoch must be a non-negative integer');
      knownEpoch = Number(epochParam);
    }
    const r = await listRecipients(deps, accountId, action);
    const body = { accountId: r.accountId, epoch: r.epoch, action: r.action, policyRevision: r.policyRevision, devices: r.devices };
    // A sender holding a stale device list learns it, and gets the current one (as Signal refuses stale device sets).
    if (knownEpoch !== undefined && knownEpoch !== r.epoch) {
      throw new HttpError(409, 'stale_epoch', `epoch ${knownEpoch} is not current; the device list is at epoch ${r.epoch}`, { current: body });
    }
    res.json(body);
  });

  return router;
}
