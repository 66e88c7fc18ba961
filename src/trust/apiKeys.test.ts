import { BACKENDS, postgresSchema, type OpenedDatabase } from '../../test/helpers/env.js';
import { listAudit, verifyAuditChain } from '../store/audit.js';
import type { Database } from '../store/database.js';
import { migrate } from '../store/migrate.js';
import { openPglite } from '../store/pglite.js';
import {
  authenticateKey, createAdminKey, createServiceKey, InvalidKeyRequestError, KeyNotFoundError, listKeys, rememberingKeyAuthenticator, revokeKey, SERVICE_SCOPES,
} from './apiKeys.js';
import { sha256Hex } from './ids.js';

const operator = { type: 'system', id: 'test-operator' } as const;

// Every column of every row of a table, as one text per row.
async function rowsAsText(db: Database, table: 'api_keys' | 'audit_events'): Promise<string> {
  const r = await db.query<{ t: string }>(`SELECT t::text AS t FROM ${table} t`);
  return r.rows.map((row) => row.t).join('\n');
}

async function counts(db: Database): Promise<{ keys: number; audit: number }> {
  const keys = await db.query('SELECT 1 FROM api_keys');
  const audit = await db.query('SELECT 1 FROM audit_events');
  return { keys: keys.rowCount, audit: audit.rowCount };
}

async function lastAudit(db: Database): Promise<{ type: string; outcome: string; details: Record<string, unknown> }> {
  return (await db.query<{ type: string; outcome: string; details: Record<string, unknown> }>('SELECT type, outcome, details FROM audit_events ORDER BY seq DESC LIMIT 1')).rows[0];
}

function changeOneCharacter(token: string): string {
  const i = token.length - 5;
  return token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
}

