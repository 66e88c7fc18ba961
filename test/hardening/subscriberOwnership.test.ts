/**
 * Subscribers belong to the key that registered them: another key with subscribers:write
 * neither sees, nor removes, nor shadows them (no second subscriber under the same audience).
 */
import request from 'supertest';
import { createServiceKey } from '../../src/trust/apiKeys.js';
import { enrollmentHarness, type Harness } from '../helpers/enrollmentHarness.js';

const LIFECYCLE = 'urn:enigm:secevent:device-lifecycle';

describe('subscriber ownership', () => {
  let h: Harness;
  let messaging: { id: string; token: string };
  let intruder: { id: string; token: string };
  beforeAll(async () => {
    h = await enrollmentHarness();
    const system = { type: 'system' as const, id: 'test' };
    messaging = await createServiceKey(h.db, { name: 'messaging', scopes: ['subscribers:write'] }, system);
    intruder = await createServiceKey(h.db, { name: 'intruder', scopes: ['subscribers:write'] }, system);
  });
  afterAll(async () => { await h.close(); });

  const as = (token: string, r: request.Test) => r.set('authorization', `Bearer ${token}`);
  const register = (token: string, body: object) => as(token, request(h.app).post('/v1/subscribers')).send({ url: 'https://receiver.example.com/set', events: [LIFECYCLE], ...body });

  it('answers another key 404 on delete, audited, and the subscriber keeps receiving', async () => {
    const created = await register(messaging.token, { name: 'messaging', audience: 'https://messaging.enigm.dev' });
    expect(created.status).toBe(201);
    const res = await as(intruder.token, request(h.app).delete(`/v1/subscribers/${created.body.id}`));
    expect([res.status, res.body.code]).toEqual([404, 'subscriber_not_found']);
    expect((await h.db.query('SELECT deleted_at FROM subscribers WHERE id = $1', [created.body.id])).rows[0].deleted_at).toBeNull();
    const audit = (await h.db.query<{ actor: { id: string }; details: { refusal: string } }>(`SELECT actor, details FROM audit_events WHERE type = 'subscriber.deleted' AND outcome = 'refused' ORDER BY seq DESC LIMIT 1`)).rows[0];
    expect(audit).toMatchObject({ actor: { id: intruder.id }, details: { refusal: 'subscriber_not_found' } });
    expect((await as(messaging.token, request(h.app).delete(`/v1/subscribers/${created.body.id}`))).status).toBe(204);
  });

  it('lists to each key its own subscribers only', async () => {
    const mine = await register(messaging.token, { name: 'calls' });
    const theirs = await register(intruder.token, { name: 'intruder-sink' });
    const listed = (token: string) => as(token, request(h.app).get('/v1/subscribers')).then((r) => r.body.subscribers.map((s: { id: string }) => s.id));
    expect(await listed(messaging.token)).toEqual([mine.body.id]);
    expect(await listed(intruder.token)).toEqual([theirs.body.id]);
  });

  it('refuses a second subscriber under an audience another has, audited', async () => {
    const first = await register(messaging.token, { name: 'sync', audience: 'https://sync.enigm.dev' });
    expect(first.status).toBe(201);
    const before = (await h.db.query('SELECT 1 FROM subscribers')).rowCount;
    const shadow = await register(intruder.token, { name: 'sync-shadow', audience: 'https://sync.enigm.dev' });
    expect([shadow.status, shadow.body.code]).toEqual([409, 'subscriber_audience_taken']);
    expect((await h.db.query('SELECT 1 FROM subscribers')).rowCount).toBe(before);
    const audit = (await h.db.query<{ details: { refusal: string } }>(`SELECT details FROM audit_events WHERE type = 'subscriber.created' AND outcome = 'refused' ORDER BY seq DESC LIMIT 1`)).rows[0];
    expect(audit.details.refusal).toBe('subscriber_audience_taken');
    // The default audience names the subscriber's own id: it can never collide.
    expect((await register(intruder.token, { name: 'sync-own' })).status).toBe(201);
  });
});
