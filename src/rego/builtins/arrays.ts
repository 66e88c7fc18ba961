/**
 * Array builtins: concat, slice, reverse.
 */
import { num, type Value } from '../value/index.js';
import { ensureArray, ensureNumber } from './args.js';
import type { Builtin } from './types.js';

function concat(args: Value[]): Value {
  return [...ensureArray(args, 0, 'array.concat'), ...ensureArray(args, 1, 'array.concat')];
}

/**
 * `arr[start:stop]` with both bounds clamped to the array. A non-integer bound makes the
 * call undefined, as the conformance cases expect.
 */
function slice(args: Value[]): Value | undefined {
  const arr = ensureArray(args, 0, 'array.slice');
  const start = ensureNumber(args, 1, 'array.slice'), stop = ensureNumber(args, 2, 'array.slice');
  if (!num.isInteger(start) || !num.isInteger(stop)) return undefined;
  const from = clamp(start, arr.length), to = clamp(stop, arr.length);
  return from >= to ? [] : arr.slice(from, to);
}

function clamp(n: number | bigint, length: number): number {
  if (n < 0) return 0;
  return n > length ? length : Number(n);
}

function reverse(args: Value[]): Value {
  return [...ensureArray(args, 0, 'array.reverse')].reverse();
}

/** The array family. */
export const arrayBuiltins: Builtin[] = [
  { name: 'array.concat', arity: 2, fn: concat },
  { name: 'array.slice', arity: 3, fn: slice },
  { name: 'array.reverse', arity: 1, fn: reverse },
];
