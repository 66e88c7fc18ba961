/**
 * WebAuthn challenges, kept in Redis: random, bound to what they were issued for, single-use
 * (GETDEL: a challenge is consumed by the first attempt that presents it, successful or not)
 * and expiring. The key is a hash of the challenge, so Redis never holds a usable value.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { TrustError } from '../errors.js';
import { sha256Hex } from '../ids.js';

/** What a challenge was issued for. */
export type ChallengeBinding =
  | { purpose: 'registration'; enrollmentId: string; decoy?: { deviceId: string } }
  | { purpose: 'approval'; enrollmentId: string; approverDeviceId: string }
  | { purpose: 'session'; handleHash: string }
  // The Command console: an invitee registering a passkey, an administrator signing in.
  | { purpose: 'admin-registration'; invitationId: string }
  | { purpose: 'admin-session' };

const key = (challenge: string) => `enigm:webauthn:challenge:${sha256Hex(challenge)}`;

/** Issues a fresh challenge bound to `binding`, alive for `ttlSeconds`. Fails closed when Redis is down. */
export async function issueChallenge(redis: Redis, binding: ChallengeBinding, ttlSeconds: number): Promise<string> {
  const challenge = randomBytes(32).toString('base64url');
  try {
    await redis.set(key(challenge), JSON.stringify(binding), 'EX', ttlSeconds);
  } catch {
    throw new TrustError(503, 'challenge_store_unavailable', 'WebAuthn challenges cannot be issued right now (Redis is unreachable); try again shortly');
  }
  return challenge;
}

/** Consumes `challenge`: its binding, or undefined when it is unknown, expired or already used. */
export async function consumeChallenge(redis: Redis, challenge: string): Promise<ChallengeBinding | undefined> {
  let raw: string | null;
  try {
    raw = await redis.getdel(key(challenge));
  } catch {
    throw new TrustError(503, 'challenge_store_unavailable', 'WebAuthn challenges cannot be checked right now (Redis is unreachable); try again shortly');
  }
  return raw === null ? undefined : (JSON.parse(raw) as ChallengeBinding);
}
