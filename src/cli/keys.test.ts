import type { Database } from '../store/database.js';
import { listAudit } from '../store/audit.js';
import { migrate } from '../store/migrate.js';
import { openPglite } from '../store/pglite.js';
import { authenticateKey } from '../trust/apiKeys.js';
import { keysCommand } from './keys.js';

// One in-memory database for the file, emptied before each test.
let db: Database;
beforeAll(async () => {
  db = await openPglite(undefined);
  await migrate(db);
});
beforeEach(async () => {
  await db.exec('TRUNCATE api_keys, audit_events, organisations CASCADE');
  await db.query("INSERT INTO organisations (id, name) VALUES ('org_acme', 'Acme'), ('org_other', 'Other')");
});
afterAll(async () => {
  await db.close();
});

async function run(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await keysCommand(argv, { db, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

async function written(): Promise<number> {
  const keys = await db.query('SELECT 1 FROM api_keys');
  const audit = await db.query(`SELECT 1 FROM audit_events WHERE outcome = 'success'`);
  return keys.rowCount + audit.rowCount;
}

/** Refusals the domain audited (bad usage never reaches it). */
async function refusalsAudited(): Promise<number> {
  return (await db.query(`SELECT 1 FROM audit_events WHERE outcome = 'refused'`)).rowCount;
}

describe('enigm-trust keys', () => {
  it('creates a service key and prints its token once, on its own line, saying it will not be shown again', async () => {
    const r = await run('create', '--kind', 'service', '--name', 'messaging', '--scopes', 'decisions:read,signals:write');
    expect(r).toMatchObject({ code: 0, err: [] });
    expect(r.out).toHaveLength(3);
    expect(r.out[0]).toMatch(/^created service key key_\S+ "messaging"$/);
    const token = r.out[1];
    expect(token).toMatch(/^esk_[A-Za-z0-9_-]{43}$/);
    expect(r.out[2]).toMatch(/will not be shown again/);
    expect(await authenticateKey(db, token)).toMatchObject({ kind: 'service', name: 'messaging', scopes: ['decisions:read', 'signals:write'] });
    // The listing never shows it again.
    const listed = await run('list');
    expect(listed.out.join('\n')).not.toContain(token.slice(4));
  });

  it('creates an admin key for an organisation and role, named by default, with --flag=value too', async () => {
    const r = await run('create', '--kind=admin', '--org=org_acme', '--role', 'approver');
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^created admin key key_\S+ for organisation org_acme, role approver$/);
    expect(await authenticateKey(db, r.out[1])).toMatchObject({ kind: 'admin', name: 'org_acme approver', orgId: 'org_acme', role: 'approver' });
  });

  it('records the CLI as the actor of what it does', async () => {
    const r = await run('create', '--kind', 'service', '--name', 'sync', '--scopes', 'fanout:ack');
    const [record] = await listAudit(db, { type: 'key.created', limit: 1 });
    expect(record.actor).toEqual({ type: 'system', id: 'enigm-trust-cli' });
    expect(record.details.keyId).toBe(r.out[0].split(' ')[3]);
  });

  it('lists keys with what they grant and whether they are revoked, optionally one organisation’s', async () => {
    await run('create', '--kind', 'service', '--name', 'calls', '--scopes', 'decisions:read,fanout:ack');
    const admin = await run('create', '--kind', 'admin', '--org', 'org_acme', '--role', 'viewer', '--name', 'dashboard');
    await run('create', '--kind', 'admin', '--org', 'org_other', '--role', 'operator');
    const adminId = admin.out[0].split(' ')[3];
    await run('revoke', adminId);
    const all = await run('list');
    expect(all.code).toBe(0);
    expect(all.out[0]).toMatch(/^ID\s+KIND\s+NAME\s+GRANTS\s+CREATED\s+STATUS$/);
    expect(all.out).toHaveLength(4);
    expect(all.out.find((l) => l.includes('calls'))).toMatch(/service\s+calls\s+decisions:read,fanout:ack\s+\S+Z\s+active$/);
    expect(all.out.find((l) => l.startsWith(adminId))).toMatch(/admin\s+dashboard\s+viewer@org_acme\s+\S+Z\s+revoked \S+Z$/);
    const acme = await run('list', '--org', 'org_acme');
    expect(acme.out).toHaveLength(2);
    expect(acme.out[1].startsWith(adminId)).toBe(true);
    expect((await run('list', '--org', 'org_none')).out).toEqual(['no keys for organisation org_none']);
  });

  it('revokes a key, which then authenticates nothing; revoking it again says so', async () => {
    const created = await run('create', '--kind', 'service', '--name', 'old', '--scopes', 'fanout:read');
    const id = created.out[0].split(' ')[3];
    const r = await run('revoke', id);
    expect(r).toEqual({ code: 0, out: [`revoked key ${id}; it authenticates nothing from now on`], err: [] });
    expect(await authenticateKey(db, created.out[1])).toBeNull();
    const again = await run('revoke', id);
    expect(again.code).toBe(0);
    expect(again.out[0]).toMatch(new RegExp(`^key ${id} was already revoked at \\S+Z$`));
  });

  it('prints its usage on help', async () => {
    const r = await run('help');
    expect(r.code).toBe(0);
    expect(r.out.join('\n')).toContain('keys create --kind service --name NAME --scopes');
    expect(r.out.join('\n')).toContain('decisions:read, accounts:write, subscribers:write, signals:write, fanout:ack, fanout:read');
  });

  it.each([
    [[], /a subcommand is required/],
    [['rotate'], /unknown subcommand "rotate"/],
    [['create', '--name', 'x', '--scopes', 'fanout:ack'], /--kind is required/],
    [['create', '--kind', 'robot', '--name', 'x'], /--kind must be service or admin, got "robot"/],
    [['create', '--kind', 'service', '--scopes', 'fanout:ack'], /--name is required for a service key/],
    [['create', '--kind', 'service', '--name', 'x'], /--scopes is required/],
    [['create', '--kind', 'service', '--name', 'x', '--scopes', 'fanout:ack,keys:steal'], /unknown scope "keys:steal"/],
    [['create', '--kind', 'service', '--name', 'x', '--scopes', 'fanout:ack', '--role', 'viewer'], /--role is for admin keys/],
    [['create', '--kind', 'service', '--name', '--scopes', 'fanout:ack'], /--name needs a value/],
    [['create', '--kind', 'service', '--name', 'x', '--name', 'y', '--scopes', 'fanout:ack'], /--name is given twice/],
    [['create', '--kind', 'service', '--name', 'x', '--scopes', 'fanout:ack', '--force'], /unknown option --force/],
    [['create', '--kind', 'service', '--name', 'x', '--scopes', 'fanout:ack', 'extra'], /unexpected argument "extra"/],
    [['create', '--kind', 'admin', '--org', 'org_nope', '--role', 'viewer'], /no organisation has the id "org_nope"/],
    [['create', '--kind', 'admin', '--org', 'org_acme', '--role', 'root'], /unknown role "root"/],
    [['create', '--kind', 'admin', '--org', 'org_acme'], /--role is required for an admin key/],
    [['create', '--kind', 'admin', '--role', 'viewer'], /--org is required for an admin key/],
    [['create', '--kind', 'admin', '--org', 'org_acme', '--role', 'viewer', '--scopes', 'fanout:ack'], /--scopes is for service keys/],
    [['create', '--kind', 'service', '--name', 'two\nlines', '--scopes', 'fanout:ack'], /key name/],
    [['list', 'everything'], /unexpected argument "everything"/],
    [['revoke'], /exactly one key id/],
    [['revoke', 'key_a', 'key_b'], /exactly one key id/],
    [['revoke', 'key_nope'], /no API key has the id key_nope/],
  ])('refuses %j with one line and exit code 2, writing nothing but the audit record of a refused request', async (argv, message) => {
    const r = await run(...(argv as string[]));
    expect(r.code).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(/^enigm-trust keys: /);
    expect(r.err[0]).toMatch(message);
    expect(r.err[0]).not.toContain('\n');
    expect(await written()).toBe(0);
    // Arguments the key domain judged (a scope, an organisation, a role, a name, a key id) leave a refusal on record.
    const judged = argv.includes('revoke') ? argv.length === 2 : /unknown scope|no organisation|unknown role|key name/.test(r.err[0]);
    expect(await refusalsAudited()).toBe(judged ? 1 : 0);
  });

  it('writes errors to out when no err is given', async () => {
    const out: string[] = [];
    expect(await keysCommand(['rotate'], { db, out: (l) => out.push(l) })).toBe(2);
    expect(out).toEqual(['enigm-trust keys: unknown subcommand "rotate": expected create, list or revoke']);
  });
});
