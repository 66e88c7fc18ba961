/**
 * The service while its PostgreSQL is away — a cluster of this test's own, stopped and started
 * again: every request answers 503 database_unavailable with Retry-After (never a 500), the
 * outage is two log lines, and a service started during the outage waits for the database.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import path from 'node:path';
import request from 'supertest';
import { parseConfig } from '../src/config.js';
import { createLogger } from '../src/http/logger.js';
import { startService, type RunningService } from '../src/http/server.js';
import { createAdminKey, createServiceKey } from '../src/trust/apiKeys.js';
import { REDIS_URL, tempDir, uniqueName } from './helpers/env.js';
import { removeQueues, waitFor } from './helpers/fanout.js';
import { startOwnPostgres, type OwnPostgres } from './helpers/ownPostgres.js';
import { TEST_ID_SECRET, seedAccount, seedDevice, seedOrg } from './helpers/seed.js';

const run = promisify(execFile);
const CLI = path.resolve('dist/cli/main.js');
const system = { type: 'system' as const, id: 'test' };

/** A logger whose JSON lines the test reads. */
function capturedLogger(): { logger: ReturnType<typeof createLogger>; lines: () => Array<Record<string, unknown>> } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c) => chunks.push(String(c)));
  return {
    logger: createLogger('info', stream),
    lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('the service while PostgreSQL is away', () => {
  let pg: OwnPostgres;
  let service: RunningService;
  let log: ReturnType<typeof capturedLogger>;
  let decider: string;
  let operator: string;
  let accountId: string;
  let deviceId: string;
  const prefix = uniqueName('db-outage');
  const data = tempDir('enigm-db-outage-');

  beforeAll(async () => {
    pg = await startOwnPostgres();
    log = capturedLogger();
    const config = parseConfig({ PORT: '0', DATABASE_URL: pg.url, REDIS_URL, ID_SECRET: TEST_ID_SECRET, DATA_DIR: data.dir, FANOUT_PREFIX: prefix });
    service = await startService(config, { logger: log.logger });
    const { db } = service;
    const org = await seedOrg(db);
    accountId = await seedAccount(db, org);
    deviceId = await seedDevice(db, accountId, { sessionAgeSeconds: 10, unlockAgeSeconds: 10 });
    decider = (await createServiceKey(db, { name: 'messaging', scopes: ['decisions:read', 'fanout:read'] }, system)).token;
    operator = (await createAdminKey(db, { orgId: org, role: 'operator' }, system)).token;
  });
  afterAll(async () => {
    await service?.shutdown('test');
    await pg?.destroy();
    await removeQueues(prefix);
    data.remove();
  });

  const decide = () => request(service.url).post('/v1/decisions').set('authorization', `Bearer ${decider}`).send({ accountId, deviceId, action: 'message.receive' });
  const revoke = () => request(service.url).post(`/v1/devices/${deviceId}/revoke`).set('authorization', `Bearer ${operator}`).send({ reason: 'lost' });
  const fanoutView = () => request(service.url).get(`/v1/devices/${deviceId}/fanout`).set('authorization', `Bearer ${decider}`);

  it('answers 503 database_unavailable with Retry-After, logs the outage once when it starts and once when it ends, then serves again', async () => {
    expect((await decide()).body.allow).toBe(true);
    await pg.stop();
    const answers = [];
    for (let i = 0; i < 10; i++) answers.push(await decide(), await revoke(), await fanoutView());
    for (const res of answers) {
      expect([res.status, res.body.code, res.headers['retry-after'], res.headers['content-type']])
        .toEqual([503, 'database_unavailable', '5', expect.stringMatching(/^application\/problem\+json/)]);
    }
    for (let i = 0; i < 3; i++) {
      const ready = await request(service.url).get('/readyz');
      expect([ready.status, ready.body.code, ready.body.checks.redis]).toEqual([503, 'not_ready', 'ok']);
    }
    // Still scraped while the database is away: what cannot be known is NaN, not 0.
    const metrics = await request(service.url).get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/^enigm_trust_fanout_outbox_unrelayed NaN$/im);

    await pg.start();
    await waitFor(async () => (await decide()).status === 200 || undefined, 15_000, 'decisions after the database returned');
    const revoked = await revoke();
    expect([revoked.status, revoked.body.state]).toEqual([200, 'revoked']);
    expect((await decide()).body.allow).toBe(false);

    const lines = log.lines();
    expect(lines.filter((l) => String(l.msg).startsWith('database unavailable'))).toHaveLength(1);
    expect(lines.filter((l) => l.msg === 'database available again')).toEqual([expect.objectContaining({ downMs: expect.any(Number) })]);
    // Readiness changed twice, logged once each (a warning, then information).
    expect((await request(service.url).get('/readyz')).body.status).toBe('ready');
    const readiness = log.lines().filter((l) => /^(not ready|ready again)/.test(String(l.msg)));
    expect(readiness.map((l) => [l.level, l.msg])).toEqual([[40, 'not ready: the database does not answer'], [30, 'ready again']]);
    // No request logged an error, and no line carries a stack.
    expect(lines.filter((l) => Number(l.level) >= 50)).toEqual([]);
    expect(lines.filter((l) => JSON.stringify(l).includes('\\n    at '))).toEqual([]);
    expect(lines.filter((l) => l.msg === 'request' && l.status === 503).length).toBeGreaterThanOrEqual(answers.length);
  });
});

