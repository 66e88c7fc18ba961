/**
 * Test plumbing for the Enigm Command routes: an app with authentication and the admin
 * routes on a real database, admin keys, and direct inserts for what other flows create
 * (enrollments, approvals, signals, replacements, sightings).
 */
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../src/http/app.js';
import { authenticate } from '../../src/http/auth.js';
import { createLogger, type Logger } from '../../src/http/logger.js';
import { createMetrics } from '../../src/http/metrics.js';
import { adminRoutes } from '../../src/http/routes/admin/index.js';
import { openRedis } from '../../src/queue/redis.js';
import type { Database } from '../../src/store/database.js';
import { createAdminKey } from '../../src/trust/apiKeys.js';
import { newId } from '../../src/trust/ids.js';
import { schemas } from '../../src/policy/schemaRegistry.js';
import { DEAD_REDIS_URL, postgresSchema } from './env.js';
import { migrated } from './seed.js';

export const SYSTEM = { type: 'system' as const, id: 'test' };

/** The admin routes behind authentication, as the service mounts them; `close` ends the Redis client. */
export function adminApp(db: Database, logger: Logger = createLogger('silent')): { app: Express; close(): void } {
  const redis = openRedis(DEAD_REDIS_URL); // the admin routes never use Redis
  const app = createApp({ db, redis, logger, metrics: createMetrics(), mount: (a) => { a.use(authenticate(db)); a.use(adminRoutes({ db })); } });
  return { app, close: () => redis.disconnect() };
}

/**
 * A fresh migrated schema on the real PostgreSQL with the admin app over it. `done` ends the
 * app's Redis client, closes the database and drops the schema.
 */
export async function adminTestbed(logger?: Logger): Promise<{ db: Database; app: Express; done(): Promise<void> }> {
  const s = await postgresSchema();
  const db = await migrated(s.db);
  const { app, close } = adminApp(db, logger);
  return { db, app, done: () => { close(); return s.drop(); } };
}

/** Asserts `body` matches the admin response schema `name` (schemas/api/<name>.schema.json). */
export function expectAdminSchema(name: string, body: unknown): void {
  const validate = schemas().validator(`https://schemas.enigm.dev/trust/api/${name}.schema.json`);
  expect(validate(body) ? [] : validate.errors).toEqual([]);
}

/** A new admin key of `orgId` with `role`: its token and id. */
export async function adminKey(db: Database, orgId: string, role: string): Promise<{ token: string; id: string }> {
  return createAdminKey(db, { orgId, role, name: `${role} ${newId('t').slice(2, 10)}` }, SYSTEM);
}

/** GET `path` with bearer `token`. */
export function get(app: Express, token: string | null, path: string): request.Test {
  const r = request(app).get(path);
  return token === null ? r : r.set('authorization', `Bearer ${token}`);
}

/** POST `body` to `path` with bearer `token`. */
export function post(app: Express, token: string | null, path: string, body: unknown): request.Test {
  const r = request(app).post(path).send(body as object);
  return token === null ? r : r.set('authorization', `Bearer ${token}`);
}

/** An enrollment row for an existing device. */
export async function seedEnrollment(db: Database, accountId: string, deviceId: string, opts: { state?: string; expiresInSeconds?: number; replacesDeviceId?: string; createdAt?: Date; requirements?: string[] } = {}): Promise<string> {
  const id = newId('enr');
  const created = opts.createdAt ?? new Date();
  await db.query(
    `INSERT INTO enrollments (id, account_id, device_id, replaces_device_id, state, requirements, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [id, accountId, deviceId, opts.replacesDeviceId ?? null, opts.state ?? 'registered', JSON.stringify(opts.requirements ?? ['approval']),
      new Date(Date.now() + (opts.expiresInSeconds ?? 300) * 1000), created],
  );
  return id;
}

/** A stored signal for a device. */
export async function seedSignal(db: Database, deviceId: string, kind: 'posture' | 'managed' | 'os_integrity', opts: { verified?: boolean; status?: string; issuer?: string; ageSeconds?: number; payload?: Record<string, unknown> } = {}): Promise<void> {
  await db.query(
    `INSERT INTO signals (id, device_id, kind, verified, status, issuer, payload, issued_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [newId('sig'), deviceId, kind, opts.verified ?? true, opts.status ?? null, opts.issuer ?? 'https://mdm.example', JSON.stringify(opts.payload ?? {}),
      new Date(Date.now() - (opts.ageSeconds ?? 60) * 1000)],
  );
}

/** Sets a device's columns directly (platform, last_seen_at, created_at, replacement links, …). */
export async function setDevice(db: Database, deviceId: string, columns: Record<string, unknown>): Promise<void> {
  const names = Object.keys(columns);
  await db.query(`UPDATE devices SET ${names.map((n, i) => `${n} = $${i + 2}`).join(', ')} WHERE id = $1`, [deviceId, ...names.map((n) => columns[n])]);
}

/** The device's state as stored. */
export async function stateOf(db: Database, deviceId: string): Promise<string> {
  return (await db.query<{ state: string }>('SELECT state FROM devices WHERE id = $1', [deviceId])).rows[0].state;
}

/** How many audit records there are. */
export async function auditCount(db: Database): Promise<number> {
  return Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM audit_events')).rows[0].n);
}