describe.each(BACKENDS)('API keys on %s', (_name, open) => {
  let opened: OpenedDatabase;
  let db: Database;
  beforeEach(async () => {
    opened = await open();
    db = opened.db;
    await db.query("INSERT INTO organisations (id, name) VALUES ('org_acme', 'Acme'), ('org_other', 'Other')");
  });
  afterEach(async () => {
    await opened.close();
  });

  it('creates a service key whose token authenticates it with its scopes', async () => {
    const created = await createServiceKey(db, { name: 'messaging', scopes: ['signals:write', 'decisions:read', 'decisions:read'] }, operator);
    expect(created.id).toMatch(/^key_[A-Za-z0-9_-]{27}$/);
    expect(created.token).toMatch(/^esk_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(created.token.slice(4), 'base64url')).toHaveLength(32);
    expect(await authenticateKey(db, created.token)).toEqual({
      id: created.id, kind: 'service', name: 'messaging', scopes: ['decisions:read', 'signals:write'], orgId: null, role: null,
    });
  });

  it('creates an admin key bound to its organisation and role', async () => {
    const created = await createAdminKey(db, { name: 'command', orgId: 'org_acme', role: 'approver' }, operator);
    expect(created.token).toMatch(/^eak_[A-Za-z0-9_-]{43}$/);
    expect(await authenticateKey(db, created.token)).toEqual({ id: created.id, kind: 'admin', name: 'command', scopes: [], orgId: 'org_acme', role: 'approver' });
    const unnamed = await createAdminKey(db, { orgId: 'org_acme', role: 'viewer' }, operator);
    expect((await authenticateKey(db, unnamed.token))?.name).toBe('org_acme viewer');
  });

  it('gives every key its own token', async () => {
    const a = await createServiceKey(db, { name: 'a', scopes: ['fanout:ack'] }, operator);
    const b = await createServiceKey(db, { name: 'a', scopes: ['fanout:ack'] }, operator);
    expect(a.token).not.toBe(b.token);
    expect(a.id).not.toBe(b.id);
  });

  it('audits key creation in the chain, with what was granted and never the token', async () => {
    const service = await createServiceKey(db, { name: 'calls', scopes: [...SERVICE_SCOPES] }, operator);
    const admin = await createAdminKey(db, { name: 'ops', orgId: 'org_acme', role: 'operator' }, { type: 'admin', id: 'key_boss', role: 'operator' });
    const records = await listAudit(db, { type: 'key.created', limit: 10 });
    expect(records.map((r) => [r.actor, r.orgId, r.outcome, r.details])).toEqual([
      [operator, null, 'success', { keyId: service.id, kind: 'service', name: 'calls', scopes: [...SERVICE_SCOPES] }],
      [{ type: 'admin', id: 'key_boss', role: 'operator' }, 'org_acme', 'success', { keyId: admin.id, kind: 'admin', name: 'ops', orgId: 'org_acme', role: 'operator' }],
    ]);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, count: 2 });
  });

  it('never stores the token: not in any column of the keys table, not in the audit log', async () => {
    const service = await createServiceKey(db, { name: 'sync', scopes: ['decisions:read'] }, operator);
    const admin = await createAdminKey(db, { orgId: 'org_acme', role: 'auditor' }, operator);
    await revokeKey(db, admin.id, operator);
    const keysText = await rowsAsText(db, 'api_keys');
    const auditText = await rowsAsText(db, 'audit_events');
    expect(keysText).toContain(service.id); // the search does see the rows
    for (const { token } of [service, admin]) {
      const secret = token.slice(4); // the random part, with or without its prefix
      expect(keysText).not.toContain(secret);
      expect(auditText).not.toContain(secret);
      expect(keysText).toContain(sha256Hex(token)); // only its hash is kept …
      expect(auditText).not.toContain(sha256Hex(token)); // … and the audit log has not even that
    }
  });

  it('lists keys without tokens or hashes, optionally one organisation’s', async () => {
    const service = await createServiceKey(db, { name: 'keys', scopes: ['accounts:write'] }, operator);
    const acme = await createAdminKey(db, { name: 'acme', orgId: 'org_acme', role: 'viewer' }, operator);
    const other = await createAdminKey(db, { name: 'other', orgId: 'org_other', role: 'viewer' }, operator);
    const all = await listKeys(db);
    expect(all.map((k) => k.id).sort()).toEqual([service.id, acme.id, other.id].sort());
    expect(all.find((k) => k.id === service.id)).toEqual({
      id: service.id, kind: 'service', name: 'keys', scopes: ['accounts:write'], orgId: null, role: null, createdAt: expect.any(Date), revokedAt: null,
    });
    const text = JSON.stringify(all);
    for (const { token } of [service, acme, other]) {
      expect(text).not.toContain(token.slice(4));
      expect(text).not.toContain(sha256Hex(token));
    }
    expect((await listKeys(db, { orgId: 'org_acme' })).map((k) => k.id)).toEqual([acme.id]);
  });

  it('stops authenticating a key once it is revoked, and audits the revocation once', async () => {
    const key = await createAdminKey(db, { name: 'leaving', orgId: 'org_acme', role: 'operator' }, operator);
    const revoked = await revokeKey(db, key.id, { type: 'admin', id: 'key_boss' });
    expect(revoked).toEqual({ id: key.id, revokedAt: expect.any(Date), alreadyRevoked: false });
    expect(await authenticateKey(db, key.token)).toBeNull();
    const again = await revokeKey(db, key.id, operator);
    expect(again).toEqual({ id: key.id, revokedAt: revoked.revokedAt, alreadyRevoked: true });
    const audits = await listAudit(db, { type: 'key.revoked', limit: 10 });
    expect(audits.map((a) => [a.actor.id, a.orgId, a.details])).toEqual([['key_boss', 'org_acme', { keyId: key.id, kind: 'admin', name: 'leaving' }]]);
    expect((await listKeys(db)).find((k) => k.id === key.id)?.revokedAt).toEqual(revoked.revokedAt);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, count: 2 });
  });

  it('refuses to revoke an unknown key with a typed error, writing nothing but the audit record of each refusal', async () => {
    const before = await counts(db);
    const attempt = revokeKey(db, 'key_nope', operator);
    await expect(attempt).rejects.toThrow(KeyNotFoundError);
    await expect(revokeKey(db, 'key_nope', operator)).rejects.toMatchObject({ code: 'key_not_found', keyId: 'key_nope' });
    expect(await counts(db)).toEqual({ keys: before.keys, audit: before.audit + 2 });
    expect(await lastAudit(db)).toMatchObject({ type: 'key.revoked', outcome: 'refused', details: { keyId: 'key_nope', refusal: 'key_not_found' } });
  });

  it('authenticates nothing from a token with one character changed, a wrong prefix or a wrong shape', async () => {
    const key = await createServiceKey(db, { name: 'decisions', scopes: ['decisions:read'] }, operator);
    expect(await authenticateKey(db, key.token)).not.toBeNull();
    expect(await authenticateKey(db, changeOneCharacter(key.token))).toBeNull();
    expect(await authenticateKey(db, 'eak_' + key.token.slice(4))).toBeNull();
    for (const bad of ['', key.token + 'A', key.token.slice(0, -1), key.token.slice(4), `Bearer ${key.token}`, key.token.replace('_', '-'), 'esk_' + '!'.repeat(43)]) {
      expect(await authenticateKey(db, bad)).toBeNull();
    }
  });

  it.each([
    ['an unknown scope', () => createServiceKey(db, { name: 'x', scopes: ['decisions:read', 'admin:everything'] }, operator), 'invalid_scope', /unknown scope "admin:everything"/],
    ['no scope at all', () => createServiceKey(db, { name: 'x', scopes: [] }, operator), 'invalid_scope', /at least one scope/],
    ['an empty name', () => createServiceKey(db, { name: '', scopes: ['fanout:read'] }, operator), 'invalid_name', /key name/],
    ['a name with a control character', () => createServiceKey(db, { name: 'a\nb', scopes: ['fanout:read'] }, operator), 'invalid_name', /key name/],
    ['an unknown organisation', () => createAdminKey(db, { name: 'x', orgId: 'org_nope', role: 'viewer' }, operator), 'unknown_org', /no organisation has the id "org_nope"/],
    ['an unknown role', () => createAdminKey(db, { name: 'x', orgId: 'org_acme', role: 'root' }, operator), 'invalid_role', /unknown role "root"/],
  ])('refuses %s, writing no key and auditing the refusal', async (_what, attempt, code, message) => {
    const before = await counts(db);
    const err = await attempt().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidKeyRequestError);
    expect(err).toMatchObject({ code, message: expect.stringMatching(message) });
    expect(await counts(db)).toEqual({ keys: before.keys, audit: before.audit + 1 });
    expect(await lastAudit(db)).toMatchObject({ type: 'key.created', outcome: 'refused', details: { refusal: code } });
  });
});

