/**
 * Decoding YAML values into Rego values. Data and input are taken as written; expected
 * results use the case files' encodings: `"#undefined"`, `{set!: [...]}` and
 * `{object!: [{key, value}, ...]}`.
 */
import { ObjectValue, SetValue, fromJS, type Value } from '../value/index.js';
import { manyOf } from './cases.js';

/** Stands for an undefined expected value. */
export const UNDEFINED: unique symbol = Symbol('undefined');
/** An expected value, or undefined. */
export type Expected = Value | typeof UNDEFINED;

/** Converts raw YAML (maps with typed keys, bigints) to a Rego value, with no encodings. */
export function yamlToValue(raw: unknown): Value {
  return fromJS(raw);
}

/**
 * Decodes an expected value. `"#undefined"` gives UNDEFINED at the top; inside an object
 * it drops the key (an undefined value is an absent key).
 */
export function decodeExpected(raw: unknown): Expected {
  if (raw === '#undefined') return UNDEFINED;
  if (Array.isArray(raw)) return raw.map(decodeMember);
  if (!(raw instanceof Map)) return fromJS(raw);
  const set = soleEntry(raw, 'set!');
  if (set !== undefined) return SetValue.from(set.map(decodeMember));
  const entries = soleEntry(raw, 'object!');
  if (entries !== undefined) return decodeObjectEntries(entries);
  const out = new ObjectValue();
  for (const [k, v] of raw as Map<unknown, unknown>) {
    const value = decodeExpected(v);
    if (value !== UNDEFINED) out.set(decodeMember(k), value);
  }
  return out;
}

/** The list under `key` when `map` has that key alone and it holds a list. */
function soleEntry(map: Map<unknown, unknown>, key: string): unknown[] | undefined {
  const v = map.get(key);
  return map.size === 1 && Array.isArray(v) ? v : undefined;
}

function decodeObjectEntries(entries: unknown[]): ObjectValue {
  const out = new ObjectValue();
  for (const e of entries) {
    if (!(e instanceof Map)) throw new Error('object! entries must be {key, value} maps');
    out.set(decodeMember(e.get('key')), decodeMember(e.get('value')));
  }
  return out;
}

/** A member of an array or set, or a key: it cannot be undefined. */
function decodeMember(raw: unknown): Value {
  const v = decodeExpected(raw);
  if (v === UNDEFINED) throw new Error('"#undefined" cannot stand inside an array, set or key');
  return v;
}

/**
 * The list of values a case expects: the items of `{many!: [...]}`, else the one value.
 * Undefined entries are dropped, since an undefined result contributes no value.
 */
export function expectedValues(want: unknown): Value[] {
  const list = manyOf(want) ?? [want];
  return list.map(decodeExpected).filter((v): v is Value => v !== UNDEFINED);
}
