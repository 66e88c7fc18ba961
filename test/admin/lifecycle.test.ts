import type { Express } from 'express';
import type { Database } from '../../src/store/database.js';
import { listAudit } from '../../src/store/audit.js';
import { createServiceKey, revokeKey } from '../../src/trust/apiKeys.js';
import { createSession } from '../../src/trust/sessions.js';
import { adminTestbed, adminKey, auditCount, get, post, stateOf, SYSTEM } from '../helpers/admin.js';
import { seedAccount, seedDevice, seedOrg } from '../helpers/seed.js';

describe('operator lifecycle actions: restrict, unrestrict, retire', () => {
  let db: Database;
  let app: Express;
  let done: () => Promise<void>;
  let org: string;
  let other: string;
  let operator: { token: string; id: string };
  let account: string;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    ({ db, app, done } = await adminTestbed());
    org = await seedOrg(db);
    other = await seedOrg(db);
    operator = await adminKey(db, org, 'operator');
    for (const role of ['viewer', 'approver', 'auditor']) keys[role] = (await adminKey(db, org, role)).token;
    keys.otherOperator = (await adminKey(db, other, 'operator')).token;
    account = await seedAccount(db, org);
  });
  afterAll(() => done());

  const act = (token: string | null, deviceId: string, action: string, body: unknown = { reason: 'lost on a train' }) =>
    post(app, token, `/v1/devices/${deviceId}/${action}`, body);

  it('restricts, unrestricts and retires, each audited with the key, role and client address', async () => {
    const device = await seedDevice(db, account, { sessionAgeSeconds: 10 });
    const epoch0 = Number((await db.query<{ device_epoch: string }>('SELECT device_epoch FROM accounts WHERE id = $1', [account])).rows[0].device_epoch);
    const restricted = await act(operator.token, device, 'restrict', { reason: 'posture review' });
    expect(restricted.status).toBe(200);
    expect(restricted.body).toEqual({ deviceId: device, state: 'restricted', previousState: 'trusted', epoch: epoch0 });
    const back = await act(operator.token, device, 'unrestrict', { reason: 'review passed' });
    expect(back.body).toMatchObject({ state: 'trusted', previousState: 'restricted' });
    const retired = await act(operator.token, device, 'retire', { reason: 'left the company' });
    expect(retired.body).toMatchObject({ state: 'retired', previousState: 'trusted', epoch: epoch0 + 1 });
    expect(await stateOf(db, device)).toBe('retired');
    // Retiring ends its sessions and queues the fan-out.
    expect((await db.query('SELECT 1 FROM sessions WHERE device_id = $1 AND revoked_at IS NULL', [device])).rowCount).toBe(0);
    expect((await db.query('SELECT 1 FROM outbox WHERE device_id = $1', [device])).rowCount).toBe(3);
    const events = await listAudit(db, { deviceId: device, limit: 10 });
    expect(events.map((e) => [e.type, e.outcome, e.details.reason])).toEqual([
      ['device.restricted', 'success', 'posture review'],
      ['device.unrestricted', 'success', 'review passed'],
      ['device.retired', 'success', 'left the company'],
    ]);
    for (const e of events) {
      expect(e.orgId).toBe(org);
      expect(e.actor).toEqual({ type: 'admin', id: operator.id, role: 'operator', address: expect.stringMatching(/127\.0\.0\.1|::1/) });
    }
  });

  it.each(['viewer', 'approver', 'auditor'])('refuses a %s with 403, changes nothing, and audits the refusal', async (role) => {
    const device = await seedDevice(db, account);
    for (const action of ['restrict', 'retire']) {
      const res = await act(keys[role], device, action);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('insufficient_role');
    }
    expect(await stateOf(db, device)).toBe('trusted');
    expect((await db.query('SELECT 1 FROM outbox WHERE device_id = $1', [device])).rowCount).toBe(0);
    const refused = (await listAudit(db, { orgId: org, type: 'admin.refused', limit: 1000 })).filter((e) => e.details.requestedDeviceId === device);
    expect(refused.map((e) => [e.outcome, e.details.action, e.actor.role])).toEqual([
      ['refused', 'device.restrict', role], ['refused', 'device.retire', role],
    ]);
  });

  it("answers an operator of another organisation 404, as for a missing device, and changes nothing", async () => {
    const device = await seedDevice(db, account);
    const missing = 'dev_' + 'm'.repeat(32);
    const foreign = await act(keys.otherOperator, device, 'restrict');
    const absent = await act(keys.otherOperator, missing, 'restrict');
    expect(foreign.status).toBe(404);
    expect({ ...foreign.body, detail: foreign.body.detail.replace(device, 'ID') }).toEqual({ ...absent.body, detail: absent.body.detail.replace(missing, 'ID') });
    expect(await stateOf(db, device)).toBe('trusted');
    // The attempt is on the record of the organisation that owns the device.
    const attempts = await listAudit(db, { deviceId: device, limit: 10 });
    expect(attempts.map((e) => [e.type, e.outcome, e.orgId, e.details.refusal])).toEqual([['device.restricted', 'refused', org, 'device_not_found']]);
  });

  it('refuses service keys and device sessions with 403 (audited for actions), on every admin route', async () => {
    const device = await seedDevice(db, account);
    const service = (await createServiceKey(db, { name: 'ops', scopes: ['decisions:read', 'accounts:write'] }, SYSTEM)).token;
    const session = (await db.transaction((tx) => createSession(tx, { deviceId: device, accountId: account, userVerified: true }))).token;
    for (const token of [service, session]) {
      const res = await act(token, device, 'retire');
      expect([res.status, res.body.code]).toEqual([403, 'wrong_principal']);
      for (const path of ['/v1/admin/devices', `/v1/admin/devices/${device}`, '/v1/admin/audit', '/v1/admin/reports/trust-states']) {
        expect([path, (await get(app, token, path)).status]).toEqual([path, 403]);
      }
    }
    expect(await stateOf(db, device)).toBe('trusted');
    const refused = (await listAudit(db, { type: 'admin.refused', limit: 1000 })).filter((e) => e.details.requestedDeviceId === device);
    expect(refused.map((e) => e.actor.type)).toEqual(['service', 'device']);
  });

  it('refuses a revoked admin key with 401, changing nothing but the audit record of the refusal', async () => {
    const device = await seedDevice(db, account);
    const key = await adminKey(db, org, 'operator');
    await revokeKey(db, key.id, SYSTEM);
    const before = await auditCount(db);
    const res = await act(key.token, device, 'restrict');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('unauthenticated');
    expect(await stateOf(db, device)).toBe('trusted');
    expect(await auditCount(db)).toBe(before + 1);
    const refusal = await db.query(`SELECT type, org_id, actor->>'id' AS key FROM audit_events ORDER BY seq DESC LIMIT 1`);
    expect(refusal.rows[0]).toEqual({ type: 'auth.refused', org_id: org, key: key.id });
    // Audited once a minute per key at most: the next refusal is in the access log only.
    expect((await get(app, key.token, '/v1/admin/devices')).status).toBe(401);
    expect(await auditCount(db)).toBe(before + 1);
    expect((await act(null, device, 'restrict')).status).toBe(401);
    expect((await get(app, null, '/v1/admin/devices')).status).toBe(401);
  });

  it.each([
    ['no reason', {}],
    ['an empty reason', { reason: '' }],
    ['a reason that is not text', { reason: 42 }],
    ['a reason with control characters', { reason: 'a\u0000b' }],
    ['a reason that is too long', { reason: 'x'.repeat(501) }],
    ['an unknown field', { reason: 'ok', state: 'trusted' }],
    ['a body that is not an object', ['reason']],
  ])('answers %s with 400, changes nothing, and audits the refusal', async (_what, body) => {
    const device = await seedDevice(db, account);
    const before = await auditCount(db);
    const res = await act(operator.token, device, 'restrict', body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalid_request');
    expect(await stateOf(db, device)).toBe('trusted');
    expect(await auditCount(db)).toBe(before + 1);
    const last = (await db.query<{ type: string; actor: { id: string }; details: { refusal: string } }>('SELECT type, actor, details FROM audit_events ORDER BY seq DESC LIMIT 1')).rows[0];
    expect(last).toMatchObject({ type: 'request.refused', actor: { id: operator.id }, details: { refusal: 'invalid_request' } });
  });

  it('refuses actions that do not apply to the state with 409, audited; unrestrict never trusts a pending device', async () => {
    const pending = await seedDevice(db, account, { state: 'pending' });
    const trusted = await seedDevice(db, account);
    const retired = await seedDevice(db, account, { state: 'retired' });
    for (const [device, action] of [[pending, 'unrestrict'], [pending, 'restrict'], [trusted, 'unrestrict'], [retired, 'retire'], [retired, 'restrict']] as const) {
      const res = await act(operator.token, device, action);
      expect([action, res.status, res.body.code]).toEqual([action, 409, 'invalid_transition']);
    }
    expect(await stateOf(db, pending)).toBe('pending');
    expect(await stateOf(db, trusted)).toBe('trusted');
    const refusals = await listAudit(db, { deviceId: pending, limit: 10 });
    expect(refusals.map((e) => [e.type, e.outcome])).toEqual([['device.unrestricted', 'refused'], ['device.restricted', 'refused']]);
  });

  it('lets exactly one of two concurrent restrictions win', async () => {
    const device = await seedDevice(db, account);
    const results = await Promise.all([act(operator.token, device, 'restrict'), act(operator.token, device, 'restrict')]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await stateOf(db, device)).toBe('restricted');
  });

  it('refuses a malformed device id as not found', async () => {
    const res = await act(operator.token, 'not-a-device', 'restrict');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('device_not_found');
  });
});
