/**
 * Signing in to the Command console with passkeys, on real PostgreSQL and Redis: an invitation
 * is single-use, expires, and is kept only as a hash; its passkey opens short admin sessions
 * that admin routes accept as they accept admin keys, by role and organisation; a session ends
 * at sign-out, on expiry, and at once when an owner removes its administrator. Every refusal
 * is audited.
 */
import { adminsCommand } from '../../src/cli/admins.js';
import { createServiceKey } from '../../src/trust/apiKeys.js';
import { sha256Hex } from '../../src/trust/ids.js';
import { adminToken, audits, authenticator, enrollmentHarness, get, ORIGIN, post, trustedFirstDevice, type Harness } from '../helpers/enrollmentHarness.js';
import { seedAccount, seedDevice, seedOrg } from '../helpers/seed.js';
import type { SoftAuthenticator } from '../helpers/softAuthenticator.js';
import request from 'supertest';

const system = { type: 'system' as const, id: 'test' };

describe('Command console sign-in', () => {
  let h: Harness;
  beforeAll(async () => { h = await enrollmentHarness(); });
  afterAll(async () => { await h.close(); });

  /** The invitation link the CLI prints for a new administrator of `org`. */
  async function cliInvite(org: string, name: string, role = 'owner'): Promise<{ code: string; lines: string[] }> {
    const lines: string[] = [];
    const code = await adminsCommand(['invite', '--org', org, '--name', name, '--role', role], { db: h.db, origin: ORIGIN, out: (l) => lines.push(l), actor: system });
    expect(code).toBe(0);
    const link = lines.find((l) => l.startsWith(`${ORIGIN}/command/#invitation=`)) as string;
    return { code: link.split('#invitation=')[1], lines };
  }

  /** Accepts the invitation `code` with a new passkey → the session token. */
  async function accept(code: string, auth: SoftAuthenticator = authenticator()): Promise<{ token: string; auth: SoftAuthenticator }> {
    const options = await post(h, '/v1/admin/invitations/options', { code });
    expect([options.status, options.body.code]).toEqual([200, undefined]);
    const res = await post(h, '/v1/admin/invitations/accept', { code, registrationResponse: auth.register(options.body.registrationOptions) });
    expect([res.status, res.body.code]).toEqual([201, undefined]);
    return { token: res.body.sessionToken, auth };
  }

  /** Signs in with `auth`'s passkey → the answer. */
  async function signIn(auth: SoftAuthenticator, o: { keepCounter?: boolean } = {}) {
    const options = await post(h, '/v1/admin/sessions/options', {});
    return post(h, '/v1/admin/sessions', { authenticationResponse: auth.assert(options.body.authenticationOptions, o) });
  }

  it('takes the first owner from a CLI invitation to a passkey and a session that works on admin routes', async () => {
    const { code, lines } = await cliInvite(h.org, 'Olive Owner');
    expect(lines[0]).toMatch(/^invited adm_\S+ "Olive Owner" as owner of /);
    // Stored only as its hash.
    const stored = await h.db.query<{ code_hash: string }>('SELECT code_hash FROM admin_invitations');
    expect(stored.rows.map((r) => r.code_hash)).toContain(sha256Hex(code));
    expect(JSON.stringify((await h.db.query('SELECT * FROM admin_invitations')).rows)).not.toContain(code);
    const seen = await post(h, '/v1/admin/invitations/options', { code });
    expect(seen.body.administrator).toEqual({ name: 'Olive Owner', role: 'owner', orgName: h.org });
    const { token } = await accept(code);
    expect(token).toMatch(/^eas_[A-Za-z0-9_-]{43}$/);
    const me = await get(h, '/v1/admin/session', token);
    expect(me.body).toMatchObject({ administrator: { name: 'Olive Owner', role: 'owner', orgId: h.org }, via: 'session' });
    expect(me.body.permissions).toEqual(expect.arrayContaining(['organisation.write', 'administrators.manage']));
    expect(me.body.permissions).not.toContain('devices.lifecycle');
    expect((await get(h, '/v1/admin/devices', token)).status).toBe(200);
    expect((await request(h.app).patch('/v1/admin/organisation').set('authorization', `Bearer ${token}`).send({ enrollment_approval: 'admin' })).status).toBe(200);
    expect(JSON.stringify((await h.db.query('SELECT * FROM admin_sessions')).rows)).not.toContain(token);
    expect((await audits(h, 'admin.invitation_accepted', 'success')).length).toBe(1);
  });

  it('uses an invitation once', async () => {
    const { code } = await cliInvite(h.org, 'Once Only', 'viewer');
    await accept(code);
    const again = await post(h, '/v1/admin/invitations/options', { code });
    expect([again.status, again.body.code]).toEqual([409, 'invitation_used']);
    const replay = await post(h, '/v1/admin/invitations/accept', { code, registrationResponse: authenticator().register({ challenge: 'A'.repeat(43), rp: { id: 'localhost' }, user: { id: 'AAAA' } }) });
    expect([replay.status, replay.body.code]).toEqual([409, 'invitation_used']);
    expect((await audits(h, 'admin.invitation_opened', 'refused')).at(-1)?.details.refusal).toBe('invitation_used');
  });

  it('refuses an expired invitation and a code it never issued, and says which', async () => {
    const { code } = await cliInvite(h.org, 'Late Comer', 'viewer');
    await h.db.query("UPDATE admin_invitations SET expires_at = now() - interval '1 second' WHERE code_hash = $1", [sha256Hex(code)]);
    const late = await post(h, '/v1/admin/invitations/options', { code });
    expect([late.status, late.body.code]).toEqual([410, 'invitation_expired']);
    const made = await post(h, '/v1/admin/invitations/options', { code: `eai_${'x'.repeat(43)}` });
    expect([made.status, made.body.code]).toEqual([400, 'invitation_invalid']);
    expect((await audits(h, 'admin.invitation_opened', 'refused')).slice(-2).map((a) => a.details.refusal)).toEqual(['invitation_expired', 'invitation_invalid']);
  });

  it('signs an administrator in with their passkey, and out again', async () => {
    const { code } = await cliInvite(h.org, 'Vera Viewer', 'viewer');
    const { auth } = await accept(code);
    const res = await signIn(auth);
    expect(res.status).toBe(201);
    expect(res.body.administrator).toMatchObject({ name: 'Vera Viewer', role: 'viewer' });
    const token = res.body.sessionToken as string;
    expect((await get(h, '/v1/admin/devices', token)).status).toBe(200);
    const out = await request(h.app).delete('/v1/admin/session').set('authorization', `Bearer ${token}`);
    expect(out.status).toBe(204);
    const after = await get(h, '/v1/admin/devices', token);
    expect([after.status, after.body.code]).toEqual([401, 'unauthenticated']);
    // A cloned passkey replaying an old counter opens nothing.
    const cloned = await signIn(auth, { keepCounter: true });
    expect([cloned.status, cloned.body.code]).toEqual([403, 'sign_counter_regression']);
  });

  it('ends a session on expiry', async () => {
    const { code } = await cliInvite(h.org, 'Short Lived', 'viewer');
    const { token } = await accept(code);
    await h.db.query("UPDATE admin_sessions SET expires_at = now() - interval '1 second' WHERE token_hash = $1", [sha256Hex(token)]);
    expect((await get(h, '/v1/admin/devices', token)).status).toBe(401);
  });

  it("refuses what the session's role may not do, audited, as for admin keys", async () => {
    const account = await seedAccount(h.db, h.org);
    const device = await seedDevice(h.db, account);
    const { code } = await cliInvite(h.org, 'Vic Viewer', 'viewer');
    const { token } = await accept(code);
    const res = await post(h, `/v1/devices/${device}/revoke`, { reason: 'forced' }, token);
    expect([res.status, res.body.code]).toEqual([403, 'insufficient_role']);
    const state = await h.db.query('SELECT state FROM devices WHERE id = $1', [device]);
    expect(state.rows[0].state).toBe('trusted');
    const invite = await post(h, '/v1/admin/administrators', { name: 'Sneaky', role: 'owner' }, token);
    expect([invite.status, invite.body.code]).toEqual([403, 'insufficient_role']);
    expect((await audits(h, 'admin.refused', 'refused')).at(-1)?.details).toMatchObject({ action: 'admin.invited', refusal: 'insufficient_role' });
    const audit = await get(h, '/v1/admin/audit', token);
    expect([audit.status, audit.body.code]).toEqual([403, 'insufficient_role']);
  });

  it('lets an operator session revoke a device and an approver session approve an enrollment', async () => {
    const { code: op } = await cliInvite(h.org, 'Otto Operator', 'operator');
    const { token: operator } = await accept(op);
    const first = await trustedFirstDevice(h);
    const revoked = await post(h, `/v1/devices/${first.deviceId}/revoke`, { reason: 'lost' }, operator);
    expect([revoked.status, revoked.body.state]).toEqual([200, 'revoked']);
    const actor = (await audits(h, 'device.revoked', 'success')).at(-1);
    expect(actor?.device_id).toBe(first.deviceId);
    const second = await trustedFirstDevice(h);
    const pendingStart = await post(h, '/v1/enrollments', { accountHandle: second.handle, label: 'Tablet', platform: 'android' });
    const tablet = authenticator();
    await post(h, `/v1/enrollments/${pendingStart.body.enrollmentId}/credential`, { registrationResponse: tablet.register(pendingStart.body.registrationOptions) });
    const { code: ap } = await cliInvite(h.org, 'Ada Approver', 'approver');
    const { token: approver } = await accept(ap);
    const approved = await post(h, `/v1/enrollments/${pendingStart.body.enrollmentId}/approvals`, { decision: 'approve', reason: 'checked in person' }, approver);
    expect([approved.status, approved.body.state]).toEqual([200, 'trusted']);
    const row = await h.db.query('SELECT approver_key_id, approver_role FROM approvals WHERE enrollment_id = $1', [pendingStart.body.enrollmentId]);
    expect(row.rows[0]).toEqual({ approver_key_id: expect.stringMatching(/^adm_/), approver_role: 'approver' });
  });

  it('ends every session of a removed administrator at once, and their passkey opens no other', async () => {
    const { code: ownerCode } = await cliInvite(h.org, 'Remover', 'owner');
    const { token: owner } = await accept(ownerCode);
    const invited = await post(h, '/v1/admin/administrators', { name: 'Leaving Soon', role: 'operator' }, owner);
    expect(invited.status).toBe(201);
    expect(invited.body.invitation.link).toBe(`${ORIGIN}/command/#invitation=${invited.body.invitation.code}`);
    const { token, auth } = await accept(invited.body.invitation.code);
    const second = (await signIn(auth)).body.sessionToken as string;
    expect((await get(h, '/v1/admin/devices', token)).status).toBe(200);
    const listed = await get(h, '/v1/admin/administrators', owner);
    expect(listed.body.items.find((a: { id: string }) => a.id === invited.body.administrator.id)).toMatchObject({ status: 'active', role: 'operator' });
    expect(JSON.stringify(listed.body)).not.toMatch(/eai_|eas_/);
    const removed = await request(h.app).delete(`/v1/admin/administrators/${invited.body.administrator.id}`).set('authorization', `Bearer ${owner}`);
    expect(removed.body).toMatchObject({ alreadyRemoved: false, sessionsEnded: 2 });
    for (const t of [token, second]) expect((await get(h, '/v1/admin/devices', t)).status).toBe(401);
    const again = await signIn(auth);
    expect([again.status, again.body.code]).toEqual([403, 'administrator_removed']);
    const self = await request(h.app).delete(`/v1/admin/administrators/${(await get(h, '/v1/admin/session', owner)).body.administrator.id}`).set('authorization', `Bearer ${owner}`);
    expect([self.status, self.body.code]).toEqual([409, 'cannot_remove_self']);
  });

  it("shows an administrator nothing of another organisation's", async () => {
    const other = await seedOrg(h.db);
    const { code } = await cliInvite(other, 'Elsewhere', 'operator');
    const { token } = await accept(code);
    const account = await seedAccount(h.db, h.org);
    const device = await seedDevice(h.db, account);
    expect((await get(h, `/v1/admin/devices/${device}`, token)).status).toBe(404);
    expect((await get(h, `/v1/admin/devices/${device}/history`, token)).status).toBe(404);
    expect((await get(h, '/v1/admin/devices', token)).body.items).toEqual([]);
    const revoke = await post(h, `/v1/devices/${device}/revoke`, { reason: 'x' }, token);
    expect(revoke.status).toBe(404);
  });

  it('lets the platform invite an organisation\'s first owner with orgs:write only', async () => {
    const platform = (await createServiceKey(h.db, { name: 'platform', scopes: ['orgs:write'] }, system)).token;
    const org = await seedOrg(h.db);
    const res = await post(h, `/v1/orgs/${org}/invitations`, { name: 'First Owner' }, platform);
    expect([res.status, res.body.administrator.role]).toEqual([201, 'owner']);
    const refused = await post(h, `/v1/orgs/${org}/invitations`, { name: 'First Owner' }, h.serviceToken);
    expect([refused.status, refused.body.code]).toEqual([403, 'insufficient_scope']);
    const unknown = await post(h, '/v1/orgs/org_nope/invitations', { name: 'Nobody' }, platform);
    expect([unknown.status, unknown.body.code]).toEqual([404, 'unknown_org']);
  });

  it('answers the console routes with no code, token, credential id or public key in them', async () => {
    const { code: ownerCode } = await cliInvite(h.org, 'Secret Keeper', 'owner');
    const { token: owner, auth } = await accept(ownerCode);
    const second = await post(h, '/v1/admin/administrators', { name: 'Not Yet', role: 'viewer' }, owner);
    const first = await trustedFirstDevice(h);
    const stored = await h.db.query<{ credential_id: string; public_key: Buffer }>('SELECT credential_id, public_key FROM admin_credentials UNION ALL SELECT credential_id, public_key FROM credentials');
    const secrets = [ownerCode, owner, second.body.invitation.code, auth.id, first.token, first.bootstrapCode, sha256Hex(owner), sha256Hex(ownerCode),
      ...stored.rows.flatMap((r) => [r.credential_id, r.public_key.toString('base64url'), r.public_key.toString('base64'), r.public_key.toString('hex')])];
    for (const route of ['/v1/admin/session', '/v1/admin/administrators', `/v1/admin/devices/${first.deviceId}/history`, `/v1/admin/devices?accountHandle=${first.handle}`, `/v1/admin/devices/${first.deviceId}`]) {
      const res = await get(h, route, owner);
      expect([route, res.status]).toEqual([route, 200]);
      for (const secret of secrets) expect([route, res.text.includes(secret)]).toEqual([route, false]);
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });

  it("tells a device's history and finds devices by the start of their account's handle", async () => {
    const owner = await adminToken(h, 'owner');
    const first = await trustedFirstDevice(h);
    await post(h, `/v1/devices/${first.deviceId}/restrict`, { reason: 'odd signals' }, await adminToken(h, 'operator'));
    const history = await get(h, `/v1/admin/devices/${first.deviceId}/history`, owner);
    expect(history.status).toBe(200);
    expect(history.body.items.at(-1)).toMatchObject({ type: 'device.restricted', from: 'trusted', to: 'restricted', reason: 'odd signals', actor: { type: 'admin', role: 'operator' } });
    const found = await get(h, `/v1/admin/devices?accountHandle=${encodeURIComponent(first.handle.slice(0, 8).toUpperCase())}`, owner);
    expect(found.body.items.map((d: { deviceId: string }) => d.deviceId)).toContain(first.deviceId);
    const none = await get(h, '/v1/admin/devices?accountHandle=%25', owner);
    expect(none.body.items).toEqual([]);
  });
});
