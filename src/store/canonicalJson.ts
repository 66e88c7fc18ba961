/**
 * Canonical JSON: one byte-exact text per value, so that a hash over it can be recomputed from
 * what the database gives back. PostgreSQL's jsonb reorders keys and drops whitespace; sorting
 * keys here and writing no whitespace makes the text independent of both.
 *
 * Rules: object keys sorted by UTF-16 code units (as RFC 8785 does), no whitespace, `undefined`
 * properties dropped (as `JSON.stringify` does; an `undefined` array element becomes `null`),
 * Dates written as ISO 8601 strings, strings and numbers written as `JSON.stringify` writes them.
 * Refused with a TypeError: non-finite numbers, bigints, functions, symbols, cycles, invalid
 * Dates, and objects other than plain objects, arrays and Dates (a Map would silently become `{}`).
 */
export function canonicalJson(value: unknown): string {
  return write(value, new Set(), '$');
}

function write(value: unknown, ancestors: Set<object>, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${path} is ${value}, which JSON cannot represent`);
      return JSON.stringify(value);
    case 'object':
      return writeObject(value, ancestors, path);
    default:
      throw new TypeError(`canonicalJson: ${path} is a ${typeof value}, which JSON cannot represent`);
  }
}

function writeObject(value: object, ancestors: Set<object>, path: string): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError(`canonicalJson: ${path} is an invalid Date`);
    return JSON.stringify(value.toISOString());
  }
  if (ancestors.has(value)) throw new TypeError(`canonicalJson: ${path} refers back to itself (a cycle)`);
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      return '[' + value.map((item, i) => (item === undefined ? 'null' : write(item, ancestors, `${path}[${i}]`))).join(',') + ']';
    }
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      throw new TypeError(`canonicalJson: ${path} is a ${value.constructor?.name ?? 'non-plain object'}; only plain objects, arrays and Dates are accepted`);
    }
    const record = value as Record<string, unknown>;
    // Default sort compares UTF-16 code units, which is the order RFC 8785 prescribes.
    const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
    return '{' + keys.map((k) => JSON.stringify(k) + ':' + write(record[k], ancestors, `${path}.${k}`)).join(',') + '}';
  } finally {
    ancestors.delete(value);
  }
}
