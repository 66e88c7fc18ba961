/**
 * fast-check arbitraries of JSON values that match a schema of `schemas/` (mostly: a pattern
 * fast-check cannot express falls back to any string), and of values that break it in the ways
 * clients do: a field missing, one too many, a wrong type, hostile text, deep nesting.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { SCHEMAS_DIR } from '../../src/paths.js';

type Schema = Record<string, unknown>;

const byId = new Map<string, Schema>();
for (const entry of readdirSync(SCHEMAS_DIR, { withFileTypes: true, recursive: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.schema.json')) continue;
  const schema = JSON.parse(readFileSync(path.join(entry.parentPath, entry.name), 'utf8')) as Schema;
  byId.set(schema.$id as string, schema);
}

/** Text no field should accept: NUL, unpaired surrogates, controls, direction overrides, very long. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('\u0000', 'a\u0000b', '\uD800', 'x\uDC00y', '\u202Eevil', '\u0007\u001b[2J', '%00', '../../etc/passwd', "'; DROP TABLE devices; --", 'x'.repeat(5000)),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);

function resolve(ref: string, base: string): { schema: Schema; base: string } {
  const [file, fragment] = ref.split('#');
  const id = file === '' ? base : new URL(file, base || undefined).href;
  let schema = byId.get(id);
  if (!schema) throw new Error(`schemaArbitrary: no schema ${id}`);
  for (const part of (fragment ?? '').split('/').filter(Boolean)) schema = schema[part] as Schema;
  return { schema, base: id };
}

function stringOf(s: Schema): fc.Arbitrary<string> {
  if (s.format === 'date-time') return fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
  const maxLength = Math.min(Number(s.maxLength ?? 64), 200);
  const minLength = Number(s.minLength ?? 0);
  if (typeof s.pattern === 'string') {
    try {
      return fc.stringMatching(new RegExp(s.pattern)).filter((v) => v.length >= minLength && v.length <= maxLength);
    } catch {
      // A pattern fast-check cannot generate from: any string, which the schema may refuse.
    }
  }
  return fc.string({ minLength, maxLength });
}

/** Values matching `schema` (as far as fast-check can make them). */
export function matching(schema: Schema, base = String(schema.$id ?? ''), depth = 0): fc.Arbitrary<unknown> {
  if (typeof schema.$ref === 'string') {
    const r = resolve(schema.$ref, base);
    return matching(r.schema, r.base, depth + 1);
  }
  const baseHere = typeof schema.$id === 'string' ? schema.$id : base;
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  if (Array.isArray(schema.oneOf) || Array.isArray(schema.anyOf)) {
    return fc.oneof(...((schema.oneOf ?? schema.anyOf) as Schema[]).map((s) => matching(s, baseHere, depth + 1)));
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string': return stringOf(schema);
    case 'integer': return fc.integer({ min: Number(schema.minimum ?? 0), max: Math.min(Number(schema.maximum ?? 1e6), 2 ** 31) });
    case 'number': return fc.double({ min: Number(schema.minimum ?? 0), max: Number(schema.maximum ?? 1e6), noNaN: true, noDefaultInfinity: true });
    case 'boolean': return fc.boolean();
    case 'null': return fc.constant(null);
    case 'array': {
      const items = schema.items ? matching(schema.items as Schema, baseHere, depth + 1) : fc.jsonValue({ maxDepth: 1 });
      return fc.array(items, { minLength: Number(schema.minItems ?? 0), maxLength: Math.min(Number(schema.maxItems ?? 3), 3) });
    }
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const required = new Set((schema.required ?? []) as string[]);
      if (depth > 6) return fc.constant({});
      const record = Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, matching(s, baseHere, depth + 1)]));
      return fc.record(record, { requiredKeys: Object.keys(properties).filter((k) => required.has(k)) });
    }
    default: return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Bodies that break `schema`: each an edit of a matching one, or something else entirely. */
export function breaking(schema: Schema): fc.Arbitrary<unknown> {
  const valid = matching(schema);
  const asObject = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? { ...(v as Record<string, unknown>) } : {});
  return fc.oneof(
    // One field dropped.
    valid.map((v) => { const o = asObject(v); delete o[Object.keys(o)[0]]; return o; }),
    // One field too many.
    fc.tuple(valid, fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue({ maxDepth: 1 })).map(([v, k, x]) => ({ ...asObject(v), [`x${k}`]: x })),
    // A field of the wrong type, or hostile text.
    fc.tuple(valid, fc.oneof(hostileText, fc.integer(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.constant({}))).map(([v, x]) => {
      const o = asObject(v);
      const keys = Object.keys(o);
      return keys.length ? { ...o, [keys[keys.length - 1]]: x } : { value: x };
    }),
    // Not an object at all.
    fc.jsonValue({ maxDepth: 3 }),
  );
}
