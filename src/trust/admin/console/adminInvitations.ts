/**
 * Accepting an invitation: the invitee presents the one-time code, gets registration options
 * for a passkey of their own (bound to this invitation), and answers with the new passkey and
 * the code again. In one transaction the code is spent, the passkey stored (public material
 * only), the administrator made active and a first session opened. An unknown code, an
 * expired one, a spent one and a removed administrator are refused and audited.
 */
import type { PublicKeyCredentialCreationOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { appendAudit, type AuditActor } from '../../../store/audit.js';
import type { Queryable } from '../../../store/database.js';
import { consumeChallenge, issueChallenge } from '../../enrollment/challenges.js';
import { auditingRefusals, type AuditContext } from '../../enrollment/refusals.js';
import { claimedChallenge, registrationOptions, verifyRegistration } from '../../enrollment/webauthn.js';
import { ConflictError, ForbiddenError, TrustError } from '../../errors.js';
import { newId, sha256Hex } from '../../ids.js';
import type { AdminRole } from '../roles.js';
import { createAdminSession, type OpenedAdminSession } from './adminSessions.js';
import type { ConsoleDeps } from './consoleDeps.js';
import { hashMatches, isSecretShaped } from './secrets.js';

const ATTESTATION_FORMATS = ['none', 'packed'];

interface InvitationRow {
  id: string; code_hash: string; expires_at: Date; used_at: Date | null;
  administrator_id: string; name: string; role: AdminRole; org_id: string; org_name: string; webauthn_user_id: Buffer; removed_at: Date | null;
}

const INVITATION_SQL = `SELECT i.id, i.code_hash, i.expires_at, i.used_at, ad.id AS administrator_id, ad.name, ad.role, ad.org_id,
    o.name AS org_name, ad.webauthn_user_id, ad.removed_at
  FROM admin_invitations i JOIN administrators ad ON ad.id = i.administrator_id JOIN organisations o ON o.id = ad.org_id
 WHERE i.code_hash = $1`;

/** The invitation `code` stands for, if it may still be used; otherwise the refusal that says why. */
async function usableInvitation(q: Queryable, code: unknown, ctx: AuditContext, now: Date, lock = false): Promise<InvitationRow> {
  if (!isSecretShaped('invitation', code)) throw new TrustError(400, 'invitation_invalid', 'this is not an invitation code of this service');
  const hash = sha256Hex(code);
  const row = (await q.query<InvitationRow>(`${INVITATION_SQL}${lock ? ' FOR UPDATE OF i, ad' : ''}`, [hash])).rows[0];
  if (!row || !hashMatches(row.code_hash, hash)) throw new TrustError(400, 'invitation_invalid', 'no invitation has this code');
  Object.assign(ctx, { orgId: row.org_id, details: { ...ctx.details, administratorId: row.administrator_id, invitationId: row.id } });
  if (row.removed_at) throw new ForbiddenError('administrator_removed', 'this administrator was removed from the organisation before accepting');
  if (row.used_at) throw new ConflictError('invitation_used', 'this invitation was already used: sign in with the passkey it registered, or ask an owner for a new one');
  if (row.expires_at.getTime() <= now.getTime()) throw new TrustError(410, 'invitation_expired', 'this invitation expired: ask an owner for a new one');
  return row;
}

/** What the invitee is shown, and the options their browser creates a passkey with. */
export interface InvitationOptions {
  administrator: { name: string; role: AdminRole; orgName: string };
  registrationOptions: PublicKeyCredentialCreationOptionsJSON;
}

/** Options for registering the invitee's passkey; the code is checked, not spent. */
export async function invitationOptions(deps: ConsoleDeps, code: unknown, actor: AuditActor, now: Date = new Date()): Promise<InvitationOptions> {
  const ctx: AuditContext = { type: 'admin.invitation_opened', actor };
  return auditingRefusals(deps.db, ctx, async () => {
    const inv = await usableInvitation(deps.db, code, ctx, now);
    const challenge = await issueChallenge(deps.redis, { purpose: 'admin-registration', invitationId: inv.id }, deps.settings.challengeTtlSeconds);
    const options = await registrationOptions(deps.rp, challenge, {
      id: new Uint8Array(inv.webauthn_user_id), name: `${inv.name} (${inv.org_name})`, displayName: `${inv.name}, Enigm Command for ${inv.org_name}`,
    }, deps.settings.challengeTtlSeconds * 1000);
    return { administrator: { name: inv.name, role: inv.role, orgName: inv.org_name }, registrationOptions: options };
  });
}

/** Spends the invitation, stores the passkey, activates the administrator, opens a first session. */
export async function acceptInvitation(
  deps: ConsoleDeps, body: { code: unknown; registrationResponse: RegistrationResponseJSON }, actor: AuditActor, now: Date = new Date(),
): Promise<OpenedAdminSession> {
  const ctx: AuditContext = { type: 'admin.invitation_accepted', actor };
  return auditingRefusals(deps.db, ctx, async () => {
    const inv = await usableInvitation(deps.db, body.code, ctx, now);
    const challenge = claimedChallenge(body.registrationResponse, 'registration');
    const binding = await consumeChallenge(deps.redis, challenge);
    if (!binding) throw new TrustError(400, 'challenge_invalid', 'the challenge is unknown, expired or already used: open the invitation again');
    if (binding.purpose !== 'admin-registration' || binding.invitationId !== inv.id) throw new TrustError(400, 'challenge_foreign', 'the challenge was issued for another ceremony');
    const credential = await verifyRegistration(deps.rp, body.registrationResponse, challenge, ATTESTATION_FORMATS);
    const actorNow: AuditActor = { ...actor, type: 'admin', id: inv.administrator_id, role: inv.role };
    return deps.db.transaction(async (tx) => {
      // Again under lock: of two acceptances racing with one code, the second finds it spent.
      await usableInvitation(tx, body.code, ctx, now, true);
      const taken = await tx.query('SELECT 1 FROM admin_credentials WHERE credential_id = $1', [credential.credentialId]);
      if (taken.rowCount > 0) throw new ConflictError('credential_taken', 'this passkey is already registered');
      await tx.query('UPDATE admin_invitations SET used_at = $2 WHERE id = $1', [inv.id, now]);
      await tx.query('UPDATE administrators SET activated_at = coalesce(activated_at, $2) WHERE id = $1', [inv.administrator_id, now]);
      await tx.query('INSERT INTO admin_credentials (id, administrator_id, credential_id, public_key, sign_count, transports, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [newId('acred'), inv.administrator_id, credential.credentialId, Buffer.from(credential.publicKey), credential.counter, credential.transports, now]);
      const session = await createAdminSession(tx, inv.administrator_id, deps.settings.sessionTtlSeconds, now);
      await appendAudit(tx, {
        type: 'admin.invitation_accepted', outcome: 'success', actor: actorNow, orgId: inv.org_id,
        details: { administratorId: inv.administrator_id, invitationId: inv.id, role: inv.role, userVerified: credential.userVerified, backedUp: credential.backedUp, sessionId: session.sessionId },
      }, now);
      return {
        sessionToken: session.token, expiresAt: session.expiresAt.toISOString(),
        administrator: { id: inv.administrator_id, name: inv.name, role: inv.role, orgId: inv.org_id, orgName: inv.org_name },
      };
    });
  });
}
