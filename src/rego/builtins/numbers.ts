/**
 * Number builtins: rounding, ranges and `rand.intn`.
 */
import { randomInt } from 'node:crypto';
import { num, type Value } from '../value/index.js';
import type { RegoNumber } from '../value/index.js';
import { builtinError, ensureInteger, ensureNumber, ensureString } from './args.js';
import type { Builtin, BuiltinContext } from './types.js';

/** A rounding builtin; integers (including bigints) are already round. */
function rounding(name: string, op: (x: number) => number): Builtin {
  return {
    name,
    arity: 1,
    fn: (args) => {
      const x = ensureNumber(args, 0, name);
      return typeof x === 'bigint' ? x : num.normalizeInteger(op(x));
    },
  };
}

/** Rounds half away from zero, as Go's math.Round does (JS's Math.round rounds half up). */
function roundHalfAway(x: number): number {
  const whole = Math.trunc(x);
  return Math.abs(x - whole) >= 0.5 ? whole + Math.sign(x) : whole;
}

function abs(args: Value[]): Value {
  const x = ensureNumber(args, 0, 'abs');
  return typeof x === 'bigint' ? (x < 0n ? -x : x) : Math.abs(x);
}

/** Ranges can reach beyond 2^53, so they count in bigints and normalise each element. */
function rangeValues(from: RegoNumber, to: RegoNumber, step: bigint): Value[] {
  const a = BigInt(from), b = BigInt(to);
  const out: Value[] = [];
  if (a <= b) for (let i = a; i <= b; i += step) out.push(num.normalizeInteger(i));
  else for (let i = a; i >= b; i -= step) out.push(num.normalizeInteger(i));
  return out;
}

function range(args: Value[]): Value {
  const a = ensureInteger(args, 0, 'numbers.range'), b = ensureInteger(args, 1, 'numbers.range');
  return rangeValues(a, b, 1n);
}

function rangeStep(args: Value[]): Value {
  const name = 'numbers.range_step';
  const a = ensureInteger(args, 0, name), b = ensureInteger(args, 1, name), step = ensureInteger(args, 2, name);
  if (step <= 0) throw builtinError(name, 'step must be a positive number above zero');
  return rangeValues(a, b, BigInt(step));
}

/**
 * A random integer in [0, |n|), the same for the same (key, n) throughout one evaluation.
 * A non-integer `n` makes the call undefined, as the conformance cases expect.
 */
function randIntn(args: Value[], ctx: BuiltinContext): Value | undefined {
  const key = ensureString(args, 0, 'rand.intn');
  const n = ensureNumber(args, 1, 'rand.intn');
  if (!num.isInteger(n)) return undefined;
  const bound = typeof n === 'bigint' ? (n < 0n ? -n : n) : Math.abs(n);
  if (num.numbersEqual(bound, 0)) return 0;
  const cacheKey = `rand.intn\u0000${key}\u0000${num.numberKey(bound)}`;
  const cached = ctx.cache.get(cacheKey);
  if (cached !== undefined) return cached;
  const value = randomBelow(bound);
  ctx.cache.set(cacheKey, value);
  return value;
}

/** Uniform random integer in [0, bound); crypto's randomInt covers bounds below 2^48. */
function randomBelow(bound: RegoNumber): RegoNumber {
  if (typeof bound === 'number' && bound < 2 ** 48) return randomInt(bound);
  const b = BigInt(bound);
  const hex = Array.from({ length: b.toString(16).length + 8 }, () => randomInt(16).toString(16)).join('');
  return num.normalizeInteger(BigInt('0x' + hex) % b);
}

/** The number family. */
export const numberBuiltins: Builtin[] = [
  { name: 'abs', arity: 1, fn: abs },
  rounding('round', roundHalfAway),
  rounding('ceil', Math.ceil),
  rounding('floor', Math.floor),
  { name: 'numbers.range', arity: 2, fn: range },
  { name: 'numbers.range_step', arity: 3, fn: rangeStep },
  { name: 'rand.intn', arity: 2, fn: randIntn, nondeterministic: true },
];
