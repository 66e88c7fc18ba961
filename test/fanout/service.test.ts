import { parseConfig, resolveIdSecret } from '../../src/config.js';
import { createLogger } from '../../src/http/logger.js';
import { startService, type RunningService } from '../../src/http/server.js';
import { LIFECYCLE_EVENT } from '../../src/queue/securityEventToken.js';
import { createServiceKey } from '../../src/trust/apiKeys.js';
import { transitionDevice } from '../../src/trust/transition.js';
import { REDIS_URL, tempDir, uniqueName } from '../helpers/env.js';
import { removeQueues, startReceiver, waitFor, type Receiver } from '../helpers/fanout.js';
import { seedAccount, seedDevice, seedOrg } from '../helpers/seed.js';

const actor = { type: 'system' as const, id: 'test' };

describe('the service runs the fan-out in its own process unless told not to', () => {
  const prefix = uniqueName('fanout-service');
  const receivers: Receiver[] = [];
  const folders: Array<{ remove(): void }> = [];

  async function start(extra: Record<string, string>): Promise<RunningService> {
    const data = tempDir('enigm-fanout-svc-');
    folders.push(data);
    const config = resolveIdSecret(parseConfig({
      PORT: '0', DATA_DIR: data.dir, REDIS_URL, LOG_LEVEL: 'silent', FANOUT_PREFIX: prefix, FANOUT_POLL_MS: '20', FANOUT_BACKOFF_MS: '20', ...extra,
    }));
    return startService(config, { logger: createLogger('silent'), shutdownGraceMs: 1000 });
  }

  /** Registers a receiver through the API and revokes a fresh device; returns the event id. */
  async function revokeWithSubscriber(service: RunningService): Promise<{ outboxId: string; receiver: Receiver }> {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const key = await createServiceKey(service.db, { name: 'ops', scopes: ['subscribers:write'] }, actor);
    const res = await fetch(`${service.url}/v1/subscribers`, {
      method: 'POST', headers: { authorization: `Bearer ${key.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'messaging', url: receiver.url, events: [LIFECYCLE_EVENT] }),
    });
    expect(res.status).toBe(201);
    const accountId = await seedAccount(service.db, await seedOrg(service.db));
    const deviceId = await seedDevice(service.db, accountId);
    const { outboxId } = await transitionDevice(service.db, { deviceId, to: 'revoked', actor, reason: 'lost' });
    return { outboxId, receiver };
  }

  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await removeQueues(prefix);
    for (const f of folders) f.remove();
  });

  it('delivers from the service process on the embedded database, serves the JWKS and metrics, and stops cleanly', async () => {
    const service = await start({});
    try {
      const { outboxId, receiver } = await revokeWithSubscriber(service);
      await waitFor(async () => (await service.db.query(`SELECT 1 FROM deliveries WHERE outbox_id = $1 AND status = 'delivered'`, [outboxId])).rowCount > 0, 15_000, 'in-process delivery');
      expect(receiver.received.map((s) => s.claims.txn)).toEqual([outboxId]);
      const jwks = await fetch(`${service.url}/.well-known/jwks.json`);
      expect(((await jwks.json()) as { keys: Array<{ kid: string }> }).keys[0].kid).toBe(receiver.received[0].header.kid);
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      expect(metrics).toMatch(/enigm_trust_fanout_delivery_latency_seconds_count 1/);
      expect(metrics).toMatch(/enigm_trust_fanout_queue_depth{queue="deliveries"} \d+/);
      expect(metrics).toMatch(/enigm_trust_fanout_outbox_unrelayed 0/);
    } finally {
      await service.shutdown('test');
    }
  });

  it('leaves the outbox to a separate worker with FANOUT_IN_PROCESS=false', async () => {
    const service = await start({ FANOUT_IN_PROCESS: 'false' });
    try {
      const { outboxId, receiver } = await revokeWithSubscriber(service);
      await new Promise((r) => setTimeout(r, 400));
      const row = await service.db.query<{ relayed_at: Date | null }>('SELECT relayed_at FROM outbox WHERE id = $1', [outboxId]);
      expect(row.rows[0].relayed_at).toBeNull();
      expect(receiver.received).toEqual([]);
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      expect(metrics).not.toMatch(/enigm_trust_fanout_queue_depth/);
    } finally {
      await service.shutdown('test');
    }
  });
});
