/**
 * The enrollment API on real PostgreSQL (own schema) and real Redis (own key prefix), with
 * the software authenticator, and the steps every flow test repeats: create an account,
 * enroll a device, open a session, read the audit log.
 */
import type { Express } from 'express';
import type { Redis } from 'ioredis';
import request from 'supertest';
import { parseConfig } from '../../src/config.js';
import { apiRoutes } from '../../src/http/api.js';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/http/logger.js';
import { createMetrics } from '../../src/http/metrics.js';
import { servedPolicies } from './policy.js';
import { openRedis, whenRedisReady } from '../../src/queue/redis.js';
import type { Database } from '../../src/store/database.js';
import { createAdminKey, createServiceKey } from '../../src/trust/apiKeys.js';
import type { EnrollmentSettings } from '../../src/trust/enrollment/settings.js';
import { postgresSchema, REDIS_URL, uniqueName } from './env.js';
import { migrated, seedOrg, TEST_ID_SECRET } from './seed.js';
import { SoftAuthenticator, type SoftAuthenticatorOptions } from './softAuthenticator.js';

export const ORIGIN = 'http://localhost:8080';
const system = { type: 'system' as const, id: 'test' };

export interface Harness {
  app: Express;
  db: Database;
  redis: Redis;
  org: string;
  serviceToken: string;
  close(): Promise<void>;
}

export async function enrollmentHarness(settings: Partial<EnrollmentSettings> = {}): Promise<Harness> {
  const s = await postgresSchema();
  const db = await migrated(s.db);
  const redis = openRedis(REDIS_URL, { keyPrefix: `${uniqueName('enr')}:` });
  await whenRedisReady(redis, 5000);
  const org = await seedOrg(db);
  const serviceToken = (await createServiceKey(db, { name: uniqueName('svc'), scopes: ['accounts:write', 'decisions:read'] }, system)).token;
  const config = parseConfig({ RP_ID: 'localhost', RP_ORIGIN: ORIGIN, ID_SECRET: TEST_ID_SECRET, PORT: '8080' });
  const policies = await servedPolicies();
  const app = createApp({ db, redis, logger: createLogger('silent'), metrics: createMetrics(), mount: (a) => a.use(apiRoutes({ db, policies, redis, config, enrollment: settings })) });
  return {
    app, db, redis, org, serviceToken,
    async close() {
      const keys = await redis.keys('*');
      const prefix = redis.options.keyPrefix ?? '';
      if (keys.length > 0) await redis.del(...keys.map((k) => k.slice(prefix.length)));
      await redis.quit();
      await s.drop();
    },
  };
}

export function authenticator(opts: Partial<SoftAuthenticatorOptions> = {}): SoftAuthenticator {
  return new SoftAuthenticator({ origin: ORIGIN, ...opts });
}

/** An admin key of `role` in `org`. */
export async function adminToken(h: Harness, role: string, org: string = h.org): Promise<string> {
  return (await createAdminKey(h.db, { name: uniqueName(role), orgId: org, role }, system)).token;
}

export const post = (h: Harness, path: string, body?: object, token?: string) => {
  const r = request(h.app).post(path);
  if (token) r.set('authorization', `Bearer ${token}`);
  return body === undefined ? r : r.send(body);
};

export const get = (h: Harness, path: string, token?: string) => {
  const r = request(h.app).get(path);
  return token ? r.set('authorization', `Bearer ${token}`) : r;
};

