import request from 'supertest';
import { exportJWK, generateKeyPair } from 'jose';
import { seedOrg } from '../helpers/seed.js';
import { adminToken, lastAudit, MDM_ISSUER, OS_ISSUER, signalTestEnv, testSigner, type SignalTestEnv } from '../helpers/signals.js';

describe('signal sources: /v1/admin/signal-sources', () => {
  let env: SignalTestEnv;
  let org: string;
  let operator: string;

  beforeAll(async () => {
    env = await signalTestEnv();
    org = await seedOrg(env.db, { managed: true });
    operator = await adminToken(env.db, org, 'operator');
  });
  afterAll(() => env.close());

  const put = (kind: string, body: unknown, token = operator) =>
    request(env.app).put(`/v1/admin/signal-sources/${kind}`).set('authorization', `Bearer ${token}`).send(body as object);
  const list = (token: string) => request(env.app).get('/v1/admin/signal-sources').set('authorization', `Bearer ${token}`);
  const sourceRows = async (o = org) => (await env.db.query('SELECT kind, issuer, version FROM signal_sources WHERE org_id = $1 ORDER BY kind', [o])).rows;

  it('configures a connector with several keys, shows it without key material, and audits it', async () => {
    const a = await testSigner('ES256', 'mdm-2026-01');
    const b = await testSigner('EdDSA', 'mdm-2026-07');
    const res = await put('managed', { issuer: MDM_ISSUER, maxAgeSeconds: 7 * 86400, jwks: { keys: [a.publicJwk, b.publicJwk] } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      kind: 'managed', issuer: MDM_ISSUER, audience: null, maxAgeSeconds: 604800, version: 1, updatedAt: expect.any(String),
      keys: [{ kid: 'mdm-2026-01', kty: 'EC', crv: 'P-256', alg: null }, { kid: 'mdm-2026-07', kty: 'OKP', crv: 'Ed25519', alg: null }],
    });
    const viewer = await list(await adminToken(env.db, org, 'viewer'));
    expect(viewer.status).toBe(200);
    expect(viewer.body.sources).toEqual([res.body]);
    for (const body of [JSON.stringify(res.body), JSON.stringify(viewer.body)]) {
      expect(body).not.toContain(a.publicJwk.x as string);
      expect(body).not.toContain(b.publicJwk.x as string);
    }
    const audit = await lastAudit(env.db, 'signal_source.configured');
    expect(audit).toMatchObject({ outcome: 'success', org_id: org, details: { kind: 'managed', kids: ['mdm-2026-01', 'mdm-2026-07'], version: 1 } });
    expect(JSON.stringify(audit)).not.toContain(a.publicJwk.x as string);
  });

  it('replaces the key set atomically on the next PUT (version goes up)', async () => {
    const k = await testSigner('EdDSA', 'os-1');
    expect((await put('os_integrity', { issuer: OS_ISSUER, jwks: { keys: [k.publicJwk] } })).body.version).toBe(1);
    const k2 = await testSigner('EdDSA', 'os-2');
    const res = await put('os_integrity', { issuer: OS_ISSUER, jwks: { keys: [k2.publicJwk] } });
    expect(res.body).toMatchObject({ version: 2, keys: [{ kid: 'os-2' }] });
  });

  it('refuses private key material without storing or repeating it, and audits the refusal', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const priv = { ...(await exportJWK(privateKey)), kid: 'oops' };
    const before = await sourceRows();
    const res = await put('managed', { issuer: 'https://leak.test', jwks: { keys: [priv] } });
    expect([res.status, res.body.code]).toEqual([400, 'private_key_material']);
    expect(JSON.stringify(res.body)).not.toContain(priv.d as string);
    expect(await sourceRows()).toEqual(before);
    const audit = await lastAudit(env.db, 'signal_source.configured');
    expect(audit).toMatchObject({ outcome: 'refused', org_id: org, details: { kind: 'managed', refusal: 'private_key_material' } });
    expect(JSON.stringify(audit)).not.toContain(priv.d as string);
  });

  it.each([
    ['no keys', async () => ({ issuer: 'x', jwks: { keys: [] } }), 'invalid_request'],
    ['a key without kid', async () => ({ issuer: 'x', jwks: { keys: [{ ...(await testSigner('ES256')).publicJwk, kid: undefined }] } }), 'invalid_request'],
    ['duplicate kids', async () => ({ issuer: 'x', jwks: { keys: [(await testSigner('ES256', 'same')).publicJwk, (await testSigner('EdDSA', 'same')).publicJwk] } }), 'invalid_jwks'],
    ['an RSA key', async () => ({ issuer: 'x', jwks: { keys: [{ kty: 'RSA', kid: 'r', n: 'AQAB', e: 'AQAB' }] } }), 'invalid_request'],
    ['a point off the curve', async () => ({ issuer: 'x', jwks: { keys: [{ ...(await testSigner('ES256', 'bad')).publicJwk, y: Buffer.alloc(32, 1).toString('base64url') }] } }), 'invalid_jwks'],
    ['a key whose alg does not fit', async () => ({ issuer: 'x', jwks: { keys: [{ ...(await testSigner('ES256', 'al')).publicJwk, alg: 'EdDSA' }] } }), 'invalid_jwks'],
    ['an encryption key', async () => ({ issuer: 'x', jwks: { keys: [{ ...(await testSigner('ES256', 'enc')).publicJwk, use: 'enc' }] } }), 'invalid_jwks'],
    ['an unknown field', async () => ({ issuer: 'x', jwks: { keys: [(await testSigner('ES256')).publicJwk] }, url: 'https://x' }), 'invalid_request'],
    ['an OS integrity max age over a day', async () => ({ issuer: 'x', maxAgeSeconds: 2 * 86400, jwks: { keys: [(await testSigner('ES256')).publicJwk] } }), 'invalid_max_age'],
  ])('refuses %s with 400, changing nothing', async (_what, body, code) => {
    const before = await sourceRows();
    const res = await put('os_integrity', await body());
    expect([res.status, res.body.code]).toEqual([400, code]);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await sourceRows()).toEqual(before);
    expect(await lastAudit(env.db, 'signal_source.configured')).toMatchObject({ outcome: 'refused', details: { refusal: code } });
  });

  it('lets only operators change sources, and audits refused attempts', async () => {
    const k = await testSigner('ES256');
    for (const role of ['viewer', 'approver', 'auditor']) {
      const res = await put('managed', { issuer: 'x', jwks: { keys: [k.publicJwk] } }, await adminToken(env.db, org, role));
      expect([role, res.status, res.body.code]).toEqual([role, 403, 'insufficient_role']);
    }
    expect((await put('managed', { issuer: 'x', jwks: { keys: [k.publicJwk] } }, env.relayToken)).status).toBe(403);
    expect(await lastAudit(env.db, 'signal_source.configured')).toMatchObject({ outcome: 'refused', details: { refusal: 'wrong_principal' } });
    expect((await list(env.relayToken)).status).toBe(403);
    expect((await put('tpm', { issuer: 'x', jwks: { keys: [k.publicJwk] } })).status).toBe(404);
  });

  it("keeps each organisation to its own sources", async () => {
    const other = await seedOrg(env.db);
    const theirOperator = await adminToken(env.db, other, 'operator');
    expect((await list(theirOperator)).body.sources).toEqual([]);
    const k = await testSigner('EdDSA');
    expect((await put('managed', { issuer: 'urn:theirs', jwks: { keys: [k.publicJwk] } }, theirOperator)).status).toBe(200);
    expect((await list(operator)).body.sources.map((s: { issuer: string }) => s.issuer)).not.toContain('urn:theirs');
    expect((await sourceRows(other))).toEqual([{ kind: 'managed', issuer: 'urn:theirs', version: 1 }]);
  });

  it('removes a source, and answers a missing one with 404', async () => {
    const o = await seedOrg(env.db);
    const op = await adminToken(env.db, o, 'operator');
    const k = await testSigner('ES256');
    expect((await put('managed', { issuer: 'x', jwks: { keys: [k.publicJwk] } }, op)).status).toBe(200);
    const del = () => request(env.app).delete('/v1/admin/signal-sources/managed').set('authorization', `Bearer ${op}`);
    expect((await del()).status).toBe(204);
    expect(await sourceRows(o)).toEqual([]);
    expect(await lastAudit(env.db, 'signal_source.removed')).toMatchObject({ outcome: 'success', org_id: o });
    const again = await del();
    expect([again.status, again.body.code]).toEqual([404, 'signal_source_not_found']);
  });
});
