/**
 * Indexing and iteration over values, as refs use them: `x[k]` and `x[_]`.
 */
import { ObjectValue, type Value } from '../value/index.js';

/** `coll[key]`, or undefined when coll has no such key (or is not a collection). */
export function indexValue(coll: Value, key: Value): Value | undefined {
  if (coll === null || typeof coll !== 'object') return undefined;
  if (Array.isArray(coll)) {
    if (typeof key === 'number') return Number.isInteger(key) && key >= 0 ? coll[key] : undefined;
    return undefined;
  }
  if (coll instanceof ObjectValue) return coll.get(key);
  return coll.has(key) ? key : undefined;
}

/** Follows a path of string keys through objects, as the base `data` document is read. */
export function lookupPath(root: Value, path: readonly string[]): Value | undefined {
  let v: Value | undefined = root;
  for (const k of path) {
    if (!(v instanceof ObjectValue)) return undefined;
    v = v.get(k);
    if (v === undefined) return undefined;
  }
  return v;
}

/** A copy of `root` with `value` placed at `path`, creating objects along the way. */
export function replaceAtPath(root: Value | undefined, path: readonly Value[], value: Value): Value {
  if (path.length === 0) return value;
  const out = new ObjectValue();
  if (root instanceof ObjectValue) root.forEach((v, k) => out.set(k, v));
  out.set(path[0], replaceAtPath(out.get(path[0]), path.slice(1), value));
  return out;
}
