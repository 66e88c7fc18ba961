/**
 * Fan-out when Redis — a `redis-server` of this test's own, without persistence — loses every
 * queued job in the middle of a fan-out, with one subscriber working through a backlog: the
 * database still knows what is owed, the metrics say so while it lasts, and the reconcilers of
 * two instances put the jobs back, so every event reaches every subscriber that asked for it.
 */
import { Registry } from 'prom-client';
import { policyInputValidator } from '../../src/http/api.js';
import { servedPolicies } from '../helpers/policy.js';
import { decide } from '../../src/trust/decide.js';
import { createLogger } from '../../src/http/logger.js';
import { startFanout, type FanoutRuntime } from '../../src/queue/fanout.js';
import { LIFECYCLE_EVENT, SESSION_REVOKED_EVENT } from '../../src/queue/securityEventToken.js';
import { createSigningKeyStore } from '../../src/queue/signingKeys.js';
import type { Database } from '../../src/store/database.js';
import { openPostgres } from '../../src/store/postgres.js';
import { createSubscriber } from '../../src/trust/subscribers.js';
import { transitionDevice } from '../../src/trust/transition.js';
import { POSTGRES_URL, postgresSchema, uniqueName } from '../helpers/env.js';
import { startReceiver, testSettings, waitFor, type Receiver, type ReceiverAnswer } from '../helpers/fanout.js';
import { everyDeliveryDelivered, fanoutFigures, fanoutViewContradictions, reportFigures, strandedDeliveries } from '../helpers/fanoutFigures.js';
import { startOwnRedis, type OwnRedis } from '../helpers/ownRedis.js';
import { TEST_ID_SECRET, migrated, seedAccount, seedDevice, seedOrg } from '../helpers/seed.js';

const actor = { type: 'system' as const, id: 'test' };
const EVENTS = [LIFECYCLE_EVENT, SESSION_REVOKED_EVENT];
const RECONCILE_MS = 1000;
const REVOCATIONS = 30;

