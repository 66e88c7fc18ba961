/**
 * Admin sessions (`eas_…`): opened by an administrator's passkey assertion, short, stored only
 * as a hash, and live only while the session is neither expired nor ended and its
 * administrator is not removed — removal ends them at the next request, not at expiry.
 */
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { appendAudit, type AuditActor } from '../../../store/audit.js';
import type { Database, Queryable } from '../../../store/database.js';
import { consumeChallenge, issueChallenge } from '../../enrollment/challenges.js';
import { auditingRefusals, type AuditContext } from '../../enrollment/refusals.js';
import { authenticationOptions, claimedChallenge, isCounterRegression, verifyAssertion } from '../../enrollment/webauthn.js';
import { ForbiddenError, TrustError } from '../../errors.js';
import { newId, sha256Hex } from '../../ids.js';
import type { AdminRole } from '../roles.js';
import type { ConsoleDeps } from './consoleDeps.js';
import { hashMatches, isSecretShaped, newSecret } from './secrets.js';

/** A live admin session and who holds it. */
export interface AdminSession {
  sessionId: string;
  administratorId: string;
  name: string;
  orgId: string;
  orgName: string;
  role: AdminRole;
  expiresAt: Date;
}

/** What signing in (or accepting an invitation) hands the page: the token, once. */
export interface OpenedAdminSession {
  sessionToken: string;
  expiresAt: string;
  administrator: { id: string; name: string; role: AdminRole; orgId: string; orgName: string };
}

/** Writes a session for `administratorId` inside the caller's transaction; the token is returned once. */
export async function createAdminSession(tx: Queryable, administratorId: string, ttlSeconds: number, now: Date): Promise<{ sessionId: string; token: string; expiresAt: Date }> {
  const { secret, hash } = newSecret('session');
  const sessionId = newId('ases');
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
  await tx.query('INSERT INTO admin_sessions (id, token_hash, administrator_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
    [sessionId, hash, administratorId, now, expiresAt]);
  return { sessionId, token: secret, expiresAt };
}

interface SessionRow { id: string; token_hash: string; administrator_id: string; name: string; org_id: string; org_name: string; role: AdminRole; expires_at: Date }

/** The live session `token` stands for, or null: malformed (no query), unknown, expired, ended, or its administrator removed. */
export async function authenticateAdminSession(q: Queryable, token: string): Promise<AdminSession | null> {
  if (!isSecretShaped('session', token)) return null;
  const hash = sha256Hex(token);
  const r = await q.query<SessionRow>(
    `SELECT s.id, s.token_hash, s.administrator_id, ad.name, ad.org_id, o.name AS org_name, ad.role, s.expires_at
       FROM admin_sessions s JOIN administrators ad ON ad.id = s.administrator_id JOIN organisations o ON o.id = ad.org_id
      WHERE s.token_hash = $1 AND s.ended_at IS NULL AND s.expires_at > now() AND ad.removed_at IS NULL`, [hash]);
  const row = r.rows[0];
  if (!row || !hashMatches(row.token_hash, hash)) return null;
  return { sessionId: row.id, administratorId: row.administrator_id, name: row.name, orgId: row.org_id, orgName: row.org_name, role: row.role, expiresAt: row.expires_at };
}

/** Options for signing in: a fresh challenge and no credential list (passkeys are discoverable). */
export async function adminSignInOptions(deps: ConsoleDeps): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const challenge = await issueChallenge(deps.redis, { purpose: 'admin-session' }, deps.settings.challengeTtlSeconds);
  return authenticationOptions(deps.rp, challenge, deps.settings.challengeTtlSeconds * 1000);
}

interface CredentialRow {
  id: string; administrator_id: string; credential_id: string; public_key: Buffer; sign_count: string | number; transports: string[];
  org_id: string; org_name: string; name: string; role: AdminRole; removed_at: Date | null;
}

/**
 * Verifies an administrator's assertion and opens a session. Refused (and audited): a challenge
 * unknown, spent or of another ceremony (400), a passkey no administrator holds (401), a
 * removed administrator (403), a sign counter that did not increase (403).
 */
