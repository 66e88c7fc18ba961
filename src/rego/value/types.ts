/**
 * The one value type of the engine. JSON scalars are plain JS values; numbers are JS
 * numbers, or bigints for integers beyond ±(2^53 − 1) (see number.ts); arrays are JS
 * arrays; objects and sets are classes because Rego lets any value be a key or member.
 */
import { normalizeInteger, numberKey } from './number.js';

export type Value = null | boolean | number | bigint | string | Value[] | ObjectValue | SetValue;

/** Keys that a JS Map can hold directly without losing Rego equality. */
export type Primitive = null | boolean | number | bigint | string;

export function isPrimitive(v: Value): v is Primitive {
  return v === null || typeof v !== 'object';
}

/**
 * Canonical text of a composite value, used to key composite members of sets and objects.
 * Equal values give equal text (object keys and set members sorted).
 */
export function canonicalKey(v: Value): string {
  if (v === null) return 'n';
  switch (typeof v) {
    case 'boolean': return v ? 't' : 'f';
    case 'number':
    case 'bigint': return 'd' + numberKey(v);
    case 'string': return 's' + JSON.stringify(v);
  }
  if (Array.isArray(v)) return '[' + v.map(canonicalKey).join(',') + ']';
  if (v instanceof SetValue) return '<' + v.values().map(canonicalKey).sort().join(',') + '>';
  return '{' + v.entries().map(([k, x]) => canonicalKey(k) + ':' + canonicalKey(x)).sort().join(',') + '}';
}

/** A Rego object: any value as key, insertion order kept, equality by value. */
export class ObjectValue {
  private readonly prim = new Map<Primitive, Value>();
  private comp: Map<string, [Value, Value]> | undefined;

  get size(): number {
    return this.prim.size + (this.comp?.size ?? 0);
  }

  get(key: Value): Value | undefined {
    if (typeof key === 'string') return this.prim.get(key);
    if (isPrimitive(key)) return this.prim.get(normalizeKey(key));
    return this.comp?.get(canonicalKey(key))?.[1];
  }

  has(key: Value): boolean {
    return this.get(key) !== undefined;
  }

  /** Sets (or overwrites) `key`. Only for building a value: values are immutable once shared. */
  set(key: Value, value: Value): this {
    if (typeof key === 'string') this.prim.set(key, value);
    else if (isPrimitive(key)) this.prim.set(normalizeKey(key), value);
    else (this.comp ??= new Map()).set(canonicalKey(key), [key, value]);
    return this;
  }

  delete(key: Value): boolean {
    if (isPrimitive(key)) return this.prim.delete(normalizeKey(key));
    return this.comp?.delete(canonicalKey(key)) ?? false;
  }

  keys(): Value[] {
    const out: Value[] = [...this.prim.keys()];
    if (this.comp) for (const [k] of this.comp.values()) out.push(k);
    return out;
  }

  entries(): Array<[Value, Value]> {
    const out: Array<[Value, Value]> = [...this.prim.entries()];
    if (this.comp) for (const e of this.comp.values()) out.push(e);
    return out;
  }

  /** Iterates entries without allocating the array `entries()` builds. */
  forEach(fn: (value: Value, key: Value) => void): void {
    this.prim.forEach(fn);
    this.comp?.forEach(([k, v]) => fn(v, k));
  }

  static from(entries: Iterable<[Value, Value]>): ObjectValue {
    const o = new ObjectValue();
    for (const [k, v] of entries) o.set(k, v);
    return o;
  }
}

/** A Rego set: members of any type, equality by value. */
export class SetValue {
  private readonly prim = new Set<Primitive>();
  private comp: Map<string, Value> | undefined;

  get size(): number {
    return this.prim.size + (this.comp?.size ?? 0);
  }

  has(v: Value): boolean {
    if (typeof v === 'string') return this.prim.has(v);
    if (isPrimitive(v)) return this.prim.has(normalizeKey(v));
    return this.comp?.has(canonicalKey(v)) ?? false;
  }

  /** Adds `v`; returns true when it was not already a member. Only for building a value. */
  add(v: Value): boolean {
    if (typeof v === 'string') {
      const before = this.prim.size;
      return this.prim.add(v).size !== before;
    }
    if (isPrimitive(v)) {
      const k = normalizeKey(v);
      if (this.prim.has(k)) return false;
      this.prim.add(k);
      return true;
    }
    const key = canonicalKey(v);
    this.comp ??= new Map();
    if (this.comp.has(key)) return false;
    this.comp.set(key, v);
    return true;
  }

  delete(v: Value): boolean {
    if (isPrimitive(v)) return this.prim.delete(normalizeKey(v));
    return this.comp?.delete(canonicalKey(v)) ?? false;
  }

  values(): Value[] {
    const out: Value[] = [...this.prim];
    if (this.comp) for (const v of this.comp.values()) out.push(v);
    return out;
  }

  forEach(fn: (value: Value) => void): void {
    this.prim.forEach((v) => fn(v));
    this.comp?.forEach((v) => fn(v));
  }

  static from(values: Iterable<Value>): SetValue {
    const s = new SetValue();
    for (const v of values) s.add(v);
    return s;
  }
}

/** One key per Rego number: -0 is 0, and integers use their exact normal form (number.ts). */
function normalizeKey(k: Primitive): Primitive {
  if (typeof k === 'number' || typeof k === 'bigint') return normalizeInteger(k);
  return k;
}
