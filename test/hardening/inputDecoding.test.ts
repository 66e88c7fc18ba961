/**
 * Client input that used to reach a 500: it is now a 4xx problem+json, answered before any
 * route, changing nothing — and, from an authenticated principal, audited.
 */
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { adminToken, enrollmentHarness, newAccount, post, stateSnapshot, trustedFirstDevice, type Harness } from '../helpers/enrollmentHarness.js';

describe('input decoding', () => {
  let h: Harness;
  let operator: string;
  beforeAll(async () => {
    h = await enrollmentHarness();
    operator = await adminToken(h, 'operator');
  });
  afterAll(async () => { await h.close(); });

  const refusedAudits = async () => (await h.db.query<{ type: string; details: Record<string, unknown> }>(`SELECT type, details FROM audit_events WHERE outcome = 'refused' ORDER BY seq`)).rows;
  const expectProblem = (res: request.Response, status: number, code: string) => {
    expect([res.status, res.body.code]).toEqual([status, code]);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  };

  it('refuses a path segment whose percent-encoding is not UTF-8, and audits it for the key that sent it', async () => {
    const before = await stateSnapshot(h);
    const seen = (await refusedAudits()).length;
    for (const path of ['/v1/devices/%E0%A4%A/revoke', '/v1/devices/%FF%FE/revoke', '/v1/devices/dev_%00x/revoke']) {
      const res = await post(h, path, { reason: 'lost' }, operator);
      expectProblem(res, 400, 'malformed_path');
    }
    expectProblem(await request(h.app).get('/v1/admin/devices?state=%E0%A4%A').set('authorization', `Bearer ${operator}`), 400, 'malformed_query');
    expect(await stateSnapshot(h)).toBe(before);
    const audits = (await refusedAudits()).slice(seen);
    expect(audits.map((a) => [a.type, a.details.refusal])).toEqual([
      ['request.refused', 'malformed_path'], ['request.refused', 'malformed_path'], ['request.refused', 'malformed_path'], ['request.refused', 'malformed_query'],
    ]);
  });

  it('refuses a body that does not decode as its Content-Encoding says, or an encoding it does not know', async () => {
    const body = JSON.stringify({ accountHandle: 'someone', label: 'Phone', platform: 'android' });
    const lying = await request(h.app).post('/v1/enrollments').set('content-type', 'application/json').set('content-encoding', 'gzip').send(body);
    expectProblem(lying, 400, 'malformed_request');
    const unknown = await request(h.app).post('/v1/enrollments').set('content-type', 'application/json').set('content-encoding', 'zstd').send(body);
    expectProblem(unknown, 415, 'unsupported_encoding');
    const honest = await request(h.app).post('/v1/enrollments').set('content-type', 'application/json').set('content-encoding', 'gzip').serialize((b: unknown) => b as string).send(gzipSync(body));
    expect([honest.status, honest.body.detail]).toEqual([201, undefined]);
  });

  it('refuses NUL and unpaired surrogates in free text alike for known and unknown handles', async () => {
    const { handle } = await newAccount(h);
    const before = await stateSnapshot(h);
    for (const label of ['Ph\u0000one', 'Phone \\ud800', 'Phone \\udc00 x']) {
      const raw = (accountHandle: string) => `{"accountHandle":"${accountHandle}","label":"${label.replace('\u0000', '\\u0000')}","platform":"android"}`;
      const known = await request(h.app).post('/v1/enrollments').set('content-type', 'application/json').send(raw(handle));
      const unknown = await request(h.app).post('/v1/enrollments').set('content-type', 'application/json').send(raw('nobody-at-all'));
      expectProblem(known, 400, 'invalid_request');
      expect({ ...unknown.body, instance: undefined }).toEqual({ ...known.body, instance: undefined });
    }
    expect(await stateSnapshot(h)).toBe(before);
  });

  it('refuses NUL in a reason, a label and a URL from authenticated callers, and audits each', async () => {
    const device = await trustedFirstDevice(h);
    const seen = (await refusedAudits()).length;
    expectProblem(await post(h, `/v1/devices/${device.deviceId}/restrict`, { reason: 'lost\u0000' }, operator), 400, 'invalid_request');
    expectProblem(await post(h, `/v1/devices/${device.deviceId}/revoke`, { reason: 'x\u0000' }, device.token), 400, 'invalid_request');
    expectProblem(await post(h, `/v1/devices/${device.deviceId}/replace`, { label: 'New\u0000', platform: 'android' }, device.token), 400, 'invalid_request');
    expectProblem(await post(h, '/v1/accounts', { handle: 'a\u0000b', org: h.org }, h.serviceToken), 400, 'invalid_request');
    expect((await h.db.query('SELECT state FROM devices WHERE id = $1', [device.deviceId])).rows[0].state).toBe('trusted');
    expect((await refusedAudits()).slice(seen).map((a) => a.details.refusal)).toEqual(['invalid_request', 'invalid_request', 'invalid_request', 'invalid_request']);
  });

  it('bounds the depth of a body before anything walks it, under an Idempotency-Key too', async () => {
    const deep = `{"reason":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    const res = await request(h.app).post('/v1/devices/dev_nothing/restrict').set('authorization', `Bearer ${operator}`).set('idempotency-key', 'deep-1')
      .set('content-type', 'application/json').send(deep);
    expectProblem(res, 400, 'invalid_request');
    expect(res.body.detail).toMatch(/nested deeper than 32/);
    expect((await h.db.query('SELECT 1 FROM idempotency_keys')).rowCount).toBe(0);
  });

  it('refuses a number beyond a double (JSON.parse reads it as Infinity) under an Idempotency-Key', async () => {
    const res = await request(h.app).post('/v1/devices/dev_nothing/restrict').set('authorization', `Bearer ${operator}`).set('idempotency-key', 'huge-1')
      .set('content-type', 'application/json').send('{"reason":1e400}');
    expectProblem(res, 400, 'invalid_request');
    expect(res.body.detail).toMatch(/beyond what a double can hold/);
  });

  it('answers a 404 for ids of the wrong shape on every route that takes one', async () => {
    const owner = await adminToken(h, 'owner');
    expectProblem(await request(h.app).delete('/v1/admin/keys/%E2%80%AEkey').set('authorization', `Bearer ${owner}`), 404, 'key_not_found');
  });
});
