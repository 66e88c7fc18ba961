import { createLocalJWKSet, jwtVerify } from 'jose';
import { Registry } from 'prom-client';
import { createLogger } from '../../src/http/logger.js';
import { startFanout, type FanoutRuntime } from '../../src/queue/fanout.js';
import { LIFECYCLE_EVENT, SESSION_REVOKED_EVENT } from '../../src/queue/securityEventToken.js';
import { createSigningKeyStore, type SigningKeyStore } from '../../src/queue/signingKeys.js';
import type { Database } from '../../src/store/database.js';
import { createSubscriber } from '../../src/trust/subscribers.js';
import { transitionDevice } from '../../src/trust/transition.js';
import { postgresSchema, uniqueName } from '../helpers/env.js';
import { removeQueues, startReceiver, testSettings, waitFor, type Receiver } from '../helpers/fanout.js';
import { TEST_ID_SECRET, migrated, seedAccount, seedDevice, seedOrg } from '../helpers/seed.js';

const actor = { type: 'system' as const, id: 'test' };
const ISSUER = 'https://trust.test.enigm.dev';

interface DeliveryRow { status: string; attempts: number; last_error: string | null; delivered_at: Date | null; jti: string }

describe('fan-out delivery against real PostgreSQL and Redis', () => {
  let db: Database;
  let drop: () => Promise<void>;
  let keys: SigningKeyStore;
  let fanout: FanoutRuntime;
  let org: string;
  const registry = new Registry();
  const prefix = uniqueName('fanout-delivery');
  const receivers: Receiver[] = [];

  async function receiver(answer?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
    const r = await startReceiver(answer);
    receivers.push(r);
    return r;
  }

  async function subscribe(r: Receiver, events: string[] = [LIFECYCLE_EVENT, SESSION_REVOKED_EVENT]): Promise<string> {
    return (await createSubscriber(db, { name: uniqueName('sub').toLowerCase(), url: r.url, events }, 'key_test', actor)).id;
  }

  async function revokeNewDevice(): Promise<{ deviceId: string; accountId: string; outboxId: string; epoch: number }> {
    const accountId = await seedAccount(db, org);
    const deviceId = await seedDevice(db, accountId);
    const t = await transitionDevice(db, { deviceId, to: 'revoked', actor, reason: 'lost phone' });
    return { deviceId, accountId, outboxId: t.outboxId, epoch: t.epoch };
  }

  const delivery = async (outboxId: string, subscriberId: string) =>
    (await db.query<DeliveryRow>('SELECT status, attempts, last_error, delivered_at, jti FROM deliveries WHERE outbox_id = $1 AND subscriber_id = $2', [outboxId, subscriberId])).rows[0];

  const settled = (outboxId: string, subscriberId: string, what: string, timeoutMs = 10_000) =>
    waitFor(async () => {
      const d = await delivery(outboxId, subscriberId);
      return d && d.status !== 'pending' ? d : undefined;
    }, timeoutMs, what);

  beforeAll(async () => {
    const s = await postgresSchema();
    db = await migrated(s.db);
    drop = s.drop;
    org = await seedOrg(db);
    keys = createSigningKeyStore({ db, idSecret: TEST_ID_SECRET });
    fanout = await startFanout({ db, redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', settings: testSettings(prefix), signingKeys: keys, logger: createLogger('silent'), registry, subscriberRefreshMs: 200 });
  });
  afterAll(async () => {
    await fanout.close();
    await Promise.all(receivers.map((r) => r.close()));
    await removeQueues(prefix);
    await drop();
  });

  it('pushes a signed SET with exactly the claims of DESIGN §4 when a device is revoked', async () => {
    const r = await receiver();
    const subscriberId = await subscribe(r);
    const { deviceId, accountId, outboxId, epoch } = await revokeNewDevice();
    const d = await settled(outboxId, subscriberId, 'delivery');
    expect(d).toMatchObject({ status: 'delivered', attempts: 1, last_error: null });
    expect(r.received).toHaveLength(1);
    const got = r.received[0];
    expect(got.contentType).toBe('application/secevent+jwt');
    expect(got.header).toMatchObject({ alg: 'ES256', typ: 'secevent+jwt', kid: (await keys.current()).kid });
    const audience = (await db.query<{ audience: string }>('SELECT audience FROM subscribers WHERE id = $1', [subscriberId])).rows[0].audience;
    // The signature verifies against the published key set, for this issuer and audience.
    const jwks = createLocalJWKSet({ keys: [(await keys.current()).publicJwk] });
    const { payload } = await jwtVerify(got.token, jwks, { issuer: ISSUER, audience, typ: 'secevent+jwt' });
    expect(Object.keys(payload).sort()).toEqual(['aud', 'events', 'iat', 'iss', 'jti', 'sub_id', 'txn']);
    expect(payload).toMatchObject({ jti: d.jti, txn: outboxId, sub_id: { format: 'opaque', id: deviceId } });
    expect(payload.events).toEqual({
      [LIFECYCLE_EVENT]: { state: 'revoked', previous_state: 'trusted', account_id: accountId, epoch, reason: 'lost phone', occurred_at: expect.any(String) },
      [SESSION_REVOKED_EVENT]: { event_timestamp: expect.any(Number) },
    });
    // Nothing identifies the credential or the hardware.
    expect(got.token).not.toMatch(/cred_/);
  });

  it('retries after 500 three times, then delivers on 202 with four attempts recorded and one jti', async () => {
    const r = await receiver((n) => (n < 3 ? 500 : 202));
    const subscriberId = await subscribe(r);
    const { outboxId } = await revokeNewDevice();
    const d = await settled(outboxId, subscriberId, 'delivery after retries');
    expect(d).toMatchObject({ status: 'delivered', attempts: 4, last_error: null });
    expect(r.received).toHaveLength(4);
    expect(r.jtis()).toEqual(new Set([d.jti]));
    // Back-off: each retry waited (base 20 ms, doubling, jitter never below half).
    const gaps = r.received.slice(1).map((x, i) => x.at - r.received[i].at);
    expect(gaps.every((g) => g >= 10)).toBe(true);
  });

  it('marks a subscriber that never answers failed after the last attempt, while others get theirs at once', async () => {
    const silent = await receiver(() => 'hang');
    const healthy = await receiver();
    const silentId = await subscribe(silent);
    const healthyId = await subscribe(healthy);
    // Committed while the relay pauses, so all twelve events reach both subscribers together.
    await fanout.relay?.stop();
    const revoked = [];
    for (let i = 0; i < 12; i++) revoked.push(await revokeNewDevice());
    fanout.relay?.start();
    for (const { outboxId } of revoked) await settled(outboxId, healthyId, 'healthy delivery', 5000);
    // The silent subscriber holds each push for the full timeout (500 ms), 4 at a time: its 12
    // first attempts come in 3 waves. The healthy subscriber had all 12 before the third began.
    await waitFor(() => silent.received.length >= 9 || undefined, 10_000, 'third wave to the silent subscriber');
    const lastHealthy = Math.max(...healthy.received.map((x) => x.at));
    expect(lastHealthy).toBeLessThan(silent.received[8].at);
    const failed = await settled(revoked[0].outboxId, silentId, 'silent subscriber failing', 20_000);
    expect(failed).toMatchObject({ status: 'failed', attempts: 4, delivered_at: null, last_error: 'no answer within 500 ms' });
    const metrics = await registry.getSingleMetricAsString('enigm_trust_fanout_delivery_failures_total');
    expect(metrics).toMatch(/result="failed"} [1-9]/);
  });

  it('counts a refused connection as a failed attempt, like any other, until the last', async () => {
    const subscriberId = (await createSubscriber(db, { name: uniqueName('down').toLowerCase(), url: 'http://127.0.0.1:9/set', events: [LIFECYCLE_EVENT] }, 'key_test', actor)).id;
    const { outboxId } = await revokeNewDevice();
    const d = await settled(outboxId, subscriberId, 'refused delivery failing');
    expect(d).toMatchObject({ status: 'failed', attempts: 4, last_error: 'connection refused (127.0.0.1:9)' });
  });

  it('treats 400 with an RFC 8935 error body as permanent: one attempt, then failed', async () => {
    const r = await receiver(() => ({ status: 400, body: JSON.stringify({ err: 'invalid_audience', description: 'not for us' }) }));
    const subscriberId = await subscribe(r);
    const { outboxId } = await revokeNewDevice();
    const d = await settled(outboxId, subscriberId, 'permanent failure');
    expect(d).toMatchObject({ status: 'failed', attempts: 1, last_error: 'HTTP 400 invalid_audience: not for us' });
    expect(r.received).toHaveLength(1);
  });

  it('retries a 400 without an RFC 8935 body like any other failure', async () => {
    const r = await receiver((n) => (n === 0 ? 400 : 202));
    const subscriberId = await subscribe(r);
    const { outboxId } = await revokeNewDevice();
    expect(await settled(outboxId, subscriberId, 'delivery')).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('sends each subscriber only the event types it asked for', async () => {
    const r = await receiver();
    const subscriberId = await subscribe(r, [SESSION_REVOKED_EVENT]);
    const accountId = await seedAccount(db, org);
    const deviceId = await seedDevice(db, accountId);
    const restricted = await transitionDevice(db, { deviceId, to: 'restricted', actor, reason: 'posture' });
    const revoked = await transitionDevice(db, { deviceId, to: 'revoked', actor, reason: 'stolen' });
    await settled(revoked.outboxId, subscriberId, 'revocation delivery');
    // A restriction ends no session: nothing for this subscriber.
    await waitFor(async () => (await db.query('SELECT 1 FROM outbox WHERE id = $1 AND relayed_at IS NOT NULL', [restricted.outboxId])).rowCount > 0, 5000, 'relay');
    expect(await delivery(restricted.outboxId, subscriberId)).toBeUndefined();
    expect(r.received).toHaveLength(1);
    expect(Object.keys(r.received[0].claims.events)).toEqual([SESSION_REVOKED_EVENT]);
  });

  it('measures commit-to-delivery latency and exposes the queue depth', async () => {
    const text = await registry.metrics();
    expect(text).toMatch(/enigm_trust_fanout_delivery_latency_seconds_count [1-9]/);
    expect(text).toMatch(/enigm_trust_fanout_queue_depth{queue="events"} \d+/);
    expect(text).toMatch(/enigm_trust_fanout_outbox_unrelayed \d+/);
  });
});
