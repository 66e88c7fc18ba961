import request from 'supertest';
import { uniqueName } from '../helpers/env.js';
import { seedAccount, seedDevice, seedOrg } from '../helpers/seed.js';
import {
  AUDIENCE, configureSource, lastAudit, managedClaims, MDM_ISSUER, signalTestEnv, storedSignals, testSigner,
  type SignalTestEnv, type TestSigner,
} from '../helpers/signals.js';

const AUDIT = 'device.signals_reported';

describe('managed-device statements through POST /v1/devices/{id}/signals', () => {
  let env: SignalTestEnv;
  let org: string;
  let es: TestSigner;
  let ed: TestSigner;

  beforeAll(async () => {
    env = await signalTestEnv();
    org = await seedOrg(env.db, { managed: true, settings: { require_managed_compliance: true } });
    es = await testSigner('ES256');
    ed = await testSigner('EdDSA');
    await configureSource(env, org, 'managed', { issuer: MDM_ISSUER, jwks: { keys: [es.publicJwk, ed.publicJwk] } });
  });
  afterAll(() => env.close());

  const device = async (o = org) => seedDevice(env.db, await seedAccount(env.db, o));
  const send = (deviceId: string, body: unknown, token: string | null = env.relayToken) => {
    const r = request(env.app).post(`/v1/devices/${deviceId}/signals`);
    return (token === null ? r : r.set('authorization', `Bearer ${token}`)).send(body as object);
  };

  it.each([['ES256'], ['EdDSA']])('stores a verified %s statement and audits it', async (alg) => {
    const signer = alg === 'ES256' ? es : ed;
    const dev = await device();
    const token = await signer.sign(managedClaims(dev, 'noncompliant'));
    const res = await send(dev, { managedStatement: token });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ deviceId: dev, signals: [{ kind: 'managed', verified: true, status: 'noncompliant', issuer: MDM_ISSUER }] });
    expect(await storedSignals(env.db, dev)).toEqual([expect.objectContaining({ kind: 'managed', status: 'noncompliant', verified: true })]);
    const audit = await lastAudit(env.db, AUDIT, dev);
    expect(audit).toMatchObject({ outcome: 'success', org_id: org, details: { signals: [{ kind: 'managed', status: 'noncompliant', kid: signer.kid, verified: true }] } });
    // The token itself is never kept in the audit log.
    expect(JSON.stringify(audit)).not.toContain(token.split('.')[2]);
  });

  it('keeps no token in storage, only its metadata', async () => {
    const dev = await device();
    const token = await es.sign(managedClaims(dev));
    expect((await send(dev, { managedStatement: token })).status).toBe(201);
    const rows = await env.db.query<{ payload: Record<string, unknown> }>('SELECT payload FROM signals WHERE device_id = $1', [dev]);
    expect(JSON.stringify(rows.rows)).not.toContain(token.split('.')[2]);
    expect(rows.rows[0].payload).toMatchObject({ kid: es.kid, alg: 'ES256', expires_at: expect.any(String), token_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  const now = () => Math.floor(Date.now() / 1000);
  const otherKey = testSigner('ES256');
  const cases: Array<[string, (dev: string) => Promise<unknown>, number, string]> = [
    ['a bad signature (right kid, wrong key)', async (dev) => ({ managedStatement: await (await otherKey).sign(managedClaims(dev), { kid: es.kid }) }), 422, 'bad_signature'],
    ['an unknown key id', async (dev) => ({ managedStatement: await (await otherKey).sign(managedClaims(dev)) }), 422, 'unknown_key_id'],
    ['no key id at all', async (dev) => ({ managedStatement: await es.sign(managedClaims(dev), { kid: null }) }), 422, 'missing_key_id'],
    ['a wrong issuer', async (dev) => ({ managedStatement: await es.sign({ ...managedClaims(dev), iss: 'https://evil.test' }) }), 422, 'wrong_issuer'],
    ['a wrong audience', async (dev) => ({ managedStatement: await es.sign({ ...managedClaims(dev), aud: 'https://other-service.test' }) }), 422, 'wrong_audience'],
    ['an expired statement', async (dev) => ({ managedStatement: await es.sign({ ...managedClaims(dev), iat: now() - 7200, exp: now() - 3600 }) }), 422, 'expired'],
    ['a statement older than 30 days', async (dev) => ({ managedStatement: await es.sign({ ...managedClaims(dev), iat: now() - 31 * 86400, exp: now() + 3600 }) }), 422, 'too_old'],
    ['a statement issued in the future', async (dev) => ({ managedStatement: await es.sign({ ...managedClaims(dev), iat: now() + 3600, exp: now() + 7200 }) }), 422, 'issued_in_future'],
    ["another device's statement", async () => ({ managedStatement: await es.sign(managedClaims(await device())) }), 422, 'wrong_device'],
    ['a statement without exp', async (dev) => ({ managedStatement: await es.sign({ ...managedClaims(dev), exp: undefined }) }), 422, 'missing_claim'],
    ['a status outside compliant/noncompliant/unknown', async (dev) => ({ managedStatement: await es.sign(managedClaims(dev, 'fine')) }), 422, 'invalid_claim'],
    ['an HMAC-signed token', async (dev) => ({ managedStatement: await es.sign(managedClaims(dev)).then((t) => `${Buffer.from(JSON.stringify({ alg: 'HS256', kid: es.kid })).toString('base64url')}.${t.split('.')[1]}.${t.split('.')[2]}`) }), 422, 'algorithm_not_allowed'],
    ['an unsigned token (alg none)', async (dev) => ({ managedStatement: `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(managedClaims(dev))).toString('base64url')}.` }), 400, 'malformed_token'],
    ['a malformed token', async () => ({ managedStatement: 'not-a-jws' }), 400, 'malformed_token'],
    ['a token whose header is not JSON', async () => ({ managedStatement: 'bm90LWpzb24.e30.c2ln' }), 400, 'malformed_token'],
    ['a token whose payload was swapped after signing', async () => ({ managedStatement: await es.sign({}).then((t) => `${t.split('.')[0]}.bm90LWpzb24.${t.split('.')[2]}`) }), 422, 'bad_signature'],
    ['an unknown body field', async (dev) => ({ managedStatement: await es.sign(managedClaims(dev)), deviceState: 'trusted' }), 400, 'invalid_request'],
    ['an empty body', async () => ({}), 400, 'invalid_request'],
    ['a token over 8 KiB', async () => ({ managedStatement: 'a'.repeat(9000) }), 400, 'invalid_request'],
    ['a body over the 20 KiB signal limit', async () => ({ managedStatement: 'a'.repeat(8000), osIntegrity: 'b'.repeat(8000), padding: 'c'.repeat(8000) }), 413, 'body_too_large'],
  ];

  it.each(cases)('refuses %s with a reason, audits it, and stores nothing', async (_what, body, status, code) => {
    const dev = await device();
    const ok = await es.sign(managedClaims(dev, 'compliant'));
    expect((await send(dev, { managedStatement: ok })).status).toBe(201);
    const before = await storedSignals(env.db, dev);
    const res = await send(dev, await body(dev));
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code, status, detail: expect.any(String) });
    expect(await storedSignals(env.db, dev)).toEqual(before);
    expect(await lastAudit(env.db, AUDIT, dev)).toMatchObject({ outcome: 'refused', org_id: org, details: { refusal: code } });
  });

  it('refuses a body over the 64 KiB service limit before reading it', async () => {
    const dev = await device();
    const res = await send(dev, { managedStatement: 'a'.repeat(70 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('body_too_large');
    expect(await storedSignals(env.db, dev)).toEqual([]);
  });

  it('refuses the same statement twice, and an older one after a newer (no rollback to compliant)', async () => {
    const dev = await device();
    const older = await es.sign({ ...managedClaims(dev, 'compliant'), iat: now() - 600 });
    const newer = await es.sign({ ...managedClaims(dev, 'noncompliant'), iat: now() - 60 });
    expect((await send(dev, { managedStatement: newer })).status).toBe(201);
    const replay = await send(dev, { managedStatement: newer });
    expect([replay.status, replay.body.code]).toEqual([409, 'statement_replayed']);
    const rollback = await send(dev, { managedStatement: older });
    expect([rollback.status, rollback.body.code]).toEqual([409, 'statement_superseded']);
    expect(await lastAudit(env.db, AUDIT, dev)).toMatchObject({ outcome: 'refused', details: { refusal: 'statement_superseded', signal: 'managedStatement' } });
    expect((await storedSignals(env.db, dev)).map((s) => s.status)).toEqual(['noncompliant']);
  });

  it('accepts a statement once, even when a later one carries the same iat', async () => {
    const dev = await device();
    const iat = now() - 30;
    const first = await es.sign({ ...managedClaims(dev, 'noncompliant'), iat });
    const second = await es.sign({ ...managedClaims(dev, 'compliant'), iat });
    expect((await send(dev, { managedStatement: first })).status).toBe(201);
    expect((await send(dev, { managedStatement: second })).status).toBe(201);
    const replay = await send(dev, { managedStatement: first });
    expect([replay.status, replay.body.code]).toEqual([409, 'statement_replayed']);
    expect(await lastAudit(env.db, AUDIT, dev)).toMatchObject({ outcome: 'refused', details: { refusal: 'statement_replayed', signal: 'managedStatement' } });
    expect((await storedSignals(env.db, dev)).map((s) => s.status).sort()).toEqual(['compliant', 'noncompliant']);
  });

  it("refuses a statement from another organisation's connector", async () => {
    const otherOrg = await seedOrg(env.db, { managed: true });
    const theirs = await testSigner('ES256');
    await configureSource(env, otherOrg, 'managed', { issuer: MDM_ISSUER, jwks: { keys: [theirs.publicJwk] } });
    const dev = await device();
    const res = await send(dev, { managedStatement: await theirs.sign(managedClaims(dev)) });
    expect([res.status, res.body.code]).toEqual([422, 'unknown_key_id']);
  });

  it('refuses statements for an organisation without a connector', async () => {
    const bare = await seedOrg(env.db);
    const dev = await device(bare);
    const res = await send(dev, { managedStatement: await es.sign(managedClaims(dev)) });
    expect([res.status, res.body.code]).toEqual([422, 'signal_source_not_configured']);
    expect(await storedSignals(env.db, dev)).toEqual([]);
  });

  it('applies the configured audience and maximum age of the organisation', async () => {
    const o = await seedOrg(env.db, { managed: true });
    const k = await testSigner('EdDSA');
    await configureSource(env, o, 'managed', { issuer: 'urn:mdm:intune', audience: 'urn:enigm:trust', maxAgeSeconds: 3600, jwks: { keys: [k.publicJwk] } });
    const dev = await device(o);
    const claims = { ...managedClaims(dev), iss: 'urn:mdm:intune', aud: 'urn:enigm:trust' };
    const tooOld = await send(dev, { managedStatement: await k.sign({ ...claims, iat: now() - 7200 }) });
    expect([tooOld.status, tooOld.body.code]).toEqual([422, 'too_old']);
    const serviceAud = await send(dev, { managedStatement: await k.sign({ ...claims, aud: AUDIENCE }) });
    expect([serviceAud.status, serviceAud.body.code]).toEqual([422, 'wrong_audience']);
    expect((await send(dev, { managedStatement: await k.sign(claims) })).status).toBe(201);
  });

  it('rotates keys without downtime: old and new verify during the overlap, then only the new', async () => {
    const o = await seedOrg(env.db, { managed: true });
    const oldKey = await testSigner('ES256', uniqueName('old'));
    const newKey = await testSigner('EdDSA', uniqueName('new'));
    await configureSource(env, o, 'managed', { issuer: MDM_ISSUER, jwks: { keys: [oldKey.publicJwk] } });
    const dev = await device(o);
    const at = (s: number) => ({ ...managedClaims(dev), iat: now() - s });
    expect((await send(dev, { managedStatement: await oldKey.sign(at(50)) })).status).toBe(201);
    await configureSource(env, o, 'managed', { issuer: MDM_ISSUER, jwks: { keys: [oldKey.publicJwk, newKey.publicJwk] } });
    expect((await send(dev, { managedStatement: await oldKey.sign(at(40)) })).status).toBe(201);
    expect((await send(dev, { managedStatement: await newKey.sign(at(30)) })).status).toBe(201);
    await configureSource(env, o, 'managed', { issuer: MDM_ISSUER, jwks: { keys: [newKey.publicJwk] } });
    expect((await send(dev, { managedStatement: await newKey.sign(at(20)) })).status).toBe(201);
    const retired = await send(dev, { managedStatement: await oldKey.sign(at(10)) });
    expect([retired.status, retired.body.code]).toEqual([422, 'unknown_key_id']);
  });

  it('takes statements only from a service key with signals:write', async () => {
    const dev = await device();
    const token = await es.sign(managedClaims(dev));
    expect((await send(dev, { managedStatement: token }, null)).status).toBe(401);
    const { createServiceKey } = await import('../../src/trust/apiKeys.js');
    const readOnly = (await createServiceKey(env.db, { name: uniqueName('reader'), scopes: ['decisions:read'] }, { type: 'system' })).token;
    const res = await send(dev, { managedStatement: token }, readOnly);
    expect([res.status, res.body.code]).toEqual([403, 'insufficient_scope']);
    expect(await lastAudit(env.db, AUDIT, dev)).toMatchObject({ outcome: 'refused', details: { refusal: 'insufficient_scope' } });
    expect(await storedSignals(env.db, dev)).toEqual([]);
  });

  it('answers an unknown device as not found, and refuses a revoked one', async () => {
    const unknown = await send('dev_doesnotexist', { managedStatement: await es.sign(managedClaims('dev_doesnotexist')) });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'device_not_found']);
    expect(await lastAudit(env.db, AUDIT, null)).toMatchObject({ outcome: 'refused', details: { refusal: 'device_not_found', requestedDevice: 'dev_doesnotexist' } });
    const revoked = await seedDevice(env.db, await seedAccount(env.db, org), { state: 'revoked' });
    const res = await send(revoked, { managedStatement: await es.sign(managedClaims(revoked)) });
    expect([res.status, res.body.code]).toEqual([409, 'device_not_active']);
    expect(await storedSignals(env.db, revoked)).toEqual([]);
  });
});
