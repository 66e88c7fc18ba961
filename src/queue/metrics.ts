/**
 * Fan-out metrics on the service's registry: how much is waiting (outbox rows not yet relayed,
 * jobs in the queues), how long the oldest delivery still owed to each subscriber has waited
 * (read from the database, so it tells the truth whatever Redis lost), how long a delivery
 * takes from the lifecycle commit to the subscriber's 202, how many pushes fail, and what the
 * reconciler had to put right.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Database } from '../store/database.js';
import type { FanoutQueues } from './queues.js';
import { withTimeout } from './timeout.js';

export interface FanoutMetrics {
  deliveryLatency: Histogram;
  failures: Counter<'result'>;
  reconciled: Counter<'action'>;
}

const registered = new WeakMap<Registry, FanoutMetrics>();

async function countJobs(queues: FanoutQueues, kind: 'events' | 'deliveries'): Promise<number> {
  const list = kind === 'events' ? [queues.events] : queues.deliveryQueues().map(([, q]) => q);
  const counts = await withTimeout(Promise.all(list.map((q) => q.getJobCounts('waiting', 'delayed', 'active', 'prioritized'))), 1000, 'counting jobs');
  return counts.reduce((sum, c) => sum + Object.values(c).reduce((a, b) => a + b, 0), 0);
}

/**
 * Registers the fan-out metrics on `registry` (once per registry) and returns them.
 * Gauges are read when scraped; while Redis is down the queue gauge is left out of the scrape
 * rather than failing it.
 */
export function fanoutMetrics(registry: Registry, sources: { db: Database; queues: () => FanoutQueues | undefined }): FanoutMetrics {
  const existing = registered.get(registry);
  if (existing) return existing;
  new Gauge({
    name: 'enigm_trust_fanout_queue_depth',
    help: 'Fan-out jobs waiting, delayed or in progress, by queue (events: to expand; deliveries: pushes to subscribers)',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      const queues = sources.queues();
      if (!queues) return;
      for (const kind of ['events', 'deliveries'] as const) {
        try {
          this.set({ queue: kind }, await countJobs(queues, kind));
        } catch {
          this.remove({ queue: kind });
        }
      }
    },
  });
  new Gauge({
    name: 'enigm_trust_fanout_outbox_unrelayed',
    help: 'Lifecycle events committed but not yet handed to the queue (grows while Redis is unreachable)',
    registers: [registry],
    async collect() {
      try {
        const r = await sources.db.query<{ n: number | string }>('SELECT count(*) AS n FROM outbox WHERE relayed_at IS NULL');
        this.set(Number(r.rows[0].n));
      } catch {
        // While the database is away the figure is unknown (NaN, not a reassuring 0); the rest is still scraped.
        this.set(Number.NaN);
      }
    },
  });
  new Gauge({
    name: 'enigm_trust_fanout_oldest_undelivered_seconds',
    help: 'Per active subscriber, seconds since the lifecycle event of its oldest delivery neither delivered nor failed was committed (0: none owed)',
    labelNames: ['subscriber', 'name'] as const,
    registers: [registry],
    async collect() {
      try {
        const r = await sources.db.query<{ id: string; name: string; age: number | string }>(
          `SELECT s.id, s.name, coalesce(extract(epoch FROM now() - min(o.created_at)), 0) AS age
             FROM subscribers s
             LEFT JOIN deliveries d ON d.subscriber_id = s.id AND d.status = 'pending'
             LEFT JOIN outbox o ON o.id = d.outbox_id
            WHERE s.deleted_at IS NULL GROUP BY s.id, s.name`);
        this.reset();
        for (const row of r.rows) this.set({ subscriber: row.id, name: row.name }, Math.max(0, Number(row.age)));
      } catch {
        this.reset(); // unknown while the database is away: no series rather than a wrong one
      }
    },
  });
  const metrics: FanoutMetrics = {
    deliveryLatency: new Histogram({
      name: 'enigm_trust_fanout_delivery_latency_seconds',
      help: 'From the lifecycle change committing to the subscriber acknowledging its SET (202)',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800],
      registers: [registry],
    }),
    failures: new Counter({
      name: 'enigm_trust_fanout_delivery_failures_total',
      help: 'Failed pushes of SETs: "retrying" (another attempt follows) or "failed" (the delivery gave up)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    reconciled: new Counter({
      name: 'enigm_trust_fanout_reconciled_total',
      help: 'What the reconciler put right: "requeued" (a delivery no live job carried), "failed_recorded" (a give-up nobody had written), "event_requeued" (an event whose expansion was lost)',
      labelNames: ['action'] as const,
      registers: [registry],
    }),
  };
  // Shown from the first scrape, at 0, so a rise is visible.
  for (const action of ['requeued', 'failed_recorded', 'event_requeued']) metrics.reconciled.inc({ action }, 0);
  registered.set(registry, metrics);
  return metrics;
}
