/**
 * An organisation's administrators — the people who sign in to the Command console. An owner
 * (or the platform, for an organisation's first owner) invites one by name and role and gets a
 * one-time invitation code; the invitee registers a passkey with it. Administrators are listed
 * for the owner and removed by the owner, which ends their sessions at once. Every change and
 * every refusal is audited.
 */
import { randomBytes } from 'node:crypto';
import { appendAudit, type AuditActor } from '../../../store/audit.js';
import type { Database, Queryable } from '../../../store/database.js';
import { auditingRefusals, type AuditContext } from '../../enrollment/refusals.js';
import { ConflictError, NotFoundError, TrustError } from '../../errors.js';
import { newId } from '../../ids.js';
import { isAdminRole, type AdminRole } from '../roles.js';
import { newSecret } from './secrets.js';

export const ADMINISTRATOR_ID = /^adm_[A-Za-z0-9_-]{1,64}$/;
const MAX_NAME = 100;

/** Where an administrator stands: invited (code not used yet), active, invitation expired, removed. */
export type AdministratorStatus = 'invited' | 'active' | 'invitation_expired' | 'removed';

/** An administrator as the owner sees them: never a code, credential or session. */
export interface AdministratorView {
  id: string;
  name: string;
  role: AdminRole;
  status: AdministratorStatus;
  createdAt: string;
  activatedAt: string | null;
  removedAt: string | null;
  invitationExpiresAt: string | null;
}

/** A new invitation: `code` exists only here, once. */
export interface Invitation {
  administrator: AdministratorView;
  code: string;
  expiresAt: string;
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() !== name || name.length === 0 || name.length > MAX_NAME || /[\p{Cc}\p{Cs}]/u.test(name)) {
    throw new TrustError(400, 'invalid_name', `a name must be 1 to ${MAX_NAME} printable characters without leading or trailing spaces`);
  }
  return name;
}

function checkRole(role: unknown): AdminRole {
  if (!isAdminRole(role)) throw new TrustError(400, 'invalid_role', 'the role must be one of owner, operator, approver, viewer, auditor');
  return role;
}

interface AdministratorRow {
  id: string; name: string; role: AdminRole; created_at: Date; activated_at: Date | null; removed_at: Date | null; invitation_expires_at: Date | null;
}

function toView(r: AdministratorRow, now: Date): AdministratorView {
  const status: AdministratorStatus = r.removed_at ? 'removed' : r.activated_at ? 'active'
    : r.invitation_expires_at && r.invitation_expires_at.getTime() > now.getTime() ? 'invited' : 'invitation_expired';
  return {
    id: r.id, name: r.name, role: r.role, status,
    createdAt: r.created_at.toISOString(),
    activatedAt: r.activated_at?.toISOString() ?? null,
    removedAt: r.removed_at?.toISOString() ?? null,
    invitationExpiresAt: r.activated_at ? null : r.invitation_expires_at?.toISOString() ?? null,
  };
}

const SELECT = `SELECT ad.id, ad.name, ad.role, ad.created_at, ad.activated_at, ad.removed_at,
    (SELECT max(i.expires_at) FROM admin_invitations i WHERE i.administrator_id = ad.id AND i.used_at IS NULL) AS invitation_expires_at
  FROM administrators ad`;

/** The organisation's administrators, oldest first, removed ones included. */
export async function listAdministrators(q: Queryable, orgId: string, now: Date = new Date()): Promise<AdministratorView[]> {
  const r = await q.query<AdministratorRow>(`${SELECT} WHERE ad.org_id = $1 ORDER BY ad.created_at, ad.id`, [orgId]);
  return r.rows.map((row) => toView(row, now));
}

/**
 * Invites an administrator of `orgId` from `{name, role}`: writes them (not yet active) and a
 * single-use invitation valid `ttlSeconds`, audited as `admin.invited`. Refused with 400 for a
 * bad name or role, 404 for an unknown organisation — nothing written but the refusal's record.
 */
