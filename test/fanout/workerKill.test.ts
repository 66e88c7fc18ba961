import type { ChildProcess } from 'node:child_process';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { LIFECYCLE_EVENT, SESSION_REVOKED_EVENT } from '../../src/queue/securityEventToken.js';
import { createSigningKeyStore } from '../../src/queue/signingKeys.js';
import type { Database } from '../../src/store/database.js';
import { createSubscriber } from '../../src/trust/subscribers.js';
import { transitionDevice } from '../../src/trust/transition.js';
import { postgresSchema, tempDir, uniqueName } from '../helpers/env.js';
import { removeQueues, startReceiver, startWorkerProcess, waitFor, type Receiver, type ReceiverAnswer } from '../helpers/fanout.js';
import { everyDeliveryDelivered, fanoutFigures, fanoutViewContradictions, reportFigures } from '../helpers/fanoutFigures.js';
import { TEST_ID_SECRET, migrated, seedAccount, seedDevice, seedOrg } from '../helpers/seed.js';

const actor = { type: 'system' as const, id: 'test' };

describe('the worker process killed in the middle of a delivery', () => {
  let db: Database;
  let schema: string;
  let drop: () => Promise<void>;
  let receiver: Receiver;
  const prefix = uniqueName('fanout-kill');
  const data = tempDir('enigm-worker-');
  const children: ChildProcess[] = [];
  let firstArrived!: () => void;
  const arrived = new Promise<void>((r) => (firstArrived = r));

  /** `enigm-trust worker` on this test's schema and queue prefix; resolves once it runs. */
  async function startWorker(): Promise<ChildProcess> {
    const { child } = await startWorkerProcess(
      { schema, prefix, dataDir: data.dir, env: { FANOUT_LOCK_MS: '2000', FANOUT_TIMEOUT_MS: '20000', FANOUT_POLL_MS: '50', FANOUT_BACKOFF_MS: '50' } },
      (line) => line.includes('fan-out started'),
    );
    children.push(child);
    return child;
  }

  beforeAll(async () => {
    const s = await postgresSchema();
    db = await migrated(s.db);
    schema = s.schema;
    drop = s.drop;
    // The first push is held open (the worker dies while waiting for the answer); later ones are acknowledged.
    receiver = await startReceiver((n) => {
      if (n === 0) {
        firstArrived();
        return 'hang';
      }
      return 202;
    });
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await receiver.close();
    await removeQueues(prefix);
    await drop();
    data.remove();
  });

  it('delivers again after a restart, with the same jti', async () => {
    const org = await seedOrg(db);
    const subscriberId = (await createSubscriber(db, { name: 'keys', url: receiver.url, events: [LIFECYCLE_EVENT, SESSION_REVOKED_EVENT] }, 'key_test', actor)).id;
    const first = await startWorker();
    const accountId = await seedAccount(db, org);
    const deviceId = await seedDevice(db, accountId);
    const { outboxId } = await transitionDevice(db, { deviceId, to: 'revoked', actor, reason: 'stolen' });
    await arrived;
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const cut = (await db.query<{ status: string; attempts: number }>('SELECT status, attempts FROM deliveries WHERE outbox_id = $1', [outboxId])).rows[0];
    expect(cut).toEqual({ status: 'pending', attempts: 1 });

    const second = await startWorker();
    const done = await waitFor(async () => {
      const r = await db.query<{ status: string; attempts: number; jti: string }>('SELECT status, attempts, jti FROM deliveries WHERE outbox_id = $1 AND subscriber_id = $2', [outboxId, subscriberId]);
      return r.rows[0]?.status === 'delivered' ? r.rows[0] : undefined;
    }, 20_000, 'delivery after restart');
    expect(done.attempts).toBe(2);
    expect(receiver.received).toHaveLength(2);
    const [cutShort, redelivered] = receiver.received;
    expect(redelivered.claims.jti).toBe(cutShort.claims.jti);
    expect(redelivered.claims).toEqual(cutShort.claims);
    expect(redelivered.claims.jti).toBe(done.jti);
    // Both worker processes signed with the one key kept in the database.
    const key = await createSigningKeyStore({ db, idSecret: TEST_ID_SECRET }).current();
    for (const set of receiver.received) await expect(jwtVerify(set.token, createLocalJWKSet({ keys: [key.publicJwk] }))).resolves.toBeDefined();
    second.kill('SIGTERM');
    const code = await new Promise((r) => second.once('exit', (c) => r(c)));
    expect(code).toBe(0);
  });
});

