/**
 * `enigm-trust worker` with WORKER_METRICS_PORT: the standalone worker can be watched like the
 * service — its deliveries, queues and unrelayed outbox appear on GET /metrics — and serves
 * nothing else.
 */
import type { ChildProcess } from 'node:child_process';
import { LIFECYCLE_EVENT } from '../../src/queue/securityEventToken.js';
import type { Database } from '../../src/store/database.js';
import { createSubscriber } from '../../src/trust/subscribers.js';
import { transitionDevice } from '../../src/trust/transition.js';
import { postgresSchema, tempDir, uniqueName } from '../helpers/env.js';
import { removeQueues, startReceiver, startWorkerProcess, waitFor, type Receiver } from '../helpers/fanout.js';
import { migrated, seedAccount, seedDevice, seedOrg } from '../helpers/seed.js';

const actor = { type: 'system' as const, id: 'test' };

describe('the standalone worker\'s metrics', () => {
  let db: Database;
  let schema: string;
  let drop: () => Promise<void>;
  let receiver: Receiver;
  let worker: ChildProcess;
  let metricsUrl: string;
  const prefix = uniqueName('fanout-metrics');
  const data = tempDir('enigm-worker-metrics-');

  beforeAll(async () => {
    const s = await postgresSchema();
    db = await migrated(s.db);
    schema = s.schema;
    drop = s.drop;
    receiver = await startReceiver();
    const started = await startWorkerProcess(
      { schema, prefix, dataDir: data.dir, env: { FANOUT_POLL_MS: '50', WORKER_METRICS_PORT: '0' } },
      (line) => line.includes('"metrics served"'),
    );
    worker = started.child;
    metricsUrl = (JSON.parse(started.line) as { url: string }).url;
  });
  afterAll(async () => {
    if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
    await receiver.close();
    await removeQueues(prefix);
    await drop();
    data.remove();
  });

  const scrape = async (): Promise<string> => {
    const res = await fetch(metricsUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    return res.text();
  };
  const deliveriesCounted = (text: string): number => Number(/^enigm_trust_fanout_delivery_latency_seconds_count (\d+)$/m.exec(text)?.[1] ?? 0);

  it('shows the fan-out\'s queues, outbox and deliveries, and the process\'s own figures', async () => {
    const before = await scrape();
    expect(before).toMatch(/^enigm_trust_fanout_outbox_unrelayed 0$/m);
    expect(before).toMatch(/^enigm_trust_fanout_queue_depth\{queue="deliveries"\} \d+$/m);
    expect(before).toMatch(/^enigm_trust_process_cpu_seconds_total /m);
    await createSubscriber(db, { name: 'keys', url: receiver.url, events: [LIFECYCLE_EVENT] }, 'key_test', actor);
    const deviceId = await seedDevice(db, await seedAccount(db, await seedOrg(db)));
    await transitionDevice(db, { deviceId, to: 'revoked', actor, reason: 'stolen' });
    const after = await waitFor(async () => {
      const text = await scrape();
      return deliveriesCounted(text) > deliveriesCounted(before) ? text : undefined;
    }, 15_000, 'a delivery counted on /metrics');
    expect(deliveriesCounted(after)).toBe(deliveriesCounted(before) + 1);
    expect(receiver.received).toHaveLength(1);
  });

  it('serves GET /metrics only', async () => {
    const other = await fetch(metricsUrl.replace(/\/metrics$/, '/v1/decisions'), { method: 'POST' });
    expect([other.status, ((await other.json()) as { code: string }).code]).toEqual([404, 'not_found']);
    const post = await fetch(metricsUrl, { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });

  it('stops on SIGTERM, closing the metrics port', async () => {
    worker.kill('SIGTERM');
    expect(await new Promise((r) => worker.once('exit', (c) => r(c)))).toBe(0);
    await expect(fetch(metricsUrl)).rejects.toThrow();
  });
});
