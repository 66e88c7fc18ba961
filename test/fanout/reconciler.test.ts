/**
 * The reconciler on its own cases: two instances reconciling the same stranded deliveries at
 * once give each exactly one new job; a give-up whose write was lost is recorded without a new
 * push; a job that stopped moving is replaced, and the delivery still arrives once.
 */
import { Registry } from 'prom-client';
import { createLogger } from '../../src/http/logger.js';
import { startFanout, type FanoutRuntime } from '../../src/queue/fanout.js';
import { deliveryJobId } from '../../src/queue/queues.js';
import { createReconciler, type Reconciler } from '../../src/queue/reconciler.js';
import { LIFECYCLE_EVENT } from '../../src/queue/securityEventToken.js';
import { createSigningKeyStore } from '../../src/queue/signingKeys.js';
import type { Database } from '../../src/store/database.js';
import { openPostgres } from '../../src/store/postgres.js';
import { createSubscriber } from '../../src/trust/subscribers.js';
import { transitionDevice } from '../../src/trust/transition.js';
import { POSTGRES_URL, REDIS_URL, postgresSchema, uniqueName } from '../helpers/env.js';
import { removeQueues, startReceiver, testSettings, waitFor, type Receiver, type ReceiverAnswer } from '../helpers/fanout.js';
import { TEST_ID_SECRET, migrated, seedAccount, seedDevice, seedOrg } from '../helpers/seed.js';

const actor = { type: 'system' as const, id: 'test' };
const silent = createLogger('silent');

