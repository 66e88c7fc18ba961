/**
 * Device sessions (`eds_…`): issued to a trusted or restricted device after a WebAuthn
 * assertion, stored only as a hash, expiring, and ended with the device's trust.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Queryable } from '../store/database.js';
import { newId, sha256Hex } from './ids.js';

export const SESSION_TTL_SECONDS = 12 * 3600;
const TOKEN = /^eds_[A-Za-z0-9_-]{43}$/;

export interface DeviceSession {
  sessionId: string;
  deviceId: string;
  accountId: string;
  /** Null for an unmanaged account. */
  orgId: string | null;
  deviceState: 'trusted' | 'restricted';
  userVerified: boolean;
  expiresAt: Date;
}

/** Creates a session inside the caller's transaction; the token is returned once. */
export async function createSession(
  tx: Queryable,
  s: { deviceId: string; accountId: string; userVerified: boolean },
  now: Date = new Date(),
): Promise<{ sessionId: string; token: string; expiresAt: Date }> {
  const token = `eds_${randomBytes(32).toString('base64url')}`;
  const sessionId = newId('ses');
  const expiresAt = new Date(now.getTime() + SESSION_TTL_SECONDS * 1000);
  await tx.query(
    `INSERT INTO sessions (id, token_hash, device_id, account_id, user_verified, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [sessionId, sha256Hex(token), s.deviceId, s.accountId, s.userVerified, now, expiresAt],
  );
  return { sessionId, token, expiresAt };
}

/**
 * The live session a token stands for: not expired, not revoked, and its device still
 * trusted or restricted — a device that lost trust loses its sessions at that moment.
 */
export async function authenticateSession(q: Queryable, token: string): Promise<DeviceSession | null> {
  if (!TOKEN.test(token)) return null;
  const hash = sha256Hex(token);
  const r = await q.query<{ id: string; token_hash: string; device_id: string; account_id: string; org_id: string | null; state: string; user_verified: boolean; expires_at: Date }>(
    `SELECT s.id, s.token_hash, s.device_id, s.account_id, a.org_id, d.state, s.user_verified, s.expires_at
       FROM sessions s JOIN devices d ON d.id = s.device_id JOIN accounts a ON a.id = s.account_id
      WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()`,
    [hash],
  );
  const row = r.rows[0];
  if (!row || !timingSafeEqual(Buffer.from(row.token_hash), Buffer.from(hash))) return null;
  if (row.state !== 'trusted' && row.state !== 'restricted') return null;
  return {
    sessionId: row.id, deviceId: row.device_id, accountId: row.account_id, orgId: row.org_id,
    deviceState: row.state, userVerified: row.user_verified, expiresAt: row.expires_at,
  };
}
