/**
 * API keys (DESIGN §4): service keys `esk_…` with scopes, admin keys `eak_…` bound to one
 * organisation and one role. A token is 32 random bytes, shown once; the store keeps only its
 * SHA-256, and every creation and revocation is audited in the same transaction.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { appendAudit, type AuditActor } from '../store/audit.js';
import { createBatchLoader } from '../store/batchLoader.js';
import type { Database, Queryable } from '../store/database.js';
import { ADMIN_ROLES, type AdminRole } from './admin/roles.js';
import { auditingRefusals } from './enrollment/refusals.js';
import { ConflictError, TrustError } from './errors.js';
import { newId, sha256Hex } from './ids.js';

/** Everything a service key may be allowed to do. */
export const SERVICE_SCOPES = ['decisions:read', 'accounts:write', 'subscribers:write', 'signals:write', 'fanout:ack', 'fanout:read', 'orgs:write'] as const;
export type ServiceScope = (typeof SERVICE_SCOPES)[number];

export { ADMIN_ROLES, type AdminRole } from './admin/roles.js';

export type KeyKind = 'service' | 'admin';

/** Who a valid token belongs to, as `authenticateKey` returns it. */
export interface KeyPrincipal {
  id: string;
  kind: KeyKind;
  name: string;
  /** Service keys only; empty for admin keys. */
  scopes: ServiceScope[];
  /** Admin keys only; null for service keys. */
  orgId: string | null;
  role: AdminRole | null;
}

/** A key as `listKeys` shows it: no token, no hash. */
export interface KeySummary extends KeyPrincipal {
  createdAt: Date;
  revokedAt: Date | null;
}

/** A new key: `token` exists only here, once. */
export interface CreatedKey {
  id: string;
  token: string;
}

export type InvalidKeyRequestCode = 'invalid_name' | 'invalid_scope' | 'invalid_role' | 'unknown_org';

/** A key request refused before anything was written (404 for an unknown organisation, else 400). */
export class InvalidKeyRequestError extends TrustError {
  override name = 'InvalidKeyRequestError';
  declare readonly code: InvalidKeyRequestCode;
  constructor(code: InvalidKeyRequestCode, message: string) {
    super(code === 'unknown_org' ? 404 : 400, code, message);
  }
}

/** No key has this id (or none the caller may see). */
export class KeyNotFoundError extends TrustError {
  override name = 'KeyNotFoundError';
  constructor(readonly keyId: string) {
    super(404, 'key_not_found', `no API key has the id ${printable(keyId)}`);
  }
}