describe('the reconciler', () => {
  let db: Database;
  let schema: string;
  let drop: () => Promise<void>;
  let org: string;
  let fanout: FanoutRuntime;
  const pools: Database[] = [];
  const receivers: Receiver[] = [];
  const prefix = uniqueName('fanout-reconcile');
  // The runtime's own reconciler passes once at start, then not for an hour: each test drives passes itself.
  // Pushes may be held for seconds without timing out; a failed push is retried seconds later.
  const settings = testSettings(prefix, { reconcileMs: 3_600_000, concurrency: 1, timeoutMs: 10_000, backoffMs: 2000, backoffMaxMs: 4000 });

  /** A reconciler of another instance (its own pool), not started: the test calls its passes. */
  function reconcilerOfAnotherInstance(): Reconciler {
    const pool = openPostgres({ connectionString: POSTGRES_URL, schema });
    pools.push(pool);
    return createReconciler({
      db: pool, queues: fanout.queues, logger: silent, intervalMs: 1000, attempts: settings.attempts,
      lockMs: settings.lockMs, timeoutMs: settings.timeoutMs, backoffMaxMs: settings.backoffMaxMs, connected: () => true,
    });
  }

  async function subscriber(answer: (n: number) => ReceiverAnswer | Promise<ReceiverAnswer>): Promise<{ id: string; receiver: Receiver }> {
    const receiver = await startReceiver(answer);
    receivers.push(receiver);
    return { id: (await createSubscriber(db, { name: uniqueName('svc').toLowerCase(), url: receiver.url, events: [LIFECYCLE_EVENT] }, 'key_test', actor)).id, receiver };
  }

  async function revoke(): Promise<string> {
    const deviceId = await seedDevice(db, await seedAccount(db, org));
    return (await transitionDevice(db, { deviceId, to: 'revoked', actor, reason: 'lost' })).outboxId;
  }

  const deliveriesOf = async (subscriberId: string) =>
    (await db.query<{ id: string; jti: string; status: string; attempts: number; job_generation: number; last_error: string | null }>(
      'SELECT id, jti, status, attempts, job_generation, last_error FROM deliveries WHERE subscriber_id = $1 ORDER BY id', [subscriberId])).rows;

  beforeAll(async () => {
    const s = await postgresSchema();
    db = await migrated(s.db);
    schema = s.schema;
    drop = s.drop;
    org = await seedOrg(db);
    const keys = createSigningKeyStore({ db, idSecret: TEST_ID_SECRET });
    fanout = await startFanout({ db, redisUrl: REDIS_URL, settings, signingKeys: keys, logger: silent, registry: new Registry(), subscriberRefreshMs: 200 });
  });
  afterAll(async () => {
    await fanout.close();
    await Promise.all(receivers.map((r) => r.close()));
    await Promise.all(pools.map((p) => p.close()));
    await removeQueues(prefix);
    await drop();
  });

  it('gives each stranded delivery exactly one new job when two instances reconcile at once', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // The subscriber holds its first answers until the test lets go: the rest queue up behind them.
    const sub = await subscriber(async () => {
      await gate;
      return 202;
    });
    const outboxIds: string[] = [];
    for (let i = 0; i < 10; i++) outboxIds.push(await revoke());
    await waitFor(async () => (await db.query('SELECT 1 FROM outbox WHERE id = ANY($1) AND expanded_at IS NOT NULL', [outboxIds])).rowCount === 10 || undefined, 10_000, 'every event expanded');
    await waitFor(() => sub.receiver.received.length === 1 || undefined, 10_000, 'the first push in flight');
    await removeQueues(prefix); // as a flush would: every job and its lock gone
    release();
    await waitFor(async () => (await deliveriesOf(sub.id)).filter((d) => d.status === 'delivered').length === 1 || undefined, 10_000, 'the push in flight recorded');
    const stranded = (await deliveriesOf(sub.id)).filter((d) => d.status === 'pending');
    expect(stranded).toHaveLength(9);
    // Older than the grace period (1 s) before a reconciler may touch them.
    await new Promise((r) => setTimeout(r, 1100));
    const [a, b] = [reconcilerOfAnotherInstance(), reconcilerOfAnotherInstance()];
    const results = await Promise.all([a.reconcileOnce(), b.reconcileOnce()]);
    expect(results[0].requeued + results[1].requeued).toBe(9);
    await waitFor(async () => (await deliveriesOf(sub.id)).every((d) => d.status === 'delivered') || undefined, 15_000, 'every delivery delivered');
    const all = await deliveriesOf(sub.id);
    expect(all.filter((d) => d.job_generation === 1).map((d) => d.id)).toEqual(stranded.map((d) => d.id));
    // Each arrived once: the jti of each delivery, and nothing twice.
    expect(sub.receiver.received.map((s) => s.claims.jti).sort()).toEqual(all.map((d) => d.jti).sort());
    // Nothing left for a further pass.
    expect(await a.reconcileOnce()).toEqual({ requeued: 0, failedRecorded: 0, eventsRequeued: 0 });
  });

  it('records a give-up whose write was lost, from the failed job, without pushing again', async () => {
    const sub = await subscriber(() => ({ status: 400, body: '{"err":"invalid_audience","description":"not ours"}' }));
    await revoke();
    const [failed] = await waitFor(async () => {
      const rows = await deliveriesOf(sub.id);
      return rows[0]?.status === 'failed' ? rows : undefined;
    }, 10_000, 'the permanent refusal');
    const job = await fanout.queues.deliveryQueue(sub.id).getJob(deliveryJobId(failed.id, 0));
    await waitFor(async () => (await job?.getState()) === 'failed' || undefined, 5000, 'the job to fail');
    // As if the database had been away when the worker wrote "failed".
    await db.query(`UPDATE deliveries SET status = 'pending', last_error = NULL, enqueued_at = now() - interval '1 minute', last_attempt_at = now() - interval '1 minute' WHERE id = $1`, [failed.id]);
    const result = await reconcilerOfAnotherInstance().reconcileOnce();
    expect(result).toEqual({ requeued: 0, failedRecorded: 1, eventsRequeued: 0 });
    expect((await deliveriesOf(sub.id))[0]).toMatchObject({ status: 'failed', attempts: 1, job_generation: 0, last_error: 'HTTP 400 invalid_audience: not ours' });
    expect(sub.receiver.received).toHaveLength(1);
  });

  it('replaces a job that stopped moving (a retry long overdue), and the delivery arrives once', async () => {
    // The first push fails; its retry is then pushed an hour out, as a job no worker moves any more.
    const sub = await subscriber((n) => (n === 0 ? 503 : 202));
    await revoke();
    const [d] = await waitFor(async () => {
      const rows = await deliveriesOf(sub.id);
      return rows[0]?.last_error === 'HTTP 503' ? rows : undefined;
    }, 10_000, 'the first attempt to fail');
    const job = await fanout.queues.deliveryQueue(sub.id).getJob(deliveryJobId(d.id, 0));
    await waitFor(async () => (await job?.getState()) === 'delayed' || undefined, 5000, 'the retry to be scheduled');
    await job?.changeDelay(3_600_000);
    const reconciler = reconcilerOfAnotherInstance();
    // Not yet: its retry was due only just now.
    expect(await reconciler.reconcileOnce()).toEqual({ requeued: 0, failedRecorded: 0, eventsRequeued: 0 });
    await db.query(`UPDATE deliveries SET next_attempt_at = now() - interval '1 minute', last_attempt_at = now() - interval '1 minute', enqueued_at = now() - interval '1 minute' WHERE id = $1`, [d.id]);
    expect(await reconciler.reconcileOnce()).toEqual({ requeued: 1, failedRecorded: 0, eventsRequeued: 0 });
    await waitFor(async () => (await deliveriesOf(sub.id))[0].status === 'delivered' || undefined, 10_000, 'the delivery');
    expect((await deliveriesOf(sub.id))[0]).toMatchObject({ status: 'delivered', attempts: 2, job_generation: 1 });
    expect(sub.receiver.received.map((s) => s.claims.jti)).toEqual([d.jti, d.jti]);
  });
});
