import request from 'supertest';
import { uniqueName } from '../helpers/env.js';
import { seedAccount, seedDevice, seedOrg } from '../helpers/seed.js';
import {
  adminToken, AUDIENCE, configureSource, lastAudit, OS_ISSUER, signalTestEnv, storedSignals, testSigner,
  type SignalTestEnv, type TestSigner,
} from '../helpers/signals.js';
import { createServiceKey } from '../../src/trust/apiKeys.js';

const AUDIT = 'device.signals_reported';

describe('Enigm OS integrity attestations and their nonces', () => {
  let env: SignalTestEnv;
  let org: string;
  let os: TestSigner;

  beforeAll(async () => {
    env = await signalTestEnv();
    org = await seedOrg(env.db);
    os = await testSigner('EdDSA');
    await configureSource(env, org, 'os_integrity', { issuer: OS_ISSUER, jwks: { keys: [os.publicJwk] } });
  });
  afterAll(() => env.close());

  const device = async (o = org) => seedDevice(env.db, await seedAccount(env.db, o));
  const nonceFor = async (deviceId: string, token = env.relayToken) =>
    request(env.app).post(`/v1/devices/${deviceId}/signals/nonce`).set('authorization', `Bearer ${token}`).send();
  const freshNonce = async (deviceId: string): Promise<string> => {
    const res = await nonceFor(deviceId);
    expect(res.status).toBe(201);
    return res.body.nonce as string;
  };
  const send = (deviceId: string, body: unknown) =>
    request(env.app).post(`/v1/devices/${deviceId}/signals`).set('authorization', `Bearer ${env.relayToken}`).send(body as object);
  const attestation = (deviceId: string, nonce: string, status = 'pass', extra: Record<string, unknown> = {}) =>
    os.sign({ iss: OS_ISSUER, aud: AUDIENCE, sub: deviceId, nonce, status, measurements: { verified_boot: true, boot_state: 'green', os_build: 'enigm-os-3.2.1' }, ...extra });

  it('issues a nonce with a short lifetime, to a service key with signals:write only', async () => {
    const dev = await device();
    const res = await nonceFor(dev);
    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({ deviceId: dev, nonce: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), ttlSeconds: 300 });
    expect(Date.parse(res.body.expiresAt) - Date.now()).toBeLessThanOrEqual(300_000);
    const reader = (await createServiceKey(env.db, { name: uniqueName('reader'), scopes: ['decisions:read'] }, { type: 'system' })).token;
    expect((await nonceFor(dev, reader)).status).toBe(403);
    expect((await nonceFor(dev, await adminToken(env.db, org))).status).toBe(403);
    expect((await nonceFor('dev_doesnotexist')).status).toBe(404);
  });

  it('refuses a nonce where no attestation could verify', async () => {
    const bare = await seedOrg(env.db);
    const res = await nonceFor(await device(bare));
    expect([res.status, res.body.code]).toEqual([422, 'signal_source_not_configured']);
  });

  it('stores a verified attestation with its measurements, bound to device and nonce', async () => {
    const dev = await device();
    const res = await send(dev, { osIntegrity: await attestation(dev, await freshNonce(dev), 'fail') });
    expect(res.status).toBe(201);
    expect(res.body.signals).toEqual([expect.objectContaining({ kind: 'os_integrity', verified: true, status: 'fail', issuer: OS_ISSUER })]);
    const row = await env.db.query<{ payload: { measurements: unknown } }>("SELECT payload FROM signals WHERE device_id = $1 AND kind = 'os_integrity'", [dev]);
    expect(row.rows[0].payload.measurements).toEqual({ verified_boot: true, boot_state: 'green', os_build: 'enigm-os-3.2.1' });
    expect(await lastAudit(env.db, AUDIT, dev)).toMatchObject({ outcome: 'success', details: { signals: [{ kind: 'os_integrity', status: 'fail' }] } });
  });

  const cases: Array<[string, (dev: string) => Promise<unknown>, number, string]> = [
    ['a replayed nonce', async (dev) => {
      const nonce = await freshNonce(dev);
      expect((await send(dev, { osIntegrity: await attestation(dev, nonce) })).status).toBe(201);
      return { osIntegrity: await attestation(dev, nonce, 'pass', { iat: Math.floor(Date.now() / 1000) + 1 }) };
    }, 422, 'unknown_nonce'],
    ['the very same attestation twice', async (dev) => {
      const token = await attestation(dev, await freshNonce(dev));
      expect((await send(dev, { osIntegrity: token })).status).toBe(201);
      return { osIntegrity: token };
    }, 422, 'unknown_nonce'],
    ['an unknown nonce', async (dev) => ({ osIntegrity: await attestation(dev, 'A'.repeat(43)) }), 422, 'unknown_nonce'],
    ['a nonce issued for another device', async (dev) => {
      const other = await device();
      return { osIntegrity: await attestation(dev, await freshNonce(other)) };
    }, 422, 'wrong_device'],
    ["another device's attestation", async () => {
      const other = await device();
      return { osIntegrity: await attestation(other, await freshNonce(other)) };
    }, 422, 'wrong_device'],
    ['an attestation without a nonce', async (dev) => ({ osIntegrity: await os.sign({ iss: OS_ISSUER, aud: AUDIENCE, sub: dev, status: 'pass' }) }), 422, 'missing_claim'],
    ['an attestation made before its nonce', async (dev) => ({ osIntegrity: await attestation(dev, await freshNonce(dev), 'pass', { iat: Math.floor(Date.now() / 1000) - 600 }) }), 422, 'too_old'],
    ['an attestation older than the 1 hour maximum age', async (dev) => ({ osIntegrity: await attestation(dev, await freshNonce(dev), 'pass', { iat: Math.floor(Date.now() / 1000) - 7200 }) }), 422, 'too_old'],
    ['a bad signature', async (dev) => ({ osIntegrity: await (await testSigner('EdDSA', os.kid)).sign({ iss: OS_ISSUER, aud: AUDIENCE, sub: dev, nonce: await freshNonce(dev), status: 'pass' }) }), 422, 'bad_signature'],
    ['a wrong issuer', async (dev) => ({ osIntegrity: await attestation(dev, await freshNonce(dev), 'pass', { iss: 'https://not-enigm-os.test' }) }), 422, 'wrong_issuer'],
    ['an expired attestation', async (dev) => ({ osIntegrity: await attestation(dev, await freshNonce(dev), 'pass', { exp: Math.floor(Date.now() / 1000) - 120 }) }), 422, 'expired'],
    ['a status other than pass or fail', async (dev) => ({ osIntegrity: await attestation(dev, await freshNonce(dev), 'compliant') }), 422, 'invalid_claim'],
    ['measurements that are not flat metadata', async (dev) => ({ osIntegrity: await attestation(dev, await freshNonce(dev), 'pass', { measurements: { pcrs: [1, 2, 3] } }) }), 422, 'invalid_claim'],
    ['a managed statement where only attestation keys are configured', async (dev) => ({ managedStatement: await os.sign({ iss: OS_ISSUER, aud: AUDIENCE, sub: dev, status: 'compliant' }) }), 422, 'signal_source_not_configured'],
    ['a malformed token', async () => ({ osIntegrity: 'a.b' }), 400, 'malformed_token'],
  ];

  it.each(cases)('refuses %s with a reason, audits it, and stores nothing', async (_what, body, status, code) => {
    const dev = await device();
    const payload = await body(dev);
    const before = await storedSignals(env.db, dev);
    const res = await send(dev, payload);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code, detail: expect.any(String) });
    expect(await storedSignals(env.db, dev)).toEqual(before);
    expect(await lastAudit(env.db, AUDIT, dev)).toMatchObject({ outcome: 'refused', details: { refusal: code } });
  });

  it('lets exactly one of two concurrent uses of a nonce through', async () => {
    const dev = await device();
    const nonce = await freshNonce(dev);
    const t = Math.floor(Date.now() / 1000);
    const [a, b] = await Promise.all([
      send(dev, { osIntegrity: await attestation(dev, nonce, 'pass', { iat: t }) }),
      send(dev, { osIntegrity: await attestation(dev, nonce, 'pass', { iat: t - 1 }) }),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 422]);
    expect((await storedSignals(env.db, dev)).length).toBe(1);
  });

  it('keeps the nonce usable when a forged attestation is refused first', async () => {
    const dev = await device();
    const nonce = await freshNonce(dev);
    const forged = await (await testSigner('EdDSA', os.kid)).sign({ iss: OS_ISSUER, aud: AUDIENCE, sub: dev, nonce, status: 'fail' });
    expect((await send(dev, { osIntegrity: forged })).body.code).toBe('bad_signature');
    expect((await send(dev, { osIntegrity: await attestation(dev, nonce) })).status).toBe(201);
  });

  it('stores a managed statement and an attestation together, or neither', async () => {
    const mdm = await testSigner('ES256');
    const o = await seedOrg(env.db, { managed: true });
    await configureSource(env, o, 'managed', { issuer: 'urn:mdm', jwks: { keys: [mdm.publicJwk] } });
    await configureSource(env, o, 'os_integrity', { issuer: OS_ISSUER, jwks: { keys: [os.publicJwk] } });
    const dev = await device(o);
    const managedStatement = await mdm.sign({ iss: 'urn:mdm', aud: AUDIENCE, sub: dev, status: 'compliant' });
    // Each kind verifies against its own key set: the attestation key cannot vouch for compliance.
    const crossKind = await send(dev, { managedStatement: await os.sign({ iss: 'urn:mdm', aud: AUDIENCE, sub: dev, status: 'compliant' }) });
    expect([crossKind.status, crossKind.body.code]).toEqual([422, 'unknown_key_id']);
    const bad = await send(dev, { managedStatement, osIntegrity: await attestation(dev, 'B'.repeat(43)) });
    expect([bad.status, bad.body.code, bad.body.signal]).toEqual([422, 'unknown_nonce', 'osIntegrity']);
    expect(await storedSignals(env.db, dev)).toEqual([]);
    const good = await send(dev, { managedStatement, osIntegrity: await attestation(dev, await freshNonce(dev)) });
    expect(good.status).toBe(201);
    expect((await storedSignals(env.db, dev)).map((s) => s.kind).sort()).toEqual(['managed', 'os_integrity']);
  });
});
