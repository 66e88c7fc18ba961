/**
 * Where a device's lifecycle events stand with each subscriber: per subscriber, each event's
 * delivery (status, attempts, last error, next attempt, delivered time) and whether the
 * subscriber acknowledged an epoch at least as new as the event's, i.e. whether it enforces the
 * device list that event produced. Metadata only; the SETs themselves are not stored.
 *
 * Statuses: `queued` (the event is not yet expanded into deliveries, e.g. while Redis is down),
 * `pending` (waiting for an attempt: its first, or the next after a re-drive), `retrying` (an
 * attempt failed; `nextAttemptAt` says when the next one is due), `delivered`, `failed`.
 */
import { eventTypesOf, type LifecycleEvent } from '../queue/securityEventToken.js';
import { LIFECYCLE_TOPIC } from '../queue/eventWorker.js';
import type { Queryable } from '../store/database.js';
import { NotFoundError } from './errors.js';

/** Who asks: a service key sees every device, an admin only its organisation's. */
export type FanoutViewer = { kind: 'service' } | { kind: 'admin'; orgId: string };

export interface EventDelivery {
  eventId: string;
  state: string;
  previousState: string;
  epoch: number;
  occurredAt: string;
  status: 'queued' | 'pending' | 'retrying' | 'delivered' | 'failed';
  deliveryId: string | null;
  jti: string | null;
  attempts: number;
  lastError: string | null;
  lastAttemptAt: string | null;
  /** When a `retrying` delivery's next attempt is due. */
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  /** The subscriber acknowledged this event's epoch or a later one. */
  epochAcknowledged: boolean;
}

export interface SubscriberFanout {
  subscriberId: string;
  name: string;
  /** False when the subscriber was deleted after deliveries were made to it. */
  active: boolean;
  acknowledgedEpoch: number | null;
  acknowledgedAt: string | null;
  /** It acknowledged the account's current epoch: its view of the device list is up to date. */
  enforcesCurrentEpoch: boolean;
  events: EventDelivery[];
}

export interface DeviceFanout {
  deviceId: string;
  accountId: string;
  currentEpoch: number;
  subscribers: SubscriberFanout[];
}

const MAX_EVENTS = 100;

interface EventRow { id: string; payload: LifecycleEvent; expanded_at: Date | null }
interface DeliveryRow {
  id: string; outbox_id: string; subscriber_id: string; jti: string; status: 'pending' | 'delivered' | 'failed'; attempts: number;
  last_error: string | null; last_attempt_at: Date | null; next_attempt_at: Date | null; delivered_at: Date | null;
}
interface SubscriberRow { id: string; name: string; events: string[]; active: boolean }

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);

async function loadDevice(db: Queryable, deviceId: string, viewer: FanoutViewer): Promise<{ accountId: string; currentEpoch: number }> {
  const r = await db.query<{ account_id: string; org_id: string; device_epoch: number }>(
    'SELECT d.account_id, a.org_id, a.device_epoch FROM devices d JOIN accounts a ON a.id = d.account_id WHERE d.id = $1', [deviceId]);
  const row = r.rows[0];
  // Another organisation's device answers exactly as a missing one.
  if (!row || (viewer.kind === 'admin' && row.org_id !== viewer.orgId)) throw new NotFoundError('device_not_found', `no device ${deviceId}`);
  return { accountId: row.account_id, currentEpoch: Number(row.device_epoch) };
}

function eventDelivery(e: EventRow, d: DeliveryRow | undefined, ackedEpoch: number | null): EventDelivery {
  return {
    eventId: e.id,
    state: e.payload.state,
    previousState: e.payload.previous_state,
    epoch: Number(e.payload.epoch),
    occurredAt: e.payload.occurred_at,
    status: !d ? 'queued' : d.status === 'pending' && d.next_attempt_at ? 'retrying' : d.status,
    deliveryId: d?.id ?? null,
    jti: d?.jti ?? null,
    attempts: d?.attempts ?? 0,
    lastError: d?.last_error ?? null,
    lastAttemptAt: iso(d?.last_attempt_at ?? null),
    nextAttemptAt: d?.status === 'pending' ? iso(d.next_attempt_at) : null,
    deliveredAt: iso(d?.delivered_at ?? null),
    epochAcknowledged: ackedEpoch !== null && ackedEpoch >= Number(e.payload.epoch),
  };
}

/** The fan-out status of a device's latest lifecycle events (newest first, at most 100). */
export async function deviceFanoutStatus(db: Queryable, deviceId: string, viewer: FanoutViewer): Promise<DeviceFanout> {
  const { accountId, currentEpoch } = await loadDevice(db, deviceId, viewer);
  const events = (await db.query<EventRow>(
    'SELECT id, payload, expanded_at FROM outbox WHERE device_id = $1 AND topic = $2 ORDER BY seq DESC LIMIT $3', [deviceId, LIFECYCLE_TOPIC, MAX_EVENTS])).rows;
  const ids = events.map((e) => e.id);
  const deliveries = (await db.query<DeliveryRow>(
    'SELECT id, outbox_id, subscriber_id, jti, status, attempts, last_error, last_attempt_at, next_attempt_at, delivered_at FROM deliveries WHERE outbox_id = ANY($1)', [ids])).rows;
  const subscribers = (await db.query<SubscriberRow>(
    `SELECT id, name, events, deleted_at IS NULL AS active FROM subscribers
      WHERE deleted_at IS NULL OR id IN (SELECT subscriber_id FROM deliveries WHERE outbox_id = ANY($1))
      ORDER BY created_at, id`, [ids])).rows;
  const acks = new Map((await db.query<{ subscriber_id: string; epoch: number; acked_at: Date }>(
    'SELECT subscriber_id, epoch, acked_at FROM epoch_acks WHERE account_id = $1', [accountId])).rows.map((a) => [a.subscriber_id, a]));
  const byPair = new Map(deliveries.map((d) => [`${d.outbox_id} ${d.subscriber_id}`, d]));
  return {
    deviceId,
    accountId,
    currentEpoch,
    subscribers: subscribers.map((s) => {
      const ack = acks.get(s.id);
      const ackedEpoch = ack ? Number(ack.epoch) : null;
      const list: EventDelivery[] = [];
      for (const e of events) {
        const d = byPair.get(`${e.id} ${s.id}`);
        // An event not yet expanded will reach each active subscriber that wants one of its types; once
        // expanded, a subscriber without a delivery of it (registered later, or not asking) is owed nothing.
        const awaited = !d && s.active && e.expanded_at === null && eventTypesOf(e.payload).some((t) => s.events.includes(t));
        if (d || awaited) list.push(eventDelivery(e, d, ackedEpoch));
      }
      return {
        subscriberId: s.id, name: s.name, active: s.active,
        acknowledgedEpoch: ackedEpoch, acknowledgedAt: iso(ack?.acked_at ?? null),
        enforcesCurrentEpoch: ackedEpoch !== null && ackedEpoch >= currentEpoch,
        events: list,
      };
    }),
  };
}
