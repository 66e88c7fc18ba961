import type { Express } from 'express';
import type { Database } from '../../src/store/database.js';
import request from 'supertest';
import { createApp } from '../../src/http/app.js';
import { apiRoutes } from '../../src/http/api.js';
import { createLogger } from '../../src/http/logger.js';
import { createMetrics } from '../../src/http/metrics.js';
import { servedPolicies } from '../helpers/policy.js';
import { openRedis } from '../../src/queue/redis.js';
import { DEAD_REDIS_URL } from '../helpers/env.js';
import { adminTestbed, adminKey, get, seedSignal, setDevice, expectAdminSchema } from '../helpers/admin.js';
import { seedAccount, seedDevice, seedOrg } from '../helpers/seed.js';



describe('Enigm Command inventory, against real PostgreSQL', () => {
  let db: Database;
  let app: Express;
  let done: () => Promise<void>;
  let org: string;
  let other: string;
  let viewer: string;
  let otherViewer: string;
  let account: string;
  let devices: Record<string, string>;

  beforeAll(async () => {
    ({ db, app, done } = await adminTestbed());
    org = await seedOrg(db, { managed: true, settings: { require_managed_compliance: true } });
    other = await seedOrg(db);
    viewer = (await adminKey(db, org, 'viewer')).token;
    otherViewer = (await adminKey(db, other, 'viewer')).token;
    account = await seedAccount(db, org);
    const second = await seedAccount(db, org);
    // Created one second apart, oldest first, so "newest first" has a known order.
    const base = Date.now() - 3600_000;
    const make = async (name: string, acc: string, state: 'trusted' | 'restricted' | 'pending' | 'revoked', platform: string, i: number) => {
      const id = await seedDevice(db, acc, { state });
      await setDevice(db, id, { platform, created_at: new Date(base + i * 1000) });
      return [name, id] as const;
    };
    devices = Object.fromEntries(await Promise.all([
      make('phone', account, 'trusted', 'ios', 0),
      make('laptop', account, 'trusted', 'macos', 1),
      make('tablet', account, 'restricted', 'android', 2),
      make('new', account, 'pending', 'ios', 3),
      make('old', second, 'revoked', 'android', 4),
    ]));
    await setDevice(db, devices.phone, { last_seen_at: new Date(Date.now() - 60_000) });
    await setDevice(db, devices.laptop, { last_seen_at: new Date(Date.now() - 40 * 86_400_000) });
    await seedSignal(db, devices.phone, 'managed', { status: 'compliant' });
    await seedSignal(db, devices.laptop, 'managed', { status: 'noncompliant' });
    await seedSignal(db, devices.tablet, 'managed', { status: 'compliant', verified: false });
    await seedSignal(db, devices.old, 'managed', { status: 'compliant', ageSeconds: 40 * 86_400 });
    // Another organisation's device, with the same platform and state as ours.
    await seedDevice(db, await seedAccount(db, other));
  });
  afterAll(() => done());

  const ids = (body: { items: Array<{ deviceId: string }> }) => body.items.map((d) => d.deviceId);

  it("lists the organisation's devices, newest first, and nothing of another organisation", async () => {
    const res = await get(app, viewer, '/v1/admin/devices');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expectAdminSchema('admin-device-list', res.body);
    expect(ids(res.body)).toEqual([devices.old, devices.new, devices.tablet, devices.laptop, devices.phone]);
    expect(res.body.nextCursor).toBeNull();
    const theirs = await get(app, otherViewer, '/v1/admin/devices');
    expect(theirs.body.items).toHaveLength(1);
    expect(ids(theirs.body)).not.toContain(devices.phone);
  });

  it.each([
    ['state', 'state=trusted,restricted', ['tablet', 'laptop', 'phone']],
    ['platform', 'platform=ios', ['new', 'phone']],
    ['account', 'accountId=ACCOUNT', ['new', 'tablet', 'laptop', 'phone']],
    ['last seen after', `lastSeenAfter=${encodeURIComponent(new Date(Date.now() - 86_400_000).toISOString())}`, ['phone']],
    ['last seen before', `lastSeenBefore=${encodeURIComponent(new Date(Date.now() - 86_400_000).toISOString())}`, ['laptop']],
    ['never seen', 'neverSeen=true', ['old', 'new', 'tablet']],
    ['managed compliant', 'managed=compliant', ['phone']],
    ['managed noncompliant', 'managed=noncompliant', ['laptop']],
    ['managed unverified or stale', 'managed=unverified,stale', ['old', 'tablet']],
    ['managed missing', 'managed=missing', ['new']],
    ['several filters at once', 'state=trusted&platform=macos&managed=noncompliant', ['laptop']],
  ])('filters by %s', async (_what, query, expected) => {
    const res = await get(app, viewer, `/v1/admin/devices?${query.replace('ACCOUNT', account)}`);
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual(expected.map((n) => devices[n]));
  });

  it('shows the managed status the decision policy would read', async () => {
    const res = await get(app, viewer, `/v1/admin/devices?accountId=${account}`);
    const byId = Object.fromEntries(res.body.items.map((d: { deviceId: string; managed: unknown }) => [d.deviceId, d.managed]));
    expect(byId[devices.phone]).toMatchObject({ status: 'compliant', statementStatus: 'compliant', issuer: 'https://mdm.example' });
    expect(byId[devices.tablet]).toMatchObject({ status: 'unverified' });
    expect(byId[devices.new]).toEqual({ status: 'missing', statementStatus: null, issuer: null, issuedAt: null });
  });

  it("reads freshness as the policy does: the signal source's maximum age, then the statement's own expiry", async () => {
    const managedOrg = await seedOrg(db, { managed: true, settings: { managed_max_age_seconds: 30 * 86_400 } });
    const token = (await adminKey(db, managedOrg, 'viewer')).token;
    const acc = await seedAccount(db, managedOrg);
    const device = async (ageSeconds: number, payload: Record<string, unknown>) => {
      const id = await seedDevice(db, acc);
      await seedSignal(db, id, 'managed', { status: 'compliant', ageSeconds, payload });
      return id;
    };
    const soon = new Date(Date.now() + 3600_000).toISOString();
    const twoDays = await device(2 * 86_400, { expires_at: soon });
    const fresh = await device(60, { expires_at: soon });
    const expired = await device(60, { expires_at: new Date(Date.now() - 1000).toISOString() });
    const garbled = await device(60, { expires_at: 'next tuesday' });
    const statusOf = async () => Object.fromEntries((await get(app, token, '/v1/admin/devices')).body.items.map((d: { deviceId: string; managed: { status: string } }) => [d.deviceId, d.managed.status]));
    expect(await statusOf()).toEqual({ [twoDays]: 'compliant', [fresh]: 'compliant', [expired]: 'stale', [garbled]: 'stale' });
    // A source with a one-day maximum age wins over the organisation's 30 days.
    await db.query(`INSERT INTO signal_sources (org_id, kind, issuer, jwks, max_age_seconds) VALUES ($1, 'managed', 'https://mdm.example', '{"keys": []}', 86400)`, [managedOrg]);
    expect((await statusOf())[twoDays]).toBe('stale');
  });

  it('pages with a cursor through every device exactly once, also when devices share a creation time', async () => {
    const acc = await seedAccount(db, org);
    const same = new Date(Date.now() - 7200_000);
    const crowd: string[] = [];
    for (let i = 0; i < 7; i++) {
      const id = await seedDevice(db, acc);
      await setDevice(db, id, { created_at: same });
      crowd.push(id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get(app, viewer, `/v1/admin/devices?accountId=${acc}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...ids(res.body));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(7);
    expect([...seen].sort()).toEqual([...crowd].sort());
  });

  it.each([
    ['an unknown state', 'state=stolen', 'invalid_filter'],
    ['a repeated parameter', 'state=trusted&state=revoked', 'invalid_filter'],
    ['an unknown parameter (a typo must not widen the list)', 'stat=revoked', 'invalid_filter'],
    ['an empty value', 'platform=', 'invalid_filter'],
    ['a malformed platform', 'platform=ios%27%20OR%201=1', 'invalid_filter'],
    ['a malformed account id', 'accountId=someone', 'invalid_filter'],
    ['a date without offset', 'lastSeenAfter=2026-01-01T00:00:00', 'invalid_filter'],
    ['a date that is not one', 'lastSeenBefore=yesterday', 'invalid_filter'],
    ['a range that ends before it starts', 'lastSeenAfter=2026-02-01T00:00:00Z&lastSeenBefore=2026-01-01T00:00:00Z', 'invalid_filter'],
    ['a non-boolean', 'neverSeen=yes', 'invalid_filter'],
    ['an unknown managed status', 'managed=fine', 'invalid_filter'],
    ['a limit of 0', 'limit=0', 'invalid_filter'],
    ['a limit too large', 'limit=201', 'invalid_filter'],
    ['a negative limit', 'limit=-1', 'invalid_filter'],
    ['a nested parameter', 'state[a]=trusted', 'invalid_filter'],
    ['a malformed cursor', 'cursor=abc', 'invalid_cursor'],
    ['a cursor that is not base64url JSON', `cursor=${'_'.repeat(30)}.${'A'.repeat(22)}`, 'invalid_cursor'],
  ])('answers %s with 400', async (_what, query, code) => {
    const res = await get(app, viewer, `/v1/admin/devices?${query}`);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe(code);
  });

  it('refuses a tampered cursor, and one from other filters or another organisation', async () => {
    const first = await get(app, viewer, '/v1/admin/devices?limit=2');
    const cursor: string = first.body.nextCursor;
    expect(cursor).toEqual(expect.any(String));
    const [payload, mac] = cursor.split('.');
    const body = JSON.parse(Buffer.from(payload, 'base64url').toString());
    body.after[0] = '2099-01-01T00:00:00.000000Z';
    const forged = `${Buffer.from(JSON.stringify(body)).toString('base64url')}.${mac}`;
    for (const [token, query] of [[viewer, `limit=2&cursor=${forged}`], [viewer, `limit=2&state=trusted&cursor=${cursor}`], [otherViewer, `limit=2&cursor=${cursor}`]]) {
      const res = await get(app, token, `/v1/admin/devices?${query}`);
      expect([query.slice(0, 30), res.status, res.body.code]).toEqual([query.slice(0, 30), 400, 'invalid_cursor']);
    }
    expect((await get(app, viewer, `/v1/admin/devices?limit=2&cursor=${cursor}`)).status).toBe(200);
  });

  it('shows one device in detail, with its protection and latest signals', async () => {
    await seedSignal(db, devices.phone, 'os_integrity', { status: 'pass', issuer: 'https://os.enigm.example' });
    const res = await get(app, viewer, `/v1/admin/devices/${devices.phone}`);
    expect(res.status).toBe(200);
    expectAdminSchema('admin-device', res.body);
    expect(res.body).toMatchObject({
      deviceId: devices.phone, accountId: account, state: 'trusted', platform: 'ios',
      protection: { attestationFormat: 'none', backupEligible: false, backedUp: false, userVerifiedAtEnrollment: true },
      managed: { status: 'compliant' },
    });
    expect(res.body.signals.map((s: { kind: string }) => s.kind)).toEqual(['managed', 'os_integrity']);
  });

  it('answers a device or account of another organisation exactly as a missing one', async () => {
    const foreignAccount = await seedAccount(db, other);
    const foreignDevice = await seedDevice(db, foreignAccount);
    const missingDevice = 'dev_' + 'x'.repeat(32);
    const foreign = await get(app, viewer, `/v1/admin/devices/${foreignDevice}`);
    const missing = await get(app, viewer, `/v1/admin/devices/${missingDevice}`);
    expect(foreign.status).toBe(404);
    expect({ ...foreign.body, detail: foreign.body.detail.replace(foreignDevice, 'ID') }).toEqual({ ...missing.body, detail: missing.body.detail.replace(missingDevice, 'ID') });
    const fa = await get(app, viewer, `/v1/admin/accounts/${foreignAccount}`);
    const ma = await get(app, viewer, '/v1/admin/accounts/acc_missing');
    expect(fa.status).toBe(404);
    expect({ ...fa.body, detail: fa.body.detail.replace(foreignAccount, 'ID') }).toEqual({ ...ma.body, detail: ma.body.detail.replace('acc_missing', 'ID') });
    // A filter on another organisation's account finds what a missing one finds: nothing.
    const filtered = await get(app, viewer, `/v1/admin/devices?accountId=${foreignAccount}`);
    expect(filtered.body).toEqual((await get(app, viewer, '/v1/admin/devices?accountId=acc_missing')).body);
    expect(filtered.body.items).toEqual([]);
    // The other organisation itself sees it.
    expect((await get(app, otherViewer, `/v1/admin/devices/${foreignDevice}`)).status).toBe(200);
  });

  it('shows an account with its device counts and epoch', async () => {
    const res = await get(app, viewer, `/v1/admin/accounts/${account}`);
    expect(res.status).toBe(200);
    expectAdminSchema('admin-account', res.body);
    expect(res.body).toMatchObject({ accountId: account, state: 'active', recoveryState: 'none', devices: { trusted: 2, restricted: 1, pending: 1, revoked: 0 } });
    expect(res.body.deviceEpoch).toBeGreaterThan(0);
  });

  it('is served by the v1 API, behind its authentication', async () => {
    const redis = openRedis(DEAD_REDIS_URL);
    try {
      const policies = await servedPolicies();
      const api = createApp({ db, redis, logger: createLogger('silent'), metrics: createMetrics(), mount: (a) => a.use(apiRoutes({ db, policies })) });
      const res = await request(api).get('/v1/admin/devices?limit=1').set('authorization', `Bearer ${viewer}`);
      expect(res.status).toBe(200);
      expect(res.body.items).toHaveLength(1);
      expect((await request(api).get('/v1/admin/devices')).status).toBe(401);
    } finally {
      redis.disconnect();
    }
  });
});
