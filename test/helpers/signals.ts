/**
 * Signal test plumbing: the app on real PostgreSQL and Redis (unique key prefix), keys made
 * with jose and statements signed for real, device sessions, and readers of what was stored
 * and audited.
 */
import type { Express } from 'express';
import type { Redis } from 'ioredis';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
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
import { createSession } from '../../src/trust/sessions.js';
import { postgresSchema, REDIS_URL, uniqueName } from './env.js';
import { migrated } from './seed.js';

/** The service's origin in these tests: the default `aud` of every statement. */
export const AUDIENCE = 'https://trust.enigm.test';
export const MDM_ISSUER = 'https://mdm.acme.test';
export const OS_ISSUER = 'https://attest.enigm-os.test';
export const system = { type: 'system' as const, id: 'test' };

export interface SignalTestEnv {
  db: Database;
  redis: Redis;
  app: Express;
  /** A service key with signals:write and decisions:read. */
  relayToken: string;
  close(): Promise<void>;
}

export async function signalTestEnv(): Promise<SignalTestEnv> {
  const s = await postgresSchema();
  const db = await migrated(s.db);
  const redis = openRedis(REDIS_URL, { keyPrefix: `${uniqueName('signals')}:` });
  await whenRedisReady(redis, 5000);
  const config = parseConfig({ RP_ID: 'trust.enigm.test', RP_ORIGIN: AUDIENCE, LOG_LEVEL: 'silent' });
  const policies = await servedPolicies();
  const app = createApp({ db, redis, logger: createLogger('silent'), metrics: createMetrics(), mount: (a) => a.use(apiRoutes({ db, policies, redis, config })) });
  const relayToken = (await createServiceKey(db, { name: uniqueName('relay'), scopes: ['signals:write', 'decisions:read'] }, system)).token;
  return {
    db, redis, app, relayToken,
    async close() {
      await redis.quit().catch(() => redis.disconnect());
      await s.drop();
    },
  };
}

/** A signing key pair as a connector or Enigm OS would hold it. */
export interface TestSigner {
  kid: string;
  alg: 'ES256' | 'EdDSA';
  publicJwk: JWK;
  privateKey: CryptoKey;
  /** Signs `claims` (iat defaults to now, exp to an hour later) with this key's kid and alg. */
  sign(claims: JWTPayload, header?: { kid?: string | null; alg?: string }): Promise<string>;
}

export async function testSigner(alg: 'ES256' | 'EdDSA', kid: string = uniqueName('kid')): Promise<TestSigner> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid };
  return {
    kid, alg, publicJwk, privateKey,
    async sign(claims, header = {}) {
      const now = Math.floor(Date.now() / 1000);
      const body: JWTPayload = { iat: now, exp: now + 3600, ...claims };
      const protectedHeader: { alg: string; kid?: string } = { alg: header.alg ?? alg };
      if (header.kid !== null) protectedHeader.kid = header.kid ?? kid;
      return new SignJWT(body).setProtectedHeader(protectedHeader).sign(privateKey);
    },
  };
}

/** A valid managed-device statement's claims for `deviceId`. */
export function managedClaims(deviceId: string, status = 'compliant'): JWTPayload {
  return { iss: MDM_ISSUER, aud: AUDIENCE, sub: deviceId, status, jti: uniqueName('stmt') };
}

/** A device session token (`eds_…`) for a seeded device. */
export async function sessionFor(db: Database, deviceId: string, accountId: string): Promise<string> {
  return (await db.transaction((tx) => createSession(tx, { deviceId, accountId, userVerified: true }))).token;
}

/** An admin key of `orgId` with `role`. */
export async function adminToken(db: Database, orgId: string, role = 'operator'): Promise<string> {
  return (await createAdminKey(db, { orgId, role }, system)).token;
}

/** Configures a signal source through the admin route; fails the test unless it is accepted. */
export async function configureSource(env: SignalTestEnv, orgId: string, kind: 'managed' | 'os_integrity', body: Record<string, unknown>): Promise<void> {
  const res = await request(env.app).put(`/v1/admin/signal-sources/${kind}`).set('authorization', `Bearer ${await adminToken(env.db, orgId)}`).send(body);
  if (res.status !== 200) throw new Error(`configuring ${kind} failed: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Every stored signal of a device, oldest first, for "nothing changed" checks. */
export async function storedSignals(db: Database, deviceId: string): Promise<Array<{ id: string; kind: string; status: string | null; verified: boolean }>> {
  return (await db.query<{ id: string; kind: string; status: string | null; verified: boolean }>(
    'SELECT id, kind, status, verified FROM signals WHERE device_id = $1 ORDER BY received_at, id', [deviceId])).rows;
}

/** The latest audit record of `type` (any device when `deviceId` is null). */
export async function lastAudit(db: Database, type: string, deviceId?: string | null): Promise<{ outcome: string; details: Record<string, unknown>; device_id: string | null; org_id: string | null; actor: Record<string, unknown> } | undefined> {
  const r = await db.query<{ outcome: string; details: Record<string, unknown>; device_id: string | null; org_id: string | null; actor: Record<string, unknown> }>(
    `SELECT outcome, details, device_id, org_id, actor FROM audit_events WHERE type = $1 ${deviceId === undefined ? '' : deviceId === null ? 'AND device_id IS NULL' : 'AND device_id = $2'} ORDER BY seq DESC LIMIT 1`,
    deviceId ? [type, deviceId] : [type],
  );
  return r.rows[0];
}
