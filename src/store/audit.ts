/**
 * The hash-chained audit log. Each record carries the hash of the one before it, so changing,
 * removing or reordering any record breaks the chain at that point, and `verifyAuditChain` finds it.
 *
 * hash(n) = sha256hex(prev_hash + canonicalJson({seq, id, occurred_at, org_id, account_id,
 * device_id, actor, type, outcome, details})), with prev_hash of the first record = 64 zeros.
 *
 * What the chain cannot show by itself: records cut from its end (the head simply moves back).
 * Keep the `head` that verification returns somewhere else to detect that.
 */
import { createHash, randomBytes } from 'node:crypto';
import { auditValue, storableText } from './auditValue.js';
import { noteAudited } from './auditWatch.js';
import { canonicalJson } from './canonicalJson.js';
import type { Queryable } from './database.js';

/** Who did it. `id` is an opaque identifier (key_…, dev_…), never a secret. */
export interface AuditActor {
  type: 'device' | 'admin' | 'service' | 'system' | 'anonymous';
  id?: string;
  role?: string;
  address?: string;
}

/** One security-relevant event, as a caller describes it. */
export interface AuditEvent {
  /** Dotted event name, e.g. `key.created`, `device.revoked`. */
  type: string;
  outcome: 'success' | 'refused';
  actor: AuditActor;
  orgId?: string | null;
  accountId?: string | null;
  deviceId?: string | null;
  /** Metadata only: never tokens, codes, key material or message content. */
  details?: Record<string, unknown>;
}

/** One stored record, as `listAudit` returns it. */
export interface AuditRecord {
  seq: number;
  id: string;
  occurredAt: Date;
  orgId: string | null;
  accountId: string | null;
  deviceId: string | null;
  actor: AuditActor;
  type: string;
  outcome: 'success' | 'refused';
  details: Record<string, unknown>;
}

export type AuditVerification =
  | { ok: true; count: number; head: string }
  | {
      ok: false;
      /** Records verified intact before the broken one. */
      count: number;
      brokenAt: { seq: number; id: string; reason: 'hash_mismatch' | 'prev_hash_mismatch' | 'sequence_gap' };
    };

export interface AuditFilter {
  orgId?: string;
  accountId?: string;
  deviceId?: string;
  /** Matches `actor.id`. */
  actorId?: string;
  type?: string;
  /** Inclusive. */
  since?: Date;
  /** Exclusive. */
  until?: Date;
  /** Only records after this seq: pass the last seq of a page to get the next one. */
  afterSeq?: number;
  /** 1 to 1000. */
  limit: number;
}

/** The prev_hash of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

// One constant key for pg_advisory_xact_lock: "audt". Appends queue on it; the lock is held until
// the caller's transaction ends, so append late in a transaction, not at its start.
const AUDIT_LOCK_KEY = 0x61756474;
const ACTOR_TYPES = new Set(['device', 'admin', 'service', 'system', 'anonymous']);
const MAX_LIST = 1000;

interface AuditRow {
  seq: number | string;
  id: string;
  occurred_at: Date;
  sub_ms: boolean;
  org_id: string | null;
  account_id: string | null;
  device_id: string | null;
  actor: AuditActor;
  type: string;
  outcome: 'success' | 'refused';
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

interface HashedFields {
  seq: number;
  id: string;
  occurred_at: string;
  org_id: string | null;
  account_id: string | null;
  device_id: string | null;
  actor: unknown;
  type: string;
  outcome: string;
  details: unknown;
}

function chainHash(prevHash: string, fields: HashedFields): string {
  return createHash('sha256').update(prevHash + canonicalJson(fields), 'utf8').digest('hex');
}

function checkEvent(event: AuditEvent): void {
  if (typeof event.type !== 'string' || event.type.length === 0) throw new TypeError('audit: event type must be a non-empty string');
  if (event.outcome !== 'success' && event.outcome !== 'refused') throw new TypeError(`audit: outcome must be "success" or "refused", got ${String(event.outcome)}`);
  if (!event.actor || !ACTOR_TYPES.has(event.actor.type)) throw new TypeError(`audit: actor type must be one of ${[...ACTOR_TYPES].join(', ')}`);
}

/**
 * Appends `event` to the chain inside the caller's transaction `tx`, so the state change and its
 * record commit (or roll back) together. Concurrent appends are serialised by an advisory lock
 * held until `tx` ends. `tx` must run at READ COMMITTED (the default): a snapshot taken before the
 * lock would not see the latest head, and the insert would then fail on the duplicate seq.
 * Pass the transaction, not the Database: outside a transaction the lock ends with its statement.
 * @param now when the event happened; stored at millisecond precision (default: the current time)
 */
