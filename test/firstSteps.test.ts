/**
 * The README's "First steps", end to end, on a fresh PostgreSQL schema: the real command line
 * (`dist/cli/main.js`) provisions an organisation, makes it managed and requires compliance,
 * issues its owner key and a platform service key; the real service (`serve`) then lets the
 * owner issue operator, approver and auditor keys, the platform create a managed and an
 * unmanaged account whose devices enroll and sign in over the HTTP API, and a decision change
 * when the owner changes a setting.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { POSTGRES_URL, postgresSchema, REDIS_URL, tempDir, uniqueName } from './helpers/env.js';
import { TEST_ID_SECRET } from './helpers/seed.js';
import { SoftAuthenticator } from './helpers/softAuthenticator.js';

const CLI = path.resolve('dist/cli/main.js');
const ORIGIN = 'http://localhost:8080';
// Seven processes start one after another (six commands and the service): on a loaded machine
// that takes longer than one test's default 30 s.
const STEPS_TIMEOUT_MS = 120_000;

describe('first steps on a fresh PostgreSQL database, through the real CLI and HTTP API', () => {
  let schema: Awaited<ReturnType<typeof postgresSchema>>;
  let data: ReturnType<typeof tempDir>;
  let env: NodeJS.ProcessEnv;
  let server: ChildProcess | undefined;
  let url: string;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error('dist/ is missing: run `npm run build` (make test does) before these tests');
    schema = await postgresSchema();
    data = tempDir();
    const databaseUrl = new URL(POSTGRES_URL);
    // The schema alone: were it dropped under a command still running, that command fails
    // instead of writing into the shared database's public schema.
    databaseUrl.searchParams.set('options', `-c search_path="${schema.schema}"`);
    env = {
      ...process.env, DATABASE_URL: databaseUrl.toString(), ID_SECRET: TEST_ID_SECRET, DATA_DIR: data.dir, REDIS_URL,
      RP_ID: 'localhost', RP_ORIGIN: ORIGIN, PORT: '0', LOG_LEVEL: 'info', FANOUT_IN_PROCESS: 'false', FANOUT_PREFIX: uniqueName('first'),
    };
  });
  afterAll(async () => {
    // Every command this test started has ended before its schema goes.
    for (const child of commands) if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all([...commands].map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server?.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    await schema.drop();
    data.remove();
  });

  const commands = new Set<ChildProcess>();

  /** `enigm-trust …` → its output lines; a non-zero exit fails with its error line. */
  const cli = (...args: string[]): Promise<string[]> => new Promise((resolve, reject) => {
    const child = execFile('node', [CLI, ...args], { env }, (err, stdout, stderr) => {
      if (err) reject(new Error(`enigm-trust ${args.join(' ')} failed (${err.code ?? err.signal}): ${stderr}`));
      else resolve(stdout.trimEnd().split('\n'));
    });
    commands.add(child);
  });

  const http = (method: 'GET' | 'POST' | 'PATCH', route: string, token: string | undefined, body?: object): request.Test => {
    const r = method === 'GET' ? request(url).get(route) : method === 'POST' ? request(url).post(route) : request(url).patch(route);
    if (token) r.set('authorization', `Bearer ${token}`);
    return body === undefined ? r : r.send(body);
  };

  function serve(): Promise<string> {
    server = spawn('node', [CLI, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    return new Promise((resolve, reject) => {
      let out = '';
      server?.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('ready: signal handlers installed')) resolve(/"url":"(http:[^"]+)"/.exec(out)?.[1] as string);
      });
      server?.stderr?.on('data', (c: Buffer) => (out += c.toString()));
      server?.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
    });
  }

  /** A device of `handle` enrolled with its bootstrap code, and signed in: its id and session token. */
  async function enrollAndSignIn(handle: string, bootstrapCode: string): Promise<{ deviceId: string; session: string }> {
    const auth = new SoftAuthenticator({ origin: ORIGIN });
    const started = await http('POST', '/v1/enrollments', undefined, { accountHandle: handle, label: 'Phone', platform: 'android' });
    expect(started.status).toBe(201);
    const registered = await http('POST', `/v1/enrollments/${started.body.enrollmentId}/credential`, undefined, { registrationResponse: auth.register(started.body.registrationOptions), bootstrapCode });
    expect(registered.body).toMatchObject({ state: 'trusted' });
    const options = await http('POST', '/v1/sessions/options', undefined, { accountHandle: handle });
    const session = await http('POST', '/v1/sessions', undefined, { authenticationResponse: auth.assert(options.body.authenticationOptions) });
    expect(session.status).toBe(201);
    return { deviceId: registered.body.deviceId, session: session.body.sessionToken };
  }

  it('goes from an empty database to a decision that follows the organisation\'s settings', async () => {
    // The command line, before the service runs.
    expect((await cli('migrate'))[0]).toMatch(/^applied: 0001_organisations\.sql, /);
    expect((await cli('orgs', 'create', 'acme', '--name', 'Acme Corp', '--managed'))[0]).toBe('created organisation acme');
    expect((await cli('orgs', 'set', 'acme', 'require_managed_compliance=true')).join('\n')).toMatch(/require_managed_compliance\s+true/);
    const ownerKey = await cli('keys', 'create', '--kind', 'admin', '--org', 'acme', '--role', 'owner', '--name', 'Acme owner');
    expect(ownerKey[0]).toMatch(/^created admin key key_\S+ for organisation acme, role owner$/);
    const owner = ownerKey[1];
    const service = (await cli('keys', 'create', '--kind', 'service', '--name', 'platform', '--scopes', 'accounts:write,decisions:read,signals:write,orgs:write'))[1];
    expect([owner, service]).toEqual([expect.stringMatching(/^eak_/), expect.stringMatching(/^esk_/)]);

    // The organisation's first owner of the Command console: an invitation link, printed once.
    const invited = await cli('admins', 'invite', '--org', 'acme', '--name', 'Olive Owner');
    expect(invited[0]).toMatch(/^invited adm_\S+ "Olive Owner" as owner of acme; the invitation works once, until /);
    expect(invited[1]).toMatch(new RegExp(`^${ORIGIN}/command/#invitation=eai_[A-Za-z0-9_-]{43}$`));
    const invitation = invited[1].split('#invitation=')[1];

    url = await serve();

    // The invitation opens in the console (the page asks this route), for the owner of acme.
    const opened = await http('POST', '/v1/admin/invitations/options', undefined, { code: invitation });
    expect([opened.status, opened.body.administrator]).toEqual([200, { name: 'Olive Owner', role: 'owner', orgName: 'Acme Corp' }]);

    // The owner issues the organisation's other admin keys; each works in its own role.
    const tokens: Record<string, string> = {};
    for (const role of ['operator', 'approver', 'auditor']) {
      const res = await http('POST', '/v1/admin/keys', owner, { role, name: `acme ${role}` });
      expect([role, res.status, res.body.role]).toEqual([role, 201, role]);
      tokens[role] = res.body.token;
    }
    const keys = await http('GET', '/v1/admin/keys', owner);
    expect(keys.body.items.map((k: { role: string }) => k.role)).toEqual(['owner', 'operator', 'approver', 'auditor']);
    expect((await http('GET', '/v1/admin/devices', tokens.operator)).status).toBe(200);
    expect((await http('GET', '/v1/admin/devices', tokens.auditor)).status).toBe(403);
    const audit = await http('GET', '/v1/admin/audit', tokens.auditor);
    expect(audit.body.items.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['org.created', 'org.updated', 'key.created']));

    // The platform creates a managed and an unmanaged account; a device of each enrolls and signs in.
    const alice = await http('POST', '/v1/accounts', service, { handle: 'alice', org: 'acme' });
    const bob = await http('POST', '/v1/accounts', service, { handle: 'bob' });
    expect([alice.status, alice.body.orgId, bob.status, bob.body.orgId]).toEqual([201, 'acme', 201, null]);
    const alicePhone = await enrollAndSignIn('alice', alice.body.bootstrapCode);
    const bobPhone = await enrollAndSignIn('bob', bob.body.bootstrapCode);

    const ask = async (accountId: string, deviceId: string) => (await http('POST', '/v1/decisions', service, { accountId, deviceId, action: 'keys.access' })).body;
    expect(await ask(alice.body.accountId, alicePhone.deviceId)).toMatchObject({ allow: false, reasons: ['managed_compliance_required', 'managed_statement_missing'] });
    expect(await ask(bob.body.accountId, bobPhone.deviceId)).toMatchObject({ allow: true, reasons: ['device_trusted'] });

    // The owner changes a setting: the very next decision follows it, and the CLI shows it.
    const off = await http('PATCH', '/v1/admin/organisation', owner, { require_managed_compliance: false });
    expect([off.status, off.body.settings.require_managed_compliance]).toEqual([200, false]);
    expect(await ask(alice.body.accountId, alicePhone.deviceId)).toMatchObject({ allow: true, reasons: ['device_trusted'] });
    expect((await cli('orgs', 'show', 'acme')).join('\n')).toMatch(/require_managed_compliance\s+false/);
    const on = await http('PATCH', '/v1/admin/organisation', owner, { require_managed_compliance: true });
    expect(on.status).toBe(200);
    expect(await ask(alice.body.accountId, alicePhone.deviceId)).toMatchObject({ allow: false, reasons: ['managed_compliance_required', 'managed_statement_missing'] });
    expect(await ask(bob.body.accountId, bobPhone.deviceId)).toMatchObject({ allow: true });

    // Nobody in acme sees or steers the unmanaged account.
    expect((await http('GET', `/v1/admin/accounts/${bob.body.accountId}`, tokens.operator)).status).toBe(404);
    expect((await http('GET', `/v1/admin/accounts/${alice.body.accountId}`, tokens.operator)).status).toBe(200);
  }, STEPS_TIMEOUT_MS);
});
