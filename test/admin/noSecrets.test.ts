/**
 * No plaintext, no secrets: with data that holds bootstrap and recovery codes, session tokens,
 * credential ids and public keys, subscriber and API keys, signal payloads and a signing key,
 * every admin route (lists, details, reports, audit, actions and their errors) is walked, and
 * none of those values appears in any response, in any usual encoding.
 */
import { randomBytes } from 'node:crypto';
import type { Express, Router } from 'express';
import type { Database } from '../../src/store/database.js';
import { appendAudit } from '../../src/store/audit.js';
import request from 'supertest';
import { apiRoutes } from '../../src/http/api.js';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/http/logger.js';
import { createMetrics } from '../../src/http/metrics.js';
import { adminRoutes } from '../../src/http/routes/admin/index.js';
import { servedPolicies } from '../helpers/policy.js';
import { openRedis } from '../../src/queue/redis.js';
import { createServiceKey } from '../../src/trust/apiKeys.js';
import { newId, sha256Hex } from '../../src/trust/ids.js';
import { createSession } from '../../src/trust/sessions.js';
import { adminTestbed, adminKey, get, post, seedEnrollment, seedSignal, setDevice, SYSTEM } from '../helpers/admin.js';
import { DEAD_REDIS_URL } from '../helpers/env.js';
import { seedAccount, seedDevice, seedOrg } from '../helpers/seed.js';

