import { createLogger } from '../../src/http/logger.js';
import { policyInputValidator } from '../../src/http/api.js';
import { servedPolicies } from '../helpers/policy.js';
import { startFanout, type FanoutRuntime } from '../../src/queue/fanout.js';
import { LIFECYCLE_EVENT, SESSION_REVOKED_EVENT } from '../../src/queue/securityEventToken.js';
import { createSigningKeyStore, type SigningKeyStore } from '../../src/queue/signingKeys.js';
import type { Database } from '../../src/store/database.js';
import { decide, listRecipients, type DecisionDeps } from '../../src/trust/decide.js';
import { createSubscriber } from '../../src/trust/subscribers.js';
import { transitionDevice } from '../../src/trust/transition.js';
import { DEAD_REDIS_URL, REDIS_URL, postgresSchema, uniqueName } from '../helpers/env.js';
import { removeQueues, startReceiver, testSettings, waitFor, type Receiver } from '../helpers/fanout.js';
import { TEST_ID_SECRET, migrated, seedAccount, seedDevice, seedOrg } from '../helpers/seed.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy.js';

const actor = { type: 'system' as const, id: 'test' };
const silent = createLogger('silent');

describe('a revocation while Redis is unreachable', () => {
  let db: Database;
  let drop: () => Promise<void>;
  let keys: SigningKeyStore;
  let decisions: DecisionDeps;
  let org: string;
  let receiver: Receiver;
  let subscriberId: string;
  const runtimes: FanoutRuntime[] = [];
  let proxy: TcpProxy | undefined;
  const prefix = uniqueName('fanout-outage');

  async function fanout(redisUrl: string, parts: { relay?: boolean; worker?: boolean } = {}): Promise<FanoutRuntime> {
    const f = await startFanout({ db, redisUrl, settings: testSettings(prefix), signingKeys: keys, logger: silent, subscriberRefreshMs: 200, ...parts });
    runtimes.push(f);
    return f;
  }

  const relayedAt = async (outboxId: string) => (await db.query<{ relayed_at: Date | null }>('SELECT relayed_at FROM outbox WHERE id = $1', [outboxId])).rows[0].relayed_at;
  const deliveredTo = (outboxId: string) => waitFor(async () => {
    const r = await db.query<{ status: string; jti: string }>('SELECT status, jti FROM deliveries WHERE outbox_id = $1 AND subscriber_id = $2', [outboxId, subscriberId]);
    return r.rows[0]?.status === 'delivered' ? r.rows[0] : undefined;
  }, 15_000, 'delivery after Redis returned');

  async function revokeWhileDown(): Promise<{ deviceId: string; accountId: string; outboxId: string; epoch: number }> {
    const accountId = await seedAccount(db, org);
    const deviceId = await seedDevice(db, accountId, { sessionAgeSeconds: 10, unlockAgeSeconds: 10 });
    const other = await seedDevice(db, accountId, { sessionAgeSeconds: 10, unlockAgeSeconds: 10 });
    expect((await decide(decisions, { accountId, deviceId, action: 'message.receive', caller: 'test' })).allow).toBe(true);
    const t = await transitionDevice(db, { deviceId, to: 'revoked', actor, reason: 'stolen' });
    // The revocation committed and took effect at once, Redis or not.
    expect((await decide(decisions, { accountId, deviceId, action: 'message.receive', caller: 'test' })).allow).toBe(false);
    const recipients = await listRecipients(decisions, accountId, 'message.receive');
    expect(recipients.devices.map((d) => d.deviceId)).toEqual([other]);
    expect(recipients.epoch).toBe(t.epoch);
    return { deviceId, accountId, outboxId: t.outboxId, epoch: t.epoch };
  }

  beforeAll(async () => {
    const s = await postgresSchema();
    db = await migrated(s.db);
    drop = s.drop;
    org = await seedOrg(db);
    keys = createSigningKeyStore({ db, idSecret: TEST_ID_SECRET });
    const policies = await servedPolicies();
    decisions = { db, policy: () => policies.current(), validateInput: policyInputValidator() };
    receiver = await startReceiver();
    subscriberId = (await createSubscriber(db, { name: 'messaging', url: receiver.url, events: [LIFECYCLE_EVENT, SESSION_REVOKED_EVENT] }, 'key_test', actor)).id;
  });
  afterAll(async () => {
    await Promise.all(runtimes.map((f) => f.close()));
    await proxy?.close();
    await receiver.close();
    await removeQueues(prefix);
    await drop();
  });

  it('commits and denies at once; the relay, pointed at a dead port, keeps the event; pointed at Redis, delivers it', async () => {
    const worker = await fanout(REDIS_URL, { relay: false });
    const deadRelay = await fanout(DEAD_REDIS_URL, { worker: false });
    const { deviceId, outboxId, epoch } = await revokeWhileDown();
    await expect(deadRelay.relay?.relayOnce()).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 300));
    expect(await relayedAt(outboxId)).toBeNull();
    expect(receiver.received.filter((s) => s.claims.txn === outboxId)).toEqual([]);
    await deadRelay.close();
    const relay = await fanout(REDIS_URL, { worker: false });
    const d = await deliveredTo(outboxId);
    expect(await relayedAt(outboxId)).not.toBeNull();
    const got = receiver.received.filter((s) => s.claims.txn === outboxId);
    expect(got.map((s) => [s.claims.jti, s.claims.sub_id.id, s.claims.events[LIFECYCLE_EVENT].epoch])).toEqual([[d.jti, deviceId, epoch]]);
    await relay.close();
    await worker.close();
  });

  it('keeps a running service relaying: Redis goes away mid-run and comes back, and the backlog drains', async () => {
    proxy = await startTcpProxy('127.0.0.1', Number(new URL(REDIS_URL).port || 6379));
    const running = await fanout(proxy.url);
    // First, everything flows.
    const before = await revokeWhileDown();
    await deliveredTo(before.outboxId);
    await proxy.down();
    const during = [await revokeWhileDown(), await revokeWhileDown()];
    await new Promise((r) => setTimeout(r, 500));
    for (const e of during) expect(await relayedAt(e.outboxId)).toBeNull();
    await proxy.up();
    for (const e of during) await deliveredTo(e.outboxId);
    const epochs = receiver.received.filter((s) => during.some((e) => e.outboxId === s.claims.txn)).map((s) => s.claims.events[LIFECYCLE_EVENT].epoch);
    expect(epochs.sort()).toEqual(during.map((e) => e.epoch).sort());
    await running.close();
  });
});
