import express from 'express';
import net from 'node:net';
import type { Redis } from 'ioredis';
import request from 'supertest';
import { createApp } from '../src/http/app.js';
import { createLogger } from '../src/http/logger.js';
import { createMetrics } from '../src/http/metrics.js';
import { openRedis, whenRedisReady } from '../src/queue/redis.js';
import type { Database } from '../src/store/database.js';
import { openPglite } from '../src/store/pglite.js';
import { openPostgres } from '../src/store/postgres.js';
import { DatabaseUnavailableError } from '../src/store/databaseUnavailable.js';
import { HttpError } from '../src/http/problem.js';
import { PROBE_DEADLINE_MS } from '../src/http/routes/health.js';
import { DEAD_REDIS_URL, REDIS_URL } from './helpers/env.js';

const silent = createLogger('silent');

describe('the HTTP foundation', () => {
  let db: Database;
  let redis: Redis;
  let deadRedis: Redis;

  beforeAll(async () => {
    db = await openPglite(undefined);
    redis = openRedis(REDIS_URL);
    deadRedis = openRedis(DEAD_REDIS_URL);
    await whenRedisReady(redis, 5000);
  });
  afterAll(async () => {
    await redis.quit();
    deadRedis.disconnect();
    await db.close();
  });

  function app(r: Redis = redis, database: Database = db) {
    return createApp({
      db: database, redis: r, logger: silent, metrics: createMetrics(), bodyLimit: 1024,
      mount: (a) => {
        a.post('/echo', express.Router().post('/', (req, res) => { res.json(req.body); }));
      },
    });
  }

  it('answers /healthz while the process is alive', async () => {
    const res = await request(app()).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('reports ready when the database and Redis answer', async () => {
    const res = await request(app()).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', checks: { database: 'ok', redis: 'ok' } });
  });

  it('stays ready while Redis is unreachable (decisions need only the database), reporting Redis as degraded', async () => {
    const res = await request(app(deadRedis)).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'degraded', degraded: ['redis'], checks: { database: 'ok', redis: expect.stringMatching(/^not connected/) }, detail: expect.stringMatching(/^Redis does not answer: decisions and revocations work/) });
  });

  it('answers 503 not_ready when the database refuses connections', async () => {
    const refusing = openPostgres({ connectionString: 'postgres://postgres@127.0.0.1:1/test' });
    const res = await request(app(redis, refusing)).get('/readyz');
    await refusing.close();
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 503, code: 'not_ready', checks: { database: 'the database is unavailable: connection refused', redis: 'ok' } });
  });

  describe('while a dependency hangs (accepts connections and never answers)', () => {
    let hole: net.Server;
    let port: number;
    const held = new Set<net.Socket>();
    beforeAll(async () => {
      hole = net.createServer((socket) => {
        held.add(socket);
        socket.on('error', () => undefined);
      });
      await new Promise<void>((resolve) => hole.listen(0, '127.0.0.1', resolve));
      port = (hole.address() as net.AddressInfo).port;
    });
    afterAll(async () => {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => hole.close(resolve));
    });

    // The probe's deadline (PROBE_DEADLINE_MS) answers, not the dependency's own timeout (2 s
    // for the database, none for Redis); the bound leaves a loaded machine room.
    const WELL_BEFORE_THE_DEPENDENCY_GIVES_UP_MS = 1000;

    it('answers at its probe deadline that the hanging database makes it not ready, on every probe', async () => {
      const hanging = openPostgres({ connectionString: `postgres://postgres@127.0.0.1:${port}/test`, connectTimeoutMs: 2000 });
      const a = app(redis, hanging);
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        const res = await request(a).get('/readyz');
        expect(performance.now() - started).toBeLessThan(WELL_BEFORE_THE_DEPENDENCY_GIVES_UP_MS);
        expect([res.status, res.body.checks]).toEqual([503, { database: `no answer within ${PROBE_DEADLINE_MS} ms`, redis: 'ok' }]);
      }
      await hanging.close().catch(() => undefined);
    });

    it('answers at its probe deadline that a hanging Redis degrades it', async () => {
      const hangingRedis = openRedis(`redis://127.0.0.1:${port}`);
      const started = performance.now();
      const res = await request(app(hangingRedis)).get('/readyz');
      expect(performance.now() - started).toBeLessThan(WELL_BEFORE_THE_DEPENDENCY_GIVES_UP_MS);
      expect([res.status, res.body.status, res.body.checks.database]).toEqual([200, 'degraded', 'ok']);
      hangingRedis.disconnect();
    });
  });

  it('serves Prometheus metrics, including request durations by route pattern', async () => {
    const a = app();
    await request(a).get('/healthz');
    const res = await request(a).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toContain('enigm_trust_http_request_duration_seconds_bucket');
    expect(res.text).toMatch(/route="\/healthz"/);
  });

  it('answers an unknown route with problem+json and a stable code', async () => {
    const res = await request(app()).get('/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 404, code: 'not_found', title: 'Not Found', type: expect.stringContaining('not-found') });
  });

  it('rejects malformed JSON with 400 malformed_json', async () => {
    const res = await request(app()).post('/echo').set('content-type', 'application/json').send('{"a":');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('malformed_json');
  });

  it('rejects a body over the limit with 413 body_too_large', async () => {
    const res = await request(app()).post('/echo').send({ blob: 'x'.repeat(2000) });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('body_too_large');
  });

  it('echoes a well-formed request id and replaces a malformed one', async () => {
    const given = await request(app()).get('/healthz').set('x-request-id', 'abc-123');
    expect(given.headers['x-request-id']).toBe('abc-123');
    const bad = await request(app()).get('/healthz').set('x-request-id', 'a b <script>');
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("binds every log line of a request to that request's id, and writes nothing when silent", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = { write: (line: string) => { lines.push(JSON.parse(line)); return true; } } as unknown as NodeJS.WritableStream;
    const logged = createApp({
      db, redis, logger: createLogger('info', sink), metrics: createMetrics(),
      mount: (a) => a.get('/work', (req, res) => { req.log.info({ step: 'inside' }, 'working'); res.json({ ok: true }); }),
    });
    await request(logged).get('/work').set('x-request-id', 'req-one');
    await request(logged).get('/work').set('x-request-id', 'req-two');
    expect(lines.map((l) => [l.msg, l.reqId])).toEqual([['working', 'req-one'], ['request', 'req-one'], ['working', 'req-two'], ['request', 'req-two']]);
    expect(lines[1]).toMatchObject({ method: 'GET', route: '/work', status: 200 });

    const quiet: string[] = [];
    const silentApp = createApp({
      db, redis, logger: createLogger('silent', { write: (l: string) => { quiet.push(l); return true; } } as unknown as NodeJS.WritableStream), metrics: createMetrics(),
      mount: (a) => a.get('/work', (req, res) => { req.log.error('never written'); res.json({ ok: true }); }),
    });
    expect((await request(silentApp).get('/work')).status).toBe(200);
    expect(quiet).toEqual([]);
  });

  it('logs an expected 503 (a dependency away) at warn without a stack, and a fault at error', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = { write: (line: string) => { lines.push(JSON.parse(line)); return true; } } as unknown as NodeJS.WritableStream;
    const a = createApp({
      db, redis, logger: createLogger('warn', sink), metrics: createMetrics(),
      mount: (x) => {
        x.get('/away', () => { throw new HttpError(503, 'rate_limiter_unavailable', 'this route is unavailable while Redis is unreachable'); });
        x.get('/database', () => { throw new DatabaseUnavailableError('the database is unavailable: connection refused'); });
        x.get('/boom', () => { throw new Error('a fault'); });
      },
    });
    const away = await request(a).get('/away');
    const database = await request(a).get('/database');
    expect([away.status, database.status, database.body.code, database.headers['retry-after']]).toEqual([503, 503, 'database_unavailable', '5']);
    expect((await request(a).get('/boom')).status).toBe(500);
    // The database outage is logged by the store, once; the request adds nothing of its own.
    expect(lines.map((l) => [l.level, l.msg, l.code])).toEqual([[40, 'request refused: dependency unavailable', 'rate_limiter_unavailable'], [50, 'unexpected error', undefined]]);
    expect(JSON.stringify(lines[0])).not.toContain('stack');
  });

  it('answers an unexpected error with 500 internal_error and no internals', async () => {
    const a = createApp({
      db, redis, logger: silent, metrics: createMetrics(),
      mount: (x) => x.get('/boom', () => { throw new Error('secret internal detail'); }),
    });
    const res = await request(a).get('/boom');
    expect(res.status).toBe(500);
    expect(res.body.code).toBe('internal_error');
    expect(JSON.stringify(res.body)).not.toContain('secret internal detail');
  });
});
