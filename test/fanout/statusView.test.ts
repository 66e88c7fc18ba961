/**
 * The fan-out view tells the states of a delivery apart — queued, pending (waiting for an
 * attempt), retrying (with the next attempt's time), delivered, failed — shows a subscriber
 * nothing it was never owed, and an operator can re-drive a delivery that is stuck.
 */
import type { Express } from 'express';
import request from 'supertest';
import { apiRoutes } from '../../src/http/api.js';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/http/logger.js';
import { createMetrics } from '../../src/http/metrics.js';
import { servedPolicies } from '../helpers/policy.js';
import { startFanout, type FanoutRuntime } from '../../src/queue/fanout.js';
import { deliveryJobId } from '../../src/queue/queues.js';
import { openRedis } from '../../src/queue/redis.js';
import { LIFECYCLE_EVENT } from '../../src/queue/securityEventToken.js';
import { createSigningKeyStore } from '../../src/queue/signingKeys.js';
import type { Database } from '../../src/store/database.js';
import { createAdminKey, createServiceKey } from '../../src/trust/apiKeys.js';
import { createSubscriber } from '../../src/trust/subscribers.js';
import { transitionDevice } from '../../src/trust/transition.js';
import { DEAD_REDIS_URL, REDIS_URL, postgresSchema, uniqueName } from '../helpers/env.js';
import { removeQueues, startReceiver, testSettings, waitFor, type Receiver, type ReceiverAnswer } from '../helpers/fanout.js';
import { TEST_ID_SECRET, migrated, seedAccount, seedDevice, seedOrg } from '../helpers/seed.js';

const system = { type: 'system' as const, id: 'test' };

interface ViewedEvent { eventId: string; status: string; attempts: number; lastError: string | null; nextAttemptAt: string | null; deliveryId: string | null }

