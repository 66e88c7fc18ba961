/**
 * Self-service admin keys: an owner issues its organisation's admin keys (the token shown
 * once), lists and revokes them — never for another organisation, never a role above its own,
 * never the last owner key; no other role may; every refusal changes nothing and is audited,
 * the use of a revoked key included.
 */
import type { Express } from 'express';
import request from 'supertest';
import type { Database } from '../../src/store/database.js';
import { authenticateKey, createServiceKey } from '../../src/trust/apiKeys.js';
import { ADMIN_ROLES, may } from '../../src/trust/admin/roles.js';
import { adminKey, adminTestbed, expectAdminSchema, get, post, SYSTEM } from '../helpers/admin.js';
import { seedAccount, seedDevice, seedOrg } from '../helpers/seed.js';

describe('admin keys issued by the owner', () => {
  let db: Database;
  let app: Express;
  let done: () => Promise<void>;
  let org: string;
  let other: string;
  let owner: { id: string; token: string };

  beforeAll(async () => {
    ({ db, app, done } = await adminTestbed());
    org = await seedOrg(db);
    other = await seedOrg(db);
    owner = await adminKey(db, org, 'owner');
  });
  afterAll(() => done());

  const del = (path: string, token: string) => request(app).delete(path).set('authorization', `Bearer ${token}`);
  const keys = async () => JSON.stringify((await db.query('SELECT id, org_id, role, revoked_at FROM api_keys ORDER BY id')).rows);
  const lastAudit = async (type: string) => (await db.query<{ outcome: string; org_id: string | null; actor: Record<string, unknown>; details: Record<string, unknown> }>(
    'SELECT outcome, org_id, actor, details FROM audit_events WHERE type = $1 ORDER BY seq DESC LIMIT 1', [type])).rows[0];

  it('issues operator, approver and auditor keys, each token shown once and working in its role only', async () => {
    const issued: Record<string, string> = {};
    for (const role of ['operator', 'approver', 'auditor']) {
      const res = await post(app, owner.token, '/v1/admin/keys', { role, name: `${role} of the night shift` });
      expect(res.status).toBe(201);
      expect(res.headers['cache-control']).toBe('no-store');
      expectAdminSchema('admin-key-created', res.body);
      expect(res.body).toMatchObject({ role, name: `${role} of the night shift`, revokedAt: null, token: expect.stringMatching(/^eak_/) });
      expect(await authenticateKey(db, res.body.token)).toMatchObject({ id: res.body.id, kind: 'admin', orgId: org, role });
      expect(await lastAudit('key.created')).toMatchObject({ outcome: 'success', org_id: org, actor: { type: 'admin', id: owner.id, role: 'owner' }, details: { keyId: res.body.id, role } });
      issued[role] = res.body.token;
    }
    const device = await seedDevice(db, await seedAccount(db, org));
    expect((await post(app, issued.operator, `/v1/devices/${device}/restrict`, { reason: 'checking' })).status).toBe(200);
    expect((await post(app, issued.approver, `/v1/devices/${device}/unrestrict`, { reason: 'checking' })).status).toBe(403);
    expect((await get(app, issued.auditor, '/v1/admin/audit')).status).toBe(200);
    expect((await get(app, issued.auditor, '/v1/admin/devices')).status).toBe(403);

    const list = await get(app, owner.token, '/v1/admin/keys');
    expect(list.status).toBe(200);
    expectAdminSchema('admin-key-list', list.body);
    expect(list.body.items.map((k: { role: string }) => k.role)).toEqual(['owner', 'operator', 'approver', 'auditor']);
    for (const token of Object.values(issued)) expect(list.text).not.toContain(token.slice(4));
  });

  it('lets an owner issue another owner key, the highest role there is, and no role outside the matrix', async () => {
    const res = await post(app, owner.token, '/v1/admin/keys', { role: 'owner' });
    expect([res.status, res.body.name]).toEqual([201, `${org} owner`]);
    const bad = await post(app, owner.token, '/v1/admin/keys', { role: 'root' });
    expect([bad.status, bad.body.code]).toEqual([400, 'invalid_request']);
    expect(bad.body.detail).toMatch(/\/role must be one of owner, operator, approver, viewer, auditor/);
  });

  it.each([
    ['a key for another organisation', () => ({ role: 'viewer', org: 'elsewhere' }), /unknown field "org"/],
    ['a key for another organisation, by id', () => ({ role: 'viewer', orgId: 'elsewhere' }), /unknown field "orgId"/],
    ['a body that is not an object', () => ['viewer'], /must be object/],
    ['no role', () => ({ name: 'nameless' }), /role/],
    ['a name with a control character', () => ({ role: 'viewer', name: 'two\nlines' }), /key name/],
  ])('refuses %s, writing no key and auditing the refusal', async (_what, body, detail) => {
    const before = await keys();
    const res = await post(app, owner.token, '/v1/admin/keys', body());
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.detail).toMatch(detail);
    expect(await keys()).toBe(before);
    expect(await lastAudit('key.created')).toMatchObject({ outcome: 'refused', org_id: org, actor: { id: owner.id } });
  });

  it('refuses every other role, an owner key above all: 403, nothing written, the refusal audited', async () => {
    for (const role of ADMIN_ROLES.filter((r) => !may(r, 'keys.manage'))) {
      const token = (await adminKey(db, org, role)).token;
      const before = await keys();
      for (const wanted of ['owner', role, 'viewer']) {
        const res = await post(app, token, '/v1/admin/keys', { role: wanted });
        expect([role, wanted, res.status, res.body.code]).toEqual([role, wanted, 403, 'insufficient_role']);
        expect(await lastAudit('admin.refused')).toMatchObject({ org_id: org, actor: { role }, details: { action: 'key.created', refusal: 'insufficient_role' } });
      }
      expect((await get(app, token, '/v1/admin/keys')).status).toBe(403);
      expect((await del(`/v1/admin/keys/${owner.id}`, token)).status).toBe(403);
      expect(await keys()).toBe(before);
    }
    const service = await createServiceKey(db, { name: 'platform', scopes: ['orgs:write'] }, SYSTEM);
    expect((await post(app, service.token, '/v1/admin/keys', { role: 'owner' })).body.code).toBe('wrong_principal');
  });

  it("revokes its organisation's keys, never another organisation's, a service key, or its last owner key", async () => {
    const viewer = await adminKey(db, org, 'viewer');
    const res = await del(`/v1/admin/keys/${viewer.id}`, owner.token);
    expect([res.status, res.body.alreadyRevoked]).toEqual([200, false]);
    expectAdminSchema('admin-key-revoked', res.body);
    expect(await authenticateKey(db, viewer.token)).toBeNull();
    expect((await del(`/v1/admin/keys/${viewer.id}`, owner.token)).body.alreadyRevoked).toBe(true);

    const theirs = await adminKey(db, other, 'viewer');
    const service = await createServiceKey(db, { name: 'decider', scopes: ['decisions:read'] }, SYSTEM);
    for (const id of [theirs.id, service.id, 'key_nonexistent', 'not-a-key-id']) {
      const before = await keys();
      const refused = await del(`/v1/admin/keys/${encodeURIComponent(id)}`, owner.token);
      expect([id, refused.status, refused.body.code]).toEqual([id, 404, 'key_not_found']);
      expect(await keys()).toBe(before);
      expect(await lastAudit('key.revoked')).toMatchObject({ outcome: 'refused', org_id: org, details: { refusal: 'key_not_found' } });
    }
  });

  it('never revokes the last owner key, and a revoked owner key is refused and audited when used', async () => {
    const lone = await seedOrg(db);
    const first = await adminKey(db, lone, 'owner');
    const last = await del(`/v1/admin/keys/${first.id}`, first.token);
    expect([last.status, last.body.code]).toEqual([409, 'last_owner_key']);
    expect(await authenticateKey(db, first.token)).not.toBeNull();
    expect(await lastAudit('key.revoked')).toMatchObject({ outcome: 'refused', org_id: lone, details: { refusal: 'last_owner_key' } });

    const second = (await post(app, first.token, '/v1/admin/keys', { role: 'owner' })).body as { id: string; token: string };
    expect((await del(`/v1/admin/keys/${first.id}`, second.token)).status).toBe(200);
    const before = await keys();
    const revoked = await post(app, first.token, '/v1/admin/keys', { role: 'operator' });
    expect([revoked.status, revoked.body.code]).toEqual([401, 'unauthenticated']);
    expect(await keys()).toBe(before);
    expect(await lastAudit('auth.refused')).toMatchObject({
      outcome: 'refused', org_id: lone, actor: { type: 'admin', id: first.id, role: 'owner' }, details: { refusal: 'key_revoked', method: 'POST', path: '/v1/admin/keys' },
    });
    // The remaining owner is now the last one.
    expect((await del(`/v1/admin/keys/${second.id}`, second.token)).body.code).toBe('last_owner_key');
  });
});