/** The value of `metric` with `labels` (all of them, in order) in a scrape, or undefined. */
function sample(text: string, metric: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${metric}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('fan-out when Redis loses its queued jobs mid-fan-out', () => {
  let redis: OwnRedis;
  let db: Database;
  let schema: string;
  let drop: () => Promise<void>;
  let org: string;
  const instances: Array<{ db: Database; fanout: FanoutRuntime; registry: Registry }> = [];
  const receivers: Receiver[] = [];
  const prefix = uniqueName('fanout-loss');

  /** One more service instance: its own pool, relay, workers and reconciler. */
  async function instance(parts: { worker?: boolean } = {}): Promise<(typeof instances)[number]> {
    const pool = openPostgres({ connectionString: POSTGRES_URL, schema });
    const registry = new Registry();
    const keys = createSigningKeyStore({ db: pool, idSecret: TEST_ID_SECRET });
    const fanout = await startFanout({
      db: pool, redisUrl: redis.url, registry, signingKeys: keys, logger: createLogger(process.env.DEBUG_RECONCILER ? 'debug' : 'silent'), subscriberRefreshMs: 200, ...parts,
      settings: testSettings(prefix, { concurrency: 1, reconcileMs: RECONCILE_MS, timeoutMs: 2000 }),
    });
    const started = { db: pool, fanout, registry };
    instances.push(started);
    return started;
  }

  async function subscriber(name: string, answer: (n: number) => ReceiverAnswer): Promise<{ id: string; receiver: Receiver }> {
    const receiver = await startReceiver(answer);
    receivers.push(receiver);
    return { id: (await createSubscriber(db, { name, url: receiver.url, events: EVENTS }, 'key_test', actor)).id, receiver };
  }

  const revokedDevices: Array<{ accountId: string; deviceId: string }> = [];
  async function revoke(n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const accountId = await seedAccount(db, org);
      const deviceId = await seedDevice(db, accountId, { sessionAgeSeconds: 10, unlockAgeSeconds: 10 });
      ids.push((await transitionDevice(db, { deviceId, to: 'revoked', actor, reason: 'lost' })).outboxId);
      revokedDevices.push({ accountId, deviceId });
    }
    return ids;
  }

  /** Decisions for every device revoked so far that allowed anything (there must be none). */
  async function allowsAfterRevoke(): Promise<number> {
    const policies = await servedPolicies();
    const decisions = { db, policy: () => policies.current(), validateInput: policyInputValidator() };
    let allowed = 0;
    for (const { accountId, deviceId } of revokedDevices) {
      if ((await decide(decisions, { accountId, deviceId, action: 'message.receive', caller: 'test' })).allow) allowed++;
    }
    return allowed;
  }

  const undelivered = async (outboxIds: string[]) =>
    Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM deliveries WHERE outbox_id = ANY($1) AND status <> 'delivered'`, [outboxIds])).rows[0].n);

  beforeAll(async () => {
    redis = await startOwnRedis();
    const s = await postgresSchema();
    db = await migrated(s.db);
    schema = s.schema;
    drop = s.drop;
    org = await seedOrg(db);
    await createSigningKeyStore({ db, idSecret: TEST_ID_SECRET }).current();
  });
  afterAll(async () => {
    for (const i of instances) {
      await i.fanout.close();
      await i.db.close();
    }
    await Promise.all(receivers.map((r) => r.close()));
    await redis.destroy();
    await drop();
  });

  it.each([
    ['flushed', () => redis.flush()],
    ['restarted without persistence', async () => {
      await redis.kill();
      await new Promise((r) => setTimeout(r, 500));
      await redis.start();
    }],
  ])('Redis %s: the backlog is enqueued again and every event arrives', async (fault, lose) => {
    if (instances.length === 0) await Promise.all([instance(), instance()]);
    // A few answers come at once; then each takes a quarter of a second, and the backlog grows.
    const requeuedSoFar = async () => (await Promise.all(instances.map((i) => i.registry.metrics())))
      .reduce((n, text) => n + (sample(text, 'enigm_trust_fanout_reconciled_total', 'action="requeued"') ?? 0), 0);
    const requeuedBefore = await requeuedSoFar();
    const slow = await subscriber(uniqueName('messaging').toLowerCase(), (n) => (n < 4 ? 202 : { status: 202, delayMs: 250 }));
    const quick = await subscriber(uniqueName('calls').toLowerCase(), () => 202);
    const outboxIds = await revoke(REVOCATIONS);
    await waitFor(() => slow.receiver.received.length >= 4 || undefined, 15_000, 'the slow subscriber to be working through its backlog');
    const slowName = (await db.query<{ name: string }>('SELECT name FROM subscribers WHERE id = $1', [slow.id])).rows[0].name;
    await lose();
    const lostAt = Date.now();
    // What is owed and what the database-backed gauge says, read together before anything else
    // gives a busy machine time to drain the backlog: the slow subscriber is owed deliveries.
    const [owedThen, during] = await Promise.all([undelivered(outboxIds), instances[0].registry.metrics()]);
    expect(owedThen).toBeGreaterThan(0);
    expect(sample(during, 'enigm_trust_fanout_oldest_undelivered_seconds', `subscriber="${slow.id}",name="${slowName}"`)).toBeGreaterThan(0);
    // Revocations took effect at commit; what Redis lost changes nothing about that.
    expect(await allowsAfterRevoke()).toBe(0);
    // While it lasts, the view shows nothing delivered that did not arrive.
    expect(await fanoutViewContradictions(db, outboxIds, [slow, quick])).toEqual([]);

    // Nothing stays without a job past a reconciler's period (plus its grace, and Redis coming back).
    const noneStranded = () => strandedDeliveries(db, instances[0].fanout.queues, outboxIds).then((s) => s.length === 0 || undefined, () => undefined); // Redis not back yet
    await waitFor(noneStranded, RECONCILE_MS + 1000 + 4000, 'every delivery owed back in a queue');
    const requeuedWithinMs = Date.now() - lostAt;
    await waitFor(async () => (await everyDeliveryDelivered(db, outboxIds, [slow.id, quick.id])) || undefined, 30_000, 'every delivery delivered');
    const drainMs = Date.now() - lostAt;
    const figures = await fanoutFigures(db, outboxIds, [slow, quick]);
    expect(figures).toMatchObject({ events: REVOCATIONS, owed: 2 * REVOCATIONS, delivered: 2 * REVOCATIONS, lost: 0 });

    const requeued = (await requeuedSoFar()) - requeuedBefore;
    // Two reconcilers ran over the same rows; between them each stranded delivery got one new job.
    expect(requeued).toBeGreaterThan(0);
    expect(requeued).toBeLessThanOrEqual(owedThen);
    const after = await instances[0].registry.metrics();
    for (const s of [slow, quick]) expect(after).toMatch(new RegExp(`^enigm_trust_fanout_oldest_undelivered_seconds\\{subscriber="${s.id}",[^}]*\\} 0$`, 'm'));
    expect(await fanoutViewContradictions(db, outboxIds, [slow, quick])).toEqual([]);
    reportFigures(`redis ${fault} mid-fan-out`, { ...figures, owedAtFault: owedThen, requeued, requeuedWithinMs, drainMs });
  });

  it('expands an event whose events job Redis lost before any worker took it', async () => {
    // This instance only relays: the event is handed to the queue and waits there for a worker.
    const relayOnly = await instance({ worker: false });
    await Promise.all(instances.filter((i) => i !== relayOnly).map((i) => i.fanout.close()));
    const sub = await subscriber(uniqueName('sync').toLowerCase(), () => 202);
    const [outboxId] = await revoke(1);
    await waitFor(async () => (await db.query('SELECT 1 FROM outbox WHERE id = $1 AND relayed_at IS NOT NULL', [outboxId])).rowCount === 1 || undefined, 10_000, 'the relay');
    await redis.flush();
    expect((await db.query('SELECT 1 FROM deliveries WHERE outbox_id = $1', [outboxId])).rowCount).toBe(0);
    const worker = await instance();
    await waitFor(async () => (await db.query(`SELECT 1 FROM deliveries WHERE outbox_id = $1 AND subscriber_id = $2 AND status = 'delivered'`, [outboxId, sub.id])).rowCount === 1 || undefined, 15_000, 'the event expanded and delivered');
    expect(sub.receiver.received.filter((s) => s.claims.txn === outboxId)).toHaveLength(1);
    expect(sample(await worker.registry.metrics(), 'enigm_trust_fanout_reconciled_total', 'action="event_requeued"')).toBe(1);
  });
});
