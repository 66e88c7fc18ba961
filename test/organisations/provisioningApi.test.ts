/**
 * Provisioning over HTTP (POST/GET/PATCH /v1/orgs), for a service key with orgs:write: an
 * organisation is created with its settings, read, renamed and re-set, every change audited
 * with its before and after; every bad request is a problem+json naming what is wrong, changes
 * nothing, and leaves an audit record of the refusal.
 */
import request from 'supertest';
import { createServiceKey } from '../../src/trust/apiKeys.js';
import { SETTING_DEFAULTS } from '../../src/trust/organisations/settings.js';
import { adminToken, audits, enrollmentHarness, get, post, type Harness } from '../helpers/enrollmentHarness.js';
import { uniqueName } from '../helpers/env.js';

describe('provisioning organisations over HTTP', () => {
  let h: Harness;
  let platform: { id: string; token: string };
  beforeAll(async () => {
    h = await enrollmentHarness();
    platform = await createServiceKey(h.db, { name: 'provisioning', scopes: ['orgs:write', 'accounts:write'] }, { type: 'system', id: 'test' });
  });
  afterAll(() => h.close());

  const patch = (path: string, body: unknown, token = platform.token) => request(h.app).patch(path).set('authorization', `Bearer ${token}`).send(body as object);
  const orgs = async () => JSON.stringify((await h.db.query('SELECT * FROM organisations ORDER BY id')).rows);

  it('creates an organisation with its settings, and audits it with the key that asked', async () => {
    const res = await post(h, '/v1/orgs', { id: 'acme', name: 'Acme Corp', settings: { managed: true, require_managed_compliance: true } }, platform.token);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: 'acme', name: 'Acme Corp', settings: { ...SETTING_DEFAULTS, managed: true, require_managed_compliance: true }, createdAt: expect.any(String) });
    const [created] = (await h.db.query<{ org_id: string; actor: { type: string; id: string } }>(`SELECT org_id, actor FROM audit_events WHERE type = 'org.created' AND outcome = 'success'`)).rows;
    expect(created).toMatchObject({ org_id: 'acme', actor: { type: 'service', id: platform.id } });
    // The organisation is usable at once: a managed account in it.
    const account = await post(h, '/v1/accounts', { handle: uniqueName('acme-user'), org: 'acme' }, platform.token);
    expect([account.status, account.body.orgId]).toEqual([201, 'acme']);
    expect((await get(h, '/v1/orgs/acme', platform.token)).body).toEqual(res.body);
    const listed = await get(h, '/v1/orgs', platform.token);
    expect(listed.body.items.find((o: { id: string }) => o.id === 'acme')).toMatchObject({ id: 'acme', accounts: 1, activeAdminKeys: 0 });
  });

  it('renames and re-sets an organisation, audited with before and after', async () => {
    await post(h, '/v1/orgs', { id: 'beta', name: 'Beta' }, platform.token);
    const res = await patch('/v1/orgs/beta', { name: 'Beta Ltd', settings: { max_unlock_age_seconds: 120, replacement_approval: 'admin' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 'beta', name: 'Beta Ltd', settings: { ...SETTING_DEFAULTS, max_unlock_age_seconds: 120, replacement_approval: 'admin' } });
    const updated = (await audits(h, 'org.updated', 'success')).at(-1);
    expect(updated?.details).toEqual({
      before: { name: 'Beta', settings: SETTING_DEFAULTS },
      after: { name: 'Beta Ltd', settings: { ...SETTING_DEFAULTS, max_unlock_age_seconds: 120, replacement_approval: 'admin' } },
      changed: ['max_unlock_age_seconds', 'replacement_approval'],
    });
    const reset = await patch('/v1/orgs/beta', { settings: { max_unlock_age_seconds: null } });
    expect(reset.body.settings.max_unlock_age_seconds).toBe(SETTING_DEFAULTS.max_unlock_age_seconds);
  });

  const refusals: Array<[string, string, string, unknown, number, string, RegExp]> = [
    ['a malformed id', 'POST', '/v1/orgs', { id: 'Not An Id', name: 'x' }, 400, 'invalid_org_id', /organisation id is 2 to 64 lower-case.*got "Not An Id"/],
    ['a taken id', 'POST', '/v1/orgs', { id: 'taken', name: 'Someone else' }, 409, 'org_exists', /the id "taken" already exists/],
    ['a taken name', 'POST', '/v1/orgs', { id: 'fresh', name: 'Taken Inc' }, 409, 'org_name_taken', /already named "Taken Inc"/],
    ['an unknown field', 'POST', '/v1/orgs', { id: 'fresh', name: 'Fresh', owner: 'me' }, 400, 'invalid_request', /unknown field "owner"/],
    ['a missing name', 'POST', '/v1/orgs', { id: 'fresh' }, 400, 'invalid_request', /name/],
    ['settings that are not an object', 'POST', '/v1/orgs', { id: 'fresh', name: 'Fresh', settings: [true] }, 400, 'invalid_request', /\/settings must be object/],
    ['an unknown setting', 'POST', '/v1/orgs', { id: 'fresh', name: 'Fresh', settings: { max_session_age: 60 } }, 400, 'invalid_settings', /unknown setting "max_session_age"/],
    ['a wrong type', 'PATCH', '/v1/orgs/taken', { settings: { require_managed_compliance: 'true' } }, 400, 'invalid_settings', /require_managed_compliance must be true or false, got "true"/],
    ['a negative age', 'PATCH', '/v1/orgs/taken', { settings: { max_session_age_seconds: -60 } }, 400, 'invalid_settings', /max_session_age_seconds must be a whole number of seconds from 60 to 43200, got -60/],
    ['an absurd age', 'PATCH', '/v1/orgs/taken', { settings: { managed_max_age_seconds: 3153600000 } }, 400, 'invalid_settings', /managed_max_age_seconds must be a whole number of seconds from 300 to 7776000/],
    ['an unknown organisation', 'PATCH', '/v1/orgs/nowhere', { settings: { managed: true } }, 404, 'org_not_found', /no organisation "nowhere"/],
    ['a malformed id in the path', 'PATCH', '/v1/orgs/bad%20id', { settings: { managed: true } }, 400, 'invalid_org_id', /got "bad id"/],
    ['an unknown organisation, read', 'GET', '/v1/orgs/nowhere', undefined, 404, 'org_not_found', /no organisation "nowhere"/],
    ['a malformed id, read', 'GET', '/v1/orgs/Bad.Id', undefined, 400, 'invalid_org_id', /got "Bad.Id"/],
  ];

  it.each(refusals)('refuses %s: problem+json naming it, nothing changed, the refusal audited', async (_what, method, path, body, status, code, detail) => {
    if ((await h.db.query(`SELECT 1 FROM organisations WHERE id = 'taken'`)).rowCount === 0) {
      await post(h, '/v1/orgs', { id: 'taken', name: 'Taken Inc' }, platform.token);
    }
    const before = await orgs();
    const auditedBefore = (await h.db.query(`SELECT 1 FROM audit_events WHERE outcome = 'refused' AND type LIKE 'org.%'`)).rowCount;
    const res = method === 'POST' ? await post(h, path, body as object, platform.token) : method === 'PATCH' ? await patch(path, body) : await get(h, path, platform.token);
    expect([res.status, res.body.code]).toEqual([status, code]);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.detail).toMatch(detail);
    if (code === 'invalid_settings') expect(res.body.fields).toHaveLength(1);
    expect(await orgs()).toBe(before);
    expect((await h.db.query(`SELECT 1 FROM audit_events WHERE outcome = 'refused' AND type LIKE 'org.%'`)).rowCount).toBe(auditedBefore + 1);
  });

  it('is for service keys with orgs:write only', async () => {
    const before = await orgs();
    const decider = await createServiceKey(h.db, { name: 'decider', scopes: ['decisions:read', 'accounts:write'] }, { type: 'system', id: 'test' });
    const wrongScope = await post(h, '/v1/orgs', { id: 'sneaky', name: 'Sneaky' }, decider.token);
    expect([wrongScope.status, wrongScope.body.code]).toEqual([403, 'insufficient_scope']);
    const owner = await adminToken(h, 'owner');
    const admin = await post(h, '/v1/orgs', { id: 'sneaky', name: 'Sneaky' }, owner);
    expect([admin.status, admin.body.code]).toEqual([403, 'wrong_principal']);
    expect((await patch(`/v1/orgs/${h.org}`, { settings: { managed: true } }, owner)).status).toBe(403);
    expect((await post(h, '/v1/orgs', { id: 'sneaky', name: 'Sneaky' })).status).toBe(401);
    expect(await orgs()).toBe(before);
  });
});