/** Text from a caller, safe for a message and the audit log: no control character or lone surrogate, cut short. */
function printable(text: string, max = 80): string {
  const clean = text.replace(/[\p{Cc}\p{Cs}]/gu, '\uFFFD');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

const PREFIX: Record<KeyKind, string> = { service: 'esk', admin: 'eak' };
// A prefix and 32 bytes in unpadded base64url (43 characters).
const TOKEN_SHAPE = /^(esk|eak)_[A-Za-z0-9_-]{43}$/;
const MAX_NAME = 100;

interface KeyRow {
  id: string;
  kind: KeyKind;
  name: string;
  token_hash: string;
  scopes: string[];
  org_id: string | null;
  role: AdminRole | null;
  created_at: Date;
  revoked_at: Date | null;
}

function checkName(name: unknown): string {
  // Names show up in listings and audit records: short, printable, no control characters.
  if (typeof name !== 'string' || name.trim() !== name || name.length === 0 || name.length > MAX_NAME || /[\p{Cc}\p{Cs}]/u.test(name)) {
    throw new InvalidKeyRequestError('invalid_name', `a key name must be 1 to ${MAX_NAME} printable characters without leading or trailing spaces, got ${JSON.stringify(name)}`);
  }
  return name;
}

function checkScopes(scopes: unknown): ServiceScope[] {
  if (!Array.isArray(scopes) || scopes.length === 0) {
    throw new InvalidKeyRequestError('invalid_scope', `a service key needs at least one scope of ${SERVICE_SCOPES.join(', ')}`);
  }
  const unknown = scopes.filter((s) => !(SERVICE_SCOPES as readonly unknown[]).includes(s));
  if (unknown.length) {
    throw new InvalidKeyRequestError('invalid_scope', `unknown scope ${unknown.map((s) => JSON.stringify(s)).join(', ')}; expected some of ${SERVICE_SCOPES.join(', ')}`);
  }
  // Stored in the canonical order of SERVICE_SCOPES, once each.
  return SERVICE_SCOPES.filter((s) => scopes.includes(s));
}

function checkRole(role: unknown): AdminRole {
  if (!(ADMIN_ROLES as readonly unknown[]).includes(role)) {
    throw new InvalidKeyRequestError('invalid_role', `unknown role ${JSON.stringify(role)}; expected one of ${ADMIN_ROLES.join(', ')}`);
  }
  return role as AdminRole;
}

function newToken(kind: KeyKind): string {
  return `${PREFIX[kind]}_${randomBytes(32).toString('base64url')}`;
}

async function insertKey(tx: Queryable, key: { id: string; kind: KeyKind; name: string; tokenHash: string; scopes: string[]; orgId: string | null; role: string | null }): Promise<void> {
  await tx.query(
    'INSERT INTO api_keys (id, kind, name, token_hash, scopes, org_id, role) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [key.id, key.kind, key.name, key.tokenHash, key.scopes, key.orgId, key.role],
  );
}

/**
 * Creates a service key with `scopes` (all from SERVICE_SCOPES, at least one) and audits
 * `key.created`. Throws InvalidKeyRequestError on a bad name or scope, writing nothing but the
 * audit record of the refusal.
 */
export async function createServiceKey(db: Database, input: { name: string; scopes: readonly string[] }, actor: AuditActor): Promise<CreatedKey> {
  return auditingRefusals(db, { type: 'key.created', actor, details: { kind: 'service' } }, async () => {
    const name = checkName(input.name);
    const scopes = checkScopes(input.scopes);
    const id = newId('key');
    const token = newToken('service');
    await db.transaction(async (tx) => {
      await insertKey(tx, { id, kind: 'service', name, tokenHash: sha256Hex(token), scopes, orgId: null, role: null });
      await appendAudit(tx, { type: 'key.created', outcome: 'success', actor, details: { keyId: id, kind: 'service', name, scopes } });
    });
    return { id, token };
  });
}

/**
 * Creates an admin key for the existing organisation `orgId` with one role, and audits
 * `key.created`. Throws InvalidKeyRequestError on a bad name or role or an unknown
 * organisation, writing nothing but the audit record of the refusal. The name defaults to
 * "<orgId> <role>".
 */
export async function createAdminKey(db: Database, input: { name?: string; orgId: string; role: string }, actor: AuditActor): Promise<CreatedKey> {
  // The organisation is named in the details: it may not exist.
  const ctx = { type: 'key.created', actor, details: { kind: 'admin', org: JSON.stringify(input.orgId).slice(0, 80) } };
  return auditingRefusals(db, ctx, () => writeAdminKey(db, input, actor));
}

/**
 * createAdminKey without auditing its refusals: for callers that audit the whole request
 * themselves (the admin API). Successes are audited here, in the key's transaction.
 */
export async function writeAdminKey(db: Database, input: { name?: string; orgId: string; role: string }, actor: AuditActor): Promise<CreatedKey> {
  const role = checkRole(input.role);
  const name = checkName(input.name ?? `${input.orgId} ${role}`);
  const id = newId('key');
  const token = newToken('admin');
  await db.transaction(async (tx) => {
    // FOR SHARE: the organisation cannot disappear between this check and the insert.
    const org = await tx.query('SELECT 1 FROM organisations WHERE id = $1 FOR SHARE', [input.orgId]);
    if (org.rowCount === 0) throw new InvalidKeyRequestError('unknown_org', `no organisation has the id ${JSON.stringify(input.orgId)}`);
    await insertKey(tx, { id, kind: 'admin', name, tokenHash: sha256Hex(token), scopes: [], orgId: input.orgId, role });
    await appendAudit(tx, { type: 'key.created', outcome: 'success', actor, orgId: input.orgId, details: { keyId: id, kind: 'admin', name, orgId: input.orgId, role } });
  });
  return { id, token };
}

/** The key rows stored under `hashes`, by hash: the one query every authentication makes. */
async function keysByHash(db: Queryable, hashes: string[]): Promise<Map<string, KeyRow>> {
  const r = await db.query<KeyRow>('SELECT id, kind, name, token_hash, scopes, org_id, role, created_at, revoked_at FROM api_keys WHERE token_hash = ANY($1)', [hashes]);
  return new Map(r.rows.map((row) => [row.token_hash, row]));
}

/** Finds the key row stored under a token hash. */
type KeyLookup = (tokenHash: string) => Promise<KeyRow | undefined>;

async function authenticateWith(lookup: KeyLookup, token: string): Promise<KeyPrincipal | null> {
  // Guard: the exact shape of a token we issue; anything else costs no query.
  if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) return null;
  const computed = sha256Hex(token);
  const row = await lookup(computed);
  if (!row) return null;
  // Guard: the stored hash equals ours, compared in constant time.
  if (!timingSafeEqual(Buffer.from(row.token_hash, 'hex'), Buffer.from(computed, 'hex'))) return null;
  // Guard: the prefix says the kind; an `eak_` token never authenticates a service key, nor the reverse.
  if (!token.startsWith(`${PREFIX[row.kind]}_`)) return null;
  // Guard: revoked keys authenticate nothing.
  if (row.revoked_at !== null) return null;
  return principalOf(row);
}

