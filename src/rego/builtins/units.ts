/**
 * `units.parse` (SI and binary suffixes) and `units.parse_bytes`.
 *
 * OPA knows the suffixes k M G T P E (m for milli) and their binary forms Ki … Ei. The
 * conformance cases also expect the rest of the SI prefixes (Q R Y Z h da d c μ n f a z
 * y r q, and Zi Yi), which are accepted here as well.
 */
import { num, type Value } from '../value/index.js';
import type { RegoNumber } from '../value/index.js';
import { builtinError, ensureString } from './args.js';
import type { Builtin } from './types.js';

/** A multiplier: a power of ten or a power of two. */
type Scale = { readonly pow10: number } | { readonly pow2: number };

const SI: Record<string, Scale> = {
  '': { pow10: 0 },
  Q: { pow10: 30 }, R: { pow10: 27 }, Y: { pow10: 24 }, Z: { pow10: 21 },
  E: { pow10: 18 }, e: { pow10: 18 }, P: { pow10: 15 }, p: { pow10: 15 },
  T: { pow10: 12 }, t: { pow10: 12 }, G: { pow10: 9 }, g: { pow10: 9 },
  M: { pow10: 6 }, K: { pow10: 3 }, k: { pow10: 3 }, h: { pow10: 2 }, da: { pow10: 1 },
  d: { pow10: -1 }, c: { pow10: -2 }, m: { pow10: -3 }, μ: { pow10: -6 }, n: { pow10: -9 },
  f: { pow10: -15 }, a: { pow10: -18 }, z: { pow10: -21 }, y: { pow10: -24 }, r: { pow10: -27 }, q: { pow10: -30 },
};

const BINARY_PREFIXES = ['k', 'm', 'g', 't', 'p', 'e', 'z', 'y'];
const DECIMAL_BYTE_PREFIXES = ['k', 'm', 'g', 't', 'p', 'e', 'z', 'y', 'r', 'q'];

for (const [i, p] of BINARY_PREFIXES.entries()) {
  SI[p + 'i'] = SI[p.toUpperCase() + 'i'] = { pow2: 10 * (i + 1) };
}

/** Byte units, lower case: `k`/`kb` are powers of ten, `ki`/`kib` powers of two. */
const BYTES: Record<string, Scale> = { '': { pow10: 0 }, b: { pow10: 0 } };
for (const [i, p] of DECIMAL_BYTE_PREFIXES.entries()) BYTES[p] = BYTES[p + 'b'] = { pow10: 3 * (i + 1) };
for (const [i, p] of BINARY_PREFIXES.entries()) BYTES[p + 'i'] = BYTES[p + 'ib'] = { pow2: 10 * (i + 1) };

/** An amount as digits × 10^exp10, read from text such as `12.5` or `1.5e3`. */
interface Amount {
  readonly digits: bigint;
  readonly exp10: number;
}

/** Exponents are limited so that `1e999999999` cannot build an enormous integer. */
const MAX_EXPONENT_DIGITS = 3;

/**
 * Splits `12.5Ki` into its amount and its unit; quotes are dropped first, spaces refused.
 * An `e` followed by digits is an exponent (`1e3k`); otherwise it starts the unit (`1e`, `1eb`).
 */
function splitAmount(name: string, raw: string): [Amount, string] {
  const s = raw.replaceAll('"', '');
  if (s.includes(' ')) throw builtinError(name, 'spaces not allowed in resource strings');
  const m = /^([0-9.]*)(?:[eE]([+-]?[0-9]+))?(.*)$/su.exec(s) as RegExpExecArray;
  const [, mantissa, exponent, unit] = m;
  if (mantissa === '') throw builtinError(name, 'no amount provided');
  if (!/^([0-9]+\.?[0-9]*|\.[0-9]+)$/.test(mantissa)) throw builtinError(name, 'could not parse amount to a number');
  if (exponent !== undefined && exponent.replace(/^[+-]/, '').length > MAX_EXPONENT_DIGITS) throw builtinError(name, 'exponent too large');
  const [whole, frac = ''] = mantissa.split('.');
  return [{ digits: BigInt((whole || '0') + frac), exp10: Number(exponent ?? 0) - frac.length }, unit];
}

/**
 * amount × scale. Integer results are exact bigints, except for SI prefixes beyond 10^22
 * (not exact as doubles), which are rounded as the double of their decimal text.
 */
function scaleAmount({ digits, exp10 }: Amount, scale: Scale): RegoNumber {
  if ('pow10' in scale) {
    const exp = exp10 + scale.pow10;
    if (exp >= 0 && scale.pow10 <= 22) return num.normalizeInteger(digits * 10n ** BigInt(exp));
    return num.normalizeInteger(Number(`${digits}e${exp}`));
  }
  const scaled = digits << BigInt(scale.pow2);
  if (exp10 >= 0) return num.normalizeInteger(scaled * 10n ** BigInt(exp10));
  const divisor = 10n ** BigInt(-exp10);
  return scaled % divisor === 0n ? num.normalizeInteger(scaled / divisor) : Number(`${scaled}e${exp10}`);
}

/** An unknown unit makes the call undefined, as the conformance cases expect. */
function parseUnits(args: Value[]): Value | undefined {
  const [amount, unit] = splitAmount('units.parse', ensureString(args, 0, 'units.parse'));
  // Only the letters after the first are case-insensitive, so that m and M differ.
  const key = unit.length > 1 ? unit[0] + unit.slice(1).toLowerCase() : unit;
  const scale = SI[key];
  return scale === undefined ? undefined : scaleAmount(amount, scale);
}

/** Bytes are whole: a fractional result is truncated toward zero. */
function parseBytes(args: Value[]): Value {
  const name = 'units.parse_bytes';
  const [amount, unit] = splitAmount(name, ensureString(args, 0, name).toLowerCase());
  const scale = BYTES[unit];
  if (scale === undefined) throw builtinError(name, `byte unit ${unit} not recognized`);
  const n = scaleAmount(amount, scale);
  return typeof n === 'bigint' ? n : num.normalizeInteger(Math.trunc(n));
}

/** The units family. */
export const unitsBuiltins: Builtin[] = [
  { name: 'units.parse', arity: 1, fn: parseUnits },
  { name: 'units.parse_bytes', arity: 1, fn: parseBytes },
];
