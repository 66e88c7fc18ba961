import request from 'supertest';
import { loadDeviceContext } from '../../src/trust/deviceContext.js';
import { buildDecisionInput } from '../../src/trust/policyInput.js';
import { seedAccount, seedDevice, seedOrg } from '../helpers/seed.js';
import {
  AUDIENCE, configureSource, managedClaims, MDM_ISSUER, OS_ISSUER, sessionFor, signalTestEnv, testSigner,
  type SignalTestEnv, type TestSigner,
} from '../helpers/signals.js';

/** End to end: a stored signal changes the next POST /v1/decisions exactly as the policy says. */
describe('signals in decisions', () => {
  let env: SignalTestEnv;
  let managedOrg: string;
  let plainOrg: string;
  let mdm: TestSigner;
  let os: TestSigner;

  beforeAll(async () => {
    env = await signalTestEnv();
    mdm = await testSigner('ES256');
    os = await testSigner('EdDSA');
    managedOrg = await seedOrg(env.db, { managed: true, settings: { require_managed_compliance: true } });
    plainOrg = await seedOrg(env.db);
    for (const org of [managedOrg, plainOrg]) {
      await configureSource(env, org, 'managed', { issuer: MDM_ISSUER, maxAgeSeconds: 3600, jwks: { keys: [mdm.publicJwk] } });
      await configureSource(env, org, 'os_integrity', { issuer: OS_ISSUER, jwks: { keys: [os.publicJwk] } });
    }
  });
  afterAll(() => env.close());

  /** A device ready for high-risk actions: fresh user-verified session, recent verified unlock. */
  const device = async (org: string, state: 'trusted' | 'restricted' = 'trusted') => {
    const accountId = await seedAccount(env.db, org);
    const deviceId = await seedDevice(env.db, accountId, { state, sessionAgeSeconds: 30, unlockAgeSeconds: 30 });
    return { accountId, deviceId };
  };
  const decide = async (d: { accountId: string; deviceId: string }, action: string) => {
    const res = await request(env.app).post('/v1/decisions').set('authorization', `Bearer ${env.relayToken}`).send({ ...d, action });
    expect(res.status).toBe(200);
    return res.body as { allow: boolean; reasons: string[]; obligations: string[] };
  };
  const signal = async (deviceId: string, body: unknown, token = env.relayToken) => {
    const res = await request(env.app).post(`/v1/devices/${deviceId}/signals`).set('authorization', `Bearer ${token}`).send(body as object);
    expect(res.status).toBe(201);
  };
  const now = () => Math.floor(Date.now() / 1000);
  const managed = (deviceId: string, status: string, ageSeconds = 60, exp?: number) =>
    mdm.sign({ ...managedClaims(deviceId, status), iat: now() - ageSeconds, ...(exp === undefined ? {} : { exp }) });
  const attest = async (deviceId: string, status: 'pass' | 'fail') => {
    const n = await request(env.app).post(`/v1/devices/${deviceId}/signals/nonce`).set('authorization', `Bearer ${env.relayToken}`).send();
    return os.sign({ iss: OS_ISSUER, aud: AUDIENCE, sub: deviceId, nonce: n.body.nonce, status });
  };

  it('managed org requiring compliance: no key access or history sync without a fresh compliant statement', async () => {
    const d = await device(managedOrg);
    for (const action of ['keys.access', 'sync.history']) {
      const r = await decide(d, action);
      expect(r).toMatchObject({ allow: false, obligations: ['refresh_managed_status'] });
      expect(r.reasons).toEqual(expect.arrayContaining(['managed_compliance_required', 'managed_statement_missing']));
    }
    expect((await decide(d, 'message.receive')).allow).toBe(true);

    await signal(d.deviceId, { managedStatement: await managed(d.deviceId, 'compliant', 120) });
    expect(await decide(d, 'keys.access')).toMatchObject({ allow: true, reasons: ['device_trusted'] });
    expect((await decide(d, 'sync.history')).allow).toBe(true);

    await signal(d.deviceId, { managedStatement: await managed(d.deviceId, 'noncompliant', 30) });
    const after = await decide(d, 'keys.access');
    expect(after.allow).toBe(false);
    expect(after.reasons).toContain('managed_device_noncompliant');
    expect((await decide(d, 'message.receive')).allow).toBe(true);
  });

  it('a managed status of unknown does not grant key access', async () => {
    const d = await device(managedOrg);
    await signal(d.deviceId, { managedStatement: await managed(d.deviceId, 'unknown') });
    expect((await decide(d, 'keys.access')).reasons).toContain('managed_device_noncompliant');
  });

  it('a compliant statement goes stale at the configured maximum age, and at its own exp', async () => {
    const d = await device(managedOrg);
    await signal(d.deviceId, { managedStatement: await managed(d.deviceId, 'compliant', 1800, now() + 600) });
    const ctx = await loadDeviceContext(env.db, d.deviceId);
    const at = (s: number) => buildDecisionInput(ctx!, 'keys.access', new Date(Date.now() + s * 1000)).signals.managed;
    expect(at(0)).toMatchObject({ present: true, verified: true, fresh: true, status: 'compliant', issuer: MDM_ISSUER });
    expect(at(700).fresh).toBe(false); // past exp, though within the 1 h maximum age
    const d2 = await device(managedOrg);
    await signal(d2.deviceId, { managedStatement: await managed(d2.deviceId, 'compliant', 1800, now() + 86400) });
    const ctx2 = await loadDeviceContext(env.db, d2.deviceId);
    expect(buildDecisionInput(ctx2!, 'keys.access', new Date(Date.now() + 1700_000)).signals.managed.fresh).toBe(true);
    expect(buildDecisionInput(ctx2!, 'keys.access', new Date(Date.now() + 1900_000)).signals.managed.fresh).toBe(false); // older than 3600 s
  });

  it('an organisation that does not require compliance ignores managed statements for key access', async () => {
    const d = await device(plainOrg);
    expect((await decide(d, 'keys.access')).allow).toBe(true);
    await signal(d.deviceId, { managedStatement: await managed(d.deviceId, 'noncompliant') });
    expect((await decide(d, 'keys.access')).allow).toBe(true);
  });

  it('no OS integrity signal changes nothing; a verified failure restricts; a later pass lifts it', async () => {
    const d = await device(plainOrg);
    const baseline = await decide(d, 'keys.access');
    expect(baseline).toMatchObject({ allow: true, reasons: ['device_trusted'] });

    await signal(d.deviceId, { osIntegrity: await attest(d.deviceId, 'fail') });
    const keys = await decide(d, 'keys.access');
    expect(keys.allow).toBe(false);
    expect(keys.reasons).toEqual(expect.arrayContaining(['os_integrity_failed', 'key_access_not_allowed_when_restricted']));
    expect((await decide(d, 'sync.history')).allow).toBe(false);
    expect(await decide(d, 'message.receive')).toMatchObject({ allow: true, reasons: ['device_restricted', 'os_integrity_failed'] });

    await signal(d.deviceId, { osIntegrity: await attest(d.deviceId, 'pass') });
    expect(await decide(d, 'keys.access')).toMatchObject({ allow: true, reasons: ['device_trusted'] });
  });

  it('a verified OS integrity pass never lifts a restricted device', async () => {
    const d = await device(plainOrg, 'restricted');
    await signal(d.deviceId, { osIntegrity: await attest(d.deviceId, 'pass') });
    expect((await decide(d, 'keys.access')).reasons).toContain('key_access_not_allowed_when_restricted');
  });

  it('unverified posture never raises trust, and a missing screen lock only prompts', async () => {
    const restricted = await device(plainOrg, 'restricted');
    const glowing = { osName: 'android', osVersion: '16', patchAgeDays: 0, screenLock: true, biometrics: true, appVersion: '9.9.9' };
    await signal(restricted.deviceId, { posture: glowing }, await sessionFor(env.db, restricted.deviceId, restricted.accountId));
    expect((await decide(restricted, 'keys.access')).allow).toBe(false);

    const managedDevice = await device(managedOrg);
    await signal(managedDevice.deviceId, { posture: glowing }, await sessionFor(env.db, managedDevice.deviceId, managedDevice.accountId));
    expect((await decide(managedDevice, 'keys.access')).reasons).toContain('managed_statement_missing');

    const locked = await device(plainOrg);
    await signal(locked.deviceId, { posture: { ...glowing, screenLock: false } }, await sessionFor(env.db, locked.deviceId, locked.accountId));
    expect(await decide(locked, 'message.receive')).toMatchObject({ allow: true, obligations: ['prompt_screen_lock'] });
    const ctx = await loadDeviceContext(env.db, locked.deviceId);
    expect(buildDecisionInput(ctx!, 'message.receive', new Date()).signals.posture).toMatchObject({ present: true, verified: false, screen_lock: false, os_name: 'android' });
  });
});
