/**
 * Separation of duties in recovery: a recovery an administrator started (and whose organisation
 * wants it) waits for a second administrator — another key, of role approver or owner — before
 * its code is accepted, so no single key can take an account over. The approval, with its
 * reason, is one transaction with its audit record; every refusal is audited.
 */
import { describeErrors, schemas } from '../../policy/schemaRegistry.js';
import { appendAudit } from '../../store/audit.js';
import type { Database } from '../../store/database.js';
import { may, rolesFor } from '../admin/roles.js';
import { ConflictError, ForbiddenError, NotFoundError, TrustError } from '../errors.js';
import type { Acting } from './caller.js';
import { auditingRefusals } from './refusals.js';

const BODY_SCHEMA = 'https://schemas.enigm.dev/trust/api/account-recovery-approval.schema.json';

export interface RecoveryApproval {
  accountId: string;
  approvedAt: Date;
  recoveryCodeExpiresAt: Date;
}

interface PendingCode {
  id: string;
  reason: string | null;
  issued_by_key_id: string | null;
  approval_required: boolean;
  approved_at: Date | null;
  expires_at: Date;
}

function checkBody(body: unknown): { reason: string } {
  const validate = schemas().validator(BODY_SCHEMA);
  if (!validate(body ?? null)) {
    const errors = describeErrors(validate.errors).map((e) => e.replace(/[\p{Cc}\p{Cs}]/gu, '\uFFFD'));
    throw new TrustError(400, 'invalid_request', errors.join('; '), { errors });
  }
  return body as { reason: string };
}

/** A second administrator approves the account's pending recovery: from now its code is accepted. */
export async function approveRecovery(db: Database, accountId: string, body: unknown, acting: Acting, now: Date = new Date()): Promise<RecoveryApproval> {
  const ctx = { type: 'account.recovery_approved', actor: acting.actor, details: {} as Record<string, unknown> };
  return auditingRefusals(db, ctx, async () => {
    const caller = acting.caller;
    if (caller?.kind !== 'admin') throw new ForbiddenError('wrong_principal', 'a recovery is approved by an administrator');
    Object.assign(ctx, { orgId: caller.orgId });
    if (!may(caller.role, 'recovery.approve')) throw new ForbiddenError('insufficient_role', `approving a recovery needs one of the roles ${rolesFor('recovery.approve').join(', ')}`);
    const { reason } = checkBody(body);
    ctx.details = { reason };
    return db.transaction(async (tx) => {
      const a = await tx.query<{ org_id: string | null; recovery_state: string }>('SELECT org_id, recovery_state FROM accounts WHERE id = $1 FOR UPDATE', [accountId]);
      // Another organisation's account (or one of none) answers exactly as a missing one.
      if (!a.rows[0] || a.rows[0].org_id !== caller.orgId) throw new NotFoundError('account_not_found', `no account ${accountId}`);
      Object.assign(ctx, { accountId });
      const r = await tx.query<PendingCode>(
        `SELECT id, reason, issued_by_key_id, approval_required, approved_at, expires_at FROM account_codes
          WHERE account_id = $1 AND kind = 'recovery' AND used_at IS NULL AND expires_at > $2 ORDER BY created_at DESC LIMIT 1 FOR UPDATE`, [accountId, now]);
      const code = r.rows[0];
      if (a.rows[0].recovery_state !== 'recovering' || !code) throw new ConflictError('no_recovery_pending', 'the account has no recovery whose code is still waiting to be used');
      if (!code.approval_required) throw new ConflictError('recovery_approval_not_needed', 'this recovery needs no second approval: it was not started by an administrator, or the organisation does not ask for one');
      if (code.approved_at !== null) throw new ConflictError('recovery_already_approved', `this recovery was approved at ${code.approved_at.toISOString()}`);
      // Guard: the approval comes from another key than the one that started the recovery.
      if (code.issued_by_key_id === caller.keyId) throw new ForbiddenError('same_administrator', 'the administrator who started this recovery cannot approve it: another key, of role approver or owner, must');
      await tx.query('UPDATE account_codes SET approved_by_key_id = $2, approved_by_role = $3, approval_reason = $4, approved_at = $5 WHERE id = $1', [code.id, caller.keyId, caller.role, reason, now]);
      await appendAudit(tx, {
        type: 'account.recovery_approved', outcome: 'success', actor: acting.actor, orgId: caller.orgId, accountId,
        details: { reason, recovery_reason: code.reason, started_by: code.issued_by_key_id, recovery_code_expires_at: code.expires_at.toISOString() },
      }, now);
      return { accountId, approvedAt: now, recoveryCodeExpiresAt: code.expires_at };
    });
  });
}
