/**
 * Device signals: POST /v1/devices/{id}/signals (posture from the device's own session;
 * managed-device statements and Enigm OS integrity attestations relayed by a service key with
 * signals:write) and POST /v1/devices/{id}/signals/nonce (a single-use nonce for the next
 * attestation, for that service key). Checks, verification and audit live in
 * src/trust/signals; this file maps HTTP onto them.
 */
import { Router, type Request } from 'express';
import type { Redis } from 'ioredis';
import type { Database } from '../../store/database.js';
import { issueAttestationNonce } from '../../trust/signals/attestationNonce.js';
import { receiveSignals, type SignalReporter } from '../../trust/signals/receiveSignals.js';
import { auditActorOf, requireServiceScope } from '../auth.js';
import { HttpError } from '../problem.js';

export interface SignalRouteDeps {
  db: Database;
  redis?: Redis;
  /** The `aud` statements must carry when their source names none: the service's origin. */
  audience?: string;
}

const DEVICE_ID = /^dev_[A-Za-z0-9_-]{1,64}$/;

function deviceIdOf(req: Request): string {
  const id = String(req.params.deviceId);
  // Not an identifier this service could have issued: answer as for any unknown device.
  if (!DEVICE_ID.test(id)) throw new HttpError(404, 'device_not_found', `no device ${id.slice(0, 80)}`);
  return id;
}

function reporterOf(req: Request): SignalReporter {
  const p = req.principal;
  if (!p) throw new HttpError(401, 'unauthenticated', 'this route needs a device session (posture) or a service key with signals:write');
  if (p.kind === 'device') return { kind: 'device', deviceId: p.deviceId };
  if (p.kind === 'service') return { kind: 'service', scopes: p.scopes };
  return { kind: 'admin' };
}

/** The size of the body as received (Content-Length), or of its JSON form when streamed. */
function bodyBytes(req: Request): number {
  const declared = Number(req.get('content-length'));
  return Number.isInteger(declared) && declared >= 0 ? declared : Buffer.byteLength(JSON.stringify(req.body ?? null));
}

export function signalRoutes(deps: SignalRouteDeps): Router {
  const router = Router();

  router.post('/v1/devices/:deviceId/signals', async (req, res) => {
    const reporter = reporterOf(req);
    const deviceId = deviceIdOf(req);
    const result = await receiveSignals(deps, { deviceId, reporter, actor: auditActorOf(req), body: req.body, bodyBytes: bodyBytes(req) });
    req.log.info({ deviceId, signals: result.signals.map((s) => ({ kind: s.kind, status: s.status, verified: s.verified })) }, 'signals stored');
    res.status(201).json(result);
  });

  router.post('/v1/devices/:deviceId/signals/nonce', requireServiceScope('signals:write'), async (req, res) => {
    const deviceId = deviceIdOf(req);
    const issued = await issueAttestationNonce(deps.db, deps.redis, deviceId);
    res.status(201).set('cache-control', 'no-store').json(issued);
  });

  return router;
}