describe('the fan-out view and re-drive of a stuck delivery', () => {
  let db: Database;
  let drop: () => Promise<void>;
  let app: Express;
  let fanout: FanoutRuntime;
  let org: string;
  let reader: string;
  let operator: string;
  const redis = openRedis(DEAD_REDIS_URL);
  const receivers: Receiver[] = [];
  const prefix = uniqueName('fanout-view');

  async function subscriber(answer: (n: number) => ReceiverAnswer | Promise<ReceiverAnswer> = () => 202): Promise<{ id: string; receiver: Receiver }> {
    const receiver = await startReceiver(answer);
    receivers.push(receiver);
    return { id: (await createSubscriber(db, { name: uniqueName('svc').toLowerCase(), url: receiver.url, events: [LIFECYCLE_EVENT] }, 'key_test', system)).id, receiver };
  }

  const view = async (deviceId: string, subscriberId: string): Promise<ViewedEvent[]> => {
    const res = await request(app).get(`/v1/devices/${deviceId}/fanout`).set('authorization', `Bearer ${reader}`);
    expect(res.status).toBe(200);
    return res.body.subscribers.find((s: { subscriberId: string }) => s.subscriberId === subscriberId)?.events;
  };

  async function newDevice(): Promise<string> {
    return seedDevice(db, await seedAccount(db, org));
  }

  const deliveryOf = async (outboxId: string, subscriberId: string) =>
    (await db.query<{ id: string; jti: string; status: string; job_generation: number }>('SELECT id, jti, status, job_generation FROM deliveries WHERE outbox_id = $1 AND subscriber_id = $2', [outboxId, subscriberId])).rows[0];

  beforeAll(async () => {
    const s = await postgresSchema();
    db = await migrated(s.db);
    drop = s.drop;
    org = await seedOrg(db);
    reader = (await createServiceKey(db, { name: 'command', scopes: ['fanout:read'] }, system)).token;
    operator = (await createAdminKey(db, { orgId: org, role: 'operator' }, system)).token;
    const signingKeys = createSigningKeyStore({ db, idSecret: TEST_ID_SECRET });
    const policies = await servedPolicies();
    app = createApp({ db, redis, logger: createLogger('silent'), metrics: createMetrics(), mount: (a) => a.use(apiRoutes({ db, policies, signingKeys })) });
    // Retries a few seconds apart, so a retrying delivery can be seen as one.
    fanout = await startFanout({ db, redisUrl: REDIS_URL, settings: testSettings(prefix, { backoffMs: 3000, backoffMaxMs: 6000 }), signingKeys, logger: createLogger('silent'), subscriberRefreshMs: 100 });
  });
  afterAll(async () => {
    await fanout.close();
    await Promise.all(receivers.map((r) => r.close()));
    redis.disconnect();
    await removeQueues(prefix);
    await drop();
  });

  it('shows nothing owed to a subscriber for an event fanned out before it registered', async () => {
    const deviceId = await newDevice();
    // No subscriber exists yet: the event is expanded into no deliveries at all.
    const before = await transitionDevice(db, { deviceId, to: 'restricted', actor: system, reason: 'review' });
    await waitFor(async () => (await db.query('SELECT 1 FROM outbox WHERE id = $1 AND expanded_at IS NOT NULL', [before.outboxId])).rowCount === 1 || undefined, 10_000, 'the expansion');
    const sub = await subscriber();
    const after = await transitionDevice(db, { deviceId, to: 'trusted', actor: system, reason: 'cleared' });
    const d = await waitFor(async () => {
      const row = await deliveryOf(after.outboxId, sub.id);
      return row?.status === 'delivered' ? row : undefined;
    }, 10_000, 'the later event delivered');
    expect((await view(deviceId, sub.id)).map((e) => [e.eventId, e.status])).toEqual([[after.outboxId, 'delivered']]);
    expect(d.jti).toBe(sub.receiver.received[0].claims.jti);
  });

  it('shows a retrying delivery with the time of its next attempt, then delivered', async () => {
    const sub = await subscriber((n) => (n === 0 ? 503 : 202));
    const deviceId = await newDevice();
    const { outboxId } = await transitionDevice(db, { deviceId, to: 'revoked', actor: system, reason: 'lost' });
    const [retrying] = await waitFor(async () => {
      const events = await view(deviceId, sub.id);
      return events?.[0]?.status === 'retrying' ? events : undefined;
    }, 10_000, 'the delivery to be retrying');
    expect(retrying).toMatchObject({ eventId: outboxId, attempts: 1, lastError: 'HTTP 503' });
    // Due after the back-off: between 1.5 and 3 s after the failed attempt.
    const dueIn = Date.parse(retrying.nextAttemptAt as string) - Date.now();
    expect(dueIn).toBeGreaterThan(0);
    expect(dueIn).toBeLessThanOrEqual(3000);
    const [delivered] = await waitFor(async () => {
      const events = await view(deviceId, sub.id);
      return events?.[0]?.status === 'delivered' ? events : undefined;
    }, 10_000, 'the retry to deliver');
    expect(delivered).toMatchObject({ attempts: 2, lastError: null, nextAttemptAt: null });
  });

  it('lets an operator re-drive a pending delivery whose job was lost: a new job, the same jti, delivered once', async () => {
    const sub = await subscriber();
    const queue = fanout.queues.deliveryQueue(sub.id);
    // Held: nothing this subscriber is owed is taken from its queue until the test resumes it.
    await queue.pause();
    const deviceId = await newDevice();
    const { outboxId } = await transitionDevice(db, { deviceId, to: 'revoked', actor: system, reason: 'lost' });
    const d = await waitFor(() => deliveryOf(outboxId, sub.id), 10_000, 'the delivery');
    await waitFor(async () => (await queue.getJobState(deliveryJobId(d.id, 0))) === 'waiting' || undefined, 10_000, 'its job queued');
    await queue.remove(deliveryJobId(d.id, 0)); // lost, as Redis loses jobs
    expect(await view(deviceId, sub.id)).toEqual([expect.objectContaining({ status: 'pending', attempts: 0, nextAttemptAt: null, deliveryId: d.id })]);

    const res = await request(app).post(`/v1/admin/deliveries/${d.id}/redrive`).set('authorization', `Bearer ${operator}`).send({ reason: 'stuck since the Redis restart' });
    expect([res.status, res.body]).toEqual([202, { deliveryId: d.id, status: 'pending', redrives: 1 }]);
    await queue.resume();
    await waitFor(async () => (await deliveryOf(outboxId, sub.id)).status === 'delivered' || undefined, 10_000, 'the re-driven delivery');
    expect(sub.receiver.received.map((s) => s.claims.jti)).toEqual([d.jti]);
    const audit = await db.query<{ details: { previousStatus: string; redrives: number } }>(
      `SELECT details FROM audit_events WHERE type = 'fanout.delivery_redriven' AND outcome = 'success' AND details->>'deliveryId' = $1`, [d.id]);
    expect(audit.rows.map((r) => [r.details.previousStatus, r.details.redrives])).toEqual([['pending', 1]]);
  });
});
