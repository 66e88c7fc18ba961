/**
 * Refusals leave a trace: the flow runs, and when it throws a TrustError the refusal is
 * appended to the audit log in a transaction of its own (the refused work rolled back, so
 * the refusal record is all that remains).
 */
import { appendAudit, type AuditActor } from '../../store/audit.js';
import type { Database } from '../../store/database.js';
import { TrustError } from '../errors.js';

/** What the audit record of a refusal says; flows fill in the ids as they learn them. */
export interface AuditContext {
  type: string;
  actor: AuditActor;
  orgId?: string | null;
  accountId?: string | null;
  deviceId?: string | null;
  details?: Record<string, unknown>;
}

/** Appends the refusal of `ctx` with the error's code and extensions. */
export async function auditRefusal(db: Database, ctx: AuditContext, err: TrustError): Promise<void> {
  await db.transaction((tx) => appendAudit(tx, {
    type: ctx.type, outcome: 'refused', actor: ctx.actor,
    orgId: ctx.orgId ?? null, accountId: ctx.accountId ?? null, deviceId: ctx.deviceId ?? null,
    details: { ...ctx.details, refusal: err.code, status: err.status, message: err.message },
  }));
}

/**
 * Runs `work`; a TrustError it throws is audited as a refusal of `ctx` (as filled in by then)
 * and re-thrown. Service unavailability (503) is not a refusal of the caller and is not audited.
 */
export async function auditingRefusals<T>(db: Database, ctx: AuditContext, work: (ctx: AuditContext) => Promise<T>): Promise<T> {
  try {
    return await work(ctx);
  } catch (err) {
    if (err instanceof TrustError && err.status !== 503) await auditRefusal(db, ctx, err);
    throw err;
  }
}
