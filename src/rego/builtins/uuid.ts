/**
 * `uuid.rfc4122(k)`: a random version 4 UUID, one per key per evaluation; and
 * `uuid.parse(s)`: the fields a UUID encodes.
 */
import { randomUUID } from 'node:crypto';
import { ObjectValue, num, type Value } from '../value/index.js';
import { ensureString } from './args.js';
import type { Builtin, BuiltinContext } from './types.js';

function rfc4122(args: Value[], ctx: BuiltinContext): Value {
  const key = `uuid.rfc4122\u0000${ensureString(args, 0, 'uuid.rfc4122')}`;
  const cached = ctx.cache.get(key);
  if (cached !== undefined) return cached;
  const id = randomUUID();
  ctx.cache.set(key, id);
  return id;
}

/** The 16 bytes of a UUID in any of the usual spellings, or undefined. */
function uuidBytes(text: string): Buffer | undefined {
  let s = text;
  if (s.length === 45 && s.slice(0, 9).toLowerCase() === 'urn:uuid:') s = s.slice(9);
  else if (s.length === 38 && s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1);
  if (s.length === 36) {
    if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(s)) return undefined;
    s = s.replaceAll('-', '');
  }
  return /^[0-9a-fA-F]{32}$/.test(s) ? Buffer.from(s, 'hex') : undefined;
}

function variantName(b: Buffer): string {
  if ((b[8] & 0xc0) === 0x80) return 'RFC4122';
  if ((b[8] & 0xe0) === 0xc0) return 'Microsoft';
  if ((b[8] & 0xe0) === 0xe0) return 'Future';
  return 'Reserved';
}

/** Offset between the Gregorian epoch (1582-10-15) and the Unix epoch, in 100 ns units. */
const GREGORIAN_OFFSET = 0x01b21dd213814000n;

/** The timestamp of a time-based UUID as Unix nanoseconds. */
function unixNanos(b: Buffer, version: number): bigint {
  if (version === 7) return (b.readBigUInt64BE(0) >> 16n) * 1_000_000n;
  let ticks: bigint;
  if (version === 6) {
    ticks = (BigInt(b.readUInt32BE(0)) << 28n) | (BigInt(b.readUInt16BE(4)) << 12n) | BigInt(b.readUInt16BE(6) & 0xfff);
  } else {
    ticks = BigInt(b.readUInt32BE(0)) | (BigInt(b.readUInt16BE(4)) << 32n) | (BigInt(b.readUInt16BE(6) & 0xfff) << 48n);
  }
  return (ticks - GREGORIAN_OFFSET) * 100n;
}

/** Node fields of versions 1 and 2: clock sequence, node id and its MAC address bits. */
function nodeFields(b: Buffer, out: ObjectValue): void {
  out.set('clocksequence', ((b[8] & 0x3f) << 8) | b[9]);
  out.set('nodeid', [...b.subarray(10)].map((x) => x.toString(16).padStart(2, '0')).join('-'));
  const scope = b[10] & 0x02 ? 'local' : 'global';
  const cast = b[10] & 0x01 ? 'multicast' : 'unicast';
  out.set('macvariables', `${scope}:${cast}`);
}

const DOMAINS = ['Person', 'Group', 'Org'];

function parse(args: Value[]): Value | undefined {
  const b = uuidBytes(ensureString(args, 0, 'uuid.parse'));
  if (b === undefined) return undefined;
  const version = b[6] >> 4;
  const out = new ObjectValue().set('version', version).set('variant', variantName(b));
  if (version === 1 || version === 2 || version === 6 || version === 7) out.set('time', num.normalizeInteger(unixNanos(b, version)));
  if (version === 1 || version === 2) nodeFields(b, out);
  if (version === 2) {
    out.set('id', b.readUInt32BE(0));
    out.set('domain', DOMAINS[b[9]] ?? `Domain${b[9]}`);
  }
  return out;
}

/** The uuid family. */
export const uuidBuiltins: Builtin[] = [
  { name: 'uuid.rfc4122', arity: 1, fn: rfc4122, nondeterministic: true },
  { name: 'uuid.parse', arity: 1, fn: parse },
];
