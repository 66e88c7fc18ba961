import type { ChildProcess } from 'node:child_process';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { LIFECYCLE_EVENT, SESSION_REVOKED_EVENT } from '../../src/queue/securityEventToken.js';
import { createSigningKeyStore } from '../../src/queue/signingKeys.js';
import type { Database } from '../../src/store/database.js';
import { createSubscriber } from '../../src/trust/subscribers.js';
import { transitionDevice } from '../../src/trust/transition.js';
import { postgresSchema, tempDir, uniqueName } from '../helpers/env.js';
import { removeQueues, startReceiver, startWorkerProcess, waitFor, type Receiver } from '../helpers/fanout.js';
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
