/**
 * `json.patch(doc, patches)`: RFC 6902 operations on a Rego value. Sets are addressed by
 * member value. Values are never mutated: each step copies the containers on its path.
 * Any failing operation makes the whole call undefined, as the conformance cases expect
 * (OPA raises an error there, which its default non-strict mode also turns into undefined).
 */
import { ObjectValue, SetValue, equals, type Value } from '../value/index.js';
import { ensureArray } from './args.js';
import { splitPointer } from './jsonpaths.js';
import type { Builtin } from './types.js';

/** Why a patch could not be applied; caught by the builtin and turned into undefined. */
class PatchFailure extends Error {}

function fail(message: string): never {
  throw new PatchFailure(message);
}

/** `v` unless it is missing; `??` would wrongly treat a null value as missing. */
function present(v: Value | undefined, message: string): Value {
  return v === undefined ? fail(message) : v;
}

/** The document so far; undefined after the root was removed. */
type Doc = Value | undefined;

/** An array index from a segment; `end` allows `-` and the index one past the end (add). */
function arrayIndex(arr: Value[], seg: Value, end: boolean): number {
  let i: number | undefined;
  if (typeof seg === 'string') {
    if (seg === '-' && end) return arr.length;
    if (/^(0|[1-9][0-9]*)$/.test(seg)) i = Number(seg);
  } else if (typeof seg === 'number' && Number.isSafeInteger(seg)) i = seg;
  const limit = end ? arr.length : arr.length - 1;
  if (i === undefined || i < 0 || i > limit) fail('bad array index');
  return i;
}

function childAt(v: Value, seg: Value): Value {
  if (Array.isArray(v)) return v[arrayIndex(v, seg, false)];
  if (v instanceof SetValue) return v.has(seg) ? seg : fail('no such set member');
  if (v instanceof ObjectValue) return present(v.get(seg), 'no such key');
  return fail('path goes through a scalar');
}

function getAt(doc: Doc, path: Value[]): Value {
  if (doc === undefined) fail('no document');
  return path.reduce<Value>((v, seg) => childAt(v, seg), doc);
}

/** Replaces the child at `seg` by `next`; a set member is replaced by removing then adding. */
function withChild(v: Value, seg: Value, next: Value): Value {
  if (Array.isArray(v)) {
    const out = [...v];
    out[arrayIndex(v, seg, false)] = next;
    return out;
  }
  if (v instanceof SetValue) {
    const out = SetValue.from(v.values());
    out.delete(seg);
    out.add(next);
    return out;
  }
  return ObjectValue.from((v as ObjectValue).entries()).set(seg, next);
}

/** Applies `leaf` to the parent of the path's last segment, copying containers on the way. */
function updateAt(v: Value, path: Value[], leaf: (parent: Value, seg: Value) => Value): Value {
  if (path.length === 1) return leaf(v, path[0]);
  return withChild(v, path[0], updateAt(childAt(v, path[0]), path.slice(1), leaf));
}

function addAt(doc: Doc, path: Value[], value: Value): Doc {
  if (path.length === 0) return value;
  if (doc === undefined) fail('no document');
  return updateAt(doc, path, (parent, seg) => {
    if (Array.isArray(parent)) {
      const out = [...parent];
      out.splice(arrayIndex(parent, seg, true), 0, value);
      return out;
    }
    // A set member's address is its value, so only that value can be added there.
    if (parent instanceof SetValue) return equals(seg, value) ? SetValue.from([...parent.values(), value]) : fail('set member differs from its path');
    if (parent instanceof ObjectValue) return ObjectValue.from(parent.entries()).set(seg, value);
    return fail('cannot add below a scalar');
  });
}

function removeAt(doc: Doc, path: Value[]): Doc {
  if (path.length === 0) return undefined;
  if (doc === undefined) fail('no document');
  return updateAt(doc, path, (parent, seg) => {
    if (Array.isArray(parent)) {
      const out = [...parent];
      out.splice(arrayIndex(parent, seg, false), 1);
      return out;
    }
    childAt(parent, seg);
    if (parent instanceof SetValue) return SetValue.from(parent.values().filter((x) => !equals(x, seg)));
    const out = ObjectValue.from((parent as ObjectValue).entries());
    out.delete(seg);
    return out;
  });
}

/** A path attribute: a `/`-separated string (leading slashes optional) or an array of segments. */
function pathOf(patch: ObjectValue, key: string): Value[] {
  const p = patch.get(key);
  if (typeof p === 'string') return p === '' ? [] : splitPointer(p);
  if (Array.isArray(p)) return p;
  return fail(`missing or malformed ${key}`);
}

function valueOf(patch: ObjectValue): Value {
  return present(patch.get('value'), 'missing value');
}

function isProperPrefix(prefix: Value[], path: Value[]): boolean {
  return prefix.length < path.length && prefix.every((seg, i) => equals(seg, path[i]));
}

function applyOne(doc: Doc, patch: Value): Doc {
  if (!(patch instanceof ObjectValue)) return fail('a patch is an object');
  const op = patch.get('op');
  switch (op) {
    case 'add': return addAt(doc, pathOf(patch, 'path'), valueOf(patch));
    case 'remove': return removeAt(doc, pathOf(patch, 'path'));
    case 'replace': {
      const path = pathOf(patch, 'path');
      return addAt(removeAt(doc, path), path, valueOf(patch));
    }
    case 'test': return equals(getAt(doc, pathOf(patch, 'path')), valueOf(patch)) ? doc : fail('test failed');
    case 'copy': {
      const value = getAt(doc, pathOf(patch, 'from'));
      return addAt(doc, pathOf(patch, 'path'), value);
    }
    case 'move': {
      const from = pathOf(patch, 'from'), path = pathOf(patch, 'path');
      if (isProperPrefix(from, path)) fail('cannot move a value into itself');
      const value = getAt(doc, from);
      return addAt(removeAt(doc, from), path, value);
    }
    default: return fail('unknown op');
  }
}

function jsonPatch(args: Value[]): Value | undefined {
  const patches = ensureArray(args, 1, 'json.patch');
  try {
    return patches.reduce<Doc>(applyOne, args[0]);
  } catch (e) {
    if (e instanceof PatchFailure) return undefined;
    throw e;
  }
}

/** json.patch. */
export const jsonPatchBuiltins: Builtin[] = [{ name: 'json.patch', arity: 2, fn: jsonPatch }];
