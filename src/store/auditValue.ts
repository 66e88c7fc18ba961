/**
 * What the audit log stores of a value it is given: a plain JSON value PostgreSQL's jsonb keeps
 * exactly and canonicalJson always encodes. Whatever arrives — a client's NUL or unpaired
 * surrogate, a non-finite number, a bigint, a cycle, a Map, an Error, a structure too deep — is
 * written down as well as it can be, never thrown back: a refusal must be recorded even when the
 * refused input is malformed.
 */

/** Nesting kept; anything deeper is replaced by a marker. */
export const AUDIT_MAX_DEPTH = 16;
/** Characters kept of one string; the rest is cut and marked. */
export const AUDIT_MAX_STRING = 2000;

// NUL (which PostgreSQL refuses in text and jsonb) and unpaired surrogates (which jsonb refuses).
// eslint-disable-next-line no-control-regex -- NUL is exactly what must be matched
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `text` with every character the database cannot store replaced by U+FFFD, cut to `max`. */
export function storableText(text: string, max = AUDIT_MAX_STRING): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return cut.replace(UNSTORABLE, '\uFFFD');
}

/** A JSON value (null, boolean, finite number, string, array, plain object) for `value`. */
export function auditValue(value: unknown, depth = 0, ancestors: Set<object> = new Set()): unknown {
  switch (typeof value) {
    case 'string': return storableText(value);
    case 'boolean': return value;
    case 'number': return Number.isFinite(value) ? value : String(value);
    case 'bigint': return value.toString();
    case 'undefined': return undefined;
    case 'object': break;
    default: return `[${typeof value}]`;
  }
  if (value === null) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof Error) return storableText(`${value.name}: ${value.message}`);
  if (ancestors.has(value)) return '[cycle]';
  if (depth >= AUDIT_MAX_DEPTH) return '[too deep]';
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => auditValue(item, depth + 1, ancestors) ?? null);
    const entries = value instanceof Map ? [...value.entries()].map(([k, v]) => [String(k), v] as const) : Object.entries(value);
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      const item = auditValue(v, depth + 1, ancestors);
      if (item !== undefined) out[storableText(k, 200)] = item;
    }
    return out;
  } finally {
    ancestors.delete(value);
  }
}
