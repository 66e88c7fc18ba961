/**
 * The Command console's own routes (DESIGN §7): administrators sign in with passkeys, not keys.
 *   POST /v1/admin/invitations/options, /accept   an invitee sees the invitation, registers a passkey, gets a first session
 *   POST /v1/admin/sessions/options, /sessions     an administrator signs in with their passkey → an `eas_…` session
 *   GET /v1/admin/session, DELETE /v1/admin/session   who is signed in and what they may do; sign out
 *   POST/GET /v1/admin/administrators, DELETE …/{id}  the owner invites, lists and removes administrators
 *   POST /v1/orgs/{id}/invitations                 the platform invites an organisation's first owner (orgs:write)
 *   GET /v1/admin/devices/{id}/history             a device's lifecycle history, for the organisation's readers
 * The anonymous routes are rate-limited like enrollment; without Redis or configuration they are not mounted.
 */
import { Router } from 'express';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { Config } from '../../../config.js';
import type { Database } from '../../../store/database.js';
import { createCursorCodec } from '../../../trust/admin/cursor.js';
import { deviceHistory } from '../../../trust/admin/deviceHistory.js';
import { acceptInvitation, invitationOptions } from '../../../trust/admin/console/adminInvitations.js';
import { adminSignInOptions, endAdminSession, openAdminSession } from '../../../trust/admin/console/adminSessions.js';
import { inviteAdministrator, listAdministrators, removeAdministrator, type Invitation } from '../../../trust/admin/console/administrators.js';
import { DEFAULT_CONSOLE_SETTINGS, type ConsoleDeps, type ConsoleSettings } from '../../../trust/admin/console/consoleDeps.js';
import { ROLE_MATRIX, rolesFor, type PermissionName } from '../../../trust/admin/roles.js';
import { DEFAULT_ENROLLMENT_SETTINGS } from '../../../trust/enrollment/settings.js';
import { NotFoundError } from '../../../trust/errors.js';
import type { Redis } from 'ioredis';
import { auditActorOf, requireServiceScope } from '../../auth.js';
import { HttpError } from '../../problem.js';
import { rateLimit } from '../../rateLimit.js';
import { validateBody } from '../../validateBody.js';
import { adminOf, adminRole, apiSchema, sendJson, type AdminRouteDeps } from './guard.js';
import { DEVICE_ID, onlyKnown, type RawQuery } from './query.js';

export interface ConsoleRouteDeps {
  db: Database;
  redis?: Redis;
  config?: Config;
  /** Lifetimes other than the defaults (tests). */
  settings?: Partial<ConsoleSettings>;
}

/** The console address that opens an invitation: the code rides in the fragment, which no server receives. */
export function invitationLink(origin: string, code: string): string {
  return `${origin}/command/#invitation=${code}`;
}

function invitedBody(invitation: Invitation, origin: string) {
  return { administrator: invitation.administrator, invitation: { code: invitation.code, link: invitationLink(origin, invitation.code), expiresAt: invitation.expiresAt } };
}

