/**
 * OPA's internal operator builtins: arithmetic (`+ - * / %`), set operators (`& |`, and
 * `-` as set difference), comparisons and the `in` membership tests.
 */
import { SetValue, compare, equals, num, type Value } from '../value/index.js';
import type { RegoNumber } from '../value/index.js';
import { builtinError, ensureNumber, ensureSet, numberResult, operandTypeError, typeName } from './args.js';
import type { Builtin } from './types.js';

function arithmetic(name: string, op: (a: RegoNumber, b: RegoNumber) => RegoNumber): Builtin {
  return { name, arity: 2, fn: (args) => numberResult(name, op(ensureNumber(args, 0, name), ensureNumber(args, 1, name))) };
}

function isZero(n: RegoNumber): boolean {
  return num.numbersEqual(n, 0);
}

function divide(args: Value[]): Value {
  const a = ensureNumber(args, 0, 'div'), b = ensureNumber(args, 1, 'div');
  if (isZero(b)) throw builtinError('div', 'divide by zero');
  return numberResult('div', num.divide(a, b));
}

/** `%` is defined on integers only, as in OPA. */
function remainder(args: Value[]): Value {
  const a = ensureNumber(args, 0, 'rem'), b = ensureNumber(args, 1, 'rem');
  if (!num.isInteger(a) || !num.isInteger(b)) throw builtinError('rem', 'modulo on floating-point number');
  if (isZero(b)) throw builtinError('rem', 'modulo by zero');
  return num.remainder(a, b);
}

/** `-` subtracts numbers or takes the difference of two sets. */
function minus(args: Value[]): Value {
  const [a, b] = args;
  if (a instanceof SetValue && b instanceof SetValue) return SetValue.from(a.values().filter((x) => !b.has(x)));
  if (a instanceof SetValue) throw operandTypeError('minus', 1, b, 'set');
  if (b instanceof SetValue && typeName(a) === 'number') throw operandTypeError('minus', 1, b, 'number');
  if (typeName(a) !== 'number') throw operandTypeError('minus', 0, a, 'number', 'set');
  return numberResult('minus', num.subtract(a as RegoNumber, ensureNumber(args, 1, 'minus')));
}

function intersection(args: Value[]): Value {
  const a = ensureSet(args, 0, 'and'), b = ensureSet(args, 1, 'and');
  return SetValue.from(a.values().filter((x) => b.has(x)));
}

function union(args: Value[]): Value {
  const a = ensureSet(args, 0, 'or'), b = ensureSet(args, 1, 'or');
  return SetValue.from([...a.values(), ...b.values()]);
}

function comparison(name: string, test: (order: number) => boolean): Builtin {
  return { name, arity: 2, fn: (args) => test(compare(args[0], args[1])) };
}

/** `x in coll`: an array element, a set member or an object value; false for scalars. */
function member(args: Value[]): Value {
  const [x, coll] = args;
  if (coll instanceof SetValue) return coll.has(x);
  if (Array.isArray(coll)) return coll.some((y) => equals(x, y));
  if (coll !== null && typeof coll === 'object') return coll.entries().some(([, y]) => equals(x, y));
  return false;
}

/** `k, v in coll`: `coll[k]` exists and equals `v` (for a set, `k` is a member equal to `v`). */
function memberWithKey(args: Value[]): Value {
  const [k, v, coll] = args;
  if (coll instanceof SetValue) return coll.has(k) && equals(k, v);
  if (Array.isArray(coll)) {
    if ((typeof k !== 'number' && typeof k !== 'bigint') || !num.isInteger(k)) return false;
    const i = Number(k);
    return i >= 0 && i < coll.length && equals(coll[i], v);
  }
  if (coll !== null && typeof coll === 'object') {
    const found = coll.get(k);
    return found !== undefined && equals(found, v);
  }
  return false;
}

/** The operator builtins, under the names OPA's compiler gives them. */
export const operatorBuiltins: Builtin[] = [
  arithmetic('plus', num.add),
  { name: 'minus', arity: 2, fn: minus },
  arithmetic('mul', num.multiply),
  { name: 'div', arity: 2, fn: divide },
  { name: 'rem', arity: 2, fn: remainder },
  { name: 'and', arity: 2, fn: intersection },
  { name: 'or', arity: 2, fn: union },
  { name: 'equal', arity: 2, fn: (args) => equals(args[0], args[1]) },
  { name: 'neq', arity: 2, fn: (args) => !equals(args[0], args[1]) },
  comparison('lt', (c) => c < 0),
  comparison('lte', (c) => c <= 0),
  comparison('gt', (c) => c > 0),
  comparison('gte', (c) => c >= 0),
  { name: 'internal.member_2', arity: 2, fn: member },
  { name: 'internal.member_3', arity: 3, fn: memberWithKey },
];
