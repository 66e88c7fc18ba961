import type { Express } from 'express';
import { createLocalJWKSet, jwtVerify } from 'jose';
import request from 'supertest';
import { createApp } from '../../src/http/app.js';
import { apiRoutes } from '../../src/http/api.js';
import { createLogger } from '../../src/http/logger.js';
import { createMetrics } from '../../src/http/metrics.js';
import { servedPolicies } from '../helpers/policy.js';
import { startFanout, type FanoutRuntime } from '../../src/queue/fanout.js';
import { openRedis } from '../../src/queue/redis.js';
import { LIFECYCLE_EVENT, SESSION_REVOKED_EVENT } from '../../src/queue/securityEventToken.js';
import { createSigningKeyStore } from '../../src/queue/signingKeys.js';
import type { Database } from '../../src/store/database.js';
import { createAdminKey, createServiceKey } from '../../src/trust/apiKeys.js';
import { transitionDevice } from '../../src/trust/transition.js';
import { DEAD_REDIS_URL, REDIS_URL, postgresSchema, uniqueName } from '../helpers/env.js';
import { removeQueues, startReceiver, testSettings, waitFor, type Receiver } from '../helpers/fanout.js';
import { TEST_ID_SECRET, migrated, seedAccount, seedDevice, seedOrg } from '../helpers/seed.js';

const system = { type: 'system' as const, id: 'test' };
const EVENTS = [LIFECYCLE_EVENT, SESSION_REVOKED_EVENT];

