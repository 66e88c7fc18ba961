import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../src/http/app.js';
import { apiRoutes } from '../src/http/api.js';
import { createLogger } from '../src/http/logger.js';
import { createMetrics } from '../src/http/metrics.js';
import { servedPolicies } from './helpers/policy.js';
import { openRedis } from '../src/queue/redis.js';
import type { Database } from '../src/store/database.js';
import { createServiceKey, revokeKey } from '../src/trust/apiKeys.js';
import { transitionDevice } from '../src/trust/transition.js';
import { DEAD_REDIS_URL, postgresSchema } from './helpers/env.js';
import { migrated, seedAccount, seedDevice, seedOrg } from './helpers/seed.js';

const system = { type: 'system' as const, id: 'test' };

describe('POST /v1/decisions and recipients, against real PostgreSQL', () => {
  let db: Database;
  let drop: () => Promise<void>;
  let app: Express;
  let token: string;
  let org: string;
  const redis = openRedis(DEAD_REDIS_URL); // decisions never need Redis

  beforeAll(async () => {
    const s = await postgresSchema();
    db = await migrated(s.db);
    drop = s.drop;
    org = await seedOrg(db);
    token = (await createServiceKey(db, { name: 'messaging', scopes: ['decisions:read'] }, system)).token;
    const policies = await servedPolicies();
    app = createApp({ db, redis, logger: createLogger('silent'), metrics: createMetrics(), mount: (a) => a.use(apiRoutes({ db, policies })) });
  });
  afterAll(async () => {
    redis.disconnect();
    await drop();
  });

  /** Asks for a decision with the test's service key, another token, or (null) none. */
  const ask = (body: unknown, t: string | null = token) => {
    const r = request(app).post('/v1/decisions').send(body as object);
    return t === null ? r : r.set('authorization', `Bearer ${t}`);
  };

  /**
   * Asks for `body` in three loops while `revoke` runs, and splits the answers into those
   * asked before the revoke returned and those asked after.
   */
  async function answersAround(body: unknown, t: string, revoke: () => Promise<unknown>) {
    let revokedAt = Infinity;
    let stop = false;
    const seen: Array<{ started: number; status: number; allow: unknown }> = [];
    const askLoop = async () => {
      while (!stop) {
        const started = performance.now();
        const res = await ask(body, t);
        seen.push({ started, status: res.status, allow: res.body.allow });
      }
    };
    const loops = [askLoop(), askLoop(), askLoop()];
    await new Promise((r) => setTimeout(r, 150));
    await revoke();
    revokedAt = performance.now();
    await new Promise((r) => setTimeout(r, 200));
    stop = true;
    await Promise.all(loops);
    return { before: seen.filter((s) => s.started < revokedAt), after: seen.filter((s) => s.started >= revokedAt) };
  }

  it('allows a trusted device to receive messages, and logs the decision', async () => {
    const account = await seedAccount(db, org);
    const device = await seedDevice(db, account, { sessionAgeSeconds: 30, unlockAgeSeconds: 30 });
    const res = await ask({ accountId: account, deviceId: device, action: 'message.receive' });
    expect(res.status).toBe(200);
    expect(res.body.reasons).toEqual(['device_trusted']);
    expect(res.body).toMatchObject({ allow: true, deviceState: 'trusted', policyRevision: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), decisionId: expect.stringMatching(/^dec_/) });
    const logged = await db.query<{ allow: boolean; action: string; policy_revision: string }>('SELECT allow, action, policy_revision FROM decision_log WHERE id = $1', [res.body.decisionId]);
    expect(logged.rows).toEqual([{ allow: true, action: 'message.receive', policy_revision: res.body.policyRevision }]);
  });

  it('denies every action to a pending device', async () => {
    const account = await seedAccount(db, org);
    const device = await seedDevice(db, account, { state: 'pending' });
    for (const action of ['message.receive', 'call.join', 'sync.live', 'keys.access']) {
      const res = await ask({ accountId: account, deviceId: device, action });
      expect([action, res.status, res.body.allow]).toEqual([action, 200, false]);
    }
  });

  it('denies history sync to a restricted device but lets it receive live messages', async () => {
    const account = await seedAccount(db, org);
    const device = await seedDevice(db, account, { state: 'restricted', sessionAgeSeconds: 10, unlockAgeSeconds: 10 });
    expect((await ask({ accountId: account, deviceId: device, action: 'message.receive' })).body.allow).toBe(true);
    expect((await ask({ accountId: account, deviceId: device, action: 'sync.history' })).body.allow).toBe(false);
  });

  it('ignores state a caller tries to inject: unknown fields are rejected', async () => {
    const account = await seedAccount(db, org);
    const device = await seedDevice(db, account, { state: 'revoked' });
    const res = await ask({ accountId: account, deviceId: device, action: 'message.receive', deviceState: 'trusted' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'invalid_request', detail: expect.stringContaining('unknown field "deviceState"') });
  });

  it.each([
    ['an unknown action', { action: 'files.read' }, 400, 'invalid_request'],
    ['a missing field', { action: undefined }, 400, 'invalid_request'],
    ['an unknown device', { deviceId: 'dev_doesnotexist' }, 404, 'device_not_found'],
    ['an unknown account', { accountId: 'acc_doesnotexist' }, 404, 'account_not_found'],
  ])('answers %s with a problem and no allow', async (_what, override, status, code) => {
    const account = await seedAccount(db, org);
    const device = await seedDevice(db, account);
    const res = await ask({ accountId: account, deviceId: device, action: 'message.receive', ...override });
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe(code);
    expect(res.body.allow).toBeUndefined();
  });

  it("answers a device of another account as not found", async () => {
    const mine = await seedAccount(db, org);
    const theirs = await seedDevice(db, await seedAccount(db, org));
    const res = await ask({ accountId: mine, deviceId: theirs, action: 'message.receive' });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('device_not_found');
  });

  it('rejects a malformed body', async () => {
    const res = await request(app).post('/v1/decisions').set('authorization', `Bearer ${token}`).set('content-type', 'application/json').send('{"accountId":');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('malformed_json');
  });

  it('refuses a body that is not JSON with 415, and decides nothing', async () => {
    const account = await seedAccount(db, org);
    const device = await seedDevice(db, account);
    const body = JSON.stringify({ accountId: account, deviceId: device, action: 'message.receive' });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const res = await request(app).post('/v1/decisions').set('authorization', `Bearer ${token}`).set('content-type', type).send(body);
      expect([res.status, res.body.code]).toEqual([415, 'unsupported_media_type']);
    }
    expect((await db.query('SELECT 1 FROM decision_log WHERE device_id = $1', [device])).rowCount).toBe(0);
  });

  it('needs a valid service key with the decisions:read scope', async () => {
    const account = await seedAccount(db, org);
    const device = await seedDevice(db, account);
    const body = { accountId: account, deviceId: device, action: 'message.receive' };
    expect((await ask(body, null)).status).toBe(401);
    expect((await ask(body, 'esk_' + 'A'.repeat(43))).status).toBe(401);
    const other = await createServiceKey(db, { name: 'subscriptions', scopes: ['subscribers:write'] }, system);
    const wrongScope = await ask(body, other.token);
    expect(wrongScope.status).toBe(403);
    expect(wrongScope.body.code).toBe('insufficient_scope');
    const revoked = await createServiceKey(db, { name: 'old', scopes: ['decisions:read'] }, system);
    await revokeKey(db, revoked.id, system);
    expect((await ask(body, revoked.token)).status).toBe(401);
  });

  it('refuses a service key revoked after its last decision: 401, nothing logged, for known and unknown devices alike', async () => {
    const account = await seedAccount(db, org);
    const device = await seedDevice(db, account, { sessionAgeSeconds: 30, unlockAgeSeconds: 30 });
    const body = { accountId: account, deviceId: device, action: 'message.receive' };
    const key = await createServiceKey(db, { name: 'presence', scopes: ['decisions:read'] }, system);
    expect((await ask(body, key.token)).status).toBe(200); // the route now remembers this key
    await revokeKey(db, key.id, system);
    const logged = async () => (await db.query('SELECT 1 FROM decision_log WHERE caller = $1', [key.id])).rowCount;
    const before = await logged();
    for (const attempt of [body, body, { ...body, deviceId: 'dev_unknown' }]) {
      const res = await ask(attempt, key.token);
      expect([res.status, res.body.code]).toEqual([401, 'unauthenticated']);
    }
    expect(await logged()).toBe(before);
  });

  it('takes a key revocation into account at once: no decision that starts after the revoke returns is answered', async () => {
    const account = await seedAccount(db, org);
    const device = await seedDevice(db, account, { sessionAgeSeconds: 5, unlockAgeSeconds: 5 });
    const key = await createServiceKey(db, { name: 'history', scopes: ['decisions:read'] }, system);
    const { before, after } = await answersAround({ accountId: account, deviceId: device, action: 'message.receive' }, key.token, () => revokeKey(db, key.id, system));
    expect(before.some((s) => s.status === 200)).toBe(true);
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((s) => s.status !== 401)).toEqual([]);
  });

  it('answers decisions asked together (one shared read) each for its own device and account', async () => {
    const accounts = await Promise.all([seedAccount(db, org), seedAccount(db, org), seedAccount(db, org)]);
    const trusted = await seedDevice(db, accounts[0], { sessionAgeSeconds: 30, unlockAgeSeconds: 30 });
    const revoked = await seedDevice(db, accounts[1], { state: 'revoked' });
    const pending = await seedDevice(db, accounts[2], { state: 'pending' });
    const asks = [
      [accounts[0], trusted, 200, true], [accounts[1], revoked, 200, false], [accounts[2], pending, 200, false],
      [accounts[1], trusted, 404, undefined], [accounts[0], 'dev_unknown', 404, undefined],
    ] as const;
    const results = await Promise.all([...asks, ...asks].map(([accountId, deviceId]) => ask({ accountId, deviceId, action: 'message.receive' })));
    expect(results.map((r) => [r.status, r.body.allow])).toEqual([...asks, ...asks].map(([, , status, allow]) => [status, allow]));
  });

  it('takes a revocation into account at once: no decision that starts after the revoke returns allows', async () => {
    const account = await seedAccount(db, org);
    const device = await seedDevice(db, account, { sessionAgeSeconds: 5, unlockAgeSeconds: 5 });
    const body = { accountId: account, deviceId: device, action: 'message.receive' };
    const { before, after } = await answersAround(body, token, () => transitionDevice(db, { deviceId: device, to: 'revoked', actor: system, reason: 'stolen' }));
    expect(before.some((s) => s.allow)).toBe(true);
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((s) => s.allow)).toEqual([]);
  });

  it('lists the recipients with the epoch, and refuses a stale epoch with the current list', async () => {
    const account = await seedAccount(db, org);
    const a = await seedDevice(db, account);
    const b = await seedDevice(db, account);
    await seedDevice(db, account, { state: 'pending' });
    const get = (q: string) => request(app).get(`/v1/accounts/${account}/recipients${q}`).set('authorization', `Bearer ${token}`);
    const first = await get('?action=message.receive');
    expect(first.status).toBe(200);
    expect(first.body.devices.map((d: { deviceId: string }) => d.deviceId).sort()).toEqual([a, b].sort());
    await transitionDevice(db, { deviceId: b, to: 'revoked', actor: system, reason: 'lost' });
    const stale = await get(`?action=message.receive&epoch=${first.body.epoch}`);
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('stale_epoch');
    expect(stale.body.current.epoch).toBe(first.body.epoch + 1);
    expect(stale.body.current.devices.map((d: { deviceId: string }) => d.deviceId)).toEqual([a]);
    const fresh = await get(`?epoch=${first.body.epoch + 1}`);
    expect(fresh.status).toBe(200);
    expect((await get('?action=files.read')).status).toBe(400);
    expect((await request(app).get('/v1/accounts/acc_nope/recipients').set('authorization', `Bearer ${token}`)).status).toBe(404);
  });
});
