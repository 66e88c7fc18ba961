/**
 * Single-use nonces for Enigm OS integrity attestations. The service issues one per device on
 * request of the service key that relays attestations; an attestation must carry it, and
 * using it consumes it (GETDEL), so an attestation can be presented once and only for the
 * device it was asked for. Kept in Redis with a short TTL, under a hash of the nonce.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { TrustError } from '../errors.js';
import { sha256Hex } from '../ids.js';

/** How long an issued nonce stays usable. */
export const NONCE_TTL_SECONDS = 300;

const NONCE_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** What an issued nonce is bound to. */
export interface NonceBinding {
  deviceId: string;
  issuedAt: Date;
}

function keyOf(nonce: string): string {
  return `signals:nonce:${sha256Hex(nonce)}`;
}

function redisDown(err: unknown): TrustError {
  return new TrustError(503, 'redis_unavailable', `the nonce store is unavailable (${(err as Error).message}); try again`);
}

/** Issues a fresh nonce for `deviceId`, valid for NONCE_TTL_SECONDS. */
export async function issueSignalNonce(redis: Redis, deviceId: string, now: Date = new Date()): Promise<{ nonce: string; expiresAt: Date }> {
  const nonce = randomBytes(32).toString('base64url');
  const binding = JSON.stringify({ deviceId, issuedAt: now.toISOString() });
  try {
    await redis.set(keyOf(nonce), binding, 'EX', NONCE_TTL_SECONDS, 'NX');
  } catch (err) {
    throw redisDown(err);
  }
  return { nonce, expiresAt: new Date(now.getTime() + NONCE_TTL_SECONDS * 1000) };
}

/**
 * Consumes `nonce`: returns what it was issued for, or null when it is unknown, expired or
 * already used (the three are indistinguishable on purpose). Atomic: of two concurrent
 * uses, exactly one gets the binding.
 */
export async function consumeSignalNonce(redis: Redis, nonce: string): Promise<NonceBinding | null> {
  if (!NONCE_SHAPE.test(nonce)) return null;
  let raw: string | null;
  try {
    raw = await redis.getdel(keyOf(nonce));
  } catch (err) {
    throw redisDown(err);
  }
  if (raw === null) return null;
  const b = JSON.parse(raw) as { deviceId: string; issuedAt: string };
  return { deviceId: b.deviceId, issuedAt: new Date(b.issuedAt) };
}
