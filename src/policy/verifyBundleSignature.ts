/**
 * Checks an OPA bundle's `.signatures.json` (as `opa build --signing-key` writes it) against
 * the configured public key: exactly one JWS, signed by that key, whose payload lists every
 * file of the bundle with its digest, and no file the bundle does not hold.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { compactVerify } from 'jose';
import { PolicyBundleError } from './bundleError.js';
import { DIGEST_ALGORITHMS, opaFileDigest } from './opaFileDigest.js';

export const SIGNATURES_FILE = '.signatures.json';

/** A public key and the JWS algorithms it can check. */
export interface VerificationKey {
  key: KeyObject;
  algorithms: string[];
}

function algorithmsFor(key: KeyObject): string[] {
  switch (key.asymmetricKeyType) {
    case 'ec': {
      const alg = ({ prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' } as Record<string, string>)[key.asymmetricKeyDetails?.namedCurve ?? ''];
      if (alg) return [alg];
      break;
    }
    case 'rsa':
      return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
    case 'ed25519':
      return ['EdDSA'];
  }
  throw new PolicyBundleError('verification_key_invalid', `the verification key is a ${key.asymmetricKeyType} key; use an EC (P-256, P-384, P-521), RSA or Ed25519 public key`);
}

/** Reads a PEM public key (SPKI, or a certificate). A private key is refused: the service never needs the signing key. */
export function parseVerificationKey(pem: string): VerificationKey {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    throw new PolicyBundleError('verification_key_invalid', 'the verification key is a private key: give the service the public key only');
  }
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (e) {
    throw new PolicyBundleError('verification_key_invalid', `the verification key is not a PEM public key: ${(e as Error).message}`);
  }
  return { key, algorithms: algorithmsFor(key) };
}

/** The key configured as PEM text or as the path of a PEM file; undefined when none is. */
export function readVerificationKey(pemOrPath: string | undefined): VerificationKey | undefined {
  if (pemOrPath === undefined) return undefined;
  if (pemOrPath.includes('-----BEGIN')) return parseVerificationKey(pemOrPath);
  let pem: string;
  try {
    pem = readFileSync(pemOrPath, 'utf8');
  } catch (e) {
    throw new PolicyBundleError('verification_key_invalid', `cannot read ${pemOrPath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseVerificationKey(pem);
}

interface SignedFile {
  name: string;
  hash: string;
  algorithm: string;
}

function isSignedFile(v: unknown): v is SignedFile {
  const f = v as Partial<SignedFile> | null;
  return typeof f === 'object' && f !== null && typeof f.name === 'string' && typeof f.hash === 'string' && typeof f.algorithm === 'string';
}

function readToken(files: Map<string, Buffer>): string {
  const raw = files.get(SIGNATURES_FILE);
  if (raw === undefined) throw new PolicyBundleError('bundle_unsigned', 'the bundle is not signed (it has no .signatures.json), and a verification key is configured');
  let doc: unknown;
  try {
    doc = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new PolicyBundleError('signature_invalid', '.signatures.json is not JSON');
  }
  const signatures = (doc as { signatures?: unknown } | null)?.signatures;
  if (!Array.isArray(signatures) || signatures.length !== 1 || typeof signatures[0] !== 'string') {
    throw new PolicyBundleError('signature_invalid', '.signatures.json must hold exactly one signature (a compact JWS)');
  }
  return signatures[0];
}

async function signedFiles(token: string, key: VerificationKey): Promise<SignedFile[]> {
  let payload: unknown;
  try {
    const verified = await compactVerify(token, key.key, { algorithms: key.algorithms });
    payload = JSON.parse(new TextDecoder().decode(verified.payload));
  } catch (e) {
    throw new PolicyBundleError('signature_invalid', `the bundle's signature does not verify with the configured key (${(e as Error).message})`);
  }
  const { files, scope } = (payload ?? {}) as { files?: unknown; scope?: unknown };
  if (scope !== undefined && scope !== '') throw new PolicyBundleError('signature_invalid', `the bundle is signed for scope ${JSON.stringify(scope)}, and the service expects none`);
  if (!Array.isArray(files) || !files.every(isSignedFile)) throw new PolicyBundleError('signature_invalid', 'the signature does not list the bundle\'s files');
  return files;
}

/**
 * Resolves when every file of the bundle is covered by a valid signature of `key`; otherwise
 * rejects with a `PolicyBundleError` naming the first problem.
 */
export async function verifyBundleSignature(files: Map<string, Buffer>, key: VerificationKey): Promise<void> {
  const listed = new Map<string, SignedFile>();
  for (const f of await signedFiles(readToken(files), key)) {
    const name = f.name.replace(/^\/+/, '');
    if (listed.has(name)) throw new PolicyBundleError('signature_files_mismatch', `the signature lists ${name} twice`);
    listed.set(name, f);
  }
  for (const [name, bytes] of files) {
    if (name === SIGNATURES_FILE) continue;
    const signed = listed.get(name);
    if (signed === undefined) throw new PolicyBundleError('signature_files_mismatch', `${name} is not covered by the bundle's signature`);
    if (!(signed.algorithm in DIGEST_ALGORITHMS)) {
      throw new PolicyBundleError('signature_invalid', `${name} is signed with digest ${JSON.stringify(signed.algorithm)}; accepted: ${Object.keys(DIGEST_ALGORITHMS).join(', ')}`);
    }
    let digest: string;
    try {
      digest = opaFileDigest(name, bytes, signed.algorithm);
    } catch {
      throw new PolicyBundleError('signature_files_mismatch', `${name} is not the JSON document its signature covers`);
    }
    if (digest !== signed.hash.toLowerCase()) throw new PolicyBundleError('signature_files_mismatch', `${name} does not match the digest its signature gives`);
    listed.delete(name);
  }
  if (listed.size > 0) throw new PolicyBundleError('signature_files_mismatch', `the signature lists ${[...listed.keys()].join(', ')}, which the bundle does not hold`);
}
