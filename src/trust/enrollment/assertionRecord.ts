/**
 * What a verified assertion leaves behind: the credential's new sign counter and the device's
 * latest local unlock — or, when the counter did not increase, the mark of a possible cloned
 * authenticator: the device is restricted and the anomaly audited. The caller holds the
 * device's row lock, which also serialises its credential's counter.
 */
import { appendAudit, type AuditActor } from '../../store/audit.js';
import type { Queryable } from '../../store/database.js';
import { canTransition, type DeviceState } from '../lifecycle.js';
import { applyTransition } from '../transition.js';
import { isCounterRegression, type StoredCredential, type VerifiedAssertion } from './webauthn.js';

/** A credential with its device and account, as an assertion is checked against it. */
export interface CredentialOwner extends StoredCredential {
  deviceId: string;
  deviceState: DeviceState;
  accountId: string;
  orgId: string | null;
  handle: string;
}

const OWNER_SQL = `SELECT c.credential_id, c.public_key, c.transports, d.id AS device_id, d.state, d.account_id, a.org_id, a.handle
  FROM credentials c JOIN devices d ON d.id = c.device_id JOIN accounts a ON a.id = d.account_id`;

interface OwnerRow { credential_id: string; public_key: Buffer; transports: string[]; device_id: string; state: DeviceState; account_id: string; org_id: string | null; handle: string }

function toOwner(r: OwnerRow | undefined): CredentialOwner | undefined {
  return r && {
    credentialId: r.credential_id, publicKey: new Uint8Array(r.public_key), transports: r.transports,
    deviceId: r.device_id, deviceState: r.state, accountId: r.account_id, orgId: r.org_id, handle: r.handle,
  };
}

/** The credential with this WebAuthn credential id, or undefined. */
export async function credentialById(q: Queryable, credentialId: string): Promise<CredentialOwner | undefined> {
  return toOwner((await q.query<OwnerRow>(`${OWNER_SQL} WHERE c.credential_id = $1`, [credentialId])).rows[0]);
}

/** The credential of this device, or undefined. */
export async function credentialOfDevice(q: Queryable, deviceId: string): Promise<CredentialOwner | undefined> {
  return toOwner((await q.query<OwnerRow>(`${OWNER_SQL} WHERE c.device_id = $1`, [deviceId])).rows[0]);
}

/**
 * Records a verified assertion by `deviceId` (locked by the caller, currently `state`).
 * Returns 'regression' when the counter went backwards; the restriction is then part of the
 * caller's transaction, which must commit it before refusing the request.
 */
export async function recordAssertion(tx: Queryable, deviceId: string, state: DeviceState, a: VerifiedAssertion, actor: AuditActor, now: Date): Promise<'ok' | 'regression'> {
  const stored = await tx.query<{ sign_count: string | number }>('SELECT sign_count FROM credentials WHERE device_id = $1', [deviceId]);
  const previous = Number(stored.rows[0]?.sign_count ?? 0);
  if (isCounterRegression(previous, a.counter)) {
    await tx.query('UPDATE devices SET counter_anomaly = true WHERE id = $1', [deviceId]);
    const reason = `sign counter regression (stored ${previous}, reported ${a.counter}): possible cloned authenticator`;
    if (canTransition(state, 'restricted')) {
      await applyTransition(tx, { deviceId, to: 'restricted', actor, reason, auditType: 'device.counter_regression' }, now);
    } else {
      const owner = await tx.query<{ account_id: string; org_id: string }>('SELECT d.account_id, a.org_id FROM devices d JOIN accounts a ON a.id = d.account_id WHERE d.id = $1', [deviceId]);
      await appendAudit(tx, { type: 'device.counter_regression', outcome: 'success', actor, orgId: owner.rows[0]?.org_id, accountId: owner.rows[0]?.account_id, deviceId, details: { reason, state } }, now);
    }
    return 'regression';
  }
  await tx.query('UPDATE credentials SET sign_count = $2, backed_up = $3 WHERE device_id = $1', [deviceId, a.counter, a.backedUp]);
  await tx.query('UPDATE devices SET last_unlock_at = $2, last_unlock_method = $3, last_seen_at = $2 WHERE id = $1', [deviceId, now, a.userVerified ? 'webauthn_uv' : 'webauthn_up']);
  return 'ok';
}
