/**
 * CIDR builtins over IPv4 and IPv6, with addresses as bigints. Parsing follows Go's
 * net.ParseIP/ParseCIDR (no leading zeros in IPv4 octets, `::` once, an IPv4 tail in
 * IPv6), so the same texts are accepted and refused as in OPA.
 */
import { ObjectValue, SetValue, type Value } from '../value/index.js';
import { builtinError, ensureString, operandError, typeName } from './args.js';
import type { Builtin } from './types.js';

/** An address: its bits and its family width (32 or 128). */
export interface Address {
  readonly bits: number;
  readonly value: bigint;
}

/** A network: the address with host bits cleared, and the prefix length. */
export interface Network {
  readonly bits: number;
  readonly base: bigint;
  readonly prefix: number;
}

/** Largest address count `net.cidr_expand` will list. */
const MAX_EXPANSION = 1 << 20;

function parseIPv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    value = (value << 8n) | BigInt(p);
  }
  return value;
}

/** Hex groups of one side of `::`, an IPv4 tail allowed at the very end. */
function parseGroups(s: string, allowTail: boolean): number[] | undefined {
  if (s === '') return [];
  const groups: number[] = [];
  const parts = s.split(':');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (allowTail && i === parts.length - 1 && p.includes('.')) {
      const v4 = parseIPv4(p);
      if (v4 === undefined) return undefined;
      groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
    } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) {
      groups.push(parseInt(p, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

function parseIPv6(s: string): bigint | undefined {
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0], halves.length === 1);
  const tail = halves.length === 2 ? parseGroups(halves[1], true) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** Parses an IP address as Go's net.ParseIP does; undefined when invalid. */
export function parseIP(s: string): Address | undefined {
  if (s.includes(':')) {
    const value = parseIPv6(s);
    return value === undefined ? undefined : { bits: 128, value };
  }
  const value = parseIPv4(s);
  return value === undefined ? undefined : { bits: 32, value };
}

/** Parses `address/prefix`, clearing host bits, as Go's net.ParseCIDR does. */
export function parseCIDR(s: string): Network | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIP(s.slice(0, slash));
  const prefixText = s.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > ip.bits) return undefined;
  return { bits: ip.bits, base: ip.value & mask(ip.bits, prefix), prefix };
}

function mask(bits: number, prefix: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return all ^ ((1n << BigInt(bits - prefix)) - 1n);
}

function lastAddress(n: Network): bigint {
  return n.base | ((1n << BigInt(n.bits - n.prefix)) - 1n);
}

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) as its IPv4 address, as Go's To4 does. */
function asIPv4(a: Address): Address {
  return a.bits === 128 && a.value >> 32n === 0xffffn ? { bits: 32, value: a.value & 0xffffffffn } : a;
}

/** Whether the network holds the address. */
export function networkContains(n: Network, a: Address): boolean {
  const ip = n.bits === 32 ? asIPv4(a) : a;
  return ip.bits === n.bits && (ip.value & mask(n.bits, n.prefix)) === n.base;
}

/** Address text as Go prints it: dotted IPv4 (also for IPv4-mapped IPv6), else RFC 5952 IPv6. */
export function formatIP(a: Address): string {
  const ip = asIPv4(a);
  if (ip.bits === 32) return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 0xffn)).join('.');
  const groups = [...Array(8).keys()].map((i) => Number((ip.value >> BigInt(112 - 16 * i)) & 0xffffn));
  let bestStart = -1, bestLength = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return hex.slice(0, bestStart).join(':') + '::' + hex.slice(bestStart + bestLength).join(':');
}

function cidrArg(args: Value[], i: number, name: string): Network {
  const text = ensureString(args, i, name);
  const n = parseCIDR(text);
  if (!n) throw builtinError(name, `invalid CIDR address: ${text}`);
  return n;
}

function cidrContains(args: Value[]): Value {
  const network = cidrArg(args, 0, 'net.cidr_contains');
  const text = ensureString(args, 1, 'net.cidr_contains');
  const ip = parseIP(text);
  if (ip) return networkContains(network, ip);
  const inner = parseCIDR(text);
  if (!inner) throw builtinError('net.cidr_contains', `invalid CIDR address or IP: ${text}`);
  return networkContains(network, { bits: inner.bits, value: inner.base })
    && networkContains(network, { bits: inner.bits, value: lastAddress(inner) });
}

function cidrIntersects(args: Value[]): Value {
  const a = cidrArg(args, 0, 'net.cidr_intersects'), b = cidrArg(args, 1, 'net.cidr_intersects');
  return networkContains(a, { bits: b.bits, value: b.base }) || networkContains(b, { bits: a.bits, value: a.base });
}

function cidrExpand(args: Value[]): Value {
  const n = cidrArg(args, 0, 'net.cidr_expand');
  const count = 1n << BigInt(n.bits - n.prefix);
  if (count > BigInt(MAX_EXPANSION)) throw builtinError('net.cidr_expand', `${formatIP({ bits: n.bits, value: n.base })}/${n.prefix} holds more than ${MAX_EXPANSION} addresses`);
  const out = new SetValue();
  for (let v = n.base; v <= lastAddress(n); v++) out.add(formatIP({ bits: n.bits, value: v }));
  return out;
}

/** A CIDR-or-address entry of contains_matches: a string, or an array whose first element is one. */
function matchEntry(v: Value, operand: number): Value {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.length > 0) return v[0];
  throw builtinError('net.cidr_contains_matches', `operand ${operand}: element must be string or non-empty array`);
}

/** [cidr, key] pairs of an operand: a string keys itself, arrays by index, sets by member, objects by key. */
function matchEntries(v: Value, operand: number): Array<[Value, Value]> {
  if (typeof v === 'string') return [[v, v]];
  if (Array.isArray(v)) return v.map((x, i) => [matchEntry(x, operand), i]);
  if (v instanceof SetValue) return v.values().map((x) => [matchEntry(x, operand), x]);
  if (v instanceof ObjectValue) return v.entries().map(([k, x]) => [matchEntry(x, operand), k]);
  throw operandError('net.cidr_contains_matches', operand - 1, `must be one of {string, array, set, object} but got ${typeName(v)}`);
}

/** net.cidr_contains_matches: the set of [key1, key2] where the first CIDR contains the second. */
function cidrContainsMatches(args: Value[]): Value {
  const out = new SetValue();
  for (const [cidr, key1] of matchEntries(args[0], 1)) {
    for (const [inner, key2] of matchEntries(args[1], 2)) {
      if (cidrContains([cidr, inner]) === true) out.add([key1, key2]);
    }
  }
  return out;
}

/** The net builtins. */
export const netBuiltins: Builtin[] = [
  { name: 'net.cidr_contains', arity: 2, fn: cidrContains },
  { name: 'net.cidr_intersects', arity: 2, fn: cidrIntersects },
  { name: 'net.cidr_overlap', arity: 2, fn: cidrContains }, // deprecated alias of cidr_contains
  { name: 'net.cidr_contains_matches', arity: 2, fn: cidrContainsMatches },
  { name: 'net.cidr_is_valid', arity: 1, fn: (args) => typeof args[0] === 'string' && parseCIDR(args[0]) !== undefined },
  { name: 'net.cidr_expand', arity: 1, fn: cidrExpand },
];
