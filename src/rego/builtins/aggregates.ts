/**
 * Aggregates over collections: count, sum, product, max, min, sort.
 */
import { compare, num, sortValues, type SetValue, type Value } from '../value/index.js';
import type { RegoNumber } from '../value/index.js';
import { elementsOf, ensureArrayOrSet, ensureOneOf, numberResult, operandError, typeName } from './args.js';
import type { Builtin } from './types.js';

/** Elements count; a string counts its code points, not its UTF-16 units. */
function count(args: Value[]): Value {
  const v = ensureOneOf(args, 0, 'count', 'array', 'object', 'set', 'string');
  if (typeof v === 'string') {
    let n = 0;
    for (const _ of v) n++;
    return n;
  }
  if (Array.isArray(v)) return v.length;
  return (v as SetValue).size;
}

/** The numbers of an array or set argument; any other element is a type error. */
function numbersOf(args: Value[], name: string): RegoNumber[] {
  const items = elementsOf(ensureArrayOrSet(args, 0, name));
  for (const x of items) {
    if (typeName(x) !== 'number') throw operandError(name, 0, `must be one of {array, set} containing number elements but got ${typeName(x)} element`);
  }
  return items as RegoNumber[];
}

function sum(args: Value[]): Value {
  return numberResult('sum', numbersOf(args, 'sum').reduce<RegoNumber>((acc, x) => num.add(acc, x), 0));
}

function product(args: Value[]): Value {
  return numberResult('product', numbersOf(args, 'product').reduce<RegoNumber>((acc, x) => num.multiply(acc, x), 1));
}

/** The greatest (sign 1) or least (sign -1) element in Rego order; undefined when empty. */
function extreme(name: string, sign: 1 | -1): Builtin {
  return {
    name,
    arity: 1,
    fn: (args) => {
      const items = elementsOf(ensureArrayOrSet(args, 0, name));
      if (items.length === 0) return undefined;
      return items.reduce((best, x) => (compare(x, best) * sign > 0 ? x : best));
    },
  };
}

function sort(args: Value[]): Value {
  return sortValues(elementsOf(ensureArrayOrSet(args, 0, 'sort')));
}

/** The aggregate family. */
export const aggregateBuiltins: Builtin[] = [
  { name: 'count', arity: 1, fn: count },
  { name: 'sum', arity: 1, fn: sum },
  { name: 'product', arity: 1, fn: product },
  extreme('max', 1),
  extreme('min', -1),
  { name: 'sort', arity: 1, fn: sort },
];