describe('token shape', () => {
  it('refuses malformed tokens without asking the database', async () => {
    // A closed database fails on any query: a malformed token must not reach it.
    const db = await openPglite(undefined);
    await db.close();
    expect(await authenticateKey(db, 'esk_short')).toBeNull();
    expect(await authenticateKey(db, `xyz_${'A'.repeat(43)}`)).toBeNull();
    expect(await authenticateKey(db, `esk_${'A'.repeat(42)}=`)).toBeNull();
    await expect(authenticateKey(db, `esk_${'A'.repeat(43)}`)).rejects.toThrow(); // well-formed: it is looked up
  });
});

describe('rememberingKeyAuthenticator, on PostgreSQL', () => {
  let db: Database;
  let close: () => Promise<void>;
  let queries = 0;
  // The same database, counting the statements sent to it.
  const counting = () => ({ query: ((sql: string, params?: readonly unknown[]) => { queries++; return db.query(sql, params); }) as Database['query'], exec: (sql: string) => db.exec(sql) });

  beforeAll(async () => {
    const s = await postgresSchema();
    await migrate(s.db);
    db = s.db;
    close = s.drop;
  });
  afterAll(() => close());

  it('answers a live key again without a query, and never remembers an unknown token', async () => {
    const key = await createServiceKey(db, { name: 'messaging', scopes: ['decisions:read'] }, operator);
    const keys = rememberingKeyAuthenticator(counting());
    queries = 0;
    expect(await keys.authenticate(key.token)).toMatchObject({ id: key.id, kind: 'service', scopes: ['decisions:read'] });
    expect(await keys.authenticate(key.token)).toMatchObject({ id: key.id });
    expect(queries).toBe(1);
    const unknown = `esk_${'B'.repeat(43)}`;
    expect(await keys.authenticate(unknown)).toBeNull();
    expect(await keys.authenticate(unknown)).toBeNull();
    expect(queries).toBe(3);
  });

  it('still answers a remembered key after its revocation (the route confirms it), and refuses it once forgotten', async () => {
    const key = await createServiceKey(db, { name: 'calls', scopes: ['decisions:read'] }, operator);
    const keys = rememberingKeyAuthenticator(counting());
    expect(await keys.authenticate(key.token)).not.toBeNull();
    await revokeKey(db, key.id, operator);
    expect(await keys.authenticate(key.token)).toMatchObject({ id: key.id });
    keys.forget(key.id);
    expect(await keys.authenticate(key.token)).toBeNull();
    expect(await keys.authenticate(key.token)).toBeNull();
  });

  it('reads a key afresh once what it remembered is older than ttlMs', async () => {
    const key = await createServiceKey(db, { name: 'sync', scopes: ['decisions:read'] }, operator);
    const keys = rememberingKeyAuthenticator(counting(), { ttlMs: 30 });
    expect(await keys.authenticate(key.token)).not.toBeNull();
    await revokeKey(db, key.id, operator);
    await new Promise((r) => setTimeout(r, 40));
    expect(await keys.authenticate(key.token)).toBeNull();
  });

  it('never remembers an admin key', async () => {
    await db.query("INSERT INTO organisations (id, name) VALUES ('org_remember', 'Remember')");
    const admin = await createAdminKey(db, { orgId: 'org_remember', role: 'viewer' }, operator);
    const keys = rememberingKeyAuthenticator(counting());
    queries = 0;
    expect(await keys.authenticate(admin.token)).toMatchObject({ id: admin.id, kind: 'admin' });
    expect(await keys.authenticate(admin.token)).toMatchObject({ id: admin.id, kind: 'admin' });
    expect(queries).toBe(2);
  });

  it('keeps at most maxEntries keys, dropping the oldest first', async () => {
    const [a, b] = [await createServiceKey(db, { name: 'a', scopes: ['decisions:read'] }, operator), await createServiceKey(db, { name: 'b', scopes: ['decisions:read'] }, operator)];
    const keys = rememberingKeyAuthenticator(counting(), { maxEntries: 1 });
    await keys.authenticate(a.token);
    await keys.authenticate(b.token);
    queries = 0;
    await keys.authenticate(b.token);
    expect(queries).toBe(0);
    await keys.authenticate(a.token);
    expect(queries).toBe(1);
  });
});
