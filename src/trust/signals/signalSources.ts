/**
 * Signal sources: per organisation, who may sign its managed-device statements (the MDM
 * connector) and its Enigm OS integrity attestations, with which public keys, for which
 * audience and how old a statement may be. A key set holds several keys, so a signer rotates
 * without downtime: publish old + new, switch signing, then publish new alone. Every change
 * and every refused change is audited; only public keys are ever accepted or stored.
 */
import { importJWK, type JWK } from 'jose';
import { describeErrors, schemas } from '../../policy/schemaRegistry.js';
import { appendAudit, type AuditActor } from '../../store/audit.js';
import type { Database, Queryable } from '../../store/database.js';
import { NotFoundError, TrustError } from '../errors.js';
import type { OrgSettings } from '../organisations/settings.js';

/** The two kinds of signed signal. */
export const SIGNAL_SOURCE_KINDS = ['managed', 'os_integrity'] as const;
export type SignalSourceKind = (typeof SIGNAL_SOURCE_KINDS)[number];

export function isSignalSourceKind(k: unknown): k is SignalSourceKind {
  return typeof k === 'string' && (SIGNAL_SOURCE_KINDS as readonly string[]).includes(k);
}

/** Signature algorithms a statement may use (issue 8: ES256 or EdDSA). */
export const SIGNAL_ALGORITHMS = ['ES256', 'EdDSA'] as const;

/** Largest key set: enough for a rotation overlap of a few signers, small enough to scan. */
export const MAX_KEYS = 10;

/** Upper bound of a configured maximum age per kind: OS integrity attestations are short-lived. */
export const MAX_AGE_LIMIT_SECONDS: Record<SignalSourceKind, number> = {
  managed: 365 * 24 * 3600,
  os_integrity: 24 * 3600,
};

/** A stored public verification key: only the members verification needs. */
export interface SignalKey {
  kid: string;
  kty: 'EC' | 'OKP';
  crv: 'P-256' | 'Ed25519';
  x: string;
  y?: string;
  alg?: string;
  use?: 'sig';
}

/** What an operator configures. */
export interface SignalSourceConfig {
  issuer: string;
  jwks: { keys: unknown[] };
  audience?: string;
  maxAgeSeconds?: number;
}

/** A configured source, as verification uses it. */
export interface SignalSource {
  orgId: string;
  kind: SignalSourceKind;
  issuer: string;
  audience: string | null;
  keys: SignalKey[];
  maxAgeSeconds: number | null;
  version: number;
  updatedAt: Date;
}

/** A source as admin views show it: key ids and types, never key material. */
export interface SignalSourceSummary {
  kind: SignalSourceKind;
  issuer: string;
  audience: string | null;
  maxAgeSeconds: number | null;
  keys: Array<{ kid: string; kty: string; crv: string; alg: string | null }>;
  version: number;
  updatedAt: string;
}

export const SIGNAL_SOURCE_SCHEMA = 'https://schemas.enigm.dev/trust/api/signal-source.schema.json';

/** A configuration refused before anything was written. */
export class InvalidSignalSourceError extends TrustError {
  override name = 'InvalidSignalSourceError';
  constructor(code: 'invalid_request' | 'invalid_jwks' | 'private_key_material' | 'invalid_max_age', message: string, extensions: Record<string, unknown> = {}) {
    super(400, code, message, extensions);
  }
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

/** True when any key of a raw key set carries private or symmetric key material. */
function holdsPrivateKey(body: unknown): boolean {
  const keys = (body as { jwks?: { keys?: unknown } } | null)?.jwks?.keys;
  return Array.isArray(keys) && keys.some((k) => k !== null && typeof k === 'object' && PRIVATE_MEMBERS.some((m) => m in (k as object)));
}

/**
 * Checks a raw request body against schemas/api/signal-source.schema.json. Private key
 * material is named as such first (an operator pasting a signing key should be told plainly;
 * the key is neither stored nor repeated).
 */
export function checkSignalSourceConfig(body: unknown): SignalSourceConfig {
  if (holdsPrivateKey(body)) {
    throw new InvalidSignalSourceError('private_key_material', 'the key set contains private or symmetric key material; configure public keys only (nothing was stored)');
  }
  const validate = schemas().validator(SIGNAL_SOURCE_SCHEMA);
  if (!validate(body ?? null)) {
    const errors = describeErrors(validate.errors);
    throw new InvalidSignalSourceError('invalid_request', errors.join('; '), { errors });
  }
  return body as SignalSourceConfig;
}

function keyProblem(jwk: Record<string, unknown>, i: number): string | undefined {
  const at = `jwks.keys[${i}]`;
  if (typeof jwk.kid !== 'string' || jwk.kid.length === 0 || jwk.kid.length > 128) return `${at} needs a kid of 1 to 128 characters (statements name their key by kid)`;
  const ec = jwk.kty === 'EC' && jwk.crv === 'P-256' && typeof jwk.x === 'string' && typeof jwk.y === 'string';
  const okp = jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && typeof jwk.x === 'string';
  if (!ec && !okp) return `${at} must be an EC P-256 key (ES256) or an OKP Ed25519 key (EdDSA)`;
  if (jwk.alg !== undefined && jwk.alg !== (ec ? 'ES256' : 'EdDSA') && !(okp && jwk.alg === 'Ed25519')) return `${at} alg ${String(jwk.alg)} does not fit its key type`;
  if (jwk.use !== undefined && jwk.use !== 'sig') return `${at} use must be "sig"`;
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) return `${at} key_ops must allow "verify"`;
  return undefined;
}

