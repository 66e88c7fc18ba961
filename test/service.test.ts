import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, copyFileSync, cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseConfig, resolveIdSecret } from '../src/config.js';
import { createLogger } from '../src/http/logger.js';
import { startService } from '../src/http/server.js';
import { seedEnrollment } from './helpers/admin.js';
import { REDIS_URL, tempDir } from './helpers/env.js';
import { waitFor } from './helpers/fanout.js';
import { buildProductBundle, keyPair } from './helpers/opaBundle.js';
import { seedAccount, seedDevice, seedOrg } from './helpers/seed.js';

const run = promisify(execFile);
const CLI = path.resolve('dist/cli/main.js');
// A service and a command on the embedded database, the first start provisioning its demo
// organisation: on a loaded machine that takes longer than one test's default 30 s.
const DEV_START_TIMEOUT_MS = 90_000;

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
    // And an invitation for the demo owner of the Command console, at the page's origin.
    const invitation = /The Command console, as the demo owner: open (http:\/\/localhost:\d+)\/command\/#invitation=(eai_[A-Za-z0-9_-]+) once/.exec(output);
    expect(invitation).not.toBeNull();
    const opened = await fetch(`${url}/v1/admin/invitations/options`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: invitation?.[2] }) });
    expect(opened.status).toBe(200);
    expect(await opened.json()).toMatchObject({ administrator: { name: 'Demo owner', role: 'owner' } });
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
  }, DEV_START_TIMEOUT_MS);

  it('stops start-up in one line when the policy bundle is missing, or unsigned while a key is configured', async () => {
    const tmp = tempDir();
    const env = { ...process.env, PORT: '0', DATA_DIR: tmp.dir, DATABASE_URL: '', REDIS_URL };
    const missing = path.join(tmp.dir, 'absent.tar.gz');
    const err = await run('node', [CLI, 'serve'], { env: { ...env, POLICY_BUNDLE: missing } }).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr.trim()).toBe(`enigm-trust: policy bundle ${missing}: no such file: build it with \`make policy-build\``);
    const signer = keyPair(tmp.dir, 'signer');
    const unsigned = buildProductBundle(tmp.dir, 'unsigned');
    const refused = await run('node', [CLI, 'serve'], { env: { ...env, POLICY_BUNDLE: unsigned, POLICY_BUNDLE_PUBLIC_KEY: signer.publicKey } })
      .catch((e: { code: number; stderr: string }) => e);
    expect(refused).toMatchObject({ code: 1 });
    const stderr = (refused as { stderr: string }).stderr.trim();
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^enigm-trust: policy bundle .*unsigned\.tar\.gz: the bundle is not signed/);
    tmp.remove();
  });

  it('refuses a production start without a bundle verification key, in one line', async () => {
    const err = await run('node', [CLI, 'serve'], { env: { ...process.env, PORT: '0', NODE_ENV: 'production', ID_SECRET: 's'.repeat(40) } })
      .catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr.trim()).toMatch(/^enigm-trust: invalid configuration: POLICY_BUNDLE_PUBLIC_KEY: is required when NODE_ENV=production/);
  });

  it('reloads the bundle on SIGHUP, keeping the old revision when the new file is bad', async () => {
    const tmp = tempDir();
    const signer = keyPair(tmp.dir, 'signer');
    const served = path.join(tmp.dir, 'served.tar.gz');
    copyFileSync(buildProductBundle(tmp.dir, 'first', { signingKey: signer.privateKey }), served);
    const child = spawn('node', [CLI, 'serve'], {
      env: { ...process.env, PORT: '0', DATA_DIR: tmp.dir, DATABASE_URL: '', REDIS_URL, POLICY_BUNDLE: served, POLICY_BUNDLE_PUBLIC_KEY: signer.publicKey },
    });
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
    const loaded = await waitFor('policy bundle loaded');
    expect(loaded).toMatchObject({ bundle: served, verified: true });
    expect(loaded.revision).toMatch(/^sha256:[0-9a-f]{64}$/);
    await waitFor('ready: signal handlers installed');

    writeFileSync(served, readFileSync(served).subarray(0, 100));
    child.kill('SIGHUP');
    const failed = await waitFor('policy reload failed; still serving the previous revision');
    expect(failed).toMatchObject({ revision: loaded.revision, error: 'the gzip stream ends early: the file is truncated' });

    const policies = path.join(tmp.dir, 'policies');
    cpSync(path.resolve('policies'), policies, { recursive: true });
    appendFileSync(path.join(policies, 'enigm/trust/decision.rego'), '\n# a comment changes the revision\n');
    copyFileSync(buildProductBundle(tmp.dir, 'second', { signingKey: signer.privateKey, policies }), served);
    child.kill('SIGHUP');
    const reloaded = await waitFor('policy bundle reloaded');
    expect(reloaded).toMatchObject({ changed: true });
    expect(reloaded.revision).not.toBe(loaded.revision);
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    tmp.remove();
  });

  it('never prints development keys on a production start', async () => {
    const tmp = tempDir();
    const signer = keyPair(tmp.dir, 'signer');
    const bundle = buildProductBundle(tmp.dir, 'production', { signingKey: signer.privateKey });
    const env = {
      ...process.env, PORT: '0', DATA_DIR: tmp.dir, DATABASE_URL: '', REDIS_URL, NODE_ENV: 'production', ID_SECRET: 's'.repeat(40),
      POLICY_BUNDLE: bundle, POLICY_BUNDLE_PUBLIC_KEY: signer.publicKey,
    };
    const child = spawn('node', [CLI, 'serve'], { env });
    children.push(child);
    let output = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('"msg":"serving: open the device page at http://localhost:')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(output).not.toMatch(/esk_|eak_|eai_|Development keys/);
    // The start-up line says where the page works, and why not at the listening address.
    expect(output).toMatch(/serving: open the device page at http:\/\/localhost:\d+ \(passkeys work only where the page's host is RP_ID \\"localhost\\", so not at http:\/\/127\.0\.0\.1:\d+\)/);
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    tmp.remove();
  });
});
