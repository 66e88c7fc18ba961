/**
 * Bitwise builtins on integers of any size, with two's-complement semantics as Go's
 * big.Int gives them.
 */
import { num, type Value } from '../value/index.js';
import { builtinError, ensureInteger, operandError } from './args.js';
import type { Builtin } from './types.js';

/** Shifting left by more than this would build an absurdly large number. */
const MAX_SHIFT = 1n << 16n;

function integerArg(args: Value[], i: number, name: string): bigint {
  return BigInt(ensureInteger(args, i, name));
}

function binary(name: string, op: (a: bigint, b: bigint) => bigint): Builtin {
  return { name, arity: 2, fn: (args) => num.normalizeInteger(op(integerArg(args, 0, name), integerArg(args, 1, name))) };
}

/** A shift whose amount must not be negative. */
function shift(name: string, op: (a: bigint, b: bigint) => bigint): Builtin {
  return binary(name, (a, b) => {
    if (b < 0n) throw operandError(name, 1, 'must be an unsigned integer number but got a negative integer');
    if (b > MAX_SHIFT && name === 'bits.lsh') throw builtinError(name, 'shift amount too large');
    return op(a, b);
  });
}

/** The bits family. */
export const bitsBuiltins: Builtin[] = [
  binary('bits.and', (a, b) => a & b),
  binary('bits.or', (a, b) => a | b),
  binary('bits.xor', (a, b) => a ^ b),
  { name: 'bits.negate', arity: 1, fn: (args) => num.normalizeInteger(~integerArg(args, 0, 'bits.negate')) },
  shift('bits.lsh', (a, b) => a << b),
  shift('bits.rsh', (a, b) => a >> b),
];
