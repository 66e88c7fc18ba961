/**
 * Small helpers the admin view queries share: numbered parameters, exact sort-key
 * timestamps, and the page shape.
 */

/** Collects query parameters and hands out their `$n` placeholders. */
export class Params {
  readonly values: unknown[] = [];
  /** The placeholder of `value`. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * A timestamp column as UTC text with microseconds: the exact value, for keyset cursors
 * (a JavaScript Date keeps only milliseconds, and a cursor built from one would skip or
 * repeat rows created within the same millisecond).
 */
export function exactTime(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** The shape `exactTime` produces; a cursor's time must have it. */
export const EXACT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** One page of a list: the items, and the cursor of the next page when there is one. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** ISO text of a nullable timestamp. */
export function iso(value: Date | string | null | undefined): string | null {
  return value === null || value === undefined ? null : new Date(value).toISOString();
}
