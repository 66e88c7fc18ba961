/**
 * The digest OPA's bundle signatures carry for one file (OPA `bundle/hash.go`): raw bytes for
 * policy and Wasm files; for JSON documents (`data.json`, `.manifest`), the hash of a canonical
 * encoding, so that re-encoding a document does not break its signature: object keys sorted by
 * their UTF-8 bytes, no whitespace, numbers as written, strings escaped as Go's encoder does.
 */
import { createHash } from 'node:crypto';
import { isLosslessNumber, parse } from 'lossless-json';

/** Digest algorithms a signature may name. MD5 and SHA-1, which OPA also knows, are refused. */
export const DIGEST_ALGORITHMS: Readonly<Record<string, string>> = {
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
  'SHA-512-224': 'sha512-224',
  'SHA-512-256': 'sha512-256',
};

/** Files OPA hashes as structured documents rather than as bytes. */
export function isStructuredDocument(name: string): boolean {
  const base = name.slice(name.lastIndexOf('/') + 1);
  return base === 'data.json' || base === '.manifest';
}

// Go's encoder escapes as JSON.stringify does, and also the two line separators JavaScript
// leaves alone; a lone surrogate cannot come out of Go's decoder, which made it U+FFFD.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function goString(s: string): string {
  return JSON.stringify(s.replace(LONE_SURROGATE, '\uFFFD')).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function byUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function canonical(value: unknown): string {
  if (isLosslessNumber(value)) return value.value;
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    return `{${Object.keys(object).sort(byUtf8).map((k) => `${goString(k)}:${canonical(object[k])}`).join(',')}}`;
  }
  if (typeof value === 'string') return goString(value);
  return JSON.stringify(value);
}

/** The canonical text OPA hashes for a JSON document; throws when `bytes` is not JSON. */
export function canonicalDocument(bytes: Buffer): string {
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  return canonical(parse(text));
}

/** The hex digest of one bundle file, as a signature lists it. `algorithm` must be a key of DIGEST_ALGORITHMS. */
export function opaFileDigest(name: string, bytes: Buffer, algorithm: string): string {
  const hash = createHash(DIGEST_ALGORITHMS[algorithm]);
  return (isStructuredDocument(name) ? hash.update(canonicalDocument(bytes), 'utf8') : hash.update(bytes)).digest('hex');
}