/**
 * Checks a key set and keeps only what verification needs. Refuses private key material
 * outright (and never repeats it), duplicate kids, unsupported key types and keys that do
 * not import (a point off the curve, bad base64url).
 */
export async function parseSignalKeys(jwks: { keys: unknown[] }): Promise<SignalKey[]> {
  if (!jwks || !Array.isArray(jwks.keys) || jwks.keys.length === 0 || jwks.keys.length > MAX_KEYS) {
    throw new InvalidSignalSourceError('invalid_jwks', `jwks.keys must hold 1 to ${MAX_KEYS} keys`);
  }
  const keys: SignalKey[] = [];
  const kids = new Set<string>();
  for (const [i, raw] of jwks.keys.entries()) {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new InvalidSignalSourceError('invalid_jwks', `jwks.keys[${i}] must be a JWK object`);
    const jwk = raw as Record<string, unknown>;
    if (PRIVATE_MEMBERS.some((m) => m in jwk)) {
      throw new InvalidSignalSourceError('private_key_material', `jwks.keys[${i}] contains private or symmetric key material; configure public keys only (the key was not stored)`);
    }
    const problem = keyProblem(jwk, i);
    if (problem) throw new InvalidSignalSourceError('invalid_jwks', problem);
    const kid = jwk.kid as string;
    if (kids.has(kid)) throw new InvalidSignalSourceError('invalid_jwks', `jwks.keys[${i}] repeats kid "${kid}"`);
    kids.add(kid);
    const key: SignalKey = { kid, kty: jwk.kty as SignalKey['kty'], crv: jwk.crv as SignalKey['crv'], x: jwk.x as string };
    if (key.kty === 'EC') key.y = jwk.y as string;
    if (typeof jwk.alg === 'string') key.alg = jwk.alg;
    if (jwk.use === 'sig') key.use = 'sig';
    try {
      await importJWK({ ...key } as JWK, key.kty === 'EC' ? 'ES256' : 'EdDSA');
    } catch {
      throw new InvalidSignalSourceError('invalid_jwks', `jwks.keys[${i}] (kid "${kid}") is not a valid public key`);
    }
    keys.push(key);
  }
  return keys;
}

function checkMaxAge(kind: SignalSourceKind, maxAge: number | undefined): void {
  if (maxAge === undefined) return;
  if (!Number.isInteger(maxAge) || maxAge < 1 || maxAge > MAX_AGE_LIMIT_SECONDS[kind]) {
    throw new InvalidSignalSourceError('invalid_max_age', `maxAgeSeconds for ${kind} must be an integer from 1 to ${MAX_AGE_LIMIT_SECONDS[kind]}`);
  }
}

/**
 * How old a statement of `kind` may be for an organisation: the source's own limit, else the
 * organisation's setting, else the default (30 days for managed statements, as Intune's
 * compliance validity; one hour for OS integrity).
 */
export function effectiveMaxAgeSeconds(kind: SignalSourceKind, sourceMaxAge: number | null, settings: OrgSettings): number {
  if (sourceMaxAge !== null) return sourceMaxAge;
  return kind === 'managed'
    ? settings.managed_max_age_seconds
    : settings.os_integrity_max_age_seconds;
}

interface SourceRow {
  org_id: string;
  kind: SignalSourceKind;
  issuer: string;
  audience: string | null;
  jwks: { keys: SignalKey[] };
  max_age_seconds: number | null;
  version: number;
  updated_at: Date;
}

function toSource(r: SourceRow): SignalSource {
  return { orgId: r.org_id, kind: r.kind, issuer: r.issuer, audience: r.audience, keys: r.jwks.keys, maxAgeSeconds: r.max_age_seconds, version: r.version, updatedAt: r.updated_at };
}

