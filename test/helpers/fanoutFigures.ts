/**
 * What a fan-out fault test measures: of the lifecycle events committed, how many deliveries
 * each subscriber that asked should get, how many of them arrived (by `jti`), how many were
 * pushed more than once, how many never arrived. Set FANOUT_FIGURES_FILE to have each test
 * append its figures to that file as one JSON line.
 */
import { appendFileSync } from 'node:fs';
import type { Database } from '../../src/store/database.js';
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