/**
 * The key `token` belongs to, or null when the token is malformed (refused without a query),
 * unknown or revoked.
 */
export function authenticateKey(db: Queryable, token: string): Promise<KeyPrincipal | null> {
  return authenticateWith(async (hash) => (await keysByHash(db, [hash])).get(hash), token);
}

/**
 * The key a well-formed token belonged to, when that key is revoked: so a refusal of a revoked
 * key can be audited under its id. Null for anything else (no query for a malformed token).
 */
export async function revokedKeyOf(db: Queryable, token: string): Promise<KeyPrincipal | null> {
  if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) return null;
  const computed = sha256Hex(token);
  const row = (await keysByHash(db, [computed])).get(computed);
  if (!row || row.revoked_at === null || !token.startsWith(`${PREFIX[row.kind]}_`)) return null;
  if (!timingSafeEqual(Buffer.from(row.token_hash, 'hex'), Buffer.from(computed, 'hex'))) return null;
  return principalOf(row);
}

function batchedKeyLookup(db: Queryable): KeyLookup {
  return createBatchLoader((hashes: string[]) => keysByHash(db, hashes));
}

/**
 * `authenticateKey` for the request path: lookups made in the same turn of the event loop
 * share one query. Nothing is cached, so a revocation counts from its commit on.
 */
export function keyAuthenticator(db: Queryable): (token: string) => Promise<KeyPrincipal | null> {
  const lookup = batchedKeyLookup(db);
  return (token) => authenticateWith(lookup, token);
}

export interface RememberingKeyAuthenticator {
  /** The key's principal as last read (within `ttlMs`); the caller must confirm it is still live. */
  authenticate(token: string): Promise<KeyPrincipal | null>;
  /** Drops what is remembered of key `keyId` (it was found revoked). */
  forget(keyId: string): void;
}

/**
 * An authenticator that remembers live keys by token hash, so a route that confirms its
 * caller's key in its own read (as decisions do) spends no round trip on authentication.
 * Its answers are provisional: a key revoked since it was remembered still authenticates
 * here, and only the route's confirmation refuses it. Unknown and revoked tokens and admin
 * keys are never remembered; the raw token is never kept.
 */
export function rememberingKeyAuthenticator(db: Queryable, opts: { ttlMs?: number; maxEntries?: number } = {}): RememberingKeyAuthenticator {
  const ttlMs = opts.ttlMs ?? 60_000;
  const maxEntries = opts.maxEntries ?? 1000;
  const fresh = batchedKeyLookup(db);
  const remembered = new Map<string, { row: KeyRow; until: number }>();
  const lookup: KeyLookup = async (hash) => {
    const hit = remembered.get(hash);
    if (hit && hit.until > Date.now()) return hit.row;
    remembered.delete(hash);
    const row = await fresh(hash);
    // Only live service keys: their routes confirm them; an admin key is never remembered.
    if (row && row.revoked_at === null && row.kind === 'service') {
      // Oldest first out: a Map iterates in insertion order.
      if (remembered.size >= maxEntries) remembered.delete(remembered.keys().next().value as string);
      remembered.set(hash, { row, until: Date.now() + ttlMs });
    }
    return row;
  };
  return {
    authenticate: (token) => authenticateWith(lookup, token),
    forget(keyId) {
      for (const [hash, { row }] of remembered) if (row.id === keyId) remembered.delete(hash);
    },
  };
}

