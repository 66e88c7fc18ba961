/**
 * Every route, driven with generated requests against the real app on PostgreSQL and Redis:
 * paths (ids that exist, ids of the right shape, hostile text, broken percent-encoding),
 * queries, headers (content types, honest and lying content encodings, Idempotency-Key) and
 * bodies (valid for the route's schema and broken in the ways clients break them), from any
 * principal — none, a bad or revoked token, service keys with and without scopes, each admin
 * role of the organisation and of another, an administrator's console session, a device session. For every answer:
 *   - never a 5xx;
 *   - a 4xx changes nothing (every table but the audit log is as it was);
 *   - a 4xx to an authenticated principal leaves a refused audit record.
 * The routes come from the app's own router, so a route added later is driven too. The number
 * of cases is bounded (HARDENING_CASES, default 800) so `make test` stays quick; the count of
 * requests and the time taken are printed and written to reports/hardening-property.json.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import request from 'supertest';
import { createAdminKey, createServiceKey, keyAuthenticator, revokeKey, SERVICE_SCOPES } from '../../src/trust/apiKeys.js';
import { authenticateSession } from '../../src/trust/sessions.js';
import { authenticateAdminSession, createAdminSession } from '../../src/trust/admin/console/adminSessions.js';
import { createSubscriber } from '../../src/trust/subscribers.js';
import { ADMIN_ROLES } from '../../src/trust/admin/roles.js';
import { seedEnrollment } from '../helpers/admin.js';
import { enrollmentHarness, type Harness } from '../helpers/enrollmentHarness.js';
import { routeTable, type RouteEntry } from '../helpers/routeTable.js';
import { breaking, hostileText, matching } from '../helpers/schemaArbitrary.js';
import { seedAccount, seedDevice, seedOrg } from '../helpers/seed.js';
import { sessionFor } from '../helpers/signals.js';

const CASES = Number(process.env.HARDENING_CASES ?? 800);
const SEED = process.env.HARDENING_SEED === undefined ? undefined : Number(process.env.HARDENING_SEED);
const API = 'https://schemas.enigm.dev/trust/api/';

/** Bodies checked by the domain rather than a validateBody: the schema each is held to. */
const DOMAIN_BODIES: Record<string, string> = {
  'POST /v1/devices/:deviceId/signals': `${API}signal-report.schema.json`,
  'PUT /v1/admin/signal-sources/:kind': `${API}signal-source.schema.json`,
  'POST /v1/orgs': `${API}org-create.schema.json`,
  'PATCH /v1/orgs/:orgId': `${API}org-update.schema.json`,
  'PATCH /v1/admin/organisation': 'https://schemas.enigm.dev/trust/organisation-settings.schema.json',
  'POST /v1/admin/keys': `${API}admin-key-create.schema.json`,
  'POST /v1/accounts/:accountId/recovery': `${API}account-recovery.schema.json`,
  'POST /v1/accounts/:accountId/recovery/approval': `${API}account-recovery-approval.schema.json`,
};
/** Mutating routes that take no body. */
const NO_BODY = new Set(['POST /v1/devices/:deviceId/signals/nonce', 'POST /v1/enrollments/:enrollmentId/approval-options', 'DELETE /v1/admin/signal-sources/:kind', 'DELETE /v1/admin/keys/:keyId', 'DELETE /v1/subscribers/:id', 'DELETE /v1/admin/session', 'DELETE /v1/admin/administrators/:administratorId']);

const PRINCIPALS = ['none', 'garbage', 'revoked', 'service-all', 'service-none', ...ADMIN_ROLES.map((r) => `admin-${r}`), 'admin-other-org', 'admin-session', 'device'] as const;
type PrincipalName = (typeof PRINCIPALS)[number];

/** The world the requests act on; principals are re-made when a request ended them. */
interface World {
  org: string;
  tokens: Partial<Record<PrincipalName, string>>;
  /** Existing ids by path parameter name. */
  ids: Record<string, string[]>;
  device: { deviceId: string; accountId: string };
}

type PathValue = { kind: 'existing'; pick: number } | { kind: 'shaped'; suffix: string } | { kind: 'hostile'; text: string } | { kind: 'broken'; raw: string };
type Encoding = 'json' | 'gzip' | 'lying-gzip' | 'unknown-encoding' | 'text' | 'malformed' | 'deep' | 'huge-number' | 'charset' | 'none';

interface Case {
  route: number;
  principal: PrincipalName;
  path: PathValue[];
  query: Array<[string, string]>;
  validBody: boolean;
  body: unknown;
  encoding: Encoding;
  idempotencyKey?: string;
}

const PREFIX: Record<string, string> = { deviceId: 'dev', accountId: 'acc', enrollmentId: 'enr', keyId: 'key', id: 'sub', deliveryId: 'dlv', orgId: 'org', kind: '', administratorId: 'adm' };

