/**
 * Reading admin query strings strictly: every parameter is known, given once, and well
 * formed, or the request is a 400 `invalid_filter` naming it. A typo must never widen a
 * filter into "everything".
 */
import { HttpError } from '../../problem.js';

/** `req.query` as Express hands it over (strings, arrays of strings, or nested objects). */
export type RawQuery = Record<string, unknown>;

export const DEVICE_ID = /^dev_[A-Za-z0-9_-]{1,64}$/;
export const ACCOUNT_ID = /^acc_[A-Za-z0-9_-]{1,64}$/;
export const ENROLLMENT_ID = /^enr_[A-Za-z0-9_-]{1,64}$/;
const PLATFORM = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,39}$/;
// RFC 3339 date-time with an explicit offset; no locale-dependent Date parsing.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

export function invalidFilter(detail: string): HttpError {
  return new HttpError(400, 'invalid_filter', detail);
}

/** Refuses any parameter not in `allowed`. */
export function onlyKnown(query: RawQuery, allowed: readonly string[]): void {
  const unknown = Object.keys(query).filter((k) => !allowed.includes(k));
  if (unknown.length) throw invalidFilter(`unknown query parameter ${unknown.map((k) => JSON.stringify(k)).join(', ')}; expected some of ${allowed.join(', ')}`);
}

/** One string value, or undefined when absent; repeated or empty values are refused. */
export function single(query: RawQuery, name: string): string | undefined {
  const v = query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalidFilter(`${name} must be given once, as a single value`);
  if (v.length === 0) throw invalidFilter(`${name} must not be empty`);
  if (v.length > 1024) throw invalidFilter(`${name} is too long`);
  return v;
}

/** A value matching `pattern`. */
export function matching(query: RawQuery, name: string, pattern: RegExp, what: string): string | undefined {
  const v = single(query, name);
  if (v !== undefined && !pattern.test(v)) throw invalidFilter(`${name} must be ${what}`);
  return v;
}

/** A comma-separated list of values from `allowed`, each once. */
export function oneOf<T extends string>(query: RawQuery, name: string, allowed: readonly T[]): T[] | undefined {
  const v = single(query, name);
  if (v === undefined) return undefined;
  const items = v.split(',');
  const bad = items.filter((i) => !(allowed as readonly string[]).includes(i));
  if (bad.length) throw invalidFilter(`${name} must be one or more (comma-separated) of ${allowed.join(', ')}; got ${bad.map((b) => JSON.stringify(b)).join(', ')}`);
  return [...new Set(items)] as T[];
}

/** A comma-separated list of platform names. */
export function platforms(query: RawQuery, name = 'platform'): string[] | undefined {
  const v = single(query, name);
  if (v === undefined) return undefined;
  const items = v.split(',');
  if (items.length > 20 || !items.every((p) => PLATFORM.test(p))) throw invalidFilter(`${name} must be up to 20 comma-separated platform names (a letter or digit, then letters, digits, spaces, ".", "_" or "-")`);
  return [...new Set(items)];
}

/** An RFC 3339 timestamp with an offset. */
export function timestamp(query: RawQuery, name: string): Date | undefined {
  const v = single(query, name);
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (!DATE_TIME.test(v) || Number.isNaN(d.getTime())) throw invalidFilter(`${name} must be an RFC 3339 date-time with an offset, e.g. 2026-01-31T12:00:00Z`);
  return d;
}

/** An integer from `min` to `max`, or `fallback` when absent. */
export function integer(query: RawQuery, name: string, min: number, max: number, fallback: number): number {
  const v = single(query, name);
  if (v === undefined) return fallback;
  if (!/^\d{1,9}$/.test(v) || Number(v) < min || Number(v) > max) throw invalidFilter(`${name} must be an integer from ${min} to ${max}`);
  return Number(v);
}

/** `true` or `false`. */
export function boolean(query: RawQuery, name: string): boolean | undefined {
  const v = single(query, name);
  if (v === undefined) return undefined;
  if (v !== 'true' && v !== 'false') throw invalidFilter(`${name} must be true or false`);
  return v === 'true';
}

/** The page size and cursor every list takes. */
export function page(query: RawQuery): { limit: number; cursor: string | undefined } {
  return { limit: integer(query, 'limit', 1, 200, 50), cursor: single(query, 'cursor') };
}

/** Refuses a time range that ends before it starts. */
export function orderedRange(fromName: string, from: Date | undefined, toName: string, to: Date | undefined): void {
  if (from && to && from.getTime() >= to.getTime()) throw invalidFilter(`${fromName} must be earlier than ${toName}`);
}
