import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseConfig, resolveIdSecret } from '../src/config.js';
import { createLogger } from '../src/http/logger.js';
import { startService } from '../src/http/server.js';
import { seedEnrollment } from './helpers/admin.js';
import { REDIS_URL, tempDir } from './helpers/env.js';
import { waitFor } from './helpers/fanout.js';
import { seedAccount, seedDevice, seedOrg } from './helpers/seed.js';

const run = promisify(execFile);
const CLI = path.resolve('dist/cli/main.js');

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

describe('the service process', () => {
  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error('dist/ is missing: run `npm run build` (make test does) before these tests');
  });

  it('finishes an in-flight request when shutting down, then refuses new connections', async () => {
    const tmp = tempDir();
    let release!: () => void;
    let arrived!: () => void;
    const requestArrived = new Promise<void>((r) => (arrived = r));
    const config = resolveIdSecret(parseConfig({ PORT: '0', DATA_DIR: tmp.dir, REDIS_URL }));
    const service = await startService(config, {
      logger: createLogger('silent'),
      mount: (app) => app.get('/slow', async (_req, res) => {
        arrived();
        await new Promise<void>((r) => (release = r));
        res.json({ finished: true });
      }),
    });
    const inFlight = get(`${service.url}/slow`);
    await requestArrived;
    const stopped = service.shutdown('test');
    await new Promise((r) => setTimeout(r, 100));
    await expect(get(`${service.url}/healthz`)).rejects.toThrow(/ECONNREFUSED/);
    release();
    await expect(inFlight).resolves.toEqual({ status: 200, body: '{"finished":true}' });
    await stopped;
    tmp.remove();
  });

  it('closes enrollments past their time in the background, and still shuts down cleanly', async () => {
    const tmp = tempDir();
    // The retirement's fan-out is not what this test is about (test/fanout covers it).
    const config = resolveIdSecret(parseConfig({ PORT: '0', DATA_DIR: tmp.dir, REDIS_URL, FANOUT_IN_PROCESS: 'false' }));
    const service = await startService(config, { logger: createLogger('silent'), enrollmentSweepMs: 30 });
    const { db } = service;
    const account = await seedAccount(db, await seedOrg(db));
    const due = await seedEnrollment(db, account, await seedDevice(db, account, { state: 'pending' }), { expiresInSeconds: -1 });
    const state = async () => (await db.query<{ state: string }>('SELECT state FROM enrollments WHERE id = $1', [due])).rows[0].state;
    await waitFor(async () => (await state()) === 'expired', 5000, 'the sweep');
    expect(await state()).toBe('expired');
    await service.shutdown('test');
    tmp.remove();
  });

  it('exits non-zero with one line naming a bad variable', async () => {
    const err = await run('node', [CLI, 'serve'], { env: { ...process.env, PORT: 'eighty' } }).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 1 });
    const stderr = (err as { stderr: string }).stderr.trim();
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^enigm-trust: invalid configuration: PORT: must be an integer/);
  });

  it('refuses to start when an applied migration changed, in one line', async () => {
    const tmp = tempDir();
    const env = { ...process.env, DATA_DIR: tmp.dir, DATABASE_URL: '' };
    await run('node', [CLI, 'migrate'], { env });
    // Tamper with the recorded checksum, as if the file had been edited after it was applied.
    const { openPglite } = await import('../src/store/pglite.js');
    const db = await openPglite(path.join(tmp.dir, 'db'));
    await db.query("UPDATE schema_migrations SET checksum = 'edited' WHERE name = (SELECT min(name) FROM schema_migrations)");
    await db.close();
    const err = await run('node', [CLI, 'serve'], { env: { ...env, PORT: '0' } }).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr.trim()).toMatch(/^enigm-trust: migration \d{4}_\w+\.sql was changed after it was applied/);
    tmp.remove();
  });

  it('serves healthz and readyz on the embedded database, and stops cleanly on SIGTERM', async () => {
    const tmp = tempDir();
    const child = spawn('node', [CLI, 'serve'], { env: { ...process.env, PORT: '0', DATA_DIR: tmp.dir, DATABASE_URL: '', REDIS_URL, LOG_LEVEL: 'info' } });
    children.push(child);
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const m = /"url":"(http:[^"]+)"/.exec(output);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
    });
    expect((await get(`${url}/healthz`)).status).toBe(200);
    expect((await get(`${url}/readyz`)).status).toBe(200);

    // A development start on PGlite prints a working service key, an owner and an operator key
    // of the `demo` organisation, once, and the commands the README's first steps go on with.
    const serviceKey = /service key \(every scope\): (esk_[A-Za-z0-9_-]+)/.exec(output)?.[1];
    expect(serviceKey).toBeDefined();
    const ownerKey = /admin key \(owner, org "demo"\): (eak_[A-Za-z0-9_-]+)/.exec(output)?.[1];
    expect(ownerKey).toBeDefined();
    expect(output).toMatch(/admin key \(operator, org "demo"\): eak_[A-Za-z0-9_-]+/);
    expect(output).toContain('README\'s "First steps"');
    expect(output).toContain(`export ENIGM=${url} SERVICE=${serviceKey} OWNER=${ownerKey}`);
    const asked = await fetch(`${url}/v1/decisions`, { method: 'POST', headers: { authorization: `Bearer ${serviceKey}`, 'content-type': 'application/json' }, body: '{}' });
    expect(asked.status).toBe(400); // authenticated, then refused for the empty body
    const demo = await fetch(`${url}/v1/admin/organisation`, { headers: { authorization: `Bearer ${ownerKey}` } });
    expect(await demo.json()).toMatchObject({ id: 'demo', settings: { managed: false } });
    const issued = await fetch(`${url}/v1/admin/keys`, { method: 'POST', headers: { authorization: `Bearer ${ownerKey}`, 'content-type': 'application/json' }, body: '{"role":"approver"}' });
    expect(issued.status).toBe(201);
    const solo = await fetch(`${url}/v1/accounts`, { method: 'POST', headers: { authorization: `Bearer ${serviceKey}`, 'content-type': 'application/json' }, body: '{"handle":"solo"}' });
    expect(await solo.json()).toMatchObject({ handle: 'solo', orgId: null });

    // While it holds the embedded database, the CLI says so in one line.
    const err = await run('node', [CLI, 'migrate'], { env: { ...process.env, DATA_DIR: tmp.dir, DATABASE_URL: '' } }).catch((e: { code: number; stderr: string }) => e);
    expect((err as { stderr: string }).stderr.trim()).toMatch(/^enigm-trust: the embedded database in .* is in use by process \d+/);

    const exited = new Promise<number | null>((r) => child.once('exit', r));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(path.join(tmp.dir, 'db', '.lock'))).toBe(false);
    writeFileSync(path.join(tmp.dir, 'probe'), '');
    tmp.remove();
  });

  it('stops start-up when a policy does not compile, naming file, line and column', async () => {
    const tmp = tempDir();
    const policyDir = path.join(tmp.dir, 'policies');
    cpSync(path.resolve('policies'), policyDir, { recursive: true });
    const decision = path.join(policyDir, 'enigm/trust/decision.rego');
    writeFileSync(decision, readFileSync(decision, 'utf8').replace(/\ndefault allow := false\n/, '\ndefault allow := \n'));
    const err = await run('node', [CLI, 'serve'], { env: { ...process.env, PORT: '0', DATA_DIR: tmp.dir, DATABASE_URL: '', POLICY_DIR: policyDir } })
      .catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr).toMatch(/^enigm-trust: the policies do not compile: enigm\/trust\/decision\.rego:\d+:\d+: rego_parse_error/);
    tmp.remove();
  });

  it('reloads the policies on SIGHUP, keeping the old revision when the new one is broken', async () => {
    const tmp = tempDir();
    const policyDir = path.join(tmp.dir, 'policies');
    cpSync(path.resolve('policies'), policyDir, { recursive: true });
    const child = spawn('node', [CLI, 'serve'], { env: { ...process.env, PORT: '0', DATA_DIR: tmp.dir, DATABASE_URL: '', REDIS_URL, POLICY_DIR: policyDir } });
    children.push(child);
    const lines: Array<Record<string, unknown>> = [];
    const waitFor = (msg: string) => new Promise<Record<string, unknown>>((resolve, reject) => {
      const found = () => lines.find((l) => l.msg === msg);
      const timer = setInterval(() => {
        const f = found();
        if (f) { clearInterval(timer); resolve(f); }
      }, 20);
      child.once('exit', (code) => { clearInterval(timer); reject(new Error(`exited ${code}`)); });
    });
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
      }
    });
    const loaded = await waitFor('policies loaded');
    await waitFor('ready: signal handlers installed');
    const decision = path.join(policyDir, 'enigm/trust/decision.rego');
    const original = readFileSync(decision, 'utf8');
    writeFileSync(decision, original + '\nbroken if {\n');
    child.kill('SIGHUP');
    const failed = await waitFor('policy reload failed; still serving the previous revision');
    expect(failed.revision).toBe(loaded.revision);
    writeFileSync(decision, original + '\n# a comment changes the revision\n');
    child.kill('SIGHUP');
    const reloaded = await waitFor('policies reloaded');
    expect(reloaded).toMatchObject({ changed: true });
    expect(reloaded.revision).not.toBe(loaded.revision);
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    tmp.remove();
  });

  it('never prints development keys on a production start', async () => {
    const tmp = tempDir();
    const env = { ...process.env, PORT: '0', DATA_DIR: tmp.dir, DATABASE_URL: '', REDIS_URL, NODE_ENV: 'production', ID_SECRET: 's'.repeat(40) };
    const child = spawn('node', [CLI, 'serve'], { env });
    children.push(child);
    let output = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('"serving"')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(output).not.toMatch(/esk_|eak_|Development keys/);
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    tmp.remove();
  });
});
