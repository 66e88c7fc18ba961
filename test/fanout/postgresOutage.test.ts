/**
 * Fan-out while PostgreSQL — a cluster of this test's own — is stopped for longer than the whole
 * retry budget of a delivery: no delivery runs out of attempts because of it, a push whose
 * outcome could not be written is not pushed again but recorded once the database returns, and
 * every event reaches every subscriber that asked for it.
 */
import { Registry } from 'prom-client';
import { createLogger } from '../../src/http/logger.js';
import { startFanout, type FanoutRuntime } from '../../src/queue/fanout.js';
import { LIFECYCLE_EVENT, SESSION_REVOKED_EVENT } from '../../src/queue/securityEventToken.js';
import { createSigningKeyStore, type SigningKeyStore } from '../../src/queue/signingKeys.js';
import type { Database } from '../../src/store/database.js';
import { openPostgres } from '../../src/store/postgres.js';
import { createSubscriber } from '../../src/trust/subscribers.js';
import { transitionDevice } from '../../src/trust/transition.js';
import { REDIS_URL, uniqueName } from '../helpers/env.js';
import { removeQueues, startReceiver, testSettings, waitFor, type Receiver, type ReceiverAnswer } from '../helpers/fanout.js';
import { everyDeliveryDelivered, fanoutFigures, fanoutViewContradictions, reportFigures, strandedDeliveries } from '../helpers/fanoutFigures.js';
import { startOwnPostgres, type OwnPostgres } from '../helpers/ownPostgres.js';
import { TEST_ID_SECRET, migrated, seedAccount, seedDevice, seedOrg } from '../helpers/seed.js';

const actor = { type: 'system' as const, id: 'test' };
const EVENTS = [LIFECYCLE_EVENT, SESSION_REVOKED_EVENT];
/** Attempts × back-off: a delivery's whole retry budget is well under a second here. */
const SETTINGS = { attempts: 3, backoffMs: 20, backoffMaxMs: 100, concurrency: 2, timeoutMs: 5000 };
const OUTAGE_MS = 3000;
const RECONCILE_MS = 1000;

