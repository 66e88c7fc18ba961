import { createLogger } from '../../src/http/logger.js';
import { startFanout, type FanoutRuntime } from '../../src/queue/fanout.js';
import { LIFECYCLE_EVENT } from '../../src/queue/securityEventToken.js';
import { createSigningKeyStore, type SigningKeyStore } from '../../src/queue/signingKeys.js';
import type { Database } from '../../src/store/database.js';
import { openPostgres } from '../../src/store/postgres.js';
import { createSubscriber } from '../../src/trust/subscribers.js';
import { transitionDevice, type TransitionResult } from '../../src/trust/transition.js';
import { POSTGRES_URL, REDIS_URL, postgresSchema, uniqueName } from '../helpers/env.js';
import { testSettings } from '../helpers/fanout.js';
import { removeQueues, startReceiver, waitFor, type Receiver } from '../helpers/fanout.js';
import { TEST_ID_SECRET, migrated, seedAccount, seedDevice, seedOrg } from '../helpers/seed.js';

const actor = { type: 'system' as const, id: 'test' };
const PER_INSTANCE = 10;

describe('two service instances revoking devices of one account at the same time', () => {
  let db: Database;
  let drop: () => Promise<void>;
  /** Each instance: its own connection pool, signing-key store, relay and workers. */
  const instances: Array<{ db: Database; keys: SigningKeyStore; fanout: FanoutRuntime }> = [];
  const receivers: Receiver[] = [];
  const prefix = uniqueName('fanout-two');

  beforeAll(async () => {
    const s = await postgresSchema();
    db = await migrated(s.db);
    drop = s.drop;
    for (let i = 0; i < 2; i++) {
      const pool = openPostgres({ connectionString: POSTGRES_URL, schema: s.schema });
      const keys = createSigningKeyStore({ db: pool, idSecret: TEST_ID_SECRET });
      await keys.current();
      const fanout = await startFanout({ db: pool, redisUrl: REDIS_URL, settings: testSettings(prefix, { timeoutMs: 2000 }), signingKeys: keys, logger: createLogger('silent'), subscriberRefreshMs: 100 });
      instances.push({ db: pool, keys, fanout });
    }
  });
  afterAll(async () => {
    for (const i of instances) {
      await i.fanout.close();
      await i.db.close();
    }
    await Promise.all(receivers.map((r) => r.close()));
    await removeQueues(prefix);
    await drop();
  });

  it('delivers every event to every subscriber, with strictly increasing epochs and nothing lost', async () => {
    for (const name of ['messaging', 'calls']) {
      const r = await startReceiver();
      receivers.push(r);
      await createSubscriber(db, { name, url: r.url, events: [LIFECYCLE_EVENT] }, 'key_test', actor);
    }
    const org = await seedOrg(db);
    const accountId = await seedAccount(db, org);
    const devices: string[] = [];
    for (let i = 0; i < 2 * PER_INSTANCE; i++) devices.push(await seedDevice(db, accountId));
    const start = Number((await db.query<{ device_epoch: number }>('SELECT device_epoch FROM accounts WHERE id = $1', [accountId])).rows[0].device_epoch);

    // Each instance revokes its half, all at once, through its own connection pool.
    const results: TransitionResult[] = await Promise.all(devices.map((deviceId, i) =>
      transitionDevice(instances[i % 2].db, { deviceId, to: 'revoked', actor, reason: `revoked by instance ${i % 2}` })));

    const epochs = results.map((r) => r.epoch).sort((a, b) => a - b);
    expect(epochs).toEqual(Array.from({ length: devices.length }, (_, i) => start + i + 1));
    for (const r of receivers) {
      await waitFor(() => r.jtis().size === devices.length || undefined, 15_000, 'every event at every subscriber');
      const byDevice = new Map(r.received.map((s) => [s.claims.sub_id.id, s.claims.events[LIFECYCLE_EVENT].epoch]));
      expect(new Map(results.map((t) => [t.deviceId, t.epoch]))).toEqual(byDevice);
    }
    // The worker records the 202 just after the receiver sends it.
    const statuses = await waitFor(async () => {
      const r = await db.query<{ status: string; n: string }>(
        `SELECT d.status, count(*) AS n FROM deliveries d JOIN outbox o ON o.id = d.outbox_id WHERE o.account_id = $1 GROUP BY d.status`, [accountId]);
      return r.rows.every((row) => row.status === 'delivered') ? r.rows : undefined;
    }, 10_000, 'every delivery recorded');
    expect(statuses.map((r) => [r.status, Number(r.n)])).toEqual([['delivered', 2 * devices.length]]);
    // Both instances sign with the one key kept in the database (generated once), so receivers need one JWKS.
    const [a, b] = await Promise.all(instances.map(async (i) => (await i.keys.current()).publicJwk));
    expect(a).toEqual(b);
    expect(new Set(receivers.flatMap((r) => r.received.map((s) => s.header.kid)))).toEqual(new Set([a.kid]));
    const created = await db.query(`SELECT 1 FROM audit_events WHERE type = 'signing_key.created'`);
    expect(created.rowCount).toBe(1);
  });
});
