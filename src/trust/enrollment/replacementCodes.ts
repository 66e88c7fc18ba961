/**
 * Replacement codes: what the old device hands its replacement — ten characters of Crockford's
 * base32 (50 random bits) shown as `XXXXX-XXXXX`, typed or scanned on the new device. Stored as
 * SHA-256 only, compared in constant time, single-use (claiming spends it) and expiring. Claiming
 * one gives the new device fresh registration options for the replacement's enrollment; the new
 * device still needs an approval that policy accepts, confirmed by comparing verification codes.
 */
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { randomInt, timingSafeEqual } from 'node:crypto';
import { appendAudit } from '../../store/audit.js';
import type { Queryable } from '../../store/database.js';
import { TrustError } from '../errors.js';
import { webauthnUserId } from '../identifiers.js';
import { newId, sha256Hex } from '../ids.js';
import type { Acting } from './caller.js';
import { issueChallenge } from './challenges.js';
import { assertAwaitingCredential, lockEnrollment } from './records.js';
import { auditingRefusals, type AuditContext } from './refusals.js';
import type { EnrollmentDeps } from './settings.js';
import { registrationOptions } from './webauthn.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const LENGTH = 10;

/** A typed code as stored: upper case, no separators, the letters people confuse with digits read as those digits. */
export function normaliseReplacementCode(text: string): string {
  return text.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

/** Issues a code for the enrollment inside the caller's transaction → the code as shown, and its expiry. */
export async function issueReplacementCode(tx: Queryable, enrollmentId: string, ttlSeconds: number, now: Date): Promise<{ code: string; expiresAt: Date }> {
  let raw = '';
  for (let i = 0; i < LENGTH; i++) raw += ALPHABET[randomInt(ALPHABET.length)];
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
  await tx.query('INSERT INTO replacement_codes (id, enrollment_id, code_hash, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)',
    [newId('rpc'), enrollmentId, sha256Hex(raw), expiresAt, now]);
  return { code: `${raw.slice(0, 5)}-${raw.slice(5)}`, expiresAt };
}

export interface ClaimedReplacement {
  enrollmentId: string;
  deviceId: string;
  accountHandle: string;
  label: string;
  platform: string;
  registrationOptions: PublicKeyCredentialCreationOptionsJSON;
}

function refused(why: 'invalid' | 'used' | 'expired', detail: string): TrustError {
  return new TrustError(403, `replacement_code_${why}`, detail);
}

interface CodeRow { id: string; enrollment_id: string; code_hash: string; expires_at: Date; used_at: Date | null }

/** POST /v1/replacements/claim: spends the code and returns registration options for the new device. */
export async function claimReplacement(deps: EnrollmentDeps, text: string, acting: Acting, now: Date = new Date()): Promise<ClaimedReplacement> {
  const ctx: AuditContext = { type: 'replacement.claimed', actor: acting.actor };
  return auditingRefusals(deps.db, ctx, async () => {
    const raw = normaliseReplacementCode(text);
    if (raw.length !== LENGTH || [...raw].some((c) => !ALPHABET.includes(c))) throw refused('invalid', 'this is not a replacement code');
    const hash = sha256Hex(raw);
    const found = await deps.db.query<CodeRow>('SELECT id, enrollment_id, code_hash, expires_at, used_at FROM replacement_codes WHERE code_hash = $1', [hash]);
    if (!found.rows[0] || !timingSafeEqual(Buffer.from(found.rows[0].code_hash), Buffer.from(hash))) throw refused('invalid', 'no replacement has this code');
    const enrollmentId = found.rows[0].enrollment_id;
    // The challenge first: if Redis is down the code is not spent.
    const challenge = await issueChallenge(deps.redis, { purpose: 'registration', enrollmentId }, deps.settings.challengeTtlSeconds);
    const e = await deps.db.transaction(async (tx) => {
      // Lock order as everywhere: the enrollment, then (here) its code.
      const enrollment = await lockEnrollment(tx, enrollmentId);
      const code = (await tx.query<CodeRow>('SELECT id, enrollment_id, code_hash, expires_at, used_at FROM replacement_codes WHERE id = $1 FOR UPDATE', [found.rows[0].id])).rows[0];
      if (!enrollment) throw refused('invalid', 'no replacement has this code');
      Object.assign(ctx, { orgId: enrollment.org_id, accountId: enrollment.account_id, deviceId: enrollment.device_id, details: { enrollment_id: enrollment.id } });
      if (code.used_at !== null) throw refused('used', 'the replacement code was already used');
      if (code.expires_at.getTime() <= now.getTime()) throw refused('expired', `the replacement code expired at ${code.expires_at.toISOString()}`);
      assertAwaitingCredential(enrollment, now);
      await tx.query('UPDATE replacement_codes SET used_at = $2 WHERE id = $1', [code.id, now]);
      await appendAudit(tx, {
        type: 'replacement.claimed', outcome: 'success', actor: acting.actor, orgId: enrollment.org_id, accountId: enrollment.account_id, deviceId: enrollment.device_id,
        details: { enrollment_id: enrollment.id, replaces: enrollment.replaces_device_id },
      }, now);
      return enrollment;
    });
    const options = await registrationOptions(deps.rp, challenge, { id: webauthnUserId(deps.idSecret, e.account_id), name: e.handle, displayName: e.label }, deps.settings.challengeTtlSeconds * 1000);
    return { enrollmentId: e.id, deviceId: e.device_id, accountHandle: e.handle, label: e.label, platform: e.platform, registrationOptions: options };
  });
}
