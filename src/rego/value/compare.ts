/**
 * Total order and equality of Rego values, as OPA orders them:
 * null < boolean < number < string < array < object < set.
 */
import { compareNumbers, numbersEqual } from './number.js';
import { ObjectValue, SetValue, type Value } from './types.js';

function rank(v: Value): number {
  if (v === null) return 0;
  switch (typeof v) {
    case 'boolean': return 1;
    case 'number':
    case 'bigint': return 2;
    case 'string': return 3;
  }
  if (Array.isArray(v)) return 4;
  if (v instanceof ObjectValue) return 5;
  return 6;
}

/** Compares strings by code point (Go compares UTF-8 bytes, which orders the same way). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i), y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff, ys = y >= 0xd800 && y <= 0xdfff;
    if (xs === ys) return x < y ? -1 : 1;
    return xs ? 1 : -1; // a surrogate starts an astral code point, above every BMP one
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

export function compare(a: Value, b: Value): number {
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  const ra = rank(a), rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0: return 0;
    case 1: return a === b ? 0 : a ? 1 : -1;
    case 2: return compareNumbers(a as number, b as number);
    case 3: return compareStrings(a as string, b as string);
    case 4: return compareSequences(a as Value[], b as Value[]);
    case 5: return compareObjects(a as ObjectValue, b as ObjectValue);
    default: return compareSequences(sortValues((a as SetValue).values()), sortValues((b as SetValue).values()));
  }
}

function compareSequences(a: Value[], b: Value[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compare(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
}

function compareObjects(a: ObjectValue, b: ObjectValue): number {
  const ka = sortValues(a.keys()), kb = sortValues(b.keys());
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i++) {
    const c = compare(ka[i], kb[i]);
    if (c !== 0) return c;
    const d = compare(a.get(ka[i]) as Value, b.get(kb[i]) as Value);
    if (d !== 0) return d;
  }
  return ka.length < kb.length ? -1 : ka.length === kb.length ? 0 : 1;
}

/** Sorts in place by Rego order and returns the array. */
export function sortValues<T extends Value>(values: T[]): T[] {
  if (values.length < 2) return values;
  // Strings only (the usual sets of names and reasons): skip the type dispatch.
  let strings = true;
  for (let i = 0; i < values.length && strings; i++) strings = typeof values[i] === 'string';
  const order = (strings ? compareStrings : compare) as (a: T, b: T) => number;
  if (values.length > 12) return values.sort(order);
  // Few values (the common case): insertion sort, without the set-up cost of Array#sort.
  for (let i = 1; i < values.length; i++) {
    const x = values[i];
    let j = i - 1;
    while (j >= 0 && order(values[j], x) > 0) {
      values[j + 1] = values[j];
      j--;
    }
    values[j + 1] = x;
  }
  return values;
}

export function equals(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  const ta = typeof a, tb = typeof b;
  if ((ta === 'number' || ta === 'bigint') && (tb === 'number' || tb === 'bigint')) return numbersEqual(a as number, b as number);
  if (ta !== 'object' || tb !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equals(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof ObjectValue) {
    if (!(b instanceof ObjectValue) || a.size !== b.size) return false;
    for (const [k, v] of a.entries()) {
      const w = b.get(k);
      if (w === undefined || !equals(v, w)) return false;
    }
    return true;
  }
  if (a instanceof SetValue) {
    if (!(b instanceof SetValue) || a.size !== b.size) return false;
    for (const v of a.values()) if (!b.has(v)) return false;
    return true;
  }
  return false;
}
