/**
 * Bootstrap and recovery codes: random (256 bits), shown once, stored only as SHA-256,
 * single-use, expiring, and compared in constant time.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Queryable } from '../../store/database.js';
import { TrustError } from '../errors.js';
import { newId, sha256Hex } from '../ids.js';

export type CodeKind = 'bootstrap' | 'recovery';

const PREFIX: Record<CodeKind, string> = { bootstrap: 'ebc_', recovery: 'erc_' };
const SHAPE = /^e[br]c_[A-Za-z0-9_-]{43}$/;

function refused(kind: CodeKind, why: 'invalid' | 'used' | 'expired', detail: string): TrustError {
  return new TrustError(403, `${kind}_code_${why}`, detail);
}

/** Who issued a code and why; whether a second administrator must approve it before it is accepted. */
export interface CodeIssue {
  reason?: string | null;
  issuedByKeyId?: string | null;
  approvalRequired?: boolean;
}

/**
 * Issues a code for the account inside the caller's transaction. A new recovery code ends
 * any earlier unused one, so only the latest code handed out works.
 */
export async function issueCode(tx: Queryable, accountId: string, kind: CodeKind, ttlSeconds: number, now: Date, issue: CodeIssue = {}): Promise<{ code: string; expiresAt: Date }> {
  const code = `${PREFIX[kind]}${randomBytes(32).toString('base64url')}`;
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
  await tx.query(`UPDATE account_codes SET expires_at = $3 WHERE account_id = $1 AND kind = $2 AND used_at IS NULL AND expires_at > $3`, [accountId, kind, now]);
  await tx.query(
    `INSERT INTO account_codes (id, account_id, kind, code_hash, expires_at, created_at, reason, issued_by_key_id, approval_required) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [newId('code'), accountId, kind, sha256Hex(code), expiresAt, now, issue.reason ?? null, issue.issuedByKeyId ?? null, issue.approvalRequired ?? false],
  );
  return { code, expiresAt };
}

/**
 * Redeems `code` for the account inside the caller's transaction (row-locked, so two
 * concurrent uses cannot both succeed). Throws 403 when it is unknown, of another account or
 * kind, already used, expired, or a recovery code still waiting for a second administrator's
 * approval; the caller's rollback then leaves it as it was.
 */
export async function redeemCode(tx: Queryable, accountId: string, kind: CodeKind, code: string, now: Date): Promise<void> {
  if (!SHAPE.test(code) || !code.startsWith(PREFIX[kind])) throw refused(kind, 'invalid', `this is not a ${kind} code`);
  const hash = sha256Hex(code);
  const r = await tx.query<{ id: string; account_id: string; kind: string; code_hash: string; expires_at: Date; used_at: Date | null; approval_required: boolean; approved_at: Date | null }>(
    'SELECT id, account_id, kind, code_hash, expires_at, used_at, approval_required, approved_at FROM account_codes WHERE code_hash = $1 FOR UPDATE', [hash]);
  const row = r.rows[0];
  if (!row || !timingSafeEqual(Buffer.from(row.code_hash), Buffer.from(hash)) || row.account_id !== accountId || row.kind !== kind) {
    throw refused(kind, 'invalid', `the ${kind} code is not valid for this account`);
  }
  if (row.used_at !== null) throw refused(kind, 'used', `the ${kind} code was already used`);
  if (row.expires_at.getTime() <= now.getTime()) throw refused(kind, 'expired', `the ${kind} code expired at ${row.expires_at.toISOString()}`);
  if (row.approval_required && row.approved_at === null) {
    throw new TrustError(403, 'recovery_not_approved', 'an administrator started this recovery, and a second one (another key, role approver or owner) has not approved it yet: the code is accepted once they do');
  }
  await tx.query('UPDATE account_codes SET used_at = $2 WHERE id = $1', [row.id, now]);
}