function encodePathValue(v: PathValue, name: string, world: World): string {
  switch (v.kind) {
    case 'existing': {
      const pool = world.ids[name] ?? [];
      return pool.length ? encodeURIComponent(pool[v.pick % pool.length]) : 'none';
    }
    case 'shaped': return PREFIX[name] ? `${PREFIX[name]}_${v.suffix}` : v.suffix;
    case 'hostile': {
      try {
        return encodeURIComponent(v.text);
      } catch {
        return '%ED%A0%80'; // an unpaired surrogate, as UTF-8 would (wrongly) encode it
      }
    }
    case 'broken': return v.raw;
  }
}

function queryString(pairs: Array<[string, string]>): string {
  if (pairs.length === 0) return '';
  return `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`;
}

const pathValue: fc.Arbitrary<PathValue> = fc.oneof(
  { weight: 4, arbitrary: fc.nat().map((pick) => ({ kind: 'existing' as const, pick })) },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,70}$/).map((suffix) => ({ kind: 'shaped' as const, suffix })) },
  { weight: 2, arbitrary: hostileText.map((text) => ({ kind: 'hostile' as const, text })) },
  { weight: 1, arbitrary: fc.constantFrom('%E0%A4%A', '%FF', '%00', '%C0%AF', '%', '%zz', '..%2F..', '%ED%A0%80').map((raw) => ({ kind: 'broken' as const, raw })) },
);

const queryValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('1', '50', '0', '-1', '9999999999', 'true', 'maybe', '2026-01-01T00:00:00Z', 'trusted', 'pending,revoked', 'dev_x', 'acc_x', 'message.receive', '%FF', '%00', '%E0%A4%A', '', 'a%20b'),
  hostileText.map((t) => { try { return encodeURIComponent(t); } catch { return '%ED%A0%80'; } }),
);
const query: fc.Arbitrary<Array<[string, string]>> = fc.array(
  fc.tuple(fc.constantFrom('limit', 'cursor', 'state', 'accountId', 'deviceId', 'since', 'until', 'action', 'epoch', 'type', 'actorId', 'platform', 'managed', 'staleAfterDays', 'includeExpired', 'x', 'state'), queryValue),
  { maxLength: 3 },
);

function caseFor(routes: RouteEntry[]): fc.Arbitrary<Case> {
  // The API's routes are driven four times as often as the page's static files.
  const weighted = routes.flatMap((r, i) => (r.path.startsWith('/v1/') ? [i, i, i, i] : [i]));
  return fc.constantFrom(...weighted).chain((route) => {
    const r = routes[route];
    const schemaId = r.bodySchema ?? DOMAIN_BODIES[`${r.method} ${r.path}`];
    const schema = schemaId ? { $ref: schemaId } : undefined;
    const body = fc.oneof(
      { weight: 3, arbitrary: schema ? matching(schema).map((b) => ({ valid: true, b })) : fc.constant({ valid: true, b: undefined as unknown }) },
      { weight: 2, arbitrary: schema ? breaking(schema).map((b) => ({ valid: false, b })) : fc.jsonValue({ maxDepth: 2 }).map((b) => ({ valid: false, b })) },
    );
    return fc.record({
      route: fc.constant(route),
      // The principals most routes accept come up more often, so more requests reach the domain.
      principal: fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom<PrincipalName>('service-all', 'admin-owner', 'admin-operator', 'admin-approver', 'admin-session', 'device') },
        { weight: 2, arbitrary: fc.constantFrom(...PRINCIPALS) },
      ),
      path: fc.array(pathValue, { minLength: r.params.length, maxLength: r.params.length }),
      query: r.method === 'GET' ? query : fc.oneof(fc.constant([] as Array<[string, string]>), query),
      body,
      encoding: fc.oneof(
        { weight: 8, arbitrary: fc.constant<Encoding>('json') },
        { weight: 2, arbitrary: fc.constantFrom<Encoding>('gzip', 'lying-gzip', 'unknown-encoding', 'text', 'malformed', 'deep', 'huge-number', 'charset', 'none') },
      ),
      idempotencyKey: fc.option(fc.oneof(fc.uuid(), fc.constantFrom('k', 'bad key\u00e9', 'x'.repeat(300))), { nil: undefined }),
    }).map(({ body: b, ...rest }) => ({ ...rest, validBody: b.valid, body: b.b }));
  });
}

