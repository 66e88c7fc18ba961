/**
 * Signal rows: the device a signal is for (locked while its signals change), the latest
 * stored statement of a kind, and the insert. Statements only move forward: an older
 * statement than the one stored is refused, so a relay cannot roll a device back to an earlier
 * "compliant" after a "noncompliant" arrived; and a statement is accepted once, whatever its
 * `iat` — a replay is found by the token's hash among every statement stored.
 */
import type { Queryable } from '../../store/database.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { newId } from '../ids.js';
import { effectiveSettings, type OrgSettings } from '../organisations/settings.js';
import type { NewSignal } from './posture.js';
import { SignalRejectedError, type SignalField } from './signalRejectedError.js';

/** Device states that may still report or receive signals. */
export const SIGNAL_STATES = ['pending', 'trusted', 'restricted'] as const;

/** The device a signal is about, with what verification needs of its organisation (none for an unmanaged account). */
export interface SignalTarget {
  deviceId: string;
  accountId: string;
  orgId: string | null;
  state: string;
  settings: OrgSettings;
}

/** A stored signal, as the API answers it. */
export interface StoredSignal {
  id: string;
  kind: NewSignal['kind'];
  verified: boolean;
  status: string | null;
  issuer: string | null;
  issuedAt: string;
}

/** Loads the device (FOR UPDATE when `lock`): 404 when unknown, 409 when it no longer takes signals. */
export async function loadSignalTarget(q: Queryable, deviceId: string, lock = false): Promise<SignalTarget> {
  const r = await q.query<{ id: string; account_id: string; org_id: string | null; state: string; managed: boolean | null; settings: Record<string, unknown> | null }>(
    `SELECT d.id, d.account_id, a.org_id, d.state, o.managed, o.settings
       FROM devices d JOIN accounts a ON a.id = d.account_id LEFT JOIN organisations o ON o.id = a.org_id
      WHERE d.id = $1${lock ? ' FOR UPDATE OF d' : ''}`,
    [deviceId],
  );
  const row = r.rows[0];
  if (!row) throw new NotFoundError('device_not_found', `no device ${deviceId}`);
  if (!(SIGNAL_STATES as readonly string[]).includes(row.state)) {
    throw new ConflictError('device_not_active', `device ${deviceId} is ${row.state}: it takes no more signals`, { state: row.state });
  }
  const settings = effectiveSettings(row.org_id === null ? null : { managed: row.managed ?? false, settings: row.settings ?? {} });
  return { deviceId: row.id, accountId: row.account_id, orgId: row.org_id, state: row.state, settings };
}

const FIELD_OF: Record<NewSignal['kind'], SignalField> = { posture: 'posture', managed: 'managedStatement', os_integrity: 'osIntegrity' };

/** Refuses a signed statement that was ever stored before, or is older than the latest stored one. */
async function checkMovesForward(tx: Queryable, deviceId: string, s: NewSignal): Promise<void> {
  const field = FIELD_OF[s.kind];
  const hash = s.payload.token_sha256;
  if (typeof hash === 'string') {
    const seen = await tx.query(`SELECT 1 FROM signals WHERE payload ? 'token_sha256' AND payload->>'token_sha256' = $1 AND kind = $2 LIMIT 1`, [hash, s.kind]);
    if (seen.rowCount) throw new SignalRejectedError('statement_replayed', field, 'this statement is already stored');
  }
  const r = await tx.query<{ issued_at: Date }>(
    `SELECT issued_at FROM signals WHERE device_id = $1 AND kind = $2 ORDER BY received_at DESC, issued_at DESC LIMIT 1`,
    [deviceId, s.kind],
  );
  const latest = r.rows[0];
  if (!latest) return;
  if (new Date(latest.issued_at).getTime() > s.issuedAt.getTime()) {
    throw new SignalRejectedError('statement_superseded', field, `a newer statement (issued ${new Date(latest.issued_at).toISOString()}) is already stored`);
  }
}

/** Inserts `signals` for a device the caller has locked, inside the caller's transaction. */
export async function insertSignals(tx: Queryable, deviceId: string, signals: NewSignal[], now: Date): Promise<StoredSignal[]> {
  const stored: StoredSignal[] = [];
  for (const s of signals) {
    if (s.kind !== 'posture') await checkMovesForward(tx, deviceId, s);
    const id = newId('sig');
    await tx.query(
      `INSERT INTO signals (id, device_id, kind, verified, status, issuer, payload, issued_at, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9)`,
      [id, deviceId, s.kind, s.verified, s.status, s.issuer, JSON.stringify(s.payload), s.issuedAt, now],
    );
    stored.push({ id, kind: s.kind, verified: s.verified, status: s.status, issuer: s.issuer, issuedAt: s.issuedAt.toISOString() });
  }
  return stored;
}