export async function openAdminSession(deps: ConsoleDeps, response: AuthenticationResponseJSON, actor: AuditActor, now: Date = new Date()): Promise<OpenedAdminSession> {
  const ctx: AuditContext = { type: 'admin.session_created', actor };
  return auditingRefusals(deps.db, ctx, async () => {
    const challenge = claimedChallenge(response, 'assertion');
    const binding = await consumeChallenge(deps.redis, challenge);
    if (!binding) throw new TrustError(400, 'challenge_invalid', 'the challenge is unknown, expired or already used: ask for sign-in options again');
    if (binding.purpose !== 'admin-session') throw new TrustError(400, 'challenge_foreign', 'the challenge was issued for another ceremony');
    const found = typeof response.id === 'string' ? (await deps.db.query<CredentialRow>(
      `SELECT c.id, c.administrator_id, c.credential_id, c.public_key, c.sign_count, c.transports, ad.org_id, o.name AS org_name, ad.name, ad.role, ad.removed_at
         FROM admin_credentials c JOIN administrators ad ON ad.id = c.administrator_id JOIN organisations o ON o.id = ad.org_id
        WHERE c.credential_id = $1`, [response.id])).rows[0] : undefined;
    if (!found) throw new TrustError(401, 'credential_unknown', 'this passkey belongs to no administrator here');
    Object.assign(ctx, { orgId: found.org_id, actor: { ...actor, type: 'admin', id: found.administrator_id, role: found.role } });
    if (found.removed_at) throw new ForbiddenError('administrator_removed', 'this administrator was removed from the organisation');
    const verified = await verifyAssertion(deps.rp, response, challenge, { credentialId: found.credential_id, publicKey: new Uint8Array(found.public_key), transports: found.transports });
    return deps.db.transaction(async (tx) => {
      // Row lock: the counter comparison and update of one passkey serialise.
      const locked = (await tx.query<{ sign_count: string | number; removed_at: Date | null }>(
        'SELECT c.sign_count, ad.removed_at FROM admin_credentials c JOIN administrators ad ON ad.id = c.administrator_id WHERE c.id = $1 FOR UPDATE OF c, ad', [found.id])).rows[0];
      if (locked.removed_at) throw new ForbiddenError('administrator_removed', 'this administrator was removed from the organisation');
      if (isCounterRegression(Number(locked.sign_count), verified.counter)) {
        throw new ForbiddenError('sign_counter_regression', 'the passkey reported a sign counter that did not increase: it may have been cloned; no session was opened');
      }
      await tx.query('UPDATE admin_credentials SET sign_count = $2, last_used_at = $3 WHERE id = $1', [found.id, verified.counter, now]);
      const session = await createAdminSession(tx, found.administrator_id, deps.settings.sessionTtlSeconds, now);
      await appendAudit(tx, {
        type: 'admin.session_created', outcome: 'success', actor: ctx.actor, orgId: found.org_id,
        details: { sessionId: session.sessionId, userVerified: verified.userVerified, expiresAt: session.expiresAt.toISOString() },
      }, now);
      return {
        sessionToken: session.token, expiresAt: session.expiresAt.toISOString(),
        administrator: { id: found.administrator_id, name: found.name, role: found.role, orgId: found.org_id, orgName: found.org_name },
      };
    });
  });
}

/** Ends session `sessionId` (sign-out), audited; ending an ended session changes nothing. */
export async function endAdminSession(db: Database, session: { sessionId: string; orgId: string }, actor: AuditActor, now: Date = new Date()): Promise<void> {
  await db.transaction(async (tx) => {
    const r = await tx.query('UPDATE admin_sessions SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL', [session.sessionId, now]);
    if (r.rowCount > 0) await appendAudit(tx, { type: 'admin.session_ended', outcome: 'success', actor, orgId: session.orgId, details: { sessionId: session.sessionId } }, now);
  });
}