describe('every route under generated requests', () => {
  let h: Harness;
  let routes: RouteEntry[];
  let world: World;
  let sent = 0;
  const statuses = new Map<number, number>();

  /** A fresh device of the world's organisation with a session: the device principal. */
  async function freshDevice(): Promise<void> {
    const accountId = await seedAccount(h.db, world.org);
    const deviceId = await seedDevice(h.db, accountId);
    world.device = { deviceId, accountId };
    world.tokens.device = await sessionFor(h.db, deviceId, accountId);
    world.ids.deviceId.push(deviceId);
    world.ids.accountId.push(accountId);
  }

  /** An administrator of the world's organisation, active (as after accepting an invitation). */
  async function seedAdministrator(role: string): Promise<string> {
    const id = `adm_${randomBytes(9).toString('base64url')}`;
    await h.db.query(
      `INSERT INTO administrators (id, org_id, name, role, webauthn_user_id, invited_by, activated_at) VALUES ($1, $2, $3, $4, $5, '{"type":"system","id":"test"}', now())`,
      [id, world.org, `the ${role} ${id}`, role, randomBytes(16)],
    );
    return id;
  }

  /** A fresh console session of an operator: the admin-session principal (a request may end or remove it). */
  async function freshAdminSession(): Promise<void> {
    const administratorId = await seedAdministrator('operator');
    world.tokens['admin-session'] = (await createAdminSession(h.db, administratorId, 3600, new Date())).token;
  }

  beforeAll(async () => {
    h = await enrollmentHarness({ rateLimitPerAddress: 1e9, rateLimitPerHandle: 1e9 });
    routes = routeTable(h.app);
    const system = { type: 'system' as const, id: 'test' };
    const other = await seedOrg(h.db);
    world = { org: h.org, tokens: {}, ids: { deviceId: [], accountId: [], enrollmentId: [], keyId: [], id: [], deliveryId: ['dlv_nothing'], orgId: [h.org, other], kind: ['managed', 'os_integrity'] }, device: { deviceId: '', accountId: '' } };
    world.tokens.garbage = 'esk_' + 'A'.repeat(43);
    world.tokens['service-all'] = (await createServiceKey(h.db, { name: 'everything', scopes: [...SERVICE_SCOPES] }, system)).token;
    world.tokens['service-none'] = (await createServiceKey(h.db, { name: 'decider', scopes: ['decisions:read'] }, system)).token;
    const revoked = await createServiceKey(h.db, { name: 'revoked', scopes: [...SERVICE_SCOPES] }, system);
    await revokeKey(h.db, revoked.id, system);
    world.tokens.revoked = revoked.token;
    for (const role of ADMIN_ROLES) world.tokens[`admin-${role}`] = (await createAdminKey(h.db, { name: `the-${role}`, orgId: h.org, role }, system)).token;
    world.tokens['admin-other-org'] = (await createAdminKey(h.db, { name: 'elsewhere', orgId: other, role: 'owner' }, system)).token;
    // Things to act on: accounts with trusted, pending and in-recovery devices, an enrollment, a key, a subscriber.
    for (const recovering of [false, true]) {
      const accountId = await seedAccount(h.db, h.org, { recovering });
      const trusted = await seedDevice(h.db, accountId);
      const pending = await seedDevice(h.db, accountId, { state: 'pending' });
      world.ids.accountId.push(accountId);
      world.ids.deviceId.push(trusted, pending);
      world.ids.enrollmentId.push(await seedEnrollment(h.db, accountId, pending));
    }
    world.ids.keyId.push((await createAdminKey(h.db, { name: 'victim', orgId: h.org, role: 'viewer' }, system)).id);
    world.ids.id.push((await createSubscriber(h.db, { name: 'receiver', url: 'https://receiver.example.com/set', events: ['urn:enigm:secevent:device-lifecycle'] }, 'key_someone', system)).id);
    world.ids.administratorId = [await seedAdministrator('viewer')];
    await freshDevice();
    await freshAdminSession();
  });
  afterAll(async () => { await h.close(); });

  it('knows what body every mutating route takes', () => {
    const unnamed = routes.filter((r) => r.method !== 'GET' && !r.bodySchema && !DOMAIN_BODIES[`${r.method} ${r.path}`] && !NO_BODY.has(`${r.method} ${r.path}`));
    expect(unnamed.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  /** Every table but the audit log, as one digest, read in one statement. */
  let digestSql: string | undefined;
  async function stateDigest(): Promise<string> {
    if (!digestSql) {
      const tables = (await h.db.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
           AND table_name NOT IN ('audit_events', 'schema_migrations') ORDER BY table_name`)).rows.map((r) => r.table_name);
      digestSql = tables.map((t) => `SELECT '${t}' AS t, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS d FROM ${t} x`).join(' UNION ALL ');
    }
    return (await h.db.query<{ t: string; d: string }>(digestSql)).rows.map((r) => `${r.t}:${r.d}`).join(',');
  }

  const lastSeq = async () => Number((await h.db.query<{ s: string | null }>('SELECT max(seq) AS s FROM audit_events')).rows[0].s ?? 0);

  /** Whether `principal`'s token authenticates now (a request may have revoked it). */
  async function authenticated(principal: PrincipalName, token: string | undefined): Promise<boolean> {
    if (!token || principal === 'none' || principal === 'garbage' || principal === 'revoked') return false;
    if (principal === 'device') return (await authenticateSession(h.db, token)) !== null;
    if (principal === 'admin-session') return (await authenticateAdminSession(h.db, token)) !== null;
    return (await keyAuthenticator(h.db)(token)) !== null;
  }

  function send(c: Case, r: RouteEntry): request.Test {
    let path = r.path;
    r.params.forEach((name, i) => { path = path.replace(`:${name}`, encodePathValue(c.path[i], name, world)); });
    const url = path + queryString(c.query);
    const agent = request(h.app);
    const req = r.method === 'GET' ? agent.get(url) : r.method === 'POST' ? agent.post(url) : r.method === 'PUT' ? agent.put(url) : r.method === 'PATCH' ? agent.patch(url) : agent.delete(url);
    const token = world.tokens[c.principal];
    if (token) req.set('authorization', `Bearer ${token}`);
    if (c.idempotencyKey !== undefined) req.set('idempotency-key', c.idempotencyKey);
    if (r.method === 'GET' || c.encoding === 'none' || (c.body === undefined && c.encoding === 'json')) return req;
    const json = JSON.stringify(c.body ?? null);
    const raw = (type: string, payload: string | Buffer, encoding?: string) => {
      req.set('content-type', type);
      if (encoding) req.set('content-encoding', encoding);
      return req.serialize((b: unknown) => b as string).send(payload as string);
    };
    switch (c.encoding) {
      case 'json': return raw('application/json', json);
      case 'gzip': return raw('application/json', gzipSync(json), 'gzip');
      case 'lying-gzip': return raw('application/json', json, 'gzip');
      case 'unknown-encoding': return raw('application/json', json, 'zstd');
      case 'text': return raw('text/plain', json);
      case 'malformed': return raw('application/json', json.slice(0, Math.max(1, json.length - 1)) + '\u0000');
      case 'deep': return raw('application/json', `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`);
      // Text JSON.parse reads, but not as it was written: 1e400 becomes Infinity, -0 and 1e-400 zeros.
      case 'huge-number': return raw('application/json', json.replace(/(:|\[)\s*(-?\d[\d.eE+-]*|"[^"]*"|true|false|null)/, '$11e400'));
      case 'charset': return raw('application/json; charset=utf-16', json);
    }
  }

  it('answers no 5xx, changes nothing on a 4xx, and audits every refusal of an authenticated principal', async () => {
    const started = Date.now();
    await fc.assert(fc.asyncProperty(caseFor(routes), async (c) => {
      const r = routes[c.route];
      if (c.principal === 'device' && !(await authenticated('device', world.tokens.device))) await freshDevice();
      if (c.principal === 'admin-session' && !(await authenticated('admin-session', world.tokens['admin-session']))) await freshAdminSession();
      const token = world.tokens[c.principal];
      const isAuthenticated = await authenticated(c.principal, token);
      const before = await stateDigest();
      const seq = await lastSeq();
      const res = await send(c, r);
      sent++;
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const what = `${r.method} ${r.path} as ${c.principal} → ${res.status} ${res.body?.code ?? ''}`;
      expect([what, res.status < 500]).toEqual([what, true]);
      if (res.status >= 400) {
        expect([what, res.headers['content-type']]).toEqual([what, expect.stringMatching(/^application\/problem\+json/)]);
        expect([what, await stateDigest()]).toEqual([what, before]);
        if (isAuthenticated && res.status !== 401) {
          const refused = await h.db.query(`SELECT 1 FROM audit_events WHERE seq > $1 AND outcome = 'refused'`, [seq]);
          expect([what, (refused.rowCount ?? 0) > 0]).toEqual([what, true]);
        }
      }
    }), { numRuns: CASES, ...(SEED === undefined ? {} : { seed: SEED }), endOnFailure: true });
    const seconds = (Date.now() - started) / 1000;
    const figures = { routes: routes.length, cases: CASES, requests: sent, seconds, statuses: Object.fromEntries([...statuses].sort(([a], [b]) => a - b)) };
    mkdirSync('reports', { recursive: true });
    writeFileSync('reports/hardening-property.json', JSON.stringify(figures, null, 2) + '\n');
    console.log(`property test: ${sent} generated requests over ${routes.length} routes in ${seconds.toFixed(1)} s; statuses ${JSON.stringify(figures.statuses)}`);
  }, 300_000);
});