describe('one of two worker processes killed mid-push, with a backlog', () => {
  const LOCK_MS = 3000;
  let db: Database;
  let schema: string;
  let drop: () => Promise<void>;
  const receivers: Receiver[] = [];
  const prefix = uniqueName('fanout-kill-two');
  const data = tempDir('enigm-worker-two-');
  const children: ChildProcess[] = [];

  /** A worker process; it serves its metrics, and resolves once it does. */
  async function startWorker(): Promise<{ child: ChildProcess; output: () => string; metrics: () => Promise<string> }> {
    const started = await startWorkerProcess(
      { schema, prefix, dataDir: data.dir, env: { FANOUT_LOCK_MS: String(LOCK_MS), FANOUT_CONCURRENCY: '2', FANOUT_TIMEOUT_MS: '20000', FANOUT_POLL_MS: '50', FANOUT_BACKOFF_MS: '50', FANOUT_RECONCILE_MS: '1000', WORKER_METRICS_PORT: '0' } },
      (line) => line.includes('"metrics served"'),
    );
    children.push(started.child);
    const { url } = JSON.parse(started.line) as { url: string };
    return { ...started, metrics: async () => (await fetch(url)).text() };
  }

  beforeAll(async () => {
    const s = await postgresSchema();
    db = await migrated(s.db);
    schema = s.schema;
    drop = s.drop;
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(receivers.map((r) => r.close()));
    await removeQueues(prefix);
    await drop();
    data.remove();
  });

  it(`sends the killed worker's pushes again from the other within FANOUT_LOCK_MS (${LOCK_MS} ms), logs it, and every event arrives`, async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // The slow subscriber holds its answers until the test lets go, then takes 100 ms each.
    const slow: ReceiverAnswer = { status: 202, delayMs: 100 };
    const slowReceiver = await startReceiver(async () => {
      await gate;
      return slow;
    });
    const quickReceiver = await startReceiver();
    receivers.push(slowReceiver, quickReceiver);
    const org = await seedOrg(db);
    const subscribers = [
      { id: (await createSubscriber(db, { name: 'messaging', url: slowReceiver.url, events: [LIFECYCLE_EVENT] }, 'key_test', actor)).id, receiver: slowReceiver },
      { id: (await createSubscriber(db, { name: 'calls', url: quickReceiver.url, events: [LIFECYCLE_EVENT] }, 'key_test', actor)).id, receiver: quickReceiver },
    ];
    const doomed = await startWorker();
    const outboxIds: string[] = [];
    for (let i = 0; i < 20; i++) outboxIds.push((await transitionDevice(db, { deviceId: await seedDevice(db, await seedAccount(db, org)), to: 'revoked', actor, reason: 'stolen' })).outboxId);
    // The first worker alone holds two pushes in flight (its concurrency); the other then takes two more.
    await waitFor(() => slowReceiver.received.length === 2 || undefined, 15_000, 'two pushes in flight');
    const cutShort = slowReceiver.received.map((r) => r.claims.jti);
    const survivor = await startWorker();
    await waitFor(() => slowReceiver.received.length === 4 || undefined, 15_000, 'the second worker at work');
    doomed.child.kill('SIGKILL');
    await new Promise((r) => doomed.child.once('exit', r));
    const killedAt = Date.now();
    // While the cut-short pushes wait for their locks to lapse: owed, shown so, nothing claimed that did not arrive.
    expect(Number(/^enigm_trust_fanout_oldest_undelivered_seconds\{subscriber="[^"]+",name="messaging"\} ([\d.]+)$/m.exec(await survivor.metrics())?.[1])).toBeGreaterThan(0);
    expect(await fanoutViewContradictions(db, outboxIds, subscribers)).toEqual([]);
    release();

    await waitFor(async () => (await everyDeliveryDelivered(db, outboxIds, subscribers.map((s) => s.id))) || undefined, 30_000, 'every delivery delivered');
    const drainMs = Date.now() - killedAt;
    const figures = await fanoutFigures(db, outboxIds, subscribers);
    expect(figures).toMatchObject({ events: 20, owed: 40, delivered: 40, lost: 0 });
    // The two pushes cut short were sent again, same jti, within FANOUT_LOCK_MS of the kill.
    const resentAfterMs = cutShort.map((jti) => slowReceiver.received.filter((r) => r.claims.jti === jti).map((r) => r.at - killedAt).slice(1));
    for (const resends of resentAfterMs) {
      expect(resends).toHaveLength(1);
      expect(resends[0]).toBeLessThanOrEqual(LOCK_MS + 500);
    }
    const interrupted = survivor.output().split('\n').filter((l) => l.includes('delivery interrupted'));
    const cutIds = (await db.query<{ id: string }>('SELECT id FROM deliveries WHERE jti = ANY($1)', [cutShort])).rows.map((r) => r.id).sort();
    expect(interrupted.map((l) => (JSON.parse(l) as { deliveryId: string }).deliveryId).sort()).toEqual(cutIds);
    expect(await fanoutViewContradictions(db, outboxIds, subscribers)).toEqual([]);
    expect(await survivor.metrics()).toMatch(/^enigm_trust_fanout_oldest_undelivered_seconds\{subscriber="[^"]+",name="messaging"\} 0$/m);
    reportFigures('worker killed mid-push (2 pushes in flight), FANOUT_LOCK_MS 3 s', { ...figures, resentAfterMs: Math.max(...resentAfterMs.flat()), drainMs });
  }, 60_000);
});
