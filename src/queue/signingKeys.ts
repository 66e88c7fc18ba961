/**
 * The key that signs Security Event Tokens (ES256). Either supplied by configuration
 * (SET_SIGNING_KEY, a private EC P-256 JWK) or generated on first start and kept in the
 * database, so every instance signs with the same key and receivers need one JWKS. The private
 * half is stored sealed with AES-256-GCM under a key derived from ID_SECRET: a database copy
 * alone cannot sign. Creation is audited; the private half is never logged or served.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { appendAudit } from '../store/audit.js';
import type { Database } from '../store/database.js';

export const SET_ALG = 'ES256';

/** The signing key as the signer uses it. */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  /** The public half, as `/.well-known/jwks.json` serves it. */
  publicJwk: JWK;
}

/** Loads (or on first use creates) the key once, and hands out the same one afterwards. */
export interface SigningKeyStore {
  current(): Promise<SigningKey>;
}

export interface SigningKeyOptions {
  db: Database;
  /** ID_SECRET: the sealing key is derived from it. */
  idSecret: string;
  /** SET_SIGNING_KEY: a private JWK in JSON; when given, nothing is generated or stored. */
  configuredJwk?: string;
}

/** A configured key that cannot sign ES256. */
export class SigningKeyError extends Error {
  override name = 'SigningKeyError';
}

const SEAL_VERSION = 'v1';

function sealingKey(idSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', idSecret, 'enigm-trust', 'set-signing-key-seal', 32));
}

/** AES-256-GCM over the JWK's JSON; the kid is bound as associated data. */
export function sealPrivateJwk(jwk: JWK, kid: string, idSecret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(idSecret), iv);
  cipher.setAAD(Buffer.from(kid, 'utf8'));
  const body = Buffer.concat([cipher.update(JSON.stringify(jwk), 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return [SEAL_VERSION, iv.toString('base64url'), body.toString('base64url')].join('.');
}

/** The inverse of `sealPrivateJwk`; throws when the secret is wrong or the text was altered. */
export function unsealPrivateJwk(sealed: string, kid: string, idSecret: string): JWK {
  const [version, iv, body] = sealed.split('.');
  if (version !== SEAL_VERSION || !iv || !body) throw new SigningKeyError('the stored signing key is not in a known sealed format');
  const bytes = Buffer.from(body, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', sealingKey(idSecret), Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(kid, 'utf8'));
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  try {
    return JSON.parse(Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString('utf8')) as JWK;
  } catch {
    throw new SigningKeyError('the stored signing key cannot be unsealed: ID_SECRET differs from the one it was sealed with');
  }
}

function publicHalf(jwk: JWK, kid: string): JWK {
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, kid, alg: SET_ALG, use: 'sig' };
}

async function fromPrivateJwk(jwk: JWK, kid?: string): Promise<SigningKey> {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.d !== 'string' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') {
    throw new SigningKeyError('SET_SIGNING_KEY must be a private EC P-256 JWK (kty "EC", crv "P-256", with x, y and d)');
  }
  const id = kid ?? jwk.kid ?? (await calculateJwkThumbprint(publicHalf(jwk, ''), 'sha256'));
  const privateKey = (await importJWK({ ...jwk, alg: SET_ALG }, SET_ALG)) as CryptoKey;
  return { kid: id, privateKey, publicJwk: publicHalf(jwk, id) };
}

interface KeyRow {
  kid: string;
  sealed_private_jwk: string;
}

async function generateAndStore(db: Database, idSecret: string): Promise<void> {
  const { privateKey } = await generateKeyPair(SET_ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(publicHalf(jwk, ''), 'sha256');
  await db.transaction(async (tx) => {
    // Two instances starting together: the first insert wins, the other keeps the stored key.
    const inserted = await tx.query(
      `INSERT INTO signing_keys (purpose, kid, alg, public_jwk, sealed_private_jwk) VALUES ('set', $1, $2, $3, $4) ON CONFLICT (purpose) DO NOTHING`,
      [kid, SET_ALG, JSON.stringify(publicHalf(jwk, kid)), sealPrivateJwk(jwk, kid, idSecret)],
    );
    if (inserted.rowCount === 0) return;
    await appendAudit(tx, { type: 'signing_key.created', outcome: 'success', actor: { type: 'system', id: 'fanout' }, details: { purpose: 'set', kid, alg: SET_ALG } });
  });
}

/** Reads the stored key, creating it first when there is none. */
export async function loadStoredSigningKey(db: Database, idSecret: string): Promise<SigningKey> {
  const read = () => db.query<KeyRow>(`SELECT kid, sealed_private_jwk FROM signing_keys WHERE purpose = 'set'`);
  let row = (await read()).rows[0];
  if (!row) {
    await generateAndStore(db, idSecret);
    row = (await read()).rows[0];
  }
  return fromPrivateJwk(unsealPrivateJwk(row.sealed_private_jwk, row.kid, idSecret), row.kid);
}

/** The key store of one process: configured key, or the database's. */
export function createSigningKeyStore(opts: SigningKeyOptions): SigningKeyStore {
  let loading: Promise<SigningKey> | undefined;
  const load = async (): Promise<SigningKey> => {
    if (opts.configuredJwk === undefined) return loadStoredSigningKey(opts.db, opts.idSecret);
    let jwk: JWK;
    try {
      jwk = JSON.parse(opts.configuredJwk) as JWK;
    } catch {
      throw new SigningKeyError('SET_SIGNING_KEY must be a private JWK in JSON');
    }
    return fromPrivateJwk(jwk);
  };
  return {
    current() {
      // A failed load is not cached: the next call tries again (e.g. after the database returns).
      loading ??= load().catch((err: unknown) => {
        loading = undefined;
        throw err;
      });
      return loading;
    },
  };
}
