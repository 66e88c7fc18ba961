/**
 * Accounts and their codes: creation hands out the bootstrap code of the first device;
 * recovery puts the account in recovery and hands out a recovery code. Both are one
 * transaction with their audit record; refusals are audited.
 */
import { appendAudit } from '../../store/audit.js';
import type { Database } from '../../store/database.js';
import { ConflictError, NotFoundError, TrustError } from '../errors.js';
import { effectiveSettings } from '../organisations/settings.js';
import { newId } from '../ids.js';
import type { Acting } from './caller.js';
import { issueCode } from './codes.js';
import { auditingRefusals } from './refusals.js';

/** Handles compare case-insensitively: stored and looked up in lower case. */
export function normaliseHandle(handle: string): string {
  return handle.trim().toLowerCase();
}

export interface CreatedAccount {
  accountId: string;
  handle: string;
  /** The account's organisation; null for an unmanaged account. */
  orgId: string | null;
  bootstrapCode: string;
  bootstrapCodeExpiresAt: Date;
}

/**
 * Creates an account in `orgId` — or, with null, an unmanaged account of no organisation — with
 * a single-use, expiring bootstrap code (returned once).
 */
export async function createAccount(db: Database, input: { handle: string; orgId: string | null; codeTtlSeconds: number }, acting: Acting, now: Date = new Date()): Promise<CreatedAccount> {
  const handle = normaliseHandle(input.handle);
  return auditingRefusals(db, { type: 'account.created', actor: acting.actor, orgId: input.orgId, details: { handle } }, (ctx) => db.transaction(async (tx) => {
    // FOR SHARE: the organisation cannot disappear before the account is in.
    const org = input.orgId === null ? undefined : await tx.query('SELECT 1 FROM organisations WHERE id = $1 FOR SHARE', [input.orgId]);
    if (org?.rowCount === 0) {
      ctx.orgId = null;
      ctx.details = { ...ctx.details, org: input.orgId };
      throw new NotFoundError('org_not_found', `no organisation ${input.orgId}`);
    }
    const accountId = newId('acc');
    const inserted = await tx.query(
      `INSERT INTO accounts (id, org_id, handle, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) ON CONFLICT (handle) DO NOTHING RETURNING id`,
      [accountId, input.orgId, handle, now]);
    if (inserted.rowCount === 0) throw new ConflictError('handle_taken', `the handle "${handle}" is already taken`);
    const { code, expiresAt } = await issueCode(tx, accountId, 'bootstrap', input.codeTtlSeconds, now);
    await appendAudit(tx, {
      type: 'account.created', outcome: 'success', actor: acting.actor, orgId: input.orgId, accountId,
      details: { handle, bootstrap_code_expires_at: expiresAt.toISOString() },
    }, now);
    return { accountId, handle, orgId: input.orgId, bootstrapCode: code, bootstrapCodeExpiresAt: expiresAt };
  }));
}

export interface StartedRecovery {
  recoveryCode: string;
  expiresAt: Date;
  /** The code is accepted only once a second administrator approved the recovery. */
  approvalRequired: boolean;
}

/**
 * Puts the account in recovery (keeping the original start when it already is) and issues a
 * recovery code, ending any earlier one. `orgId` confines an administrator to their
 * organisation; an administrator must give a reason, and — unless the organisation's settings
 * say otherwise — a second administrator must approve the recovery before its code is accepted.
 * The reason is stored with the code and audited.
 */
export async function startRecovery(db: Database, input: { accountId: string; orgId?: string; codeTtlSeconds: number; reason?: string }, acting: Acting, now: Date = new Date()): Promise<StartedRecovery> {
  const details = input.reason === undefined ? {} : { reason: input.reason };
  return auditingRefusals(db, { type: 'account.recovery_started', actor: acting.actor, details }, (ctx) => db.transaction(async (tx) => {
    const r = await tx.query<{ org_id: string | null; recovery_state: string; managed: boolean | null; settings: Record<string, unknown> | null }>(
      `SELECT a.org_id, a.recovery_state, o.managed, o.settings FROM accounts a LEFT JOIN organisations o ON o.id = a.org_id WHERE a.id = $1 FOR UPDATE OF a`, [input.accountId]);
    const account = r.rows[0];
    // Another organisation's account answers exactly as a missing one.
    if (!account || (input.orgId !== undefined && account.org_id !== input.orgId)) throw new NotFoundError('account_not_found', `no account ${input.accountId}`);
    Object.assign(ctx, { orgId: account.org_id, accountId: input.accountId });
    const byAdmin = acting.caller?.kind === 'admin';
    if (byAdmin && input.reason === undefined) throw new TrustError(400, 'reason_required', 'an administrator starting a recovery says why: send {"reason": "…"} (a second administrator reads it before approving)');
    const settings = effectiveSettings(account.org_id === null ? null : { managed: account.managed ?? false, settings: account.settings ?? {} });
    const approvalRequired = byAdmin && settings.recovery_requires_second_admin;
    await tx.query(
      `UPDATE accounts SET recovery_state = 'recovering', recovery_started_at = coalesce(CASE WHEN recovery_state = 'recovering' THEN recovery_started_at END, $2), updated_at = $2 WHERE id = $1`,
      [input.accountId, now]);
    const issuedBy = acting.caller?.kind === 'admin' || acting.caller?.kind === 'service' ? acting.caller.keyId : null;
    const { code, expiresAt } = await issueCode(tx, input.accountId, 'recovery', input.codeTtlSeconds, now, { reason: input.reason, issuedByKeyId: issuedBy, approvalRequired });
    await appendAudit(tx, {
      type: 'account.recovery_started', outcome: 'success', actor: acting.actor, orgId: account.org_id, accountId: input.accountId,
      details: { ...details, already_recovering: account.recovery_state === 'recovering', recovery_code_expires_at: expiresAt.toISOString(), approval_required: approvalRequired },
    }, now);
    return { recoveryCode: code, expiresAt, approvalRequired };
  }));
}
