/**
 * Loads everything a decision needs about one device — its account, organisation,
 * credential, freshest live session and latest signals — in one round trip.
 */
import { createBatchLoader } from '../store/batchLoader.js';
import type { Queryable } from '../store/database.js';
import type { DeviceContext, SignalRecord } from './policyInput.js';

const CONTEXT_SQL = `
SELECT d.id, d.state, d.approval_method, d.approved_at, d.replaces_device_id, d.replaced_by_device_id,
       d.counter_anomaly, d.last_unlock_at, d.last_unlock_method, d.created_at,
       a.id AS account_id, a.state AS account_state, a.recovery_state, a.recovery_started_at, a.devices_enrolled,
       o.id AS org_id, o.managed, o.settings,
       c.attestation_format, c.aaguid, c.backup_eligible, c.backed_up, c.user_verified AS credential_uv,
       s.created_at AS session_created_at, s.user_verified AS session_uv,
       (SELECT coalesce(json_agg(x), '[]'::json) FROM (
          SELECT DISTINCT ON (kind) kind, verified, status, issuer, payload, issued_at
            FROM signals WHERE device_id = d.id ORDER BY kind, received_at DESC) x) AS signals,
       (SELECT json_object_agg(kind, max_age_seconds) FROM signal_sources
         WHERE org_id = o.id AND max_age_seconds IS NOT NULL) AS signal_max_ages
  FROM devices d
  JOIN accounts a ON a.id = d.account_id
  LEFT JOIN organisations o ON o.id = a.org_id
  LEFT JOIN credentials c ON c.device_id = d.id
  LEFT JOIN LATERAL (
    SELECT created_at, user_verified FROM sessions
     WHERE device_id = d.id AND revoked_at IS NULL AND expires_at > now()
     ORDER BY created_at DESC LIMIT 1) s ON true`;

interface ContextRow {
  id: string; state: DeviceContext['device']['state']; approval_method: string | null; approved_at: Date | null;
  replaces_device_id: string | null; replaced_by_device_id: string | null; counter_anomaly: boolean;
  last_unlock_at: Date | null; last_unlock_method: string | null; created_at: Date;
  account_id: string; account_state: DeviceContext['account']['state']; recovery_state: DeviceContext['account']['recovery_state'];
  recovery_started_at: Date | null; devices_enrolled: number;
  org_id: string | null; managed: boolean | null; settings: Record<string, unknown> | null;
  attestation_format: string | null; aaguid: string | null; backup_eligible: boolean | null; backed_up: boolean | null; credential_uv: boolean | null;
  session_created_at: Date | null; session_uv: boolean | null;
  signals: Array<Omit<SignalRecord, 'issued_at'> & { issued_at: string }> | string;
  signal_max_ages: { managed?: number; os_integrity?: number } | string | null;
}

function toContext(r: ContextRow): DeviceContext {
  const signals = typeof r.signals === 'string' ? JSON.parse(r.signals) as Exclude<ContextRow['signals'], string> : r.signals;
  return {
    org: {
      id: r.org_id, managed: r.managed ?? false, settings: r.settings ?? {},
      signal_max_ages: (typeof r.signal_max_ages === 'string' ? JSON.parse(r.signal_max_ages) : r.signal_max_ages) ?? {},
    },
    account: { id: r.account_id, state: r.account_state, recovery_state: r.recovery_state, recovery_started_at: r.recovery_started_at, devices_enrolled: r.devices_enrolled },
    device: {
      id: r.id, state: r.state, approval_method: r.approval_method, approved_at: r.approved_at,
      replaces_device_id: r.replaces_device_id, replaced_by_device_id: r.replaced_by_device_id,
      counter_anomaly: r.counter_anomaly, last_unlock_at: r.last_unlock_at, last_unlock_method: r.last_unlock_method, created_at: r.created_at,
    },
    credential: r.attestation_format === null ? null : {
      attestation_format: r.attestation_format, aaguid: r.aaguid, backup_eligible: r.backup_eligible ?? false,
      backed_up: r.backed_up ?? false, user_verified: r.credential_uv ?? false,
    },
    session: r.session_created_at === null ? null : { created_at: r.session_created_at, user_verified: r.session_uv ?? false },
    signals: signals.map((s) => ({ ...s, issued_at: new Date(s.issued_at) })),
  };
}

export async function loadDeviceContext(q: Queryable, deviceId: string): Promise<DeviceContext | undefined> {
  const r = await q.query<ContextRow>(`${CONTEXT_SQL} WHERE d.id = $1`, [deviceId]);
  return r.rows[0] ? toContext(r.rows[0]) : undefined;
}

/** What a decision reads: the device's context and whether the asking key is still live. */
export interface DecisionRead {
  context: DeviceContext | undefined;
  callerLive: boolean;
}

// The key check is one row joined to the contexts, so there is a row even when no device matched.
const DECISION_READ_SQL = `
SELECT k.live_keys, c.* FROM
  (SELECT coalesce(array_agg(id), '{}') AS live_keys FROM api_keys WHERE id = ANY($2) AND revoked_at IS NULL) k
  LEFT JOIN LATERAL (${CONTEXT_SQL} WHERE d.id = ANY($1)) c ON true`;

/**
 * Reads for decisions, one statement for every decision asked in the same turn of the event
 * loop: each device's context, and in the same snapshot whether the asking service key is
 * still unrevoked. A revocation (of the device or of the key) that committed before a read
 * was asked for is always seen by it.
 */
export function decisionReader(q: Queryable): (deviceId: string, callerKeyId: string) => Promise<DecisionRead> {
  const load = createBatchLoader(async (pairs: string[]) => {
    const asked = pairs.map((pair) => [pair.slice(0, pair.indexOf('\n')), pair.slice(pair.indexOf('\n') + 1)] as const);
    const r = await q.query<ContextRow & { live_keys: string[] }>(DECISION_READ_SQL, [[...new Set(asked.map(([, d]) => d))], [...new Set(asked.map(([k]) => k))]]);
    const live = new Set(r.rows[0]?.live_keys ?? []);
    const contexts = new Map(r.rows.filter((row) => row.id !== null).map((row) => [row.id, toContext(row)]));
    return new Map(pairs.map((pair, i) => [pair, { context: contexts.get(asked[i][1]), callerLive: live.has(asked[i][0]) }]));
  });
  // Key ids are generated and hold no newline, so the first one separates the pair.
  return async (deviceId, callerKeyId) => (await load(`${callerKeyId}\n${deviceId}`)) as DecisionRead;
}

/** Contexts of an account's devices in the given states, in a stable order. */
export async function loadAccountDeviceContexts(q: Queryable, accountId: string, states: readonly string[]): Promise<DeviceContext[]> {
  const r = await q.query<ContextRow>(`${CONTEXT_SQL} WHERE d.account_id = $1 AND d.state = ANY($2) ORDER BY d.created_at, d.id`, [accountId, states]);
  return r.rows.map(toContext);
}