/** A new account → its id, handle and bootstrap code. */
export async function newAccount(h: Harness, org: string = h.org): Promise<{ accountId: string; handle: string; bootstrapCode: string }> {
  const handle = uniqueName('user');
  const res = await post(h, '/v1/accounts', { handle, org }, h.serviceToken);
  if (res.status !== 201) throw new Error(`account creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { accountId: res.body.accountId, handle, bootstrapCode: res.body.bootstrapCode };
}

export interface Started {
  enrollmentId: string;
  deviceId: string;
  registrationOptions: { challenge: string; rp: { id?: string }; user: { id: string } };
}

/** POST /v1/enrollments. */
export async function start(h: Harness, accountHandle: string, extra: object = {}): Promise<Started> {
  const res = await post(h, '/v1/enrollments', { accountHandle, label: 'Phone', platform: 'android', ...extra });
  if (res.status !== 201) throw new Error(`enrollment start failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Started;
}

/** POST /v1/enrollments/{id}/credential with `auth`'s registration (the raw response, for tests of refusals). */
export function submit(h: Harness, started: Started, auth: SoftAuthenticator, extra: object = {}) {
  return post(h, `/v1/enrollments/${started.enrollmentId}/credential`, { registrationResponse: auth.register(started.registrationOptions), ...extra });
}

/** Starts and registers a device; `extra` carries its code. Throws unless the answer is 200. */
export async function enroll(h: Harness, handle: string, auth: SoftAuthenticator, extra: object = {}): Promise<Started & { state: string; requirements: string[] }> {
  const started = await start(h, handle);
  const res = await submit(h, started, auth, extra);
  if (res.status !== 200) throw new Error(`credential failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...started, state: res.body.state, requirements: res.body.requirements };
}

/** Opens a session for the device holding `auth` → its token. */
export async function signIn(h: Harness, handle: string, auth: SoftAuthenticator): Promise<string> {
  const options = await post(h, '/v1/sessions/options', { accountHandle: handle });
  const res = await post(h, '/v1/sessions', { authenticationResponse: auth.assert(options.body.authenticationOptions) });
  if (res.status !== 201) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.sessionToken as string;
}

/** A first device of a fresh account, trusted through its bootstrap code, with a session. */
export async function trustedFirstDevice(h: Harness, org: string = h.org) {
  const account = await newAccount(h, org);
  const auth = authenticator();
  const enrolled = await enroll(h, account.handle, auth, { bootstrapCode: account.bootstrapCode });
  if (enrolled.state !== 'trusted') throw new Error(`first device is ${enrolled.state}`);
  return { ...account, auth, deviceId: enrolled.deviceId, enrollmentId: enrolled.enrollmentId, token: await signIn(h, account.handle, auth) };
}

/** What an enrollment needs, as its account's devices and administrators read it (the anonymous answer does not say). */
export async function requirementsOf(h: Harness, enrollmentId: string): Promise<string[]> {
  return (await h.db.query<{ requirements: string[] }>('SELECT requirements FROM enrollments WHERE id = $1', [enrollmentId])).rows[0].requirements;
}

/** What a code-less registration still waiting is told, whoever's account it is. */
export const UNDISCLOSED_REQUIREMENTS = ['admin_approval', 'approval_by_trusted_device', 'bootstrap_code', 'recovery_code'];

/** Audit records of `type` (and outcome), oldest first. */
export async function audits(h: Harness, type: string, outcome?: 'success' | 'refused') {
  const r = await h.db.query<{ outcome: string; device_id: string | null; account_id: string | null; details: Record<string, unknown> }>(
    `SELECT outcome, device_id, account_id, details FROM audit_events WHERE type = $1 AND ($2::text IS NULL OR outcome = $2) ORDER BY seq`, [type, outcome ?? null]);
  return r.rows;
}

/**
 * A snapshot of every row the flows write, to prove a refusal changed nothing but the audit log.
 * Rows of the enrollments in `closing` (the enrollment, its device, their outbox rows) are left
 * out: a refusal after their challenge was spent closes them, and `expectClosed` checks that.
 */
export async function stateSnapshot(h: Harness, ...closing: Array<Pick<Started, 'enrollmentId' | 'deviceId'>>): Promise<string> {
  const tables = ['accounts', 'account_codes', 'devices', 'credentials', 'enrollments', 'approvals', 'sessions', 'outbox', 'replacement_codes'];
  const ids = new Set(closing.flatMap((c) => [c.enrollmentId, c.deviceId]));
  const parts: unknown[] = [];
  for (const t of tables) {
    const rows = (await h.db.query<Record<string, unknown>>(`SELECT * FROM ${t} ORDER BY 1`)).rows;
    parts.push(rows.filter((r) => !ids.has(r.id as string) && !ids.has(r.device_id as string)));
  }
  return JSON.stringify(parts);
}

/** The enrollment was closed by the refusal `code`: denied, its device revoked, both audited — nothing left for a retry to trip over. */
export async function expectClosed(h: Harness, started: Pick<Started, 'enrollmentId' | 'deviceId'>, code: string): Promise<void> {
  const e = await h.db.query('SELECT e.state, d.state AS device_state, d.state_reason FROM enrollments e JOIN devices d ON d.id = e.device_id WHERE e.id = $1', [started.enrollmentId]);
  expect(e.rows[0]).toEqual({ state: 'denied', device_state: 'revoked', state_reason: `enrollment failed: ${code}` });
  expect((await audits(h, 'enrollment.failed', 'success')).filter((a) => a.device_id === started.deviceId).map((a) => a.details.refusal)).toEqual([code]);
  expect((await audits(h, 'device.revoked', 'success')).filter((a) => a.device_id === started.deviceId)).toHaveLength(1);
}