describe('a process started while PostgreSQL is away', () => {
  let pg: OwnPostgres;
  const children: ChildProcess[] = [];
  const data = tempDir('enigm-db-start-');
  const prefix = uniqueName('db-start');

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error('dist/ is missing: run `npm run build` (make test does) before these tests');
    pg = await startOwnPostgres();
    await pg.stop();
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await pg?.destroy();
    await removeQueues(prefix);
    data.remove();
  });

  const env = () => ({ ...process.env, DATABASE_URL: pg.url, REDIS_URL, ID_SECRET: TEST_ID_SECRET, DATA_DIR: data.dir, FANOUT_PREFIX: prefix, PORT: '0', LOG_LEVEL: 'info' });

  it('a one-shot command says in one line that the database is unavailable', async () => {
    const err = await run('node', [CLI, 'migrate'], { env: env() }).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 1 });
    const stderr = (err as { stderr: string }).stderr.trim();
    expect(stderr.split('\n')).toEqual([expect.stringMatching(/^enigm-trust: the database is unavailable: connection refused/)]);
  });

  it('the service waits with one line, and serves once the database answers', async () => {
    const child = spawn('node', [CLI, 'serve'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout?.on('data', (c) => (out += c));
    child.stderr?.on('data', (c) => (out += c));
    await waitFor(() => out.includes('waiting for the database') || undefined, 15_000, 'the waiting line');
    // It keeps trying, quietly: still alive a few attempts later, with that one line and no stack.
    await new Promise((r) => setTimeout(r, 2500));
    expect(child.exitCode).toBeNull();
    const waiting = out.split('\n').filter((l) => l.includes('database'));
    expect(waiting).toEqual([expect.stringMatching(/"msg":"waiting for the database; trying again every second"/)]);
    expect(JSON.parse(waiting[0]).database).toMatch(/^the database is unavailable: connection refused/);
    expect(out).not.toMatch(/\n\s+at /);

    await pg.start();
    const serving = await waitFor(() => out.split('\n').find((l) => l.includes('"msg":"serving: ')), 20_000, 'the service to serve');
    const { url } = JSON.parse(serving) as { url: string };
    expect(out).toMatch(/"msg":"the database answers"/);
    expect((await request(url).get('/readyz')).status).toBe(200);
    child.kill('SIGTERM');
    expect(await new Promise((r) => child.once('exit', (c) => r(c)))).toBe(0);
  });
});
