import request from 'supertest';
import { seedAccount, seedDevice, seedOrg } from '../helpers/seed.js';
import { adminToken, lastAudit, managedClaims, sessionFor, signalTestEnv, storedSignals, testSigner, type SignalTestEnv } from '../helpers/signals.js';

const AUDIT = 'device.signals_reported';
const POSTURE = { osName: 'android', osVersion: '16', patchAgeDays: 12, screenLock: true, biometrics: false, appVersion: '1.4.0' };

describe('posture reports from the device session', () => {
  let env: SignalTestEnv;
  let org: string;

  beforeAll(async () => {
    env = await signalTestEnv();
    org = await seedOrg(env.db);
  });
  afterAll(() => env.close());

  const deviceWithSession = async (state: 'trusted' | 'restricted' = 'trusted') => {
    const account = await seedAccount(env.db, org);
    const dev = await seedDevice(env.db, account, { state });
    return { dev, account, token: await sessionFor(env.db, dev, account) };
  };
  const send = (deviceId: string, token: string, body: unknown) =>
    request(env.app).post(`/v1/devices/${deviceId}/signals`).set('authorization', `Bearer ${token}`).send(body as object);

  it('stores the report as unverified, and audits it', async () => {
    const { dev, token } = await deviceWithSession('restricted');
    const res = await send(dev, token, { posture: POSTURE });
    expect(res.status).toBe(201);
    expect(res.body.signals).toEqual([expect.objectContaining({ kind: 'posture', verified: false, status: null, issuer: null })]);
    const row = await env.db.query<{ payload: unknown; verified: boolean }>("SELECT payload, verified FROM signals WHERE device_id = $1", [dev]);
    expect(row.rows).toEqual([{ verified: false, payload: { os_name: 'android', os_version: '16', patch_age_days: 12, screen_lock: true, biometrics: false, app_version: '1.4.0' } }]);
    expect(await lastAudit(env.db, AUDIT, dev)).toMatchObject({ outcome: 'success', actor: { type: 'device', id: dev }, details: { signals: [{ kind: 'posture', verified: false }] } });
  });

  it.each([
    ['an unknown posture field', { posture: { ...POSTURE, jailbroken: false } }, 400, 'invalid_request'],
    ['a wrong type', { posture: { screenLock: 'yes' } }, 400, 'invalid_request'],
    ['a negative patch age', { posture: { patchAgeDays: -1 } }, 400, 'invalid_request'],
    ['an empty report', { posture: {} }, 400, 'invalid_request'],
    ['an oversized field', { posture: { osName: 'x'.repeat(65) } }, 400, 'invalid_request'],
    ['a signed statement from a device session', { managedStatement: 'a.b.c' }, 403, 'wrong_principal'],
  ])('refuses %s, audits it, and stores nothing', async (_what, body, status, code) => {
    const { dev, token } = await deviceWithSession();
    const res = await send(dev, token, body);
    expect([res.status, res.body.code]).toEqual([status, code]);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await storedSignals(env.db, dev)).toEqual([]);
    expect(await lastAudit(env.db, AUDIT, dev)).toMatchObject({ outcome: 'refused', details: { refusal: code } });
  });

  it("refuses a session reporting another device's posture, even in the same account", async () => {
    const { account, token } = await deviceWithSession();
    const sibling = await seedDevice(env.db, account);
    const res = await send(sibling, token, { posture: POSTURE });
    expect([res.status, res.body.code]).toEqual([403, 'not_own_device']);
    expect(await storedSignals(env.db, sibling)).toEqual([]);
    expect(await lastAudit(env.db, AUDIT, sibling)).toMatchObject({ outcome: 'refused', details: { refusal: 'not_own_device' } });
  });

  it('refuses posture from a service key or an admin key', async () => {
    const dev = await seedDevice(env.db, await seedAccount(env.db, org));
    const fromService = await send(dev, env.relayToken, { posture: POSTURE });
    expect([fromService.status, fromService.body.code]).toEqual([403, 'wrong_principal']);
    const fromAdmin = await send(dev, await adminToken(env.db, org), { posture: POSTURE });
    expect([fromAdmin.status, fromAdmin.body.code]).toEqual([403, 'wrong_principal']);
    expect(await storedSignals(env.db, dev)).toEqual([]);
  });

  it('refuses a posture report mixed with a statement from the relay', async () => {
    const dev = await seedDevice(env.db, await seedAccount(env.db, org));
    const k = await testSigner('ES256');
    const res = await send(dev, env.relayToken, { posture: POSTURE, managedStatement: await k.sign(managedClaims(dev)) });
    expect([res.status, res.body.code]).toEqual([403, 'wrong_principal']);
  });

  it('answers a request without a token with 401 and stores nothing', async () => {
    const { dev } = await deviceWithSession();
    const res = await request(env.app).post(`/v1/devices/${dev}/signals`).send({ posture: POSTURE });
    expect([res.status, res.body.code]).toEqual([401, 'unauthenticated']);
    expect(await storedSignals(env.db, dev)).toEqual([]);
  });
});