describe('fan-out while PostgreSQL is stopped for longer than the retry budget', () => {
  let pg: OwnPostgres;
  let db: Database;
  let keys: SigningKeyStore;
  let fanout: FanoutRuntime;
  let org: string;
  const registry = new Registry();
  const receivers: Receiver[] = [];
  const prefix = uniqueName('fanout-pg');

  async function subscriber(name: string, answer: (n: number) => ReceiverAnswer | Promise<ReceiverAnswer>): Promise<{ id: string; receiver: Receiver }> {
    const receiver = await startReceiver(answer);
    receivers.push(receiver);
    return { id: (await createSubscriber(db, { name, url: receiver.url, events: EVENTS }, 'key_test', actor)).id, receiver };
  }

  async function revokeOne(): Promise<string> {
    const deviceId = await seedDevice(db, await seedAccount(db, org));
    return (await transitionDevice(db, { deviceId, to: 'revoked', actor, reason: 'lost' })).outboxId;
  }

  const deliveryOf = async (outboxId: string, subscriberId: string) =>
    (await db.query<{ status: string; attempts: number; last_error: string | null }>('SELECT status, attempts, last_error FROM deliveries WHERE outbox_id = $1 AND subscriber_id = $2', [outboxId, subscriberId])).rows[0];

  beforeAll(async () => {
    pg = await startOwnPostgres();
    db = await migrated(openPostgres({ connectionString: pg.url }));
    org = await seedOrg(db);
    keys = createSigningKeyStore({ db, idSecret: TEST_ID_SECRET });
    await keys.current();
    fanout = await startFanout({ db, redisUrl: REDIS_URL, settings: testSettings(prefix, { ...SETTINGS, reconcileMs: RECONCILE_MS }), signingKeys: keys, logger: createLogger('silent'), registry, subscriberRefreshMs: 200 });
  });
  afterAll(async () => {
    await fanout?.close();
    await Promise.all(receivers.map((r) => r.close()));
    await db?.close();
    await pg?.destroy();
    await removeQueues(prefix);
  });

  it('delivers every event to every subscriber once the database is back, none failed, none lost', async () => {
    // One subscriber answers its first pushes at once, then holds the rest until the database is
    // gone: it has a backlog when the outage begins, however fast the machine.
    let outageBegan!: () => void;
    const outage = new Promise<void>((r) => (outageBegan = r));
    const slow = await subscriber('messaging', async (n) => {
      if (n >= 5) await outage;
      return { status: 202, delayMs: 40 };
    });
    const quick = await subscriber('calls', () => 202);
    const outboxIds: string[] = [];
    for (let i = 0; i < 30; i++) outboxIds.push(await revokeOne());
    await waitFor(() => slow.receiver.received.length >= 5 || undefined, 10_000, 'the backlog to start draining');
    await pg.stop();
    const stoppedAt = Date.now();
    outageBegan();
    await new Promise((r) => setTimeout(r, OUTAGE_MS / 2));
    // While it lasts, what only the database knows is not made up: unknown, not 0.
    const during = await registry.metrics();
    expect(during).toMatch(/^enigm_trust_fanout_outbox_unrelayed NaN$/im);
    expect(during).not.toMatch(/^enigm_trust_fanout_oldest_undelivered_seconds\{/m);
    await new Promise((r) => setTimeout(r, OUTAGE_MS / 2));
    const pushedDuringOutage = slow.receiver.received.length + quick.receiver.received.length;
    await pg.start();
    const restartedAt = Date.now();
    // Back: the slow subscriber is shown owed, and the view claims nothing that did not arrive.
    const owedAge = await waitFor(async () => /^enigm_trust_fanout_oldest_undelivered_seconds\{subscriber="[^"]+",name="messaging"\} ([\d.]+)$/m.exec(await registry.metrics())?.[1], 5000, 'the gauge back');
    expect(Number(owedAge)).toBeGreaterThan(OUTAGE_MS / 1000);
    expect(await fanoutViewContradictions(db, outboxIds, [slow, quick])).toEqual([]);
    expect(await strandedDeliveries(db, fanout.queues, outboxIds)).toEqual([]);
    await waitFor(async () => (await everyDeliveryDelivered(db, outboxIds, [slow.id, quick.id])) || undefined, 30_000, 'every delivery delivered');
    const drainMs = Date.now() - restartedAt;

    const statuses = await db.query<{ status: string; n: string }>('SELECT status, count(*) AS n FROM deliveries WHERE outbox_id = ANY($1) GROUP BY status', [outboxIds]);
    expect(statuses.rows.map((r) => [r.status, Number(r.n)])).toEqual([['delivered', 60]]);
    const figures = await fanoutFigures(db, outboxIds, [slow, quick]);
    expect(figures).toMatchObject({ events: 30, owed: 60, delivered: 60, lost: 0 });
    // Pushed again only when the outcome of a push could not be known (none here: the answers came).
    expect(figures.duplicates).toBe(0);
    expect(pushedDuringOutage).toBeLessThan(60);
    expect(await fanoutViewContradictions(db, outboxIds, [slow, quick])).toEqual([]);
    expect(await registry.metrics()).toMatch(/^enigm_trust_fanout_oldest_undelivered_seconds\{subscriber="[^"]+",name="messaging"\} 0$/m);
    reportFigures('postgres stopped 3 s (retry budget < 1 s)', { ...figures, outageMs: restartedAt - stoppedAt, drainMs });
  });

  it('records a give-up the database missed once it returns, without pushing again', async () => {
    // The last attempt is refused while the database is down: "failed" cannot be written then.
    const refusing = await subscriber('keys', async (n) => {
      if (n === SETTINGS.attempts - 1) await pg.stop();
      return 500;
    });
    const outboxId = await revokeOne();
    await waitFor(() => refusing.receiver.received.length === SETTINGS.attempts || undefined, 10_000, 'the last attempt');
    await new Promise((r) => setTimeout(r, 1000));
    await pg.start();
    const d = await waitFor(async () => {
      const row = await deliveryOf(outboxId, refusing.id);
      return row.status === 'failed' ? row : undefined;
    }, 15_000, 'the delivery recorded as failed');
    expect(d).toEqual({ status: 'failed', attempts: SETTINGS.attempts, last_error: 'HTTP 500' });
    expect(refusing.receiver.received).toHaveLength(SETTINGS.attempts);
  });

  it('records a delivery whose 202 arrived while the database was down, without pushing again', async () => {
    const acknowledging = await subscriber('sync', async (n) => {
      if (n === 0) await pg.stop();
      return 202;
    });
    const outboxId = await revokeOne();
    await waitFor(() => acknowledging.receiver.received.length === 1 || undefined, 10_000, 'the push');
    await new Promise((r) => setTimeout(r, 1000));
    await pg.start();
    await waitFor(async () => (await deliveryOf(outboxId, acknowledging.id)).status === 'delivered' || undefined, 15_000, 'the delivery recorded');
    expect(await deliveryOf(outboxId, acknowledging.id)).toEqual({ status: 'delivered', attempts: 1, last_error: null });
    expect(acknowledging.receiver.received).toHaveLength(1);
  });
});
