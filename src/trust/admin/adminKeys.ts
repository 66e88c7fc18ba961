/**
 * An organisation's admin keys, managed by its owner through the admin API: issue one (its
 * token shown once), list them, revoke one. Always the owner's own organisation, never a role
 * above the owner's own, never the organisation's last owner key; every refusal is audited.
 */
import { describeErrors, schemas } from '../../policy/schemaRegistry.js';
import type { AuditActor } from '../../store/audit.js';
import type { Database, Queryable } from '../../store/database.js';
import { listKeys, revokeKey, writeAdminKey } from '../apiKeys.js';
import { auditingRefusals, type AuditContext } from '../enrollment/refusals.js';
import { ForbiddenError, TrustError } from '../errors.js';
import { mayIssue, type AdminRole } from './roles.js';

/** The administrator acting: its key, organisation and role. */
export interface Issuer {
  keyId: string;
  orgId: string;
  role: string;
}

/** An admin key as its organisation's owner sees it: never its token or hash. */
export interface AdminKeyView {
  id: string;
  name: string;
  role: AdminRole;
  createdAt: string;
  revokedAt: string | null;
}

const CREATE_SCHEMA = 'https://schemas.enigm.dev/trust/api/admin-key-create.schema.json';

/** The organisation's admin keys, oldest first, revoked ones included. */
export async function listAdminKeys(q: Queryable, orgId: string): Promise<AdminKeyView[]> {
  const keys = await listKeys(q, { orgId });
  return keys.filter((k) => k.kind === 'admin').map((k) => ({
    id: k.id, name: k.name, role: k.role as AdminRole, createdAt: k.createdAt.toISOString(), revokedAt: k.revokedAt?.toISOString() ?? null,
  }));
}

/**
 * Issues an admin key of the issuer's organisation from `{role, name?}`. Refused — 400 for a
 * body that is not one (an `org` field included: there is no naming another organisation),
 * 403 `role_above_own` for a role above the issuer's — with nothing written but the audit record.
 */
export async function issueAdminKey(db: Database, issuer: Issuer, body: unknown, actor: AuditActor): Promise<AdminKeyView & { token: string }> {
  const ctx: AuditContext = { type: 'key.created', actor, orgId: issuer.orgId, details: { kind: 'admin' } };
  return auditingRefusals(db, ctx, async () => {
    const validate = schemas().validator(CREATE_SCHEMA);
    if (!validate(body ?? null)) {
      const errors = describeErrors(validate.errors).map((e) => e.replace(/[\p{Cc}\p{Cs}]/gu, '\uFFFD'));
      throw new TrustError(400, 'invalid_request', errors.join('; '), { errors });
    }
    const { role, name } = body as { role: AdminRole; name?: string };
    ctx.details = { ...ctx.details, role };
    if (!mayIssue(issuer.role, role)) throw new ForbiddenError('role_above_own', `a ${issuer.role} may not issue a key of role ${role}`);
    const created = await writeAdminKey(db, { orgId: issuer.orgId, role, name }, actor);
    const [view] = (await listKeys(db, { orgId: issuer.orgId })).filter((k) => k.id === created.id);
    return { id: created.id, name: view.name, role, createdAt: view.createdAt.toISOString(), revokedAt: null, token: created.token };
  });
}

/** Revokes an admin key of the issuer's organisation (another organisation's answers as missing). */
export async function revokeAdminKey(db: Database, issuer: Issuer, keyId: string, actor: AuditActor): Promise<{ id: string; revokedAt: string; alreadyRevoked: boolean }> {
  const r = await revokeKey(db, keyId, actor, { orgId: issuer.orgId });
  return { id: r.id, revokedAt: r.revokedAt.toISOString(), alreadyRevoked: r.alreadyRevoked };
}