export async function inviteAdministrator(
  db: Database, orgId: string, body: { name?: unknown; role?: unknown }, actor: AuditActor, ttlSeconds: number, now: Date = new Date(),
): Promise<Invitation> {
  const ctx: AuditContext = { type: 'admin.invited', actor, orgId };
  return auditingRefusals(db, ctx, async () => {
    const name = checkName(body.name);
    const role = checkRole(body.role);
    ctx.details = { role };
    const id = newId('adm');
    const { secret, hash } = newSecret('invitation');
    const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
    await db.transaction(async (tx) => {
      const org = await tx.query('SELECT 1 FROM organisations WHERE id = $1 FOR SHARE', [orgId]);
      if (org.rowCount === 0) throw new NotFoundError('unknown_org', 'no such organisation');
      await tx.query('INSERT INTO administrators (id, org_id, name, role, webauthn_user_id, invited_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [id, orgId, name, role, randomBytes(32), JSON.stringify({ type: actor.type, id: actor.id ?? null }), now]);
      await tx.query('INSERT INTO admin_invitations (id, administrator_id, code_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
        [newId('inv'), id, hash, now, expiresAt]);
      await appendAudit(tx, { type: 'admin.invited', outcome: 'success', actor, orgId, details: { administratorId: id, name, role, expiresAt: expiresAt.toISOString() } }, now);
    });
    const [view] = (await db.query<AdministratorRow>(`${SELECT} WHERE ad.id = $1`, [id])).rows.map((r) => toView(r, now));
    return { administrator: view, code: secret, expiresAt: expiresAt.toISOString() };
  });
}

/**
 * Removes administrator `id` of `orgId`: from the commit on their sessions authenticate nothing
 * and their passkey signs nobody in. An administrator cannot remove themselves (another owner
 * must), another organisation's answers as missing; removing a removed one changes nothing.
 */
export async function removeAdministrator(
  db: Database, orgId: string, id: string, actor: AuditActor, now: Date = new Date(),
): Promise<{ id: string; removedAt: string; alreadyRemoved: boolean; sessionsEnded: number }> {
  const ctx: AuditContext = { type: 'admin.removed', actor, orgId, details: { administratorId: ADMINISTRATOR_ID.test(id) ? id : '(malformed)' } };
  return auditingRefusals(db, ctx, () => db.transaction(async (tx) => {
    const row = ADMINISTRATOR_ID.test(id)
      ? (await tx.query<{ removed_at: Date | null; name: string; role: string }>('SELECT removed_at, name, role FROM administrators WHERE id = $1 AND org_id = $2 FOR UPDATE', [id, orgId])).rows[0]
      : undefined;
    if (!row) throw new NotFoundError('administrator_not_found', 'no such administrator in this organisation');
    if (actor.id === id) throw new ConflictError('cannot_remove_self', 'an administrator cannot remove themselves: another owner must');
    if (row.removed_at) return { id, removedAt: row.removed_at.toISOString(), alreadyRemoved: true, sessionsEnded: 0 };
    await tx.query('UPDATE administrators SET removed_at = $2 WHERE id = $1', [id, now]);
    const ended = await tx.query('UPDATE admin_sessions SET ended_at = $2 WHERE administrator_id = $1 AND ended_at IS NULL AND expires_at > $2', [id, now]);
    await tx.query('UPDATE admin_invitations SET expires_at = least(expires_at, $2) WHERE administrator_id = $1 AND used_at IS NULL', [id, now]);
    await appendAudit(tx, { type: 'admin.removed', outcome: 'success', actor, orgId, details: { administratorId: id, name: row.name, role: row.role, sessionsEnded: ended.rowCount } }, now);
    return { id, removedAt: now.toISOString(), alreadyRemoved: false, sessionsEnded: ended.rowCount ?? 0 };
  }));
}
