/**
 * Enrollment and sessions: POST /v1/enrollments, /credential, /cancel, /approval-options,
 * /approvals, GET /v1/enrollments/{id}, POST /v1/replacements/claim, POST /v1/sessions/options,
 * POST /v1/sessions. The anonymous ones are rate-limited per client address and per account
 * handle (or, where no handle is named, per enrollment).
 */
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { Router, type Request } from 'express';
import { approvalOptions, approveByDevice, decideByAdmin } from '../../../trust/enrollment/approvals.js';
import { cancelEnrollment } from '../../../trust/enrollment/cancelEnrollment.js';
import { claimReplacement } from '../../../trust/enrollment/replacementCodes.js';
import { getEnrollment } from '../../../trust/enrollment/deviceViews.js';
import { openSession, sessionOptions } from '../../../trust/enrollment/deviceSessions.js';
import type { EnrollmentDeps } from '../../../trust/enrollment/settings.js';
import { startEnrollment } from '../../../trust/enrollment/startEnrollment.js';
import { submitCredential, type CredentialSubmission } from '../../../trust/enrollment/submitCredential.js';
import { rolesFor } from '../../../trust/admin/roles.js';
import { HttpError } from '../../problem.js';
import { rateLimit } from '../../rateLimit.js';
import { validateBody } from '../../validateBody.js';
import { accepts, actingOf, callerOf, deviceOrAdmin, pathId } from './principals.js';

const schema = (name: string) => `https://schemas.enigm.dev/trust/api/${name}.schema.json`;

const bodyHandle = (req: Request) => {
  const h = (req.body as { accountHandle?: unknown } | undefined)?.accountHandle;
  return typeof h === 'string' ? h : undefined;
};

export function enrollmentRoutes(deps: EnrollmentDeps): Router {
  const router = Router();
  const s = deps.settings;
  const limit = (handleOf?: (req: Request) => string | undefined) =>
    rateLimit({ redis: deps.redis, perAddress: s.rateLimitPerAddress, perHandle: s.rateLimitPerHandle, windowSeconds: s.rateLimitWindowSeconds, handleOf });
  const enrollmentId = (req: Request) => pathId(req, 'enrollmentId', 'enr', 'enrollment_not_found');

  router.post('/v1/enrollments', limit(bodyHandle), validateBody(schema('enrollment-start')), async (req, res) => {
    const started = await startEnrollment(deps, req.body as { accountHandle: string; label: string; platform: string; replacesDeviceId?: string }, actingOf(req));
    res.status(201).set('Cache-Control', 'no-store').json(started);
  });

  // The enrollment id stands in for the handle: guesses against one enrollment are limited too.
  router.post('/v1/enrollments/:enrollmentId/credential', limit((req) => `enrollment:${String(req.params.enrollmentId)}`), validateBody(schema('enrollment-credential')), async (req, res) => {
    const r = await submitCredential(deps, enrollmentId(req), req.body as CredentialSubmission, actingOf(req));
    res.set('Cache-Control', 'no-store').json({ deviceId: r.deviceId, state: r.state, requirements: r.requirements, reasons: r.reasons });
  });

  router.post('/v1/enrollments/:enrollmentId/cancel', limit((req) => `enrollment:${String(req.params.enrollmentId)}`), validateBody(schema('enrollment-cancel')), async (req, res) => {
    const r = await cancelEnrollment(deps, enrollmentId(req), (req.body as { challenge: string }).challenge, actingOf(req));
    res.set('Cache-Control', 'no-store').json(r);
  });

  // No handle is named: the address limit is what stands between a guesser and a code.
  router.post('/v1/replacements/claim', limit(), validateBody(schema('replacement-claim')), async (req, res) => {
    const r = await claimReplacement(deps, (req.body as { code: string }).code, actingOf(req));
    res.set('Cache-Control', 'no-store').json(r);
  });

  router.post('/v1/enrollments/:enrollmentId/approval-options', accepts({ device: true }), async (req, res) => {
    const caller = callerOf(req);
    if (caller?.kind !== 'device') throw new HttpError(403, 'wrong_principal', 'this route needs a device session');
    res.set('Cache-Control', 'no-store').json(await approvalOptions(deps, enrollmentId(req), caller, actingOf(req)));
  });

  router.post('/v1/enrollments/:enrollmentId/approvals', accepts({ device: true, adminRoles: rolesFor('enrollments.decide') }), validateBody(schema('enrollment-approval')), async (req, res) => {
    const id = enrollmentId(req);
    const caller = deviceOrAdmin(req);
    const body = req.body as { authenticationResponse?: AuthenticationResponseJSON; codeConfirmed?: boolean; decision?: 'approve' | 'deny'; reason?: string };
    let r;
    if (caller.kind === 'device') {
      if (!body.authenticationResponse || body.decision !== undefined || body.reason !== undefined) throw new HttpError(400, 'invalid_request', 'a device approves with {authenticationResponse, codeConfirmed} only');
      r = await approveByDevice(deps, id, body.authenticationResponse, body.codeConfirmed === true, caller, actingOf(req));
    } else {
      if (!body.decision || !body.reason || body.authenticationResponse !== undefined || body.codeConfirmed !== undefined) throw new HttpError(400, 'invalid_request', 'an administrator decides with {decision, reason} only');
      r = await decideByAdmin(deps, id, { decision: body.decision, reason: body.reason }, caller, actingOf(req));
    }
    res.json({ deviceId: r.deviceId, state: r.state, requirements: r.requirements, reasons: r.reasons });
  });

  router.get('/v1/enrollments/:enrollmentId', accepts({ device: true, adminRoles: rolesFor('inventory.read') }), async (req, res) => {
    const caller = deviceOrAdmin(req);
    const scope = caller.kind === 'device' ? { accountId: caller.accountId } : { orgId: caller.orgId };
    res.set('Cache-Control', 'no-store').json(await getEnrollment(deps.db, enrollmentId(req), scope));
  });

  router.post('/v1/sessions/options', limit(bodyHandle), validateBody(schema('session-options')), async (req, res) => {
    const authenticationOptions = await sessionOptions(deps, (req.body as { accountHandle: string }).accountHandle);
    res.set('Cache-Control', 'no-store').json({ authenticationOptions });
  });

  router.post('/v1/sessions', limit(), validateBody(schema('session-create')), async (req, res) => {
    const opened = await openSession(deps, (req.body as { authenticationResponse: AuthenticationResponseJSON }).authenticationResponse, actingOf(req));
    res.status(201).set('Cache-Control', 'no-store').json({ ...opened, expiresAt: opened.expiresAt.toISOString() });
  });

  return router;
}
