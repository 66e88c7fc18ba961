/**
 * Rego numbers. A number is a JS number, or a bigint for an integer outside the safe
 * range, so integers stay exact at any size while the common case stays a plain double.
 * Every function here returns numbers in that normal form.
 */
export type RegoNumber = number | bigint;

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Normal form: a safe integer or any non-integer is a number; other integers are bigints. */
export function normalizeInteger(n: RegoNumber): RegoNumber {
  if (typeof n === 'bigint') return n >= MIN_SAFE && n <= MAX_SAFE ? Number(n) : n;
  if (n === 0) return 0; // -0
  if (Number.isInteger(n) && !Number.isSafeInteger(n) && Number.isFinite(n)) return BigInt(n);
  return n;
}

/** Exact text used as a map key: equal numbers give equal keys. */
export function numberKey(n: RegoNumber): string {
  const v = normalizeInteger(n);
  return typeof v === 'bigint' ? v.toString() : String(v);
}

export function isInteger(n: RegoNumber): boolean {
  return typeof n === 'bigint' || Number.isInteger(n);
}

export function compareNumbers(a: RegoNumber, b: RegoNumber): number {
  // JS compares number and bigint exactly with < and >.
  return a < b ? -1 : a > b ? 1 : 0;
}

export function numbersEqual(a: RegoNumber, b: RegoNumber): boolean {
  return a == b;
}

function bothIntegers(a: RegoNumber, b: RegoNumber): boolean {
  return isInteger(a) && isInteger(b);
}

function big(n: RegoNumber): bigint {
  return typeof n === 'bigint' ? n : BigInt(n);
}

/** a + b, exact when both are integers. */
export function add(a: RegoNumber, b: RegoNumber): RegoNumber {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (Number.isSafeInteger(r) || !Number.isInteger(a) || !Number.isInteger(b)) return r;
  }
  if (bothIntegers(a, b)) return normalizeInteger(big(a) + big(b));
  return Number(a) + Number(b);
}

export function subtract(a: RegoNumber, b: RegoNumber): RegoNumber {
  return add(a, negate(b));
}

export function negate(a: RegoNumber): RegoNumber {
  return typeof a === 'bigint' ? normalizeInteger(-a) : normalizeInteger(-a);
}

export function multiply(a: RegoNumber, b: RegoNumber): RegoNumber {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a * b;
    if (Number.isSafeInteger(r) || !Number.isInteger(a) || !Number.isInteger(b)) return normalizeInteger(r);
  }
  if (bothIntegers(a, b)) return normalizeInteger(big(a) * big(b));
  return Number(a) * Number(b);
}

/** a / b; the caller rejects b = 0. Exact when the integer division has no remainder. */
export function divide(a: RegoNumber, b: RegoNumber): RegoNumber {
  if (bothIntegers(a, b) && (typeof a === 'bigint' || typeof b === 'bigint')) {
    const ba = big(a), bb = big(b);
    if (ba % bb === 0n) return normalizeInteger(ba / bb);
  }
  return normalizeInteger(Number(a) / Number(b));
}

/** Integer remainder with the sign of the dividend (Go's %); the caller checks integers and b ≠ 0. */
export function remainder(a: RegoNumber, b: RegoNumber): RegoNumber {
  if (typeof a === 'number' && typeof b === 'number') return normalizeInteger(a % b);
  return normalizeInteger(big(a) % big(b));
}

/** Parses a JSON/Rego number literal into normal form, keeping big integers exact. */
export function parseNumber(text: string): RegoNumber | undefined {
  if (!/^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(text)) return undefined;
  if (/^-?[0-9]+$/.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : normalizeInteger(BigInt(text));
  }
  return normalizeInteger(Number(text));
}

/** Text as OPA prints a number: integers in full, others in Go's shortest form. */
export function formatNumber(n: RegoNumber): string {
  if (typeof n === 'bigint') return n.toString();
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return n.toFixed(0);
  return String(n);
}