/** Every (method, path pattern) the admin router serves. */
function routesOf(router: Router): string[] {
  const found: string[] = [];
  const walk = (stack: unknown[]): void => {
    for (const layer of stack as Array<{ route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: unknown[] } }>) {
      if (layer.route) for (const m of Object.keys(layer.route.methods)) found.push(`${m.toUpperCase()} ${layer.route.path}`);
      else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((router as unknown as { stack: unknown[] }).stack);
  return [...new Set(found)].sort();
}

/** The forms a secret could leak in. */
function encodings(secret: string | Buffer): string[] {
  const bytes = typeof secret === 'string' ? Buffer.from(secret) : secret;
  const forms = [bytes.toString('hex'), bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('base64').replace(/=+$/, '')];
  if (typeof secret === 'string') forms.push(secret);
  return forms.filter((f) => f.length >= 12);
}

describe('no secret leaves through an admin response', () => {
  let db: Database;
  let app: Express;
  let done: () => Promise<void>;
  const secrets: Array<{ what: string; forms: string[] }> = [];
  const keep = (what: string, secret: string | Buffer) => secrets.push({ what, forms: encodings(secret) });
  const ids: Record<string, string> = {};
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    ({ db, app, done } = await adminTestbed());
    const org = await seedOrg(db, { managed: true, settings: { require_managed_compliance: true } });
    for (const role of ['owner', 'viewer', 'approver', 'operator', 'auditor']) {
      const key = await adminKey(db, org, role);
      tokens[role] = key.token;
      ids[`${role}Key`] = key.id;
      keep(`${role} admin key`, key.token);
      keep(`${role} admin key hash`, sha256Hex(key.token));
    }
    ids.spareKey = (await adminKey(db, org, 'viewer')).id;
    const account = await seedAccount(db, org, { recovering: true });
    ids.account = account;
    // Bootstrap and recovery codes, stored hashed as the enrollment flow stores them.
    for (const kind of ['bootstrap', 'recovery']) {
      const code = randomBytes(10).toString('base64url');
      await db.query('INSERT INTO account_codes (id, account_id, kind, code_hash, expires_at) VALUES ($1, $2, $3, $4, $5)', [newId('code'), account, kind, sha256Hex(code), new Date(Date.now() + 3600_000)]);
      keep(`${kind} code`, code);
      keep(`${kind} code hash`, sha256Hex(code));
    }
    const device = await seedDevice(db, account, { unlockAgeSeconds: 10 });
    ids.device = device;
    const restricted = await seedDevice(db, account, { state: 'restricted' });
    ids.restricted = restricted;
    const pending = await seedDevice(db, account, { state: 'pending' });
    await setDevice(db, pending, { replaces_device_id: restricted });
    ids.enrollment = await seedEnrollment(db, account, pending, { replacesDeviceId: restricted });
    await db.query(`INSERT INTO approvals (id, enrollment_id, method, decision, approver_device_id, user_verified) VALUES ($1, $2, 'device', 'approve', $3, true)`, [newId('apr'), ids.enrollment, device]);
    // Session tokens of every device.
    for (const d of [device, restricted]) {
      const session = await db.transaction((tx) => createSession(tx, { deviceId: d, accountId: account, userVerified: true }));
      keep('session token', session.token);
      keep('session token hash', sha256Hex(session.token));
    }
    // Credential ids and public keys, as stored.
    const creds = await db.query<{ credential_id: string; public_key: Buffer }>('SELECT credential_id, public_key FROM credentials');
    for (const c of creds.rows) {
      keep('credential id', c.credential_id);
      keep('credential public key', c.public_key);
    }
    // Signals: payloads may carry the raw statements; admins see metadata only.
    const jws = `eyJhbGciOiJFUzI1NiJ9.${randomBytes(40).toString('base64url')}.${randomBytes(64).toString('base64url')}`;
    await seedSignal(db, device, 'managed', { status: 'compliant', payload: { statement: jws, serial: 'SERIAL-0123456789' } });
    await seedSignal(db, restricted, 'os_integrity', { status: 'fail', payload: { attestation: jws, nonce: 'nonce-0123456789abcdef' } });
    keep('managed statement', jws);
    keep('device serial number', 'SERIAL-0123456789');
    keep('attestation nonce', 'nonce-0123456789abcdef');
    // A subscriber, its service key, and an acknowledged epoch.
    const subscriberKey = await createServiceKey(db, { name: 'messaging', scopes: ['fanout:ack', 'decisions:read'] }, SYSTEM);
    keep('subscriber service key', subscriberKey.token);
    keep('subscriber service key hash', sha256Hex(subscriberKey.token));
    const subscriber = newId('sub');
    await db.query(`INSERT INTO subscribers (id, name, url, events, audience, owner_key_id) VALUES ($1, 'messaging', 'https://hooks.example/secret-path-0123456789', '{device.lifecycle}', $2, $3)`,
      [subscriber, `urn:enigm:trust:subscriber:${subscriber}`, subscriberKey.id]);
    await db.query('INSERT INTO epoch_acks (account_id, subscriber_id, epoch) VALUES ($1, $2, 1)', [account, subscriber]);
    keep('subscriber url', 'https://hooks.example/secret-path-0123456789');
    // The fan-out signing key (private half sealed, as the fan-out stores it).
    const sealed = randomBytes(48).toString('base64url');
    const publicX = randomBytes(32).toString('base64url');
    await db.query(`INSERT INTO signing_keys (purpose, kid, alg, public_jwk, sealed_private_jwk) VALUES ('set', $1, 'ES256', $2, $3)`,
      [newId('kid'), JSON.stringify({ kty: 'EC', crv: 'P-256', x: publicX, y: publicX }), sealed]);
    keep('sealed signing key', sealed);
    keep('signing public key', publicX);
    // A careless audit writer: secret-named fields and a token in free text must not come back out.
    const leaked = `eds_${randomBytes(32).toString('base64url')}`;
    await db.transaction((tx) => appendAudit(tx, {
      type: 'test.careless', outcome: 'success', actor: SYSTEM, orgId: org, accountId: account, deviceId: device,
      details: { sessionToken: leaked, note: `token was ${leaked}`, recoveryCode: 'RECOVERY-CODE-42424242', publicKey: publicX },
    }));
    keep('token in audit details', leaked);
    keep('code in audit details', 'RECOVERY-CODE-42424242');
    // The organisation's other lifecycle: a retired device with a reason.
    ids.retire = await seedDevice(db, account);
  });
  afterAll(() => done());

  /** The secret found in `res` (headers or body), if any. */
  const leakIn = (res: { headers: unknown; text: string }): { what: string; form: string } | undefined => {
    const text = JSON.stringify(res.headers) + res.text;
    for (const s of secrets) {
      const form = s.forms.find((f) => text.includes(f));
      if (form) return { what: s.what, form };
    }
    return undefined;
  };

  it('walks every admin route and finds no secret in any response', async () => {
    const { device, restricted, account, enrollment } = ids;
    const walk: Array<[string, () => ReturnType<typeof get>]> = [];
    const reader = (path: string, token = tokens.viewer) => walk.push([`GET ${path}`, () => get(app, token, path)]);
    reader('/v1/admin/devices');
    reader('/v1/admin/devices?limit=1');
    reader('/v1/admin/devices?managed=compliant,missing&state=trusted,restricted,pending');
    reader(`/v1/admin/devices/${device}`);
    reader(`/v1/admin/devices/${restricted}`);
    reader('/v1/admin/devices/dev_doesnotexist');
    reader('/v1/admin/devices?state=bogus');
    reader(`/v1/admin/accounts/${account}`);
    reader('/v1/admin/accounts/acc_doesnotexist');
    reader('/v1/admin/enrollments');
    reader('/v1/admin/enrollments?state=registered,started,trusted&includeExpired=true');
    reader(`/v1/admin/enrollments/${enrollment}`);
    reader('/v1/admin/enrollments/enr_doesnotexist');
    reader('/v1/admin/replacements');
    reader('/v1/admin/reports/trust-states');
    reader('/v1/admin/reports/trust-states?staleAfterDays=1');
    reader('/v1/admin/audit', tokens.auditor);
    reader('/v1/admin/audit?limit=2', tokens.auditor);
    reader('/v1/admin/audit?type=test.careless', tokens.auditor);
    reader(`/v1/admin/audit?deviceId=${device}`, tokens.auditor);
    reader('/v1/admin/audit/verify', tokens.auditor);
    reader('/v1/admin/audit', tokens.viewer);
    const action = (path: string, token = tokens.operator, body: unknown = { reason: 'walk' }) => walk.push([`POST ${path}`, () => post(app, token, path, body)]);
    action(`/v1/devices/${device}/restrict`);
    action(`/v1/devices/${device}/unrestrict`);
    action(`/v1/devices/${ids.retire}/retire`);
    action(`/v1/devices/${ids.retire}/retire`);
    action(`/v1/devices/${device}/restrict`, tokens.viewer);
    action(`/v1/devices/${device}/restrict`, tokens.operator, { reason: 'x', extra: true });
    reader('/v1/admin/organisation');
    const change = (body: unknown, token = tokens.owner) => walk.push(['PATCH /v1/admin/organisation', () => request(app).patch('/v1/admin/organisation').set('authorization', `Bearer ${token}`).send(body as object)]);
    change({ max_session_age_seconds: 600 });
    change({ max_session_age_seconds: -1, secret: 'x' });
    change({ managed: true }, tokens.viewer);
    reader('/v1/admin/keys', tokens.owner);
    action('/v1/admin/keys', tokens.owner, { role: 'viewer', name: 'walker' });
    action('/v1/admin/keys', tokens.owner, { role: 'owner', org: 'elsewhere' });
    action('/v1/admin/keys', tokens.operator, { role: 'owner' });
    const revoke = (keyId: () => string, token = tokens.owner) => walk.push([`DELETE /v1/admin/keys/${'key_walked'}`, () => request(app).delete(`/v1/admin/keys/${keyId()}`).set('authorization', `Bearer ${token}`)]);
    revoke(() => ids.spareKey);
    revoke(() => 'key_doesnotexist');
    revoke(() => ids.ownerKey);

    // The walk covers every route the admin router serves.
    const walked = new Set(walk.map(([name]) => name.replace(/\?.*$/, '').replace(/dev_[\w-]+/, ':deviceId').replace(/acc_[\w-]+/, ':accountId').replace(/enr_[\w-]+/, ':enrollmentId').replace(/key_[\w-]+/, ':keyId')));
    const served = routesOf(adminRoutes({ db }));
    expect(served.length).toBeGreaterThanOrEqual(12);
    expect(served.filter((r) => !walked.has(r))).toEqual([]);

    const paging: string[] = [];
    for (const [name, call] of walk) {
      const res = await call();
      expect([name, res.status < 500]).toEqual([name, true]);
      expect([name, leakIn(res)]).toEqual([name, undefined]);
      if (typeof res.body?.nextCursor === 'string') paging.push(name);
    }
    // Cursors were issued along the way (and checked like everything else).
    expect(paging.length).toBeGreaterThan(0);
    // And the careless record was found, redacted rather than dropped.
    const careless = await get(app, tokens.auditor, '/v1/admin/audit?type=test.careless');
    expect(careless.body.items[0].details).toEqual({ sessionToken: '[redacted]', note: '[redacted]', recoveryCode: '[redacted]', publicKey: '[redacted]' });
  });

  it("walks the other route groups' admin reads of the v1 API too", async () => {
    const redis = openRedis(DEAD_REDIS_URL);
    try {
      const api = apiRoutes({ db, policies: await servedPolicies() });
      const app2 = createApp({ db, redis, logger: createLogger('silent'), metrics: createMetrics(), mount: (a) => a.use(api) });
      const mine = new Set(routesOf(adminRoutes({ db })));
      const others = routesOf(api).filter((r) => !mine.has(r) && r.startsWith('GET ') && r.includes('/admin/'));
      const fill = (path: string) => path.replace(':deviceId', ids.device).replace(':accountId', ids.account).replace(':enrollmentId', ids.enrollment).replace(':kind', 'managed');
      let walked = 0;
      for (const route of others) {
        const path = fill(route.slice(4));
        if (path.includes(':')) continue; // a parameter this data has no value for
        walked++;
        for (const role of ['owner', 'viewer', 'approver', 'operator', 'auditor']) {
          const res = await request(app2).get(path).set('authorization', `Bearer ${tokens[role]}`);
          expect([route, role, leakIn(res)]).toEqual([route, role, undefined]);
        }
      }
      expect(walked).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });
});
