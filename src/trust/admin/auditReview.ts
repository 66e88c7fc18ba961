/**
 * Audit review for an organisation's auditors: search the organisation's records (device,
 * account, actor, event type, time range; oldest first, keyset pages on the chain sequence),
 * and verify the whole chain. The chain is shared by every organisation, so verification
 * walks all of it, but tells an organisation nothing of another one's records beyond the
 * position of a broken link.
 */
import { appendAudit, listAudit, verifyAuditChain, type AuditActor, type AuditRecord } from '../../store/audit.js';
import type { Database, Queryable } from '../../store/database.js';
import type { CursorCodec } from './cursor.js';
import { invalidCursor } from './cursor.js';
import type { Page } from './sql.js';

export interface AuditSearch {
  deviceId?: string;
  accountId?: string;
  actorId?: string;
  type?: string;
  /** Inclusive. */
  since?: Date;
  /** Exclusive. */
  until?: Date;
}

/**
 * One audit record as an auditor sees it. Its position in the chain is left out: the chain is
 * shared, and gaps between one organisation's positions would tell how busy the others are.
 */
export interface AuditEntry {
  id: string;
  occurredAt: string;
  type: string;
  outcome: 'success' | 'refused';
  actor: { type: string; id: string | null; role: string | null; address: string | null };
  accountId: string | null;
  deviceId: string | null;
  details: Record<string, unknown>;
}

/** The verdict an organisation's auditor gets. */
export interface AuditVerdict {
  ok: boolean;
  checkedAt: string;
  /** Hash of the last record: keep it elsewhere to notice records cut from the end later. */
  head: string | null;
  brokenAt: { seq: number; reason: string; ownOrganisation: boolean; id: string | null } | null;
}

const VIEW = 'audit';
export const REDACTED = '[redacted]';

// Audit details are metadata by contract; this is the second line: names that denote secrets, and
// values shaped like the tokens this service issues, never leave through an admin response.
const SECRET_KEY = /(token|secret|password|passphrase|private|public_?key|credential_?id|^code$|bootstrap_?code|recovery_?code|code_?hash|signing|jws|jwk|cookie|authorization)/i;
const TOKEN_VALUE = /\b(esk|eak|eds|eas|eai)_[A-Za-z0-9_-]{43}\b/;
const MAX_DEPTH = 6;

/** `value` with secret-named fields and token-shaped strings replaced by "[redacted]". */
export function redactDetails(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return TOKEN_VALUE.test(value) ? REDACTED : value;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => redactDetails(v, depth + 1));
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, SECRET_KEY.test(k) ? REDACTED : redactDetails(v, depth + 1)]));
}

function toEntry(r: AuditRecord): AuditEntry {
  const a = r.actor ?? { type: 'anonymous' };
  return {
    id: r.id,
    occurredAt: r.occurredAt.toISOString(),
    type: r.type,
    outcome: r.outcome,
    actor: {
      type: String(a.type),
      id: typeof a.id === 'string' ? a.id : null,
      role: typeof a.role === 'string' ? a.role : null,
      address: typeof a.address === 'string' ? a.address : null,
    },
    accountId: r.accountId,
    deviceId: r.deviceId,
    details: redactDetails(r.details ?? {}) as Record<string, unknown>,
  };
}

/** The organisation's audit records matching `search`, oldest first. */
export async function searchAudit(db: Queryable, codec: CursorCodec, orgId: string, search: AuditSearch, page: { limit: number; cursor?: string }): Promise<Page<AuditEntry>> {
  const scope = { orgId, search };
  let afterSeq: number | undefined;
  if (page.cursor !== undefined) {
    const after = codec.decode(VIEW, scope, page.cursor);
    if (after.length !== 1 || typeof after[0] !== 'number' || after[0] < 1) throw invalidCursor('malformed sort key');
    afterSeq = after[0];
  }
  const records = await listAudit(db, { ...search, orgId, afterSeq, limit: page.limit + 1 });
  const items = records.slice(0, page.limit);
  const last = items[items.length - 1];
  return { items: items.map(toEntry), nextCursor: records.length > page.limit ? codec.encode(VIEW, scope, [last.seq]) : null };
}

/**
 * Verifies the whole chain and records that `actor` did (`audit.verified`, with the verdict).
 * A broken record of another organisation is reported by its position only.
 */
export async function verifyAuditForOrg(db: Database, orgId: string, actor: AuditActor, now: Date = new Date()): Promise<AuditVerdict> {
  const result = await verifyAuditChain(db);
  let verdict: AuditVerdict;
  if (result.ok) {
    verdict = { ok: true, checkedAt: now.toISOString(), head: result.head, brokenAt: null };
  } else {
    const owner = await db.query<{ org_id: string | null }>('SELECT org_id FROM audit_events WHERE seq = $1', [result.brokenAt.seq]);
    const own = owner.rows[0]?.org_id === orgId;
    verdict = { ok: false, checkedAt: now.toISOString(), head: null, brokenAt: { seq: result.brokenAt.seq, reason: result.brokenAt.reason, ownOrganisation: own, id: own ? result.brokenAt.id : null } };
  }
  await db.transaction((tx) => appendAudit(tx, {
    type: 'audit.verified', outcome: 'success', actor, orgId,
    details: { ok: verdict.ok, ...(verdict.brokenAt ? { brokenAtSeq: verdict.brokenAt.seq, reason: verdict.brokenAt.reason } : {}) },
  }, now));
  return verdict;
}
