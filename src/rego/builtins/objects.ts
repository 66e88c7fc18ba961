/**
 * Object builtins: object.get/keys/remove/union/union_n/filter/subset.
 */
import { ObjectValue, SetValue, equals, num, type Value } from '../value/index.js';
import { ensureArray, ensureObject, operandError, operandTypeError, typeName } from './args.js';
import type { Builtin } from './types.js';

/** One step into a composite value: object key, array index or set member. */
export function childOf(v: Value, key: Value): Value | undefined {
  if (v instanceof ObjectValue) return v.get(key);
  if (v instanceof SetValue) return v.has(key) ? key : undefined;
  if (Array.isArray(v) && (typeof key === 'number' || typeof key === 'bigint') && num.isInteger(key)) {
    const i = Number(key);
    return i >= 0 && i < v.length ? v[i] : undefined;
  }
  return undefined;
}

/** `object.get(obj, key, default)`; an array key is a path, the empty path the object itself. */
function get(args: Value[]): Value {
  const obj = ensureObject(args, 0, 'object.get');
  const [, key, fallback] = args;
  if (!Array.isArray(key)) {
    const found = obj.get(key);
    return found === undefined ? fallback : found;
  }
  let at: Value | undefined = obj;
  for (const step of key) {
    at = childOf(at, step);
    if (at === undefined) return fallback;
  }
  return at;
}

function keys(args: Value[]): Value {
  return SetValue.from(ensureObject(args, 0, 'object.keys').keys());
}

/** The keys named by an array, a set, or an object's keys. */
function keyList(args: Value[], i: number, name: string): Value[] {
  const v = args[i];
  if (Array.isArray(v)) return v;
  if (v instanceof SetValue) return v.values();
  if (v instanceof ObjectValue) return v.keys();
  throw operandTypeError(name, i, v, 'object', 'set', 'array');
}

function remove(args: Value[]): Value {
  const obj = ensureObject(args, 0, 'object.remove');
  const drop = SetValue.from(keyList(args, 1, 'object.remove'));
  return ObjectValue.from(obj.entries().filter(([k]) => !drop.has(k)));
}

function filter(args: Value[]): Value {
  const obj = ensureObject(args, 0, 'object.filter');
  const keep = SetValue.from(keyList(args, 1, 'object.filter'));
  return ObjectValue.from(obj.entries().filter(([k]) => keep.has(k)));
}

/** Merges `b` into `a`: `b` wins, except that two objects under one key merge recursively. */
export function mergeObjects(a: ObjectValue, b: ObjectValue): ObjectValue {
  const out = ObjectValue.from(a.entries());
  b.forEach((v, k) => {
    const mine = a.get(k);
    out.set(k, mine instanceof ObjectValue && v instanceof ObjectValue ? mergeObjects(mine, v) : v);
  });
  return out;
}

function union(args: Value[]): Value {
  return mergeObjects(ensureObject(args, 0, 'object.union'), ensureObject(args, 1, 'object.union'));
}

function unionN(args: Value[]): Value {
  let out = new ObjectValue();
  for (const o of ensureArray(args, 0, 'object.union_n')) {
    if (!(o instanceof ObjectValue)) throw operandError('object.union_n', 0, `must be array of objects but got array containing ${typeName(o)}`);
    out = mergeObjects(out, o);
  }
  return out;
}

/**
 * Whether `sub` is contained in `sup`, as OPA defines it: objects key by key, recursing
 * into values that are both objects, both sets or both arrays (other values must be
 * equal); sets by membership; arrays as a contiguous run; a set in an array by membership.
 */
export function isSubset(sup: Value, sub: Value): boolean | undefined {
  if (sup instanceof ObjectValue && sub instanceof ObjectValue) return objectSubset(sup, sub);
  if (sup instanceof SetValue && sub instanceof SetValue) return sub.values().every((x) => sup.has(x));
  if (Array.isArray(sup) && Array.isArray(sub)) return containsRun(sup, sub);
  if (Array.isArray(sup) && sub instanceof SetValue) return arrayCoversSet(sup, sub);
  return undefined;
}

function objectSubset(sup: ObjectValue, sub: ObjectValue): boolean {
  return sub.entries().every(([k, v]) => {
    const w = sup.get(k);
    if (w === undefined) return false;
    if (equals(v, w)) return true;
    // Unlike at the top level, an array does not contain a set here.
    return !(Array.isArray(w) && v instanceof SetValue) && isSubset(w, v) === true;
  });
}

function containsRun(sup: Value[], sub: Value[]): boolean {
  if (sub.length === 0) return true;
  for (let i = 0; i + sub.length <= sup.length; i++) {
    if (sub.every((x, j) => equals(sup[i + j], x))) return true;
  }
  return false;
}

/**
 * OPA counts array elements found in the set until the count reaches the set's size, so
 * repeated elements count again and an empty array never covers even the empty set.
 */
function arrayCoversSet(sup: Value[], sub: SetValue): boolean {
  let unmatched = sub.size;
  return sup.some((x) => {
    if (sub.has(x)) unmatched--;
    return unmatched === 0;
  });
}

function subset(args: Value[]): Value {
  const result = isSubset(args[0], args[1]);
  if (result === undefined) throw operandError('object.subset', 0, 'and operand 2 must both be objects, sets or arrays, or an array and a set');
  return result;
}

/** The object family. */
export const objectBuiltins: Builtin[] = [
  { name: 'object.get', arity: 3, fn: get },
  { name: 'object.keys', arity: 1, fn: keys },
  { name: 'object.remove', arity: 2, fn: remove },
  { name: 'object.filter', arity: 2, fn: filter },
  { name: 'object.union', arity: 2, fn: union },
  { name: 'object.union_n', arity: 1, fn: unionN },
  { name: 'object.subset', arity: 2, fn: subset },
];
