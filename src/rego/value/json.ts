/**
 * Conversion between plain JSON-like JS values and Rego values.
 */
import { sortValues } from './compare.js';
import { formatNumber, normalizeInteger } from './number.js';
import { ObjectValue, SetValue, type Value } from './types.js';

/** Thrown when a JS value has no Rego counterpart (a function, a symbol, a cycle). */
export class ValueConversionError extends Error {
  override name = 'ValueConversionError';
}

/**
 * Converts a JSON-like JS value (as `JSON.parse` gives, plus bigints, Sets and Maps) into
 * a Rego value. `undefined` object properties are dropped, as JSON drops them.
 */
export function fromJS(v: unknown, depth = 0): Value {
  if (depth > 10_000) throw new ValueConversionError('value is nested too deeply');
  if (v === null) return null;
  switch (typeof v) {
    case 'boolean':
    case 'string': return v;
    case 'number':
      if (!Number.isFinite(v)) throw new ValueConversionError(`number ${v} has no Rego value`);
      return normalizeInteger(v);
    case 'bigint': return normalizeInteger(v);
    case 'object': break;
    default: throw new ValueConversionError(`a ${typeof v} has no Rego value`);
  }
  if (Array.isArray(v)) return v.map((x) => fromJS(x, depth + 1));
  // Plain objects (the usual input) first: none of the classes below has their prototype.
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) return fromPlain(v as Record<string, unknown>, depth);
  if (v instanceof ObjectValue || v instanceof SetValue) return v;
  if (v instanceof Set) return SetValue.from([...v].map((x) => fromJS(x, depth + 1)));
  if (v instanceof Map) return ObjectValue.from([...v].map(([k, x]) => [fromJS(k, depth + 1), fromJS(x, depth + 1)]));
  return fromPlain(v as Record<string, unknown>, depth);
}

/** An object's own enumerable string-keyed properties as an ObjectValue. */
function fromPlain(v: Record<string, unknown>, depth: number): ObjectValue {
  const o = new ObjectValue();
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) {
    const x = v[keys[i]];
    if (x !== undefined) o.set(keys[i], fromJS(x, depth + 1));
  }
  return o;
}

/**
 * Converts a Rego value to plain JSON, as `opa eval` prints it: sets become sorted
 * arrays, object keys are sorted, non-string keys become their JSON text, and integers
 * beyond the safe range become bigints (callers that serialise use `stringifyJSON`).
 */
export function toJS(v: Value): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out: unknown[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = toJS(v[i]);
    return out;
  }
  if (v instanceof SetValue) {
    const members: unknown[] = sortValues(v.values()); // a fresh array: converted in place
    for (let i = 0; i < members.length; i++) members[i] = toJS(members[i] as Value);
    return members;
  }
  const out: Record<string, unknown> = {};
  const keys = sortValues(v.keys());
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    out[typeof k === 'string' ? k : stringifyJSON(toJS(k))] = toJS(v.get(k) as Value);
  }
  return out;
}

/** JSON.stringify that writes bigints as exact numbers. */
export function stringifyJSON(v: unknown, indent?: number): string {
  const marks = new Map<string, string>();
  const text = JSON.stringify(v, (_k, x) => {
    if (typeof x !== 'bigint') return x;
    const mark = `\u0000big${marks.size}\u0000`;
    marks.set(mark, formatNumber(x));
    return mark;
  }, indent);
  if (marks.size === 0) return text;
  return text.replace(/"\\u0000big\d+\\u0000"/g, (m) => marks.get(JSON.parse(m) as string) as string);
}
