/**
 * Argument guards shared by every builtin family. Each guard checks one argument and
 * returns it narrowed, or throws a BuiltinError worded as OPA words it:
 * `operand 1 must be string but got number`. The evaluator prefixes every message with
 * the name the builtin was called by, giving OPA's `count: operand 1 must be …`; so
 * messages here never start with the name. Indexes are 0-based; messages count operands
 * from 1. Whether an error fails the query or makes the call undefined (strict mode) is
 * the evaluator's decision, not the guards'.
 */
import { ObjectValue, SetValue, num, type Value } from '../value/index.js';
import type { RegoNumber } from '../value/index.js';
import { BuiltinError } from './types.js';

/** OPA's name for a value's type. */
export type TypeName = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object' | 'set';

/** OPA's type name of `v`: null boolean number string array object set. */
export function typeName(v: Value): TypeName {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean': return 'boolean';
    case 'number':
    case 'bigint': return 'number';
    case 'string': return 'string';
  }
  if (Array.isArray(v)) return 'array';
  return v instanceof SetValue ? 'set' : 'object';
}

/**
 * A type error about operand `i` (0-based): `operand 2 <message>`. `_name` (the builtin's
 * name) documents the call site only; the evaluator adds the name to the message.
 */
export function operandError(_name: string, i: number, message: string): BuiltinError {
  return new BuiltinError('type', `operand ${i + 1} ${message}`, i);
}

/** A type error saying operand `i` has the wrong type; `expected` lists acceptable types. */
export function operandTypeError(name: string, i: number, got: Value, ...expected: string[]): BuiltinError {
  const want = expected.length === 1 ? expected[0] : `one of {${expected.join(', ')}}`;
  return operandError(name, i, `must be ${want} but got ${typeName(got)}`);
}

/** A builtin (not type) error, e.g. `divide by zero`; the evaluator adds the name (`_name`). */
export function builtinError(_name: string, message: string): BuiltinError {
  return new BuiltinError('builtin', message);
}

/** Argument `i`, which the evaluator always supplies; a missing one is a caller bug. */
function arg(args: Value[], i: number, name: string): Value {
  const v = args[i];
  if (v === undefined) throw operandError(name, i, 'is missing');
  return v;
}

/** Argument `i` as a string. */
export function ensureString(args: Value[], i: number, name: string): string {
  const v = arg(args, i, name);
  if (typeof v !== 'string') throw operandTypeError(name, i, v, 'string');
  return v;
}

/** Argument `i` as a number (a JS number, or a bigint beyond 2^53). */
export function ensureNumber(args: Value[], i: number, name: string): RegoNumber {
  const v = arg(args, i, name);
  if (typeof v !== 'number' && typeof v !== 'bigint') throw operandTypeError(name, i, v, 'number');
  return v;
}

/** A number that must be an integer (number or bigint). */
export function ensureInteger(args: Value[], i: number, name: string): RegoNumber {
  const v = ensureNumber(args, i, name);
  if (!num.isInteger(v)) throw operandError(name, i, 'must be integer number but got floating-point number');
  return v;
}

/** An integer small enough to be a JS number (an index, a count, a length). */
export function ensureSafeInteger(args: Value[], i: number, name: string): number {
  const v = ensureInteger(args, i, name);
  if (typeof v === 'bigint') throw operandError(name, i, 'is out of range');
  return v;
}

/** Argument `i` as a boolean. */
export function ensureBoolean(args: Value[], i: number, name: string): boolean {
  const v = arg(args, i, name);
  if (typeof v !== 'boolean') throw operandTypeError(name, i, v, 'boolean');
  return v;
}

/** Argument `i` as an array. */
export function ensureArray(args: Value[], i: number, name: string): Value[] {
  const v = arg(args, i, name);
  if (!Array.isArray(v)) throw operandTypeError(name, i, v, 'array');
  return v;
}

/** Argument `i` as an object. */
export function ensureObject(args: Value[], i: number, name: string): ObjectValue {
  const v = arg(args, i, name);
  if (!(v instanceof ObjectValue)) throw operandTypeError(name, i, v, 'object');
  return v;
}

/** Argument `i` as a set. */
export function ensureSet(args: Value[], i: number, name: string): SetValue {
  const v = arg(args, i, name);
  if (!(v instanceof SetValue)) throw operandTypeError(name, i, v, 'set');
  return v;
}

/** An array, object or set. */
export function ensureCollection(args: Value[], i: number, name: string): Value[] | ObjectValue | SetValue {
  const v = arg(args, i, name);
  if (v === null || typeof v !== 'object') throw operandTypeError(name, i, v, 'array', 'object', 'set');
  return v;
}

/** An array or a set: the collections whose members are its elements. */
export function ensureArrayOrSet(args: Value[], i: number, name: string): Value[] | SetValue {
  const v = arg(args, i, name);
  if (!Array.isArray(v) && !(v instanceof SetValue)) throw operandTypeError(name, i, v, 'array', 'set');
  return v;
}

/** Any value whose OPA type name is one of `types`. */
export function ensureOneOf(args: Value[], i: number, name: string, ...types: TypeName[]): Value {
  const v = arg(args, i, name);
  if (!types.includes(typeName(v))) throw operandTypeError(name, i, v, ...types);
  return v;
}

/** The elements of an array or the members of a set (a fresh array). */
export function elementsOf(v: Value[] | SetValue): Value[] {
  return Array.isArray(v) ? [...v] : v.values();
}

/** Strings of an array or set argument, each checked: OPA's `any<array[string], set[string]>`. */
export function ensureStringCollection(args: Value[], i: number, name: string): string[] {
  const items = elementsOf(ensureArrayOrSet(args, i, name));
  for (const x of items) {
    if (typeof x !== 'string') throw operandError(name, i, `must be array or set of strings but got ${typeName(x)} element`);
  }
  return items as string[];
}

/**
 * A computed number in normal form. Doubles can overflow where OPA's arbitrary-precision
 * floats would not; such a result is refused rather than becoming Infinity or NaN.
 */
export function numberResult(name: string, n: RegoNumber): RegoNumber {
  if (typeof n === 'number' && !Number.isFinite(n)) throw builtinError(name, 'arithmetic result out of range');
  return num.normalizeInteger(n);
}