function principalOf(row: KeyRow): KeyPrincipal {
  return { id: row.id, kind: row.kind, name: row.name, scopes: row.scopes as ServiceScope[], orgId: row.org_id, role: row.role };
}

/** Every key, oldest first, revoked ones included; with `orgId`, only that organisation's admin keys. */
export async function listKeys(db: Queryable, filter: { orgId?: string } = {}): Promise<KeySummary[]> {
  const r = filter.orgId === undefined
    ? await db.query<KeyRow>('SELECT id, kind, name, scopes, org_id, role, created_at, revoked_at FROM api_keys ORDER BY created_at, id')
    : await db.query<KeyRow>('SELECT id, kind, name, scopes, org_id, role, created_at, revoked_at FROM api_keys WHERE org_id = $1 ORDER BY created_at, id', [filter.orgId]);
  return r.rows.map((row) => ({ ...principalOf(row), createdAt: new Date(row.created_at), revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at) }));
}

/**
 * Revokes key `id` (it authenticates nothing from the commit on) and audits `key.revoked`.
 * Revoking a revoked key changes nothing and returns `alreadyRevoked: true` with the original time.
 * With `orgId` (an owner acting), only that organisation's admin keys may be revoked, and never
 * its last live owner key. Throws KeyNotFoundError for an unknown (or not visible) id and
 * ConflictError `last_owner_key`, writing nothing but the audit record of the refusal.
 */
export async function revokeKey(db: Database, id: string, actor: AuditActor, scope: { orgId?: string } = {}): Promise<{ id: string; revokedAt: Date; alreadyRevoked: boolean }> {
  const ctx = { type: 'key.revoked', actor, orgId: scope.orgId ?? null, details: { keyId: printable(id) } };
  return auditingRefusals(db, ctx, () => db.transaction(async (tx) => {
    const seen = (await tx.query<Pick<KeyRow, 'kind' | 'org_id' | 'role'>>('SELECT kind, org_id, role FROM api_keys WHERE id = $1', [id])).rows[0];
    if (!seen || (scope.orgId !== undefined && (seen.kind !== 'admin' || seen.org_id !== scope.orgId))) throw new KeyNotFoundError(id);
    if (scope.orgId !== undefined && seen.role === 'owner') {
      // Every live owner key of the organisation, locked in id order (the target among them): two
      // owners revoking each other serialise, and the second finds itself the last one.
      const owners = await tx.query<{ id: string }>(`SELECT id FROM api_keys WHERE org_id = $1 AND role = 'owner' AND revoked_at IS NULL ORDER BY id FOR UPDATE`, [scope.orgId]);
      if (owners.rows.length === 1 && owners.rows[0].id === id) {
        throw new ConflictError('last_owner_key', 'this is the organisation\'s last owner key: issue another owner key first (or ask the platform operator to revoke it)');
      }
    }
    // Row lock: two revocations of one key serialise, and only the first one is audited.
    const r = await tx.query<KeyRow>('SELECT id, kind, name, org_id, revoked_at FROM api_keys WHERE id = $1 FOR UPDATE', [id]);
    const row = r.rows[0];
    if (!row) throw new KeyNotFoundError(id);
    if (row.revoked_at !== null) return { id, revokedAt: new Date(row.revoked_at), alreadyRevoked: true };
    const now = new Date();
    await tx.query('UPDATE api_keys SET revoked_at = $2 WHERE id = $1', [id, now]);
    await appendAudit(tx, { type: 'key.revoked', outcome: 'success', actor, orgId: row.org_id, details: { keyId: id, kind: row.kind, name: row.name } }, now);
    return { id, revokedAt: now, alreadyRevoked: false };
  }));
}