export async function appendAudit(tx: Queryable, event: AuditEvent, now: Date = new Date()): Promise<{ id: string; seq: number; hash: string }> {
  checkEvent(event);
  const occurredAt = new Date(now.getTime());
  if (Number.isNaN(occurredAt.getTime())) throw new TypeError('audit: now is an invalid Date');
  // Made storable first (never refused: a refusal must be recorded whatever its input), then
  // canonicalised: what is stored is exactly what is hashed (Dates as strings, undefined dropped).
  const actor = JSON.parse(canonicalJson(auditValue(event.actor) ?? {})) as AuditActor;
  const details = JSON.parse(canonicalJson(auditValue(event.details ?? {}) ?? {})) as Record<string, unknown>;
  const id = (v: string | null | undefined) => (typeof v === 'string' ? storableText(v, 200) : null);
  const fields: Omit<HashedFields, 'seq'> = {
    id: `aud_${randomBytes(20).toString('base64url')}`,
    occurred_at: occurredAt.toISOString(),
    org_id: id(event.orgId),
    account_id: id(event.accountId),
    device_id: id(event.deviceId),
    actor,
    type: event.type,
    outcome: event.outcome,
    details,
  };

  await tx.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK_KEY]);
  const head = await tx.query<{ seq: number | string; hash: string }>('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1');
  const prevHash = head.rows[0]?.hash ?? GENESIS_HASH;
  const seq = head.rows.length ? Number(head.rows[0].seq) + 1 : 1;
  const hash = chainHash(prevHash, { seq, ...fields });
  await tx.query(
    `INSERT INTO audit_events (seq, id, occurred_at, org_id, account_id, device_id, actor, type, outcome, details, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10::jsonb, $11, $12)`,
    [seq, fields.id, occurredAt, fields.org_id, fields.account_id, fields.device_id, canonicalJson(actor), fields.type, fields.outcome, canonicalJson(details), prevHash, hash],
  );
  noteAudited(event.outcome);
  return { id: fields.id, seq, hash };
}

const SELECT_COLUMNS = `seq, id, occurred_at, occurred_at <> date_trunc('milliseconds', occurred_at) AS sub_ms,
  org_id, account_id, device_id, actor, type, outcome, details, prev_hash, hash`;

type Reason = 'hash_mismatch' | 'prev_hash_mismatch' | 'sequence_gap';

// The first thing wrong with `row` given the record before it, or undefined when it links correctly.
function checkLink(row: AuditRow, expectedSeq: number, prevHash: string): Reason | undefined {
  if (Number(row.seq) !== expectedSeq) return 'sequence_gap';
  if (row.prev_hash !== prevHash) return 'prev_hash_mismatch';
  // Stored at millisecond precision: anything finer was written by something other than appendAudit.
  if (row.sub_ms) return 'hash_mismatch';
  let recomputed: string;
  try {
    recomputed = chainHash(row.prev_hash, {
      seq: Number(row.seq),
      id: row.id,
      occurred_at: new Date(row.occurred_at).toISOString(),
      org_id: row.org_id,
      account_id: row.account_id,
      device_id: row.device_id,
      actor: row.actor,
      type: row.type,
      outcome: row.outcome,
      details: row.details,
    });
  } catch {
    return 'hash_mismatch'; // a value canonicalJson refuses (e.g. a number beyond double range)
  }
  return recomputed === row.hash ? undefined : 'hash_mismatch';
}

/**
 * Walks the whole chain in seq order, `batchSize` records at a time (keyset pagination: memory
 * stays bounded), recomputing every hash. Reports the first broken link: a seq that does not follow
 * the previous one (`sequence_gap`, e.g. a deleted record), a prev_hash that is not the previous
 * record's hash, or a hash that does not match the record's content. An empty log is intact and
 * its head is the genesis hash.
 */
export async function verifyAuditChain(db: Queryable, opts: { batchSize?: number } = {}): Promise<AuditVerification> {
  const batchSize = opts.batchSize ?? 500;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError('verifyAuditChain: batchSize must be a positive integer');
  let prevHash = GENESIS_HASH;
  let lastSeq = 0;
  let count = 0;
  while (true) {
    const batch = await db.query<AuditRow>(`SELECT ${SELECT_COLUMNS} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2`, [lastSeq, batchSize]);
    for (const row of batch.rows) {
      const reason = checkLink(row, lastSeq + 1, prevHash);
      if (reason) return { ok: false, count, brokenAt: { seq: Number(row.seq), id: row.id, reason } };
      prevHash = row.hash;
      lastSeq = Number(row.seq);
      count++;
    }
    if (batch.rows.length < batchSize) return { ok: true, count, head: prevHash };
  }
}

/** Records matching every given filter, in seq order, at most `limit` of them. */
export async function listAudit(db: Queryable, filter: AuditFilter): Promise<AuditRecord[]> {
  if (!Number.isInteger(filter.limit) || filter.limit < 1 || filter.limit > MAX_LIST) {
    throw new RangeError(`listAudit: limit must be an integer from 1 to ${MAX_LIST}`);
  }
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, value: unknown): void => {
    params.push(value);
    where.push(clause.replace('?', `$${params.length}`));
  };
  if (filter.orgId !== undefined) add('org_id = ?', filter.orgId);
  if (filter.accountId !== undefined) add('account_id = ?', filter.accountId);
  if (filter.deviceId !== undefined) add('device_id = ?', filter.deviceId);
  if (filter.actorId !== undefined) add("actor->>'id' = ?", filter.actorId);
  if (filter.type !== undefined) add('type = ?', filter.type);
  if (filter.since !== undefined) add('occurred_at >= ?', filter.since);
  if (filter.until !== undefined) add('occurred_at < ?', filter.until);
  if (filter.afterSeq !== undefined) add('seq > ?', filter.afterSeq);
  params.push(filter.limit);
  const sql = `SELECT ${SELECT_COLUMNS} FROM audit_events ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY seq LIMIT $${params.length}`;
  const r = await db.query<AuditRow>(sql, params);
  return r.rows.map((row) => ({
    seq: Number(row.seq),
    id: row.id,
    occurredAt: new Date(row.occurred_at),
    orgId: row.org_id,
    accountId: row.account_id,
    deviceId: row.device_id,
    actor: row.actor,
    type: row.type,
    outcome: row.outcome,
    details: row.details,
  }));
}