describe('fan-out HTTP API: subscribers, status, epoch acknowledgements, re-drive, JWKS', () => {
  let db: Database;
  let drop: () => Promise<void>;
  let app: Express;
  let fanout: FanoutRuntime;
  let org: string;
  let otherOrg: string;
  /** subscribers:write + fanout:ack + fanout:read: registers subscribers and speaks for them. */
  let owner: { id: string; token: string };
  let reader: string;
  let otherAcker: string;
  let operator: string;
  let viewer: string;
  let foreignOperator: string;
  const redis = openRedis(DEAD_REDIS_URL);
  const prefix = uniqueName('fanout-api');
  const receivers: Receiver[] = [];
  const keys = () => createSigningKeyStore({ db, idSecret: TEST_ID_SECRET });

  const as = (token: string | null, r: request.Test) => (token === null ? r : r.set('authorization', `Bearer ${token}`));
  const count = async (sql: string, params: unknown[] = []) => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${sql}`, params)).rows[0].n);

  async function registered(answer?: Parameters<typeof startReceiver>[0]): Promise<{ id: string; audience: string; receiver: Receiver }> {
    const receiver = await startReceiver(answer);
    receivers.push(receiver);
    const res = await as(owner.token, request(app).post('/v1/subscribers')).send({ name: uniqueName('svc').toLowerCase(), url: receiver.url, events: EVENTS });
    expect(res.status).toBe(201);
    return { id: res.body.id, audience: res.body.audience, receiver };
  }

  async function revoked(orgId = org): Promise<{ deviceId: string; accountId: string; outboxId: string; epoch: number }> {
    const accountId = await seedAccount(db, orgId);
    const deviceId = await seedDevice(db, accountId);
    const t = await transitionDevice(db, { deviceId, to: 'revoked', actor: system, reason: 'lost' });
    return { deviceId, accountId, outboxId: t.outboxId, epoch: t.epoch };
  }

  const deliveryOf = (outboxId: string, subscriberId: string) =>
    db.query<{ id: string; status: string; attempts: number; jti: string }>('SELECT id, status, attempts, jti FROM deliveries WHERE outbox_id = $1 AND subscriber_id = $2', [outboxId, subscriberId]).then((r) => r.rows[0]);

  const settled = (outboxId: string, subscriberId: string, status = 'delivered') =>
    waitFor(async () => {
      const d = await deliveryOf(outboxId, subscriberId);
      return d?.status === status ? d : undefined;
    }, 10_000, `delivery ${status}`);

  beforeAll(async () => {
    const s = await postgresSchema();
    db = await migrated(s.db);
    drop = s.drop;
    org = await seedOrg(db);
    otherOrg = await seedOrg(db);
    owner = await createServiceKey(db, { name: 'messaging', scopes: ['subscribers:write', 'fanout:ack', 'fanout:read'] }, system);
    reader = (await createServiceKey(db, { name: 'command', scopes: ['fanout:read'] }, system)).token;
    otherAcker = (await createServiceKey(db, { name: 'calls', scopes: ['fanout:ack'] }, system)).token;
    operator = (await createAdminKey(db, { orgId: org, role: 'operator' }, system)).token;
    viewer = (await createAdminKey(db, { orgId: org, role: 'viewer' }, system)).token;
    foreignOperator = (await createAdminKey(db, { orgId: otherOrg, role: 'operator' }, system)).token;
    const policies = await servedPolicies();
    const signingKeys = keys();
    app = createApp({ db, redis, logger: createLogger('silent'), metrics: createMetrics(), mount: (a) => a.use(apiRoutes({ db, policies, signingKeys })) });
    fanout = await startFanout({ db, redisUrl: REDIS_URL, settings: testSettings(prefix), signingKeys, logger: createLogger('silent'), subscriberRefreshMs: 200 });
  });
  afterAll(async () => {
    await fanout.close();
    await Promise.all(receivers.map((r) => r.close()));
    redis.disconnect();
    await removeQueues(prefix);
    await drop();
  });

  describe('subscribers', () => {
    it('registers, lists and deletes a subscriber, auditing each change', async () => {
      const receiver = await startReceiver();
      receivers.push(receiver);
      const created = await as(owner.token, request(app).post('/v1/subscribers')).send({ name: 'sync-service', url: receiver.url, events: [LIFECYCLE_EVENT], audience: 'https://sync.enigm.dev' });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ id: expect.stringMatching(/^sub_/), name: 'sync-service', url: receiver.url, audience: 'https://sync.enigm.dev', events: [LIFECYCLE_EVENT], createdAt: expect.any(String) });
      expect(created.headers.location).toBe(`/v1/subscribers/${created.body.id}`);
      const listed = await as(owner.token, request(app).get('/v1/subscribers'));
      expect(listed.body.subscribers).toContainEqual(created.body);
      expect((await as(owner.token, request(app).delete(`/v1/subscribers/${created.body.id}`))).status).toBe(204);
      const after = await as(owner.token, request(app).get('/v1/subscribers'));
      expect(after.body.subscribers.map((s: { id: string }) => s.id)).not.toContain(created.body.id);
      const again = await as(owner.token, request(app).delete(`/v1/subscribers/${created.body.id}`));
      expect([again.status, again.body.code, again.headers['content-type']]).toEqual([404, 'subscriber_not_found', expect.stringMatching(/^application\/problem\+json/)]);
      const audit = await db.query<{ type: string; outcome: string; actor: { id: string } }>(
        `SELECT type, outcome, actor FROM audit_events WHERE type LIKE 'subscriber.%' AND details->>'subscriberId' = $1 ORDER BY seq`, [created.body.id]);
      expect(audit.rows.map((r) => [r.type, r.outcome, r.actor.id])).toEqual([
        ['subscriber.created', 'success', owner.id], ['subscriber.deleted', 'success', owner.id], ['subscriber.deleted', 'refused', owner.id]]);
      // The name is free again once its subscriber is gone.
      const reused = await as(owner.token, request(app).post('/v1/subscribers')).send({ name: 'sync-service', url: receiver.url, events: [LIFECYCLE_EVENT] });
      expect(reused.status).toBe(201);
      expect(reused.body.audience).toBe(`urn:enigm:trust:subscriber:${reused.body.id}`);
    });

    it('refuses a second subscriber with the same name, writing nothing', async () => {
      const body = { name: 'calls', url: 'http://127.0.0.1:9/set', events: EVENTS };
      expect((await as(owner.token, request(app).post('/v1/subscribers')).send(body)).status).toBe(201);
      const before = await count('subscribers');
      const res = await as(owner.token, request(app).post('/v1/subscribers')).send({ ...body, url: 'http://127.0.0.1:10/set' });
      expect([res.status, res.body.code]).toEqual([409, 'subscriber_exists']);
      expect(await count('subscribers')).toBe(before);
    });

    it.each([
      ['an unknown field', { extra: 1 }, 'invalid_request'],
      ['no events', { events: [] }, 'invalid_request'],
      ['an unknown event type', { events: ['urn:example:other'] }, 'invalid_request'],
      ['a name with capitals and spaces', { name: 'My Service' }, 'invalid_request'],
      ['a URL that is not one', { url: 'not a url at all' }, 'invalid_subscriber_url'],
      ['an ftp URL', { url: 'ftp://files.example.com/in' }, 'invalid_subscriber_url'],
      ['a file URL', { url: 'file:///etc/passwd' }, 'invalid_subscriber_url'],
      ['credentials in the URL', { url: 'https://svc:hunter2@messaging.example.com/set' }, 'invalid_subscriber_url'],
      ['the cloud metadata address', { url: 'http://169.254.169.254/latest/meta-data/' }, 'invalid_subscriber_url'],
      ['the unspecified address', { url: 'http://0.0.0.0:8080/set' }, 'invalid_subscriber_url'],
      ['a fragment', { url: 'https://messaging.example.com/set#x' }, 'invalid_subscriber_url'],
    ])('answers %s with 400 and changes nothing', async (_what, override, code) => {
      const before = await count('subscribers');
      const res = await as(owner.token, request(app).post('/v1/subscribers')).send({ name: uniqueName('bad').toLowerCase(), url: 'https://messaging.example.com/set', events: EVENTS, ...override });
      expect([res.status, res.body.code]).toEqual([400, code]);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(await count('subscribers')).toBe(before);
      // The password of a refused URL is not echoed back.
      expect(JSON.stringify(res.body)).not.toContain('hunter2');
    });

    it('audits a refused subscriber URL', async () => {
      const name = uniqueName('ssrf').toLowerCase();
      await as(owner.token, request(app).post('/v1/subscribers')).send({ name, url: 'http://169.254.169.254/', events: EVENTS });
      const audit = await db.query<{ outcome: string; details: { refusal: string } }>(`SELECT outcome, details FROM audit_events WHERE type = 'subscriber.created' AND details->>'name' = $1`, [name]);
      expect(audit.rows).toEqual([{ outcome: 'refused', details: { name, refusal: 'invalid_subscriber_url' } }]);
    });

    it('needs a service key with subscribers:write', async () => {
      const body = { name: uniqueName('x').toLowerCase(), url: 'https://a.example.com/', events: EVENTS };
      expect((await as(null, request(app).post('/v1/subscribers')).send(body)).status).toBe(401);
      expect((await as(reader, request(app).post('/v1/subscribers')).send(body)).body.code).toBe('insufficient_scope');
      expect((await as(operator, request(app).get('/v1/subscribers'))).body.code).toBe('wrong_principal');
      expect((await as(reader, request(app).delete('/v1/subscribers/sub_whatever'))).status).toBe(403);
    });
  });

  describe('status and epoch acknowledgements', () => {
    it('shows per subscriber each event delivered, and whether its epoch is acknowledged', async () => {
      const sub = await registered();
      const { deviceId, accountId, outboxId, epoch } = await revoked();
      const d = await settled(outboxId, sub.id);
      const status = await as(reader, request(app).get(`/v1/devices/${deviceId}/fanout`));
      expect(status.status).toBe(200);
      expect(status.body).toMatchObject({ deviceId, accountId, currentEpoch: epoch });
      const mine = status.body.subscribers.find((s: { subscriberId: string }) => s.subscriberId === sub.id);
      expect(mine).toEqual({
        subscriberId: sub.id, name: expect.any(String), active: true, acknowledgedEpoch: null, acknowledgedAt: null, enforcesCurrentEpoch: false,
        events: [{
          eventId: outboxId, state: 'revoked', previousState: 'trusted', epoch, occurredAt: expect.any(String), status: 'delivered',
          deliveryId: d.id, jti: d.jti, attempts: 1, lastError: null, lastAttemptAt: expect.any(String), nextAttemptAt: null, deliveredAt: expect.any(String), epochAcknowledged: false,
        }],
      });
      const ack = await as(owner.token, request(app).post(`/v1/accounts/${accountId}/epoch-acks`)).send({ subscriber: sub.id, epoch });
      expect(ack.status).toBe(200);
      expect(ack.body).toEqual({ accountId, subscriber: sub.id, epoch, currentEpoch: epoch, ackedAt: expect.any(String) });
      const after = await as(viewer, request(app).get(`/v1/devices/${deviceId}/fanout`));
      const acked = after.body.subscribers.find((s: { subscriberId: string }) => s.subscriberId === sub.id);
      expect(acked).toMatchObject({ acknowledgedEpoch: epoch, enforcesCurrentEpoch: true, events: [{ epochAcknowledged: true }] });
      const audit = await db.query(`SELECT 1 FROM audit_events WHERE type = 'fanout.epoch_acknowledged' AND outcome = 'success' AND account_id = $1`, [accountId]);
      expect(audit.rowCount).toBe(1);
    });

    it('shows an event not yet fanned out as queued', async () => {
      const sub = await registered();
      const accountId = await seedAccount(db, org);
      const deviceId = await seedDevice(db, accountId);
      // With the relay paused (as while Redis is down), the committed event waits in the outbox.
      await fanout.relay?.stop();
      const t = await transitionDevice(db, { deviceId, to: 'restricted', actor: system, reason: 'review' });
      const status = await as(reader, request(app).get(`/v1/devices/${deviceId}/fanout`));
      fanout.relay?.start();
      const mine = status.body.subscribers.find((s: { subscriberId: string }) => s.subscriberId === sub.id);
      expect(mine.events).toEqual([expect.objectContaining({ eventId: t.outboxId, status: 'queued', attempts: 0, deliveryId: null, jti: null })]);
      await settled(t.outboxId, sub.id);
    });

    it('refuses an epoch the account has not reached, and never moves an acknowledgement back', async () => {
      const sub = await registered();
      const { accountId, epoch } = await revoked();
      const future = await as(owner.token, request(app).post(`/v1/accounts/${accountId}/epoch-acks`)).send({ subscriber: sub.id, epoch: epoch + 1 });
      expect([future.status, future.body.code, future.body.currentEpoch]).toEqual([409, 'epoch_in_future', epoch]);
      expect(await count('epoch_acks WHERE account_id = $1', [accountId])).toBe(0);
      await as(owner.token, request(app).post(`/v1/accounts/${accountId}/epoch-acks`)).send({ subscriber: sub.id, epoch });
      const older = await as(owner.token, request(app).post(`/v1/accounts/${accountId}/epoch-acks`)).send({ subscriber: sub.id, epoch: epoch - 1 });
      expect([older.status, older.body.epoch]).toEqual([200, epoch]);
      const refused = await db.query(`SELECT 1 FROM audit_events WHERE type = 'fanout.epoch_acknowledged' AND outcome = 'refused' AND account_id = $1`, [accountId]);
      expect(refused.rowCount).toBe(1);
    });

    it('lets only the key that registered a subscriber acknowledge for it', async () => {
      const sub = await registered();
      const { accountId, epoch } = await revoked();
      const res = await as(otherAcker, request(app).post(`/v1/accounts/${accountId}/epoch-acks`)).send({ subscriber: sub.id, epoch });
      expect([res.status, res.body.code]).toEqual([403, 'not_subscriber_owner']);
      expect(await count('epoch_acks WHERE account_id = $1', [accountId])).toBe(0);
    });

    it.each([
      ['an unknown account', (a: string, s: string) => [`/v1/accounts/acc_nope/epoch-acks`, { subscriber: s, epoch: 0 }, a], 404, 'account_not_found'],
      ['an unknown subscriber', (a: string) => [`/v1/accounts/${a}/epoch-acks`, { subscriber: 'sub_nope', epoch: 0 }], 404, 'subscriber_not_found'],
      ['a negative epoch', (a: string, s: string) => [`/v1/accounts/${a}/epoch-acks`, { subscriber: s, epoch: -1 }], 400, 'invalid_request'],
      ['an epoch as text', (a: string, s: string) => [`/v1/accounts/${a}/epoch-acks`, { subscriber: s, epoch: '3' }], 400, 'invalid_request'],
      ['an unknown field', (a: string, s: string) => [`/v1/accounts/${a}/epoch-acks`, { subscriber: s, epoch: 0, force: true }], 400, 'invalid_request'],
    ] as const)('answers %s with a problem and records nothing', async (_what, make, status, code) => {
      const sub = await registered();
      const accountId = await seedAccount(db, org);
      const [path, body] = make(accountId, sub.id);
      const before = await count('epoch_acks');
      const res = await as(owner.token, request(app).post(path as string)).send(body as object);
      expect([res.status, res.body.code]).toEqual([status, code]);
      expect(await count('epoch_acks')).toBe(before);
    });

    it('needs fanout:ack to acknowledge and fanout:read or an admin of the org to read', async () => {
      const { deviceId, accountId } = await revoked();
      expect((await as(reader, request(app).post(`/v1/accounts/${accountId}/epoch-acks`)).send({ subscriber: 'sub_x', epoch: 0 })).body.code).toBe('insufficient_scope');
      expect((await as(otherAcker, request(app).get(`/v1/devices/${deviceId}/fanout`))).body.code).toBe('insufficient_scope');
      expect((await as(null, request(app).get(`/v1/devices/${deviceId}/fanout`))).status).toBe(401);
      // Another organisation's admin gets exactly what a missing device gets.
      const foreign = await as(foreignOperator, request(app).get(`/v1/devices/${deviceId}/fanout`));
      const missing = await as(foreignOperator, request(app).get(`/v1/devices/dev_doesnotexist/fanout`));
      expect([foreign.status, foreign.body.code]).toEqual([404, 'device_not_found']);
      expect([missing.status, missing.body.code]).toEqual([404, 'device_not_found']);
      expect(Object.keys(foreign.body).sort()).toEqual(Object.keys(missing.body).sort());
    });
  });

  describe('re-drive', () => {
    it('lets an operator re-drive a failed delivery: same jti, delivered, audited', async () => {
      let refuse = true;
      const sub = await registered(() => (refuse ? { status: 400, body: '{"err":"invalid_key","description":"rotating"}' } : 202));
      const { outboxId } = await revoked();
      const failed = await settled(outboxId, sub.id, 'failed');
      refuse = false;
      const res = await as(operator, request(app).post(`/v1/admin/deliveries/${failed.id}/redrive`)).send({ reason: 'receiver fixed' });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ deliveryId: failed.id, status: 'pending', redrives: 1 });
      const delivered = await settled(outboxId, sub.id, 'delivered');
      expect(delivered).toMatchObject({ attempts: 2, jti: failed.jti });
      // A subscriber gets every lifecycle event, so other tests' revocations may reach it too:
      // of this event, exactly one delivery exists, and what arrived carries its jti.
      const ofThisEvent = await db.query<{ jti: string }>('SELECT jti FROM deliveries WHERE outbox_id = $1 AND subscriber_id = $2', [outboxId, sub.id]);
      expect(ofThisEvent.rows.map((r) => r.jti)).toEqual([failed.jti]);
      expect(sub.receiver.jtis().has(failed.jti)).toBe(true);
      const audit = await db.query<{ outcome: string; actor: { type: string; role: string }; org_id: string }>(
        `SELECT outcome, actor, org_id FROM audit_events WHERE type = 'fanout.delivery_redriven' AND details->>'deliveryId' = $1`, [failed.id]);
      expect(audit.rows).toEqual([{ outcome: 'success', actor: expect.objectContaining({ type: 'admin', role: 'operator' }), org_id: org }]);
    });

    it('refuses to re-drive a delivered delivery, and audits the refusal', async () => {
      const sub = await registered();
      const { outboxId } = await revoked();
      const d = await settled(outboxId, sub.id);
      const res = await as(operator, request(app).post(`/v1/admin/deliveries/${d.id}/redrive`)).send({ reason: 'again' });
      expect([res.status, res.body.code, res.body.deliveryStatus]).toEqual([409, 'delivery_already_delivered', 'delivered']);
      expect((await deliveryOf(outboxId, sub.id)).status).toBe('delivered');
      const audit = await db.query(`SELECT 1 FROM audit_events WHERE type = 'fanout.delivery_redriven' AND outcome = 'refused' AND details->>'deliveryId' = $1`, [d.id]);
      expect(audit.rowCount).toBe(1);
    });

    it("answers another organisation's delivery as missing, and needs an operator with a reason", async () => {
      const sub = await registered(() => ({ status: 400, body: '{"err":"access_denied"}' }));
      const { outboxId } = await revoked();
      const failed = await settled(outboxId, sub.id, 'failed');
      const foreign = await as(foreignOperator, request(app).post(`/v1/admin/deliveries/${failed.id}/redrive`)).send({ reason: 'x' });
      const missing = await as(foreignOperator, request(app).post('/v1/admin/deliveries/dlv_doesnotexist/redrive')).send({ reason: 'x' });
      expect([foreign.status, foreign.body.code]).toEqual([404, 'delivery_not_found']);
      expect([missing.status, missing.body.code]).toEqual([404, 'delivery_not_found']);
      expect((await as(viewer, request(app).post(`/v1/admin/deliveries/${failed.id}/redrive`)).send({ reason: 'x' })).body.code).toBe('insufficient_role');
      expect((await as(owner.token, request(app).post(`/v1/admin/deliveries/${failed.id}/redrive`)).send({ reason: 'x' })).body.code).toBe('wrong_principal');
      expect((await as(operator, request(app).post(`/v1/admin/deliveries/${failed.id}/redrive`)).send({})).body.code).toBe('invalid_request');
      expect((await deliveryOf(outboxId, sub.id)).status).toBe('failed');
      const refusals = await db.query<{ details: { refusal: string } }>(`SELECT details FROM audit_events WHERE type = 'fanout.delivery_redriven' AND outcome = 'refused' AND details->>'deliveryId' = $1 ORDER BY seq`, [failed.id]);
      expect(refusals.rows.map((r) => r.details.refusal)).toEqual(['delivery_not_found', 'insufficient_role', 'wrong_principal']);
    });
  });

  it('fails the pending deliveries of a deleted subscriber, and still shows them', async () => {
    const sub = await registered(() => 'hang');
    const { deviceId, outboxId } = await revoked();
    await waitFor(() => sub.receiver.received.length > 0 || undefined, 10_000, 'a push in flight');
    expect((await as(owner.token, request(app).delete(`/v1/subscribers/${sub.id}`))).status).toBe(204);
    expect(await deliveryOf(outboxId, sub.id)).toMatchObject({ status: 'failed' });
    const status = await as(reader, request(app).get(`/v1/devices/${deviceId}/fanout`));
    const gone = status.body.subscribers.find((x: { subscriberId: string }) => x.subscriberId === sub.id);
    expect(gone).toMatchObject({ active: false, events: [{ status: 'failed', lastError: 'the subscriber was deleted' }] });
  });

  it('refuses to re-drive a delivery to a deleted subscriber', async () => {
    const sub = await registered(() => ({ status: 400, body: '{"err":"invalid_request"}' }));
    const { outboxId } = await revoked();
    const failed = await settled(outboxId, sub.id, 'failed');
    expect((await as(owner.token, request(app).delete(`/v1/subscribers/${sub.id}`))).status).toBe(204);
    const res = await as(operator, request(app).post(`/v1/admin/deliveries/${failed.id}/redrive`)).send({ reason: 'try again' });
    expect([res.status, res.body.code]).toEqual([409, 'subscriber_deleted']);
    expect((await deliveryOf(outboxId, sub.id)).status).toBe('failed');
  });

  describe('JWKS', () => {
    it('serves the public key that verifies the SETs, and never the private half', async () => {
      const res = await request(app).get('/.well-known/jwks.json');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/jwk-set\+json/);
      const jwks = JSON.parse(res.text) as { keys: Array<Record<string, string>> };
      expect(jwks.keys).toEqual([{ kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String), kid: expect.any(String), alg: 'ES256', use: 'sig' }]);
      const sub = await registered();
      const { outboxId } = await revoked();
      await settled(outboxId, sub.id);
      const token = sub.receiver.received[0].token;
      await expect(jwtVerify(token, createLocalJWKSet(jwks as never), { audience: sub.audience })).resolves.toBeDefined();
      // The sealed private key in the database never shows.
      const sealed = (await db.query<{ sealed_private_jwk: string }>('SELECT sealed_private_jwk FROM signing_keys')).rows[0].sealed_private_jwk;
      expect(res.text).not.toContain(sealed.split('.')[2].slice(0, 16));
      expect(res.text).not.toMatch(/"d"/);
    });
  });
});
