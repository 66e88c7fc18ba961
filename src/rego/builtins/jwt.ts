/**
 * JSON Web Token builtins: io.jwt.decode, the io.jwt.verify_* family and
 * io.jwt.decode_verify. Signatures are checked with node:crypto; keys come as PEM
 * (public key or certificate) or as JWK / JWKS JSON text, secrets as UTF-8 strings.
 */
import { X509Certificate, createHmac, createPublicKey, timingSafeEqual, verify, constants, type KeyObject } from 'node:crypto';
import { ObjectValue, fromJS, type Value } from '../value/index.js';
import { builtinError, ensureObject, ensureString, typeName } from './args.js';
import type { Builtin, BuiltinContext } from './types.js';

/** The three base64url sections of a compact JWS. */
interface TokenParts {
  readonly header: string;
  readonly payload: string;
  readonly signature: string;
}

/** How an algorithm checks a signature. */
interface Algorithm {
  readonly kind: 'hmac' | 'rsa' | 'pss' | 'ecdsa' | 'eddsa';
  readonly hash: string | null;
}

const ALGORITHMS: Record<string, Algorithm> = {
  HS256: { kind: 'hmac', hash: 'sha256' }, HS384: { kind: 'hmac', hash: 'sha384' }, HS512: { kind: 'hmac', hash: 'sha512' },
  RS256: { kind: 'rsa', hash: 'sha256' }, RS384: { kind: 'rsa', hash: 'sha384' }, RS512: { kind: 'rsa', hash: 'sha512' },
  PS256: { kind: 'pss', hash: 'sha256' }, PS384: { kind: 'pss', hash: 'sha384' }, PS512: { kind: 'pss', hash: 'sha512' },
  ES256: { kind: 'ecdsa', hash: 'sha256' }, ES384: { kind: 'ecdsa', hash: 'sha384' }, ES512: { kind: 'ecdsa', hash: 'sha512' },
  EdDSA: { kind: 'eddsa', hash: null },
};

/** Strict base64url (padding optional): Buffer's own decoder skips bad characters silently. */
function base64url(part: string, name: string): Buffer {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(part) || part.replace(/=+$/, '').length % 4 === 1) {
    throw builtinError(name, 'JWT is not valid base64url');
  }
  return Buffer.from(part.replace(/=+$/, ''), 'base64url');
}

/** Parses JSON that must be an object (header and claims alike). */
function parseJSONObject(bytes: Buffer, what: string, name: string): ObjectValue {
  let v: Value;
  try {
    v = fromJS(JSON.parse(bytes.toString('utf8')));
  } catch {
    throw builtinError(name, `JWT ${what} is not valid JSON`);
  }
  if (!(v instanceof ObjectValue)) throw builtinError(name, `JWT ${what} is not a JSON object`);
  return v;
}

/** Splits a compact JWS into its three sections (no decoding yet). */
function splitToken(token: string, name: string): TokenParts {
  const parts = token.split('.');
  if (parts.length !== 3) throw builtinError(name, `encoded JWT must have 3 sections, found ${parts.length}`);
  return { header: parts[0], payload: parts[1], signature: parts[2] };
}

/** The JOSE header as an object; a JWE (with `enc`) is refused as OPA refuses it. */
function decodeHeader(parts: TokenParts, name: string): ObjectValue {
  const header = parseJSONObject(base64url(parts.header, name), 'header', name);
  if (header.has('enc')) throw builtinError(name, 'JWT is a JWE object, which is not supported');
  return header;
}

/** Whether the header says the payload is itself a token (`cty: JWT`). */
function nested(header: ObjectValue, caseInsensitive: boolean): boolean {
  const cty = header.get('cty');
  if (cty === undefined) return false;
  if (typeof cty !== 'string') throw builtinError('io.jwt', 'cty header must be a string');
  return (caseInsensitive ? cty.toUpperCase() : cty) === 'JWT';
}

