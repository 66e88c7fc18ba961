/**
 * Fan-out status and control: GET /v1/devices/{id}/fanout (an admin of the device's
 * organisation, or a service key with `fanout:read`), POST /v1/accounts/{id}/epoch-acks
 * (service `fanout:ack`), POST /v1/admin/deliveries/{id}/redrive (admin operator), and, with
 * them, the subscriber registry and the JWKS.
 */
import { Router, type RequestHandler } from 'express';
import type { Config } from '../../config.js';
import { createSigningKeyStore, type SigningKeyStore } from '../../queue/signingKeys.js';
import type { Database } from '../../store/database.js';
import { acknowledgeEpoch } from '../../trust/epochAcks.js';
import { deviceFanoutStatus, type FanoutViewer } from '../../trust/fanoutStatus.js';
import { redriveDelivery } from '../../trust/redrive.js';
import { appendAudit } from '../../store/audit.js';
import { rolesFor } from '../../trust/admin/roles.js';
import { auditActorOf, requireAdminRole, requireServiceScope } from '../auth.js';
import { HttpError } from '../problem.js';
import { validateBody } from '../validateBody.js';
import { jwksRoutes } from './jwks.js';
import { subscriberRoutes } from './subscribers.js';

export interface FanoutRouteDeps {
  db: Database;
  /** The SET signing key; built from `config` when absent. */
  signingKeys?: SigningKeyStore;
  config?: Config;
}

const DEVICE_ID = /^dev_[A-Za-z0-9_-]{1,64}$/;
const ACCOUNT_ID = /^acc_[A-Za-z0-9_-]{1,64}$/;
const DELIVERY_ID = /^dlv_[A-Za-z0-9_-]{1,64}$/;

/** An admin key that reads inventory (scoped to its organisation later) or a service key holding `scope`. */
function requireReaderOrServiceScope(scope: string): RequestHandler {
  const reader = requireAdminRole(...rolesFor('inventory.read'));
  return (req, _res, next) => {
    const p = req.principal;
    if (!p) return next(new HttpError(401, 'unauthenticated', 'this route needs an admin key or a service key'));
    if (p.kind === 'admin') return reader(req, _res, next);
    return requireServiceScope(scope)(req, _res, next);
  };
}

/** Admins who may re-drive; a refused principal is audited, as every refused state change is. */
function requireOperator(db: Database): RequestHandler {
  const check = requireAdminRole(...rolesFor('deliveries.redrive'));
  return (req, res, next) => {
    check(req, res, (refusal?: unknown) => {
      if (refusal === undefined || !(refusal instanceof HttpError) || refusal.status === 401) return next(refusal);
      const p = req.principal;
      const orgId = p?.kind === 'admin' || p?.kind === 'device' ? p.orgId : null;
      db.transaction((tx) => appendAudit(tx, {
        type: 'fanout.delivery_redriven', outcome: 'refused', actor: auditActorOf(req), orgId,
        details: { deliveryId: String(req.params.deliveryId).slice(0, 100), refusal: refusal.code },
      })).then(() => next(refusal), next);
    });
  };
}

function signingKeysOf(deps: FanoutRouteDeps): SigningKeyStore | undefined {
  if (deps.signingKeys) return deps.signingKeys;
  if (deps.config?.idSecret === undefined) return undefined;
  return createSigningKeyStore({ db: deps.db, idSecret: deps.config.idSecret, configuredJwk: deps.config.fanout.signingKey });
}

export function fanoutRoutes(deps: FanoutRouteDeps): Router {
  const { db } = deps;
  const router = Router();
  const keys = signingKeysOf(deps);
  if (keys) router.use(jwksRoutes(keys));
  router.use(subscriberRoutes(db));

  router.get('/v1/devices/:deviceId/fanout', requireReaderOrServiceScope('fanout:read'), async (req, res) => {
    const deviceId = String(req.params.deviceId);
    if (!DEVICE_ID.test(deviceId)) throw new HttpError(404, 'device_not_found', `no device ${deviceId}`);
    const p = req.principal;
    const viewer: FanoutViewer = p?.kind === 'admin' ? { kind: 'admin', orgId: p.orgId } : { kind: 'service' };
    res.json(await deviceFanoutStatus(db, deviceId, viewer));
  });

  router.post('/v1/accounts/:accountId/epoch-acks', requireServiceScope('fanout:ack'), validateBody('https://schemas.enigm.dev/trust/api/epoch-ack.schema.json'), async (req, res) => {
    const accountId = String(req.params.accountId);
    if (!ACCOUNT_ID.test(accountId)) throw new HttpError(404, 'account_not_found', `no account ${accountId}`);
    const body = req.body as { subscriber: string; epoch: number };
    const principal = req.principal as { keyId: string };
    const ack = await acknowledgeEpoch(db, { accountId, subscriberId: body.subscriber, epoch: body.epoch, keyId: principal.keyId }, auditActorOf(req));
    res.json({ accountId: ack.accountId, subscriber: ack.subscriberId, epoch: ack.epoch, currentEpoch: ack.currentEpoch, ackedAt: ack.ackedAt.toISOString() });
  });

  router.post('/v1/admin/deliveries/:deliveryId/redrive', requireOperator(db), validateBody('https://schemas.enigm.dev/trust/api/delivery-redrive.schema.json'), async (req, res) => {
    const deliveryId = String(req.params.deliveryId);
    const p = req.principal as { orgId: string };
    const actor = auditActorOf(req);
    const { reason } = req.body as { reason: string };
    if (!DELIVERY_ID.test(deliveryId)) throw new HttpError(404, 'delivery_not_found', `no delivery ${deliveryId}`);
    const r = await redriveDelivery(db, { deliveryId, orgId: p.orgId, reason, actor });
    req.log.info({ deliveryId, redrives: r.redrives }, 'delivery re-driven');
    res.status(202).json(r);
  });

  return router;
}
