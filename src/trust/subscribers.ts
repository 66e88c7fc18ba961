/**
 * Fan-out subscribers: the dependent services (messaging, calls, sync, keys, Command) that
 * receive a Security Event Token for each device lifecycle event they asked for. Registered
 * and removed by service keys with `subscribers:write`. A subscriber belongs to the key that
 * registered it: only that key sees it, removes it and acknowledges epochs for it (to another
 * key it does not exist), and no two subscribers share an audience. Every change is audited.
 */
import { subscriberUrlProblem } from '../queue/addressGuard.js';
import { EVENT_TYPES } from '../queue/securityEventToken.js';
import { appendAudit, type AuditActor } from '../store/audit.js';
import type { Database, Queryable } from '../store/database.js';
import { ConflictError, NotFoundError, TrustError } from './errors.js';
import { newId } from './ids.js';

/** A subscriber as the API shows it. */
export interface Subscriber {
  id: string;
  name: string;
  url: string;
  audience: string;
  events: string[];
  createdAt: Date;
}

export interface NewSubscriber {
  name: string;
  url: string;
  events: string[];
  /** `aud` of the SETs it receives; defaults to `urn:enigm:trust:subscriber:<id>`. */
  audience?: string;
}

interface SubscriberRow {
  id: string;
  name: string;
  url: string;
  audience: string;
  events: string[];
  created_at: Date;
}

const COLUMNS = 'id, name, url, audience, events, created_at';

function toSubscriber(r: SubscriberRow): Subscriber {
  return { id: r.id, name: r.name, url: r.url, audience: r.audience, events: r.events, createdAt: new Date(r.created_at) };
}

// The request schema checks shapes; these are the rules a schema cannot state.
function refusal(req: NewSubscriber): TrustError | undefined {
  const problem = subscriberUrlProblem(req.url);
  if (problem) return new TrustError(400, 'invalid_subscriber_url', `url ${problem}`);
  const unknown = req.events.filter((e) => !(EVENT_TYPES as readonly string[]).includes(e));
  if (unknown.length > 0) return new TrustError(400, 'unknown_event_type', `unknown event types ${unknown.join(', ')}; expected ${EVENT_TYPES.join(', ')}`);
  return undefined;
}

async function auditRefused(db: Database, actor: AuditActor, type: string, details: Record<string, unknown>): Promise<void> {
  await db.transaction((tx) => appendAudit(tx, { type, outcome: 'refused', actor, details }));
}

/** Registers a subscriber; `ownerKeyId` is the service key registering it. */
export async function createSubscriber(db: Database, req: NewSubscriber, ownerKeyId: string, actor: AuditActor): Promise<Subscriber> {
  const refused = refusal(req);
  if (refused) {
    await auditRefused(db, actor, 'subscriber.created', { name: req.name, refusal: refused.code });
    throw refused;
  }
  const id = newId('sub');
  const audience = req.audience ?? `urn:enigm:trust:subscriber:${id}`;
  try {
    return await db.transaction(async (tx) => {
      const r = await tx.query<SubscriberRow>(
        `INSERT INTO subscribers (id, name, url, events, audience, owner_key_id) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
        [id, req.name, req.url, [...new Set(req.events)], audience, ownerKeyId],
      );
      await appendAudit(tx, { type: 'subscriber.created', outcome: 'success', actor, details: { subscriberId: id, name: req.name, events: req.events, audience } });
      return toSubscriber(r.rows[0]);
    });
  } catch (err) {
    if ((err as { code?: string }).code !== '23505') throw err;
    const conflict = (err as { constraint?: string }).constraint === 'subscribers_active_audience'
      ? new ConflictError('subscriber_audience_taken', 'another subscriber already has this audience; each receiver names itself with its own')
      : new ConflictError('subscriber_exists', `a subscriber named "${req.name}" exists already`);
    await auditRefused(db, actor, 'subscriber.created', { name: req.name, refusal: conflict.code });
    throw conflict;
  }
}

/** The active subscribers `ownerKeyId` registered, oldest first. */
export async function listSubscribers(db: Queryable, ownerKeyId: string): Promise<Subscriber[]> {
  const r = await db.query<SubscriberRow>(`SELECT ${COLUMNS} FROM subscribers WHERE deleted_at IS NULL AND owner_key_id = $1 ORDER BY created_at, id`, [ownerKeyId]);
  return r.rows.map(toSubscriber);
}

/** One active subscriber, or undefined. */
export async function findSubscriber(db: Queryable, id: string): Promise<(Subscriber & { ownerKeyId: string | null }) | undefined> {
  const r = await db.query<SubscriberRow & { owner_key_id: string | null }>(`SELECT ${COLUMNS}, owner_key_id FROM subscribers WHERE id = $1 AND deleted_at IS NULL`, [id]);
  const row = r.rows[0];
  return row ? { ...toSubscriber(row), ownerKeyId: row.owner_key_id } : undefined;
}

/**
 * Removes a subscriber of `ownerKeyId`: it receives nothing more, and its deliveries still
 * pending are marked failed in the same transaction, so its status never shows work that will
 * not happen. Another key's subscriber is refused as a missing one.
 */
export async function deleteSubscriber(db: Database, id: string, ownerKeyId: string, actor: AuditActor): Promise<void> {
  const deleted = await db.transaction(async (tx) => {
    const r = await tx.query<{ name: string }>('UPDATE subscribers SET deleted_at = now() WHERE id = $1 AND owner_key_id = $2 AND deleted_at IS NULL RETURNING name', [id, ownerKeyId]);
    if (r.rowCount === 0) return false;
    const dropped = await tx.query(`UPDATE deliveries SET status = 'failed', last_error = 'the subscriber was deleted' WHERE subscriber_id = $1 AND status = 'pending'`, [id]);
    await appendAudit(tx, { type: 'subscriber.deleted', outcome: 'success', actor, details: { subscriberId: id, name: r.rows[0].name, pendingDropped: dropped.rowCount } });
    return true;
  });
  if (!deleted) {
    await auditRefused(db, actor, 'subscriber.deleted', { subscriberId: id, refusal: 'subscriber_not_found' });
    throw new NotFoundError('subscriber_not_found', `no subscriber ${id}`);
  }
}