/** io.jwt.decode: [header, payload, signature hex]; a nested token is decoded in its place. */
function decode(token: string): Value {
  const name = 'io.jwt.decode';
  const parts = splitToken(token, name);
  const header = decodeHeader(parts, name);
  const payloadBytes = base64url(parts.payload, name);
  // A nested token may arrive quoted, as jwt.io writes it.
  if (nested(header, false)) return decode(payloadBytes.toString('utf8').replace(/^["']+|["']+$/g, ''));
  const payload = parseJSONObject(payloadBytes, 'payload', name);
  return [header, payload, base64url(parts.signature, name).toString('hex')];
}

/** Whether `text` is exactly one PEM block of `type`, with nothing after it (as OPA requires). */
function singlePemBlock(text: string, type: string): boolean {
  return text.startsWith(`-----BEGIN ${type}-----`) && text.endsWith(`-----END ${type}-----`)
    && text.indexOf('-----BEGIN', 1) < 0;
}

/** Public keys of a PEM text (a PUBLIC KEY or a CERTIFICATE block), a JWK, or a JWKS. */
export function publicKeys(text: string, name: string): KeyObject[] {
  const trimmed = text.trim();
  try {
    if (singlePemBlock(trimmed, 'CERTIFICATE')) return [new X509Certificate(trimmed).publicKey];
    if (singlePemBlock(trimmed, 'PUBLIC KEY')) return [createPublicKey(trimmed)];
    if (trimmed.startsWith('-----')) throw new Error('expected one PUBLIC KEY or CERTIFICATE block');
    const jwk = JSON.parse(trimmed) as { keys?: unknown };
    const list = (Array.isArray(jwk.keys) ? jwk.keys : [jwk]) as Array<Record<string, string>>;
    // A symmetric ("oct") key can verify no public-key signature; it is skipped, not refused.
    return list.filter((k) => k.kty !== 'oct').map((k) => createPublicKey({ key: k, format: 'jwk' }));
  } catch (e) {
    throw builtinError(name, `failed to parse a PEM or JWK key: ${(e as Error).message}`);
  }
}

const EC_CURVES: Record<string, string> = { sha256: 'prime256v1', sha384: 'secp384r1', sha512: 'secp521r1' };

/**
 * Whether the key suits the algorithm. node:crypto would happily check an RSA signature
 * for "ES256" (its ECDSA options are ignored for RSA keys), so the type is checked first.
 */
function keyFits(alg: Algorithm, key: KeyObject): boolean {
  const type = key.asymmetricKeyType;
  switch (alg.kind) {
    case 'rsa': return type === 'rsa';
    case 'pss': return type === 'rsa' || type === 'rsa-pss';
    case 'ecdsa': return type === 'ec' && key.asymmetricKeyDetails?.namedCurve === EC_CURVES[alg.hash as string];
    default: return type === 'ed25519' || type === 'ed448';
  }
}

/** Checks a signature with one public key; a key of the wrong type simply fails. */
function verifyWithKey(alg: Algorithm, input: Buffer, signature: Buffer, key: KeyObject): boolean {
  if (!keyFits(alg, key)) return false;
  try {
    switch (alg.kind) {
      case 'rsa': return verify(alg.hash, input, key, signature);
      case 'pss': return verify(alg.hash, input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, signature);
      case 'ecdsa': return verify(alg.hash, input, { key, dsaEncoding: 'ieee-p1363' }, signature);
      default: return verify(null, input, key, signature);
    }
  } catch {
    return false;
  }
}

function verifyHmac(alg: Algorithm, input: Buffer, signature: Buffer, secret: string): boolean {
  const mac = createHmac(alg.hash as string, Buffer.from(secret, 'utf8')).update(input).digest();
  return mac.length === signature.length && timingSafeEqual(mac, signature);
}

/** The bytes a signature covers: `header.payload` as sent. */
function signingInput(parts: TokenParts): Buffer {
  return Buffer.from(`${parts.header}.${parts.payload}`, 'ascii');
}

function verifyBuiltin(algName: string): Builtin {
  const name = `io.jwt.verify_${algName.toLowerCase()}`;
  const alg = ALGORITHMS[algName];
  return {
    name,
    arity: 2,
    fn: (args) => {
      const parts = splitToken(ensureString(args, 0, name), name);
      const keyText = ensureString(args, 1, name);
      const keys = alg.kind === 'hmac' ? [] : publicKeys(keyText, name);
      const signature = base64url(parts.signature, name);
      if (alg.kind === 'hmac') return verifyHmac(alg, signingInput(parts), signature, keyText);
      return keys.some((key) => verifyWithKey(alg, signingInput(parts), signature, key));
    },
  };
}

/** The constraints argument of io.jwt.decode_verify. */
interface Constraints {
  keys?: KeyObject[]; secret?: string; alg?: string; iss?: string; aud?: string;
  /** Evaluation time in nanoseconds. */
  time: number;
}

const DECODE_VERIFY = 'io.jwt.decode_verify';

function constraintString(k: string, v: Value): string {
  if (typeof v !== 'string') throw builtinError(DECODE_VERIFY, `${k} constraint: must be a string`);
  return v;
}

function constraintsOf(obj: ObjectValue, ctx: BuiltinContext): Constraints {
  const c: Constraints = { time: Number(ctx.nowNs) };
  for (const [k, v] of obj.entries()) {
    switch (k) {
      case 'time':
        if (typeof v !== 'number' && typeof v !== 'bigint') throw builtinError(DECODE_VERIFY, 'token time constraint: must be a number');
        if (v < 0) throw builtinError(DECODE_VERIFY, 'token time constraint: must not be negative');
        c.time = Number(v);
        break;
      case 'cert': c.keys = publicKeys(constraintString(k, v), DECODE_VERIFY); break;
      case 'secret':
      case 'alg':
      case 'iss':
      case 'aud': c[k] = constraintString(k, v); break;
      default: throw builtinError(DECODE_VERIFY, `unknown token validation constraint: ${typeof k === 'string' ? k : typeName(k)}`);
    }
  }
  // An empty string sets no key, as in OPA.
  const keyCount = (c.keys ? 1 : 0) + (c.secret ? 1 : 0);
  if (keyCount > 1) throw builtinError(DECODE_VERIFY, 'duplicate key constraints');
  if (keyCount < 1) throw builtinError(DECODE_VERIFY, 'no key constraint');
  return c;
}

/** The header fields decode_verify reads, each a string when present. */
function headerField(header: ObjectValue, field: string): string {
  const v = header.get(field);
  if (v === undefined) return '';
  if (typeof v !== 'string') throw builtinError(DECODE_VERIFY, `${field}: must be a string`);
  return v;
}

/** RFC 7515: an unknown header parameter listed in `crit` makes the token invalid. */
function criticalUnknown(header: ObjectValue): boolean {
  const crit = header.get('crit');
  if (crit === undefined) return false;
  if (!Array.isArray(crit) || crit.length === 0 || !crit.every((c) => typeof c === 'string')) {
    throw builtinError(DECODE_VERIFY, 'crit: must be a nonempty list of strings');
  }
  const known = new Set(['alg', 'kid', 'typ', 'cty', 'crit']);
  return header.keys().some((k) => typeof k === 'string' && !known.has(k) && crit.includes(k));
}

/**
 * Checks one token layer's signature under the constraints: true, false, or an error for
 * an unknown algorithm or a secret offered for an asymmetric one (as OPA reports them).
 */
function layerVerified(parts: TokenParts, alg: string, c: Constraints): boolean {
  const algorithm = ALGORITHMS[alg] as Algorithm | undefined;
  if (!algorithm) throw builtinError(DECODE_VERIFY, `unknown JWS algorithm: ${alg}`);
  const signature = base64url(parts.signature, DECODE_VERIFY);
  if (c.keys) return algorithm.kind !== 'hmac' && c.keys.some((key) => verifyWithKey(algorithm, signingInput(parts), signature, key));
  if (algorithm.kind !== 'hmac') throw builtinError(DECODE_VERIFY, 'incorrect public key type: a secret cannot verify ' + alg);
  return verifyHmac(algorithm, signingInput(parts), signature, c.secret as string);
}

/** Verifies every layer of a (possibly nested) token; its header and claims, or undefined when invalid. */
function verifiedToken(text: string, c: Constraints): [ObjectValue, ObjectValue] | undefined {
  for (let token = text; ;) {
    const parts = splitToken(token, DECODE_VERIFY);
    const header = decodeHeader(parts, DECODE_VERIFY);
    const alg = headerField(header, 'alg');
    if (alg === '' || criticalUnknown(header)) return undefined;
    if (c.alg !== undefined && c.alg !== alg) return undefined;
    if (!layerVerified(parts, alg, c)) return undefined;
    const payloadBytes = base64url(parts.payload, DECODE_VERIFY);
    if (nested(header, true)) {
      token = payloadBytes.toString('utf8');
      continue;
    }
    return [header, parseJSONObject(payloadBytes, 'payload', DECODE_VERIFY)];
  }
}

function audienceMatches(aud: Value | undefined, wanted: string | undefined): boolean {
  if (aud === undefined) return wanted === undefined;
  if (typeof aud === 'string') return aud === wanted;
  return Array.isArray(aud) && aud.some((a) => a === wanted);
}

/** A registered time claim in seconds, or undefined when absent; a non-number is an error. */
function timeClaim(claims: ObjectValue, claim: string): number | undefined {
  const v = claims.get(claim);
  if (v === undefined) return undefined;
  if (typeof v !== 'number' && typeof v !== 'bigint') throw builtinError(DECODE_VERIFY, `${claim} claim must be a number`);
  return Number(v);
}

/** Issuer (checked only when the token names one), audience and the exp/nbf window. */
function claimsValid(claims: ObjectValue, c: Constraints): boolean {
  const iss = claims.get('iss');
  if (c.iss !== undefined && iss !== undefined && iss !== c.iss) return false;
  if (!audienceMatches(claims.get('aud'), c.aud)) return false;
  const nowSeconds = c.time / 1e9;
  const exp = timeClaim(claims, 'exp'), nbf = timeClaim(claims, 'nbf');
  if (exp !== undefined && nowSeconds >= exp) return false;
  return nbf === undefined || nowSeconds >= nbf;
}

function decodeVerify(args: Value[], ctx: BuiltinContext): Value {
  const text = ensureString(args, 0, DECODE_VERIFY);
  const constraints = constraintsOf(ensureObject(args, 1, DECODE_VERIFY), ctx);
  const verified = verifiedToken(text, constraints);
  if (!verified || !claimsValid(verified[1], constraints)) return [false, new ObjectValue(), new ObjectValue()];
  return [true, verified[0], verified[1]];
}

/** The JWT builtins. */
export const jwtBuiltins: Builtin[] = [
  { name: 'io.jwt.decode', arity: 1, fn: (args) => decode(ensureString(args, 0, 'io.jwt.decode')) },
  ...Object.keys(ALGORITHMS).map(verifyBuiltin),
  // Without a `time` constraint the result depends on the clock.
  { name: DECODE_VERIFY, arity: 2, fn: decodeVerify, nondeterministic: true },
];
