/**
 * Idempotency-Key on mutating requests, through the real API on PostgreSQL: a retry gets the
 * first answer and acts no more; keys are per caller; errors release their key; answers
 * carrying one-time secrets are never kept; bad keys change nothing.
 */
import { claimIdempotencyKey } from '../src/store/idempotencyKeys.js';
import { createServiceKey } from '../src/trust/apiKeys.js';
import { idempotencyScope, requestFingerprint } from '../src/http/idempotency.js';
import { uniqueName } from './helpers/env.js';
import { enrollmentHarness, newAccount, type Harness } from './helpers/enrollmentHarness.js';
import request from 'supertest';

const system = { type: 'system' as const, id: 'test' };
const EVENTS = ['https://schemas.openid.net/secevent/caep/event-type/session-revoked'];

describe('Idempotency-Key', () => {
  let h: Harness;
  let owner: { id: string; token: string };
  let other: { id: string; token: string };

  beforeAll(async () => {
    h = await enrollmentHarness();
    owner = await createServiceKey(h.db, { name: uniqueName('messaging'), scopes: ['subscribers:write'] }, system);
    other = await createServiceKey(h.db, { name: uniqueName('calls'), scopes: ['subscribers:write'] }, system);
  });
  afterAll(() => h.close());

  const subscriber = (name: string) => ({ name, url: 'https://sync.test.enigm.dev/secevents', events: EVENTS });
  const create = (token: string, key: string | undefined, body: object) => {
    const r = request(h.app).post('/v1/subscribers').set('authorization', `Bearer ${token}`);
    return (key === undefined ? r : r.set('idempotency-key', key)).send(body);
  };
  const count = async (sql: string, params: unknown[]) => Number((await h.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${sql}`, params)).rows[0].n);
  const subscribersNamed = (name: string) => count('subscribers WHERE name = $1 AND deleted_at IS NULL', [name]);
  const createdAudits = (name: string) => count("audit_events WHERE type = 'subscriber.created' AND details->>'name' = $1", [name]);

  it('gives a retry the first answer, marked as replayed, and acts once', async () => {
    const name = uniqueName('sync').toLowerCase();
    const key = crypto.randomUUID();
    const first = await create(owner.token, key, subscriber(name));
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const retry = await create(owner.token, key, subscriber(name));
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.location).toBe(first.headers.location);
    expect(retry.headers['content-type']).toBe(first.headers['content-type']);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(await subscribersNamed(name)).toBe(1);
    expect(await createdAudits(name)).toBe(1);
    // Without a key the same request acts again, and is refused: the name is taken.
    expect((await create(owner.token, undefined, subscriber(name))).status).toBe(409);
  });

  it('refuses a key reused for a different request with 422, and acts not', async () => {
    const key = crypto.randomUUID();
    const [a, b] = [uniqueName('a').toLowerCase(), uniqueName('b').toLowerCase()];
    expect((await create(owner.token, key, subscriber(a))).status).toBe(201);
    const reused = await create(owner.token, key, subscriber(b));
    expect([reused.status, reused.body.code]).toEqual([422, 'idempotency_key_reused']);
    expect(reused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await subscribersNamed(b)).toBe(0);
  });

  it('keeps keys per caller: another key holder with the same key acts for itself', async () => {
    const key = crypto.randomUUID();
    const [a, b] = [uniqueName('a').toLowerCase(), uniqueName('b').toLowerCase()];
    const mine = await create(owner.token, key, subscriber(a));
    const theirs = await create(other.token, key, subscriber(b));
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(await subscribersNamed(b)).toBe(1);
  });

  it('keeps no error: after a refused request the same key acts afresh', async () => {
    const key = crypto.randomUUID();
    const name = uniqueName('late').toLowerCase();
    const refused = await create(owner.token, key, { ...subscriber(name), url: 'http://169.254.169.254/latest' });
    expect(refused.status).toBe(400);
    expect(await count('idempotency_keys WHERE key = $1', [key])).toBe(0);
    const fixed = await create(owner.token, key, subscriber(name));
    expect(fixed.status).toBe(201);
    expect(await subscribersNamed(name)).toBe(1);
  });

  it('keeps no one-time secret: a retried account creation learns it succeeded and gets no second code', async () => {
    const key = crypto.randomUUID();
    const handle = uniqueName('user');
    const body = { handle, org: h.org };
    const post = () => request(h.app).post('/v1/accounts').set('authorization', `Bearer ${h.serviceToken}`).set('idempotency-key', key).send(body);
    const first = await post();
    expect(first.status).toBe(201);
    const code = first.body.bootstrapCode as string;
    const retry = await post();
    expect([retry.status, retry.body.code, retry.body.firstStatus]).toEqual([409, 'idempotent_answer_not_kept', 201]);
    expect(JSON.stringify(retry.body)).not.toContain(code);
    expect(await count('accounts WHERE handle = $1', [handle])).toBe(1);
    const kept = await h.db.query<{ status: number; kept: boolean; headers: unknown; body: unknown }>('SELECT status, kept, headers, body FROM idempotency_keys WHERE key = $1', [key]);
    expect(kept.rows).toEqual([{ status: 201, kept: false, headers: null, body: null }]);
  });

  it('tells a retry that arrives while the first request is still being handled to come back', async () => {
    const key = crypto.randomUUID();
    const body = subscriber(uniqueName('slow').toLowerCase());
    const scope = idempotencyScope({ kind: 'service', keyId: owner.id, name: 'messaging', scopes: ['subscribers:write'] }) as string;
    // The first request has claimed the key and not answered yet.
    await claimIdempotencyKey(h.db, scope, key, requestFingerprint('POST', '/v1/subscribers', body), new Date());
    const retry = await create(owner.token, key, body);
    expect([retry.status, retry.body.code, retry.headers['retry-after']]).toEqual([409, 'idempotency_request_in_progress', '1']);
    expect(await subscribersNamed(body.name)).toBe(0);
  });

  it('acts once when two requests with the same key arrive together', async () => {
    const key = crypto.randomUUID();
    const name = uniqueName('twin').toLowerCase();
    const answers = await Promise.all([create(owner.token, key, subscriber(name)), create(owner.token, key, subscriber(name))]);
    const statuses = answers.map((r) => r.status).sort();
    expect([[201, 201], [201, 409]]).toContainEqual(statuses);
    for (const r of answers.filter((a) => a.status === 409)) expect(r.body.code).toBe('idempotency_request_in_progress');
    expect(await subscribersNamed(name)).toBe(1);
    expect(await createdAudits(name)).toBe(1);
  });

  it('refuses a malformed key with 400 and changes nothing', async () => {
    const name = uniqueName('bad').toLowerCase();
    for (const key of ['', 'has space', 'x'.repeat(256), 'naïve']) {
      const res = await create(owner.token, key, subscriber(name));
      expect([res.status, res.body.code]).toEqual([400, 'invalid_idempotency_key']);
    }
    expect(await subscribersNamed(name)).toBe(0);
  });

  it('does not replay for anonymous callers: each enrollment start with the same key is its own', async () => {
    const { handle } = await newAccount(h);
    const key = crypto.randomUUID();
    const start = () => request(h.app).post('/v1/enrollments').set('idempotency-key', key).send({ accountHandle: handle, label: 'Phone', platform: 'android' });
    const [a, b] = [await start(), await start()];
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body.enrollmentId).not.toBe(a.body.enrollmentId);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
  });
});
