/**
 * Builtins that address values inside a document by JSON path: json.filter and
 * json.remove. (json.patch lives in jsonpatch.ts.)
 */
import { ObjectValue, SetValue, type Value } from '../value/index.js';
import { elementsOf, ensureArrayOrSet, ensureObject, operandError, typeName } from './args.js';
import type { Builtin } from './types.js';

/**
 * A path tree: each key maps to the subtree below it, or to null where a path ends
 * (everything below is selected).
 */
type PathTree = ObjectValue;

/** Undoes the JSON pointer escapes `~1` (for `/`) and `~0` (for `~`) of one segment. */
function unescapeSegment(segment: string): string {
  return segment.replaceAll('~1', '/').replaceAll('~0', '~');
}

/** Splits `a/b~1c` (leading slashes ignored) into unescaped segments. */
export function splitPointer(text: string): string[] {
  return text.replace(/^\/+/, '').split('/').map(unescapeSegment);
}

/** One path argument: a `/`-separated string or an array of segments. */
function pathSegments(p: Value, name: string): Value[] {
  if (typeof p === 'string') return p === '' ? [] : splitPointer(p);
  if (Array.isArray(p)) return p;
  throw operandError(name, 1, `must be one of {set, array} containing string paths or array of path segments but got ${typeName(p)}`);
}

/**
 * Merges paths into one tree. A path ending where a longer one passes turns that node
 * into a leaf; a longer path below an existing leaf adds nothing. Empty paths are ignored.
 */
function pathTree(paths: Value[][]): PathTree {
  const root = new ObjectValue();
  for (const path of paths) {
    if (path.length === 0) continue;
    let node: ObjectValue | null = root;
    for (const key of path.slice(0, -1)) {
      let child: Value | undefined = node.get(key);
      if (child === undefined) node.set(key, (child = new ObjectValue()));
      if (child === null) { node = null; break; }
      node = child as ObjectValue;
    }
    node?.set(path[path.length - 1], null);
  }
  return root;
}

function pathsArgument(args: Value[], name: string): PathTree {
  return pathTree(elementsOf(ensureArrayOrSet(args, 1, name)).map((p) => pathSegments(p, name)));
}

/** Array elements are addressed by their index written as a string, as in a JSON pointer. */
function indexKey(i: number): string {
  return String(i);
}

/** Keeps only what the tree selects; scalars under a deeper path are kept whole. */
function filterValue(v: Value, tree: Value): Value {
  if (tree === null || !(tree instanceof ObjectValue)) return v;
  if (Array.isArray(v)) {
    const out: Value[] = [];
    v.forEach((x, i) => {
      const sub = tree.get(indexKey(i));
      if (sub !== undefined) out.push(filterValue(x, sub));
    });
    return out;
  }
  if (v instanceof SetValue) return SetValue.from(v.values().filter((x) => tree.has(x)).map((x) => filterValue(x, tree.get(x) as Value)));
  if (v instanceof ObjectValue) {
    const out = new ObjectValue();
    v.forEach((x, k) => {
      const sub = tree.get(k);
      if (sub !== undefined) out.set(k, filterValue(x, sub));
    });
    return out;
  }
  return v;
}

/** Drops what the tree selects; returns undefined when `v` itself is removed. */
function removeValue(v: Value, tree: Value | undefined): Value | undefined {
  if (tree === undefined) return v;
  if (tree === null) return undefined;
  if (!(tree instanceof ObjectValue)) return v;
  if (Array.isArray(v)) {
    const out: Value[] = [];
    v.forEach((x, i) => {
      const kept = removeValue(x, tree.get(indexKey(i)));
      if (kept !== undefined) out.push(kept);
    });
    return out;
  }
  if (v instanceof SetValue) {
    const out = new SetValue();
    v.forEach((x) => {
      const kept = removeValue(x, tree.get(x));
      if (kept !== undefined) out.add(kept);
    });
    return out;
  }
  if (v instanceof ObjectValue) {
    const out = new ObjectValue();
    v.forEach((x, k) => {
      const kept = removeValue(x, tree.get(k));
      if (kept !== undefined) out.set(k, kept);
    });
    return out;
  }
  return v;
}

function jsonFilter(args: Value[]): Value {
  const obj = ensureObject(args, 0, 'json.filter');
  return filterValue(obj, pathsArgument(args, 'json.filter'));
}

function jsonRemove(args: Value[]): Value | undefined {
  const obj = ensureObject(args, 0, 'json.remove');
  return removeValue(obj, pathsArgument(args, 'json.remove'));
}

/** json.filter and json.remove. */
export const jsonPathBuiltins: Builtin[] = [
  { name: 'json.filter', arity: 2, fn: jsonFilter },
  { name: 'json.remove', arity: 2, fn: jsonRemove },
];