/** The allow-listed view of a source: no key material. */
export function summarizeSource(s: SignalSource): SignalSourceSummary {
  return {
    kind: s.kind, issuer: s.issuer, audience: s.audience, maxAgeSeconds: s.maxAgeSeconds,
    keys: s.keys.map((k) => ({ kid: k.kid, kty: k.kty, crv: k.crv, alg: k.alg ?? null })),
    version: s.version, updatedAt: s.updatedAt.toISOString(),
  };
}

const SELECT = 'SELECT org_id, kind, issuer, audience, jwks, max_age_seconds, version, updated_at FROM signal_sources';

/** The organisation's source of `kind`, or undefined when none is configured (or the account has no organisation). */
export async function loadSignalSource(q: Queryable, orgId: string | null, kind: SignalSourceKind): Promise<SignalSource | undefined> {
  if (orgId === null) return undefined;
  const r = await q.query<SourceRow>(`${SELECT} WHERE org_id = $1 AND kind = $2`, [orgId, kind]);
  return r.rows[0] ? toSource(r.rows[0]) : undefined;
}

/** Every source of an organisation, managed first. */
export async function listSignalSources(q: Queryable, orgId: string): Promise<SignalSource[]> {
  const r = await q.query<SourceRow>(`${SELECT} WHERE org_id = $1 ORDER BY kind`, [orgId]);
  return r.rows.map(toSource);
}

async function auditSourceChange(tx: Queryable, actor: AuditActor, orgId: string, type: string, outcome: 'success' | 'refused', details: Record<string, unknown>): Promise<void> {
  await appendAudit(tx, { type, outcome, actor, orgId, details });
}

/** Audits a refused change in its own transaction: the refusal wrote nothing else. */
async function auditRefusal(db: Database, actor: AuditActor, orgId: string, type: string, kind: string, err: TrustError): Promise<void> {
  await db.transaction((tx) => auditSourceChange(tx, actor, orgId, type, 'refused', { kind, refusal: err.code }));
}

/**
 * Creates or replaces the organisation's source of `kind` in one transaction with its audit
 * record. The new key set takes effect for the next statement verified: nothing is cached.
 */
export async function putSignalSource(db: Database, orgId: string, kind: SignalSourceKind, body: unknown, actor: AuditActor): Promise<SignalSource> {
  const type = 'signal_source.configured';
  try {
    const config = checkSignalSourceConfig(body);
    checkMaxAge(kind, config.maxAgeSeconds);
    const keys = await parseSignalKeys(config.jwks);
    return await db.transaction(async (tx) => {
      const r = await tx.query<SourceRow>(
        `INSERT INTO signal_sources (org_id, kind, issuer, audience, jwks, max_age_seconds)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6)
         ON CONFLICT (org_id, kind) DO UPDATE
           SET issuer = EXCLUDED.issuer, audience = EXCLUDED.audience, jwks = EXCLUDED.jwks,
               max_age_seconds = EXCLUDED.max_age_seconds, version = signal_sources.version + 1, updated_at = now()
         RETURNING org_id, kind, issuer, audience, jwks, max_age_seconds, version, updated_at`,
        [orgId, kind, config.issuer, config.audience ?? null, JSON.stringify({ keys }), config.maxAgeSeconds ?? null],
      );
      const source = toSource(r.rows[0]);
      await auditSourceChange(tx, actor, orgId, type, 'success', {
        kind, issuer: source.issuer, audience: source.audience, maxAgeSeconds: source.maxAgeSeconds, kids: keys.map((k) => k.kid), version: source.version,
      });
      return source;
    });
  } catch (err) {
    if (err instanceof TrustError) await auditRefusal(db, actor, orgId, type, kind, err);
    throw err;
  }
}

/** Removes the organisation's source of `kind`: its statements no longer verify. */
export async function deleteSignalSource(db: Database, orgId: string, kind: SignalSourceKind, actor: AuditActor): Promise<void> {
  const type = 'signal_source.removed';
  try {
    await db.transaction(async (tx) => {
      const r = await tx.query<{ issuer: string }>('DELETE FROM signal_sources WHERE org_id = $1 AND kind = $2 RETURNING issuer', [orgId, kind]);
      if (r.rowCount === 0) throw new NotFoundError('signal_source_not_found', `no ${kind} signal source is configured`);
      await auditSourceChange(tx, actor, orgId, type, 'success', { kind, issuer: r.rows[0].issuer });
    });
  } catch (err) {
    if (err instanceof TrustError) await auditRefusal(db, actor, orgId, type, kind, err);
    throw err;
  }
}
