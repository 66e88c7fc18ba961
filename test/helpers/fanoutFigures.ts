/**
 * What a fan-out fault test measures: of the lifecycle events committed, how many deliveries
 * each subscriber that asked should get, how many of them arrived (by `jti`), how many were
 * pushed more than once, how many never arrived; whether the fan-out view agrees with what
 * arrived; whether every delivery still owed has a live job. Set FANOUT_FIGURES_FILE to have
 * each test append its figures to that file as one JSON line.
 */
import { appendFileSync } from 'node:fs';
import type { Database } from '../../src/store/database.js';
import { deviceFanoutStatus } from '../../src/trust/fanoutStatus.js';
import { deliveryJobId, type FanoutQueues } from '../../src/queue/queues.js';
import type { Receiver } from './fanout.js';

export interface FanoutFigures {
  /** Lifecycle events committed. */
  events: number;
  /** Deliveries owed: one per event and subscriber that asked for it. */
  owed: number;
  /** Of those, how many arrived at least once. */
  delivered: number;
  /** Owed deliveries that never arrived (or were never even created). */
  lost: number;
  /** Pushes beyond the first of a `jti` (receivers de-duplicate them). */
  duplicates: number;
  /** Every push received. */
  pushes: number;
}

/** Counts, per subscriber and event, what arrived. Only pushes of these events count. */
export async function fanoutFigures(db: Database, outboxIds: string[], subscribers: Array<{ id: string; receiver: Receiver }>): Promise<FanoutFigures> {
  const rows = (await db.query<{ outbox_id: string; subscriber_id: string; jti: string }>(
    'SELECT outbox_id, subscriber_id, jti FROM deliveries WHERE outbox_id = ANY($1)', [outboxIds])).rows;
  const jtiOf = new Map(rows.map((r) => [`${r.outbox_id} ${r.subscriber_id}`, r.jti]));
  const figures: FanoutFigures = { events: outboxIds.length, owed: 0, delivered: 0, lost: 0, duplicates: 0, pushes: 0 };
  for (const { id, receiver } of subscribers) {
    const counts = new Map<string, number>();
    for (const set of receiver.received) {
      if (!outboxIds.includes(set.claims.txn)) continue;
      counts.set(set.claims.jti, (counts.get(set.claims.jti) ?? 0) + 1);
      figures.pushes++;
    }
    for (const outboxId of outboxIds) {
      figures.owed++;
      const jti = jtiOf.get(`${outboxId} ${id}`);
      const n = jti === undefined ? 0 : counts.get(jti) ?? 0;
      if (n === 0) figures.lost++;
      else {
        figures.delivered++;
        figures.duplicates += n - 1;
      }
    }
  }
  return figures;
}

/** Appends `figures` under `fault` to FANOUT_FIGURES_FILE, when set. */
export function reportFigures(fault: string, figures: FanoutFigures & Record<string, number>): void {
  const file = process.env.FANOUT_FIGURES_FILE;
  if (file) appendFileSync(file, JSON.stringify({ fault, ...figures }) + '\n');
}

/**
 * What the fan-out view says that the receivers contradict: an event missing from a subscriber
 * it is owed to, shown `delivered` though its `jti` never arrived, or shown `failed`. Empty when
 * the view tells the truth (a delivery shown pending may have arrived a moment before it is
 * recorded: that is not a lie).
 */
export async function fanoutViewContradictions(db: Database, outboxIds: string[], subscribers: Array<{ id: string; receiver: Receiver }>): Promise<string[]> {
  const devices = (await db.query<{ id: string; device_id: string }>('SELECT id, device_id FROM outbox WHERE id = ANY($1)', [outboxIds])).rows;
  const contradictions: string[] = [];
  for (const { id: outboxId, device_id: deviceId } of devices) {
    const view = await deviceFanoutStatus(db, deviceId, { kind: 'service' });
    for (const { id, receiver } of subscribers) {
      const shown = view.subscribers.find((s) => s.subscriberId === id)?.events.find((e) => e.eventId === outboxId);
      if (!shown) contradictions.push(`${outboxId} not shown for ${id}`);
      else if (shown.status === 'delivered' && !receiver.jtis().has(shown.jti as string)) contradictions.push(`${outboxId} shown delivered to ${id}, never received`);
      else if (shown.status === 'failed') contradictions.push(`${outboxId} shown failed for ${id}`);
    }
  }
  return contradictions;
}

/** Deliveries of these events still owed whose job is not in the queue (lost, finished or failed). */
export async function strandedDeliveries(db: Database, queues: FanoutQueues, outboxIds: string[]): Promise<string[]> {
  const owed = (await db.query<{ id: string; subscriber_id: string; job_generation: number }>(
    `SELECT id, subscriber_id, job_generation FROM deliveries WHERE outbox_id = ANY($1) AND status = 'pending'`, [outboxIds])).rows;
  const stranded: string[] = [];
  for (const d of owed) {
    const state = await queues.deliveryQueue(d.subscriber_id).getJobState(deliveryJobId(d.id, d.job_generation));
    if (!['waiting', 'active', 'delayed', 'prioritized'].includes(state)) stranded.push(d.id);
  }
  // One delivered while we looked has no job left, and is not stranded.
  return (await db.query<{ id: string }>(`SELECT id FROM deliveries WHERE id = ANY($1) AND status = 'pending' ORDER BY id`, [stranded])).rows.map((r) => r.id);
}

/** Whether every event has been delivered to every one of these subscribers (a delivery not yet created counts as owed). */
export async function everyDeliveryDelivered(db: Database, outboxIds: string[], subscriberIds: string[]): Promise<boolean> {
  const r = await db.query<{ n: number | string }>(
    `SELECT count(*) AS n FROM deliveries WHERE outbox_id = ANY($1) AND subscriber_id = ANY($2) AND status = 'delivered'`, [outboxIds, subscriberIds]);
  return Number(r.rows[0].n) === outboxIds.length * subscriberIds.length;
}
