/**
 * Byte encodings: base64, base64url, hex and URL query strings. JSON and YAML are in
 * serialization.ts.
 */
import { ObjectValue, SetValue, sortValues, type Value } from '../value/index.js';
import { builtinError, ensureObject, ensureString, operandError } from './args.js';
import { writeJSON } from './jsontext.js';
import type { Builtin } from './types.js';

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

/** Go's StdEncoding: padded, standard alphabet; CR and LF are ignored. */
function isStdBase64(s: string): boolean {
  const t = s.replace(/[\r\n]/g, '');
  return t.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(t);
}

function base64Decode(args: Value[]): Value {
  const s = ensureString(args, 0, 'base64.decode');
  if (!isStdBase64(s)) throw builtinError('base64.decode', 'illegal base64 data');
  return Buffer.from(s, 'base64').toString('utf8');
}

/** Unpadded input is accepted and completed first, as RFC 7515 appendix C suggests. */
function base64urlDecode(args: Value[]): Value {
  let s = ensureString(args, 0, 'base64url.decode');
  if (!s.endsWith('=')) {
    if (s.length % 4 === 1) throw builtinError('base64url.decode', `illegal base64url string: ${s}`);
    s += '='.repeat((4 - (s.length % 4)) % 4);
  }
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9_-]*={0,2}$/.test(s)) throw builtinError('base64url.decode', 'illegal base64 data');
  return Buffer.from(s, 'base64url').toString('utf8');
}

function hexDecode(args: Value[]): Value {
  const s = ensureString(args, 0, 'hex.decode');
  if (s.length % 2 !== 0) throw builtinError('hex.decode', 'encoding/hex: odd length hex string');
  const bad = s.search(/[^0-9a-fA-F]/);
  if (bad >= 0) throw builtinError('hex.decode', `encoding/hex: invalid byte: U+${s.codePointAt(bad)?.toString(16).toUpperCase().padStart(4, '0')}`);
  return Buffer.from(s, 'hex').toString('utf8');
}

/** Go's url.QueryEscape: unreserved characters stay, space becomes `+`, the rest `%XX`. */
export function queryEscape(s: string): string {
  let out = '';
  for (const byte of utf8(s)) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Go's url.QueryUnescape; undefined on a malformed escape. */
function queryUnescape(s: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '%') {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c === '+') bytes.push(0x20);
    else {
      const ch = String.fromCodePoint(s.codePointAt(i) as number);
      bytes.push(...utf8(ch));
      i += ch.length - 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function urlqueryDecode(args: Value[]): Value {
  const s = ensureString(args, 0, 'urlquery.decode');
  const out = queryUnescape(s);
  if (out === undefined) throw builtinError('urlquery.decode', `invalid URL escape in ${JSON.stringify(s)}`);
  return out;
}

/** The strings an encode_object value stands for: a string, or an array or set of strings. */
function queryValues(v: Value): string[] {
  const items = typeof v === 'string' ? [v] : Array.isArray(v) ? v : v instanceof SetValue ? sortValues(v.values()) : undefined;
  if (items === undefined || items.some((x) => typeof x !== 'string')) {
    throw operandError('urlquery.encode_object', 0, 'values must be string, array[string], or set[string]');
  }
  return items as string[];
}

/** Keys sorted, each value as `k=v`, as Go's url.Values.Encode writes them. */
function urlqueryEncodeObject(args: Value[]): Value {
  const obj = ensureObject(args, 0, 'urlquery.encode_object');
  // A non-string key stands for its JSON text, as when OPA converts the object to JSON.
  const pairs = obj.entries().map(([k, v]): [string, string[]] => [typeof k === 'string' ? k : writeJSON(k), queryValues(v)]);
  pairs.sort(([a], [b]) => (Buffer.compare(utf8(a), utf8(b))));
  return pairs.flatMap(([k, vs]) => vs.map((v) => `${queryEscape(k)}=${queryEscape(v)}`)).join('&');
}

/** Go's url.ParseQuery: `&`-separated `k=v` pairs; a `;` or a bad escape is an error. */
function urlqueryDecodeObject(args: Value[]): Value {
  const s = ensureString(args, 0, 'urlquery.decode_object');
  const out = new ObjectValue();
  for (const part of s.split('&')) {
    if (part === '') continue;
    if (part.includes(';')) throw builtinError('urlquery.decode_object', 'invalid semicolon separator in query');
    const eq = part.indexOf('=');
    const key = queryUnescape(eq < 0 ? part : part.slice(0, eq));
    const value = queryUnescape(eq < 0 ? '' : part.slice(eq + 1));
    if (key === undefined || value === undefined) throw builtinError('urlquery.decode_object', `invalid URL escape in ${JSON.stringify(part)}`);
    out.set(key, [...((out.get(key) as Value[] | undefined) ?? []), value]);
  }
  return out;
}

function stringToString(name: string, op: (s: string) => string): Builtin {
  return { name, arity: 1, fn: (args) => op(ensureString(args, 0, name)) };
}

/** The encoding family (without JSON and YAML). */
export const encodingBuiltins: Builtin[] = [
  stringToString('base64.encode', (s) => utf8(s).toString('base64')),
  { name: 'base64.decode', arity: 1, fn: base64Decode },
  { name: 'base64.is_valid', arity: 1, fn: (args) => isStdBase64(ensureString(args, 0, 'base64.is_valid')) },
  stringToString('base64url.encode', (s) => utf8(s).toString('base64').replace(/\+/g, '-').replace(/\//g, '_')),
  stringToString('base64url.encode_no_pad', (s) => utf8(s).toString('base64url')),
  { name: 'base64url.decode', arity: 1, fn: base64urlDecode },
  stringToString('hex.encode', (s) => utf8(s).toString('hex')),
  { name: 'hex.decode', arity: 1, fn: hexDecode },
  stringToString('urlquery.encode', queryEscape),
  { name: 'urlquery.decode', arity: 1, fn: urlqueryDecode },
  { name: 'urlquery.encode_object', arity: 1, fn: urlqueryEncodeObject },
  { name: 'urlquery.decode_object', arity: 1, fn: urlqueryDecodeObject },
];