/** The console's routes. */
export function consoleRoutes(deps: ConsoleRouteDeps): Router {
  const router = Router();
  const settings: ConsoleSettings = { ...DEFAULT_CONSOLE_SETTINGS, ...deps.settings };
  const shared: AdminRouteDeps = { db: deps.db, cursors: createCursorCodec(deps.config?.idSecret), validateResponses: deps.config?.production !== true };
  const origin = deps.config?.rpOrigin ?? 'http://localhost:8080';
  const readers = rolesFor('inventory.read');
  const owners = rolesFor('administrators.manage');

  router.get('/v1/admin/devices/:deviceId/history', adminRole(shared, readers), async (req, res) => {
    onlyKnown(req.query as RawQuery, []);
    const id = String(req.params.deviceId);
    if (!DEVICE_ID.test(id)) throw new NotFoundError('device_not_found', `no device ${id}`);
    sendJson(shared, res, 'admin-device-history', await deviceHistory(deps.db, adminOf(req).orgId, id));
  });

  router.get('/v1/admin/session', adminRole(shared, ['owner', 'operator', 'approver', 'viewer', 'auditor']), async (req, res) => {
    onlyKnown(req.query as RawQuery, []);
    const p = adminOf(req);
    const org = await deps.db.query<{ name: string }>('SELECT name FROM organisations WHERE id = $1', [p.orgId]);
    const permissions = (Object.keys(ROLE_MATRIX) as PermissionName[]).filter((k) => (ROLE_MATRIX[k].roles as readonly string[]).includes(p.role));
    const expiresAt = p.sessionExpiresAt?.toISOString() ?? null;
    sendJson(shared, res, 'admin-session', {
      administrator: { id: p.keyId, name: p.name, role: p.role, orgId: p.orgId, orgName: org.rows[0]?.name ?? p.orgId },
      via: p.sessionId ? 'session' : 'key', expiresAt, permissions,
    });
  });

  router.delete('/v1/admin/session', adminRole(shared, ['owner', 'operator', 'approver', 'viewer', 'auditor']), async (req, res) => {
    const p = adminOf(req);
    if (!p.sessionId) throw new HttpError(400, 'not_a_session', 'an admin key is not signed out: an owner revokes it');
    await endAdminSession(deps.db, { sessionId: p.sessionId, orgId: p.orgId }, auditActorOf(req));
    res.status(204).set('cache-control', 'no-store').end();
  });

  router.post('/v1/admin/administrators', adminRole(shared, owners, 'admin.invited'), validateBody(apiSchema('admin-administrator-invite')), async (req, res) => {
    const invitation = await inviteAdministrator(deps.db, adminOf(req).orgId, req.body as { name: string; role: string }, auditActorOf(req), settings.invitationTtlSeconds);
    sendJson(shared, res, 'admin-administrator-invited', invitedBody(invitation, origin), 201);
  });

  router.get('/v1/admin/administrators', adminRole(shared, owners), async (req, res) => {
    onlyKnown(req.query as RawQuery, []);
    sendJson(shared, res, 'admin-administrator-list', { items: await listAdministrators(deps.db, adminOf(req).orgId) });
  });

  router.delete('/v1/admin/administrators/:administratorId', adminRole(shared, owners, 'admin.removed'), async (req, res) => {
    sendJson(shared, res, 'admin-administrator-removed', await removeAdministrator(deps.db, adminOf(req).orgId, String(req.params.administratorId), auditActorOf(req)));
  });

  router.post('/v1/orgs/:orgId/invitations', requireServiceScope('orgs:write'), validateBody(apiSchema('org-invitation')), async (req, res) => {
    const body = req.body as { name: string; role?: string };
    const invitation = await inviteAdministrator(deps.db, String(req.params.orgId), { name: body.name, role: body.role ?? 'owner' }, auditActorOf(req), settings.invitationTtlSeconds);
    sendJson(shared, res, 'admin-administrator-invited', invitedBody(invitation, origin), 201);
  });

  if (!deps.redis || !deps.config) return router;
  const c: ConsoleDeps = { db: deps.db, redis: deps.redis, rp: { id: deps.config.rpId, origin: deps.config.rpOrigin, name: 'Enigm' }, settings };
  const s = DEFAULT_ENROLLMENT_SETTINGS;
  const limited = rateLimit({ redis: deps.redis, perAddress: s.rateLimitPerAddress, perHandle: s.rateLimitPerHandle, windowSeconds: s.rateLimitWindowSeconds });

  router.post('/v1/admin/invitations/options', limited, validateBody(apiSchema('admin-invitation-options')), async (req, res) => {
    sendJson(shared, res, 'admin-invitation', await invitationOptions(c, (req.body as { code: string }).code, auditActorOf(req)));
  });

  router.post('/v1/admin/invitations/accept', limited, validateBody(apiSchema('admin-invitation-accept')), async (req, res) => {
    const body = req.body as { code: string; registrationResponse: RegistrationResponseJSON };
    sendJson(shared, res, 'admin-session-opened', await acceptInvitation(c, body, auditActorOf(req)), 201);
  });

  router.post('/v1/admin/sessions/options', limited, validateBody(apiSchema('admin-session-options')), async (_req, res) => {
    res.set('cache-control', 'no-store').json({ authenticationOptions: await adminSignInOptions(c) });
  });

  router.post('/v1/admin/sessions', limited, validateBody(apiSchema('admin-session-create')), async (req, res) => {
    const body = req.body as { authenticationResponse: AuthenticationResponseJSON };
    sendJson(shared, res, 'admin-session-opened', await openAdminSession(c, body.authenticationResponse, auditActorOf(req)), 201);
  });

  return router;
}

