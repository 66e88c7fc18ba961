/**
 * Time builtins. Instants are exact bigint nanoseconds since the Unix epoch; calendar
 * fields come from proleptic-Gregorian arithmetic, and zone offsets from Intl, so every
 * result stays exact across the whole int64 nanosecond range OPA allows.
 */
import { num, type Value } from '../value/index.js';
import { builtinError, ensureSafeInteger, ensureString, operandError, typeName } from './args.js';
import type { Builtin } from './types.js';
import { WEEKDAYS, formatLayout, parseLayout, type Fields, type Parsed } from './timelayout.js';

const NS_PER_SECOND = 1_000_000_000n;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Go's layout constants that OPA accepts by name in place of a layout. */
const NAMED_LAYOUTS: Record<string, string> = {
  ANSIC: 'Mon Jan _2 15:04:05 2006',
  UnixDate: 'Mon Jan _2 15:04:05 MST 2006',
  RubyDate: 'Mon Jan 02 15:04:05 -0700 2006',
  RFC822: '02 Jan 06 15:04 MST',
  RFC822Z: '02 Jan 06 15:04 -0700',
  RFC850: 'Monday, 02-Jan-06 15:04:05 MST',
  RFC1123: 'Mon, 02 Jan 2006 15:04:05 MST',
  RFC1123Z: 'Mon, 02 Jan 2006 15:04:05 -0700',
  RFC3339: '2006-01-02T15:04:05Z07:00',
  RFC3339Nano: '2006-01-02T15:04:05.999999999Z07:00',
};

/** A time zone: UTC, or an IANA zone whose offsets Intl knows. */
export interface Zone {
  readonly name: string;
  /** Seconds east of UTC at the instant `utcSeconds`. */
  offsetAt(utcSeconds: number): number;
  /** The zone's abbreviation at `utcSeconds` ('UTC', 'CET', …). */
  abbreviation(utcSeconds: number): string;
}

const UTC: Zone = { name: 'UTC', offsetAt: () => 0, abbreviation: () => 'UTC' };

/** Largest |ms| a JS Date holds; beyond it no zone data exists and UTC is assumed. */
const MAX_DATE_MS = 8.64e15;

class IanaZone implements Zone {
  private readonly parts: Intl.DateTimeFormat;

  constructor(readonly name: string) {
    this.parts = new Intl.DateTimeFormat('en-US', {
      timeZone: name, hourCycle: 'h23', era: 'short',
      year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  }

  offsetAt(utcSeconds: number): number {
    const ms = utcSeconds * 1000;
    if (!(Math.abs(ms) <= MAX_DATE_MS)) return 0;
    const f: Record<string, string> = {};
    for (const p of this.parts.formatToParts(new Date(ms))) f[p.type] = p.value;
    const year = f.era === 'BC' || f.era === 'B' ? 1 - Number(f.year) : Number(f.year);
    const local = daysFromCivil(year, Number(f.month), Number(f.day)) * 86400 + Number(f.hour) * 3600 + Number(f.minute) * 60 + Number(f.second);
    return local - utcSeconds;
  }

  abbreviation(utcSeconds: number): string {
    const date = new Date(utcSeconds * 1000);
    for (const locale of ['en-US', 'en-GB']) {
      const name = new Intl.DateTimeFormat(locale, { timeZone: this.name, timeZoneName: 'short' })
        .formatToParts(date).find((p) => p.type === 'timeZoneName')?.value ?? '';
      if (!/^(GMT|UTC)[+-]/.test(name)) return name;
    }
    return '';
  }
}

const zones = new Map<string, Zone>();

/** Resolves a zone name: '' and 'UTC' are UTC; 'Local' is UTC too (the server's zone is not policy input). */
export function zoneNamed(name: string, builtin: string): Zone {
  if (name === '' || name === 'UTC' || name === 'Local') return UTC;
  let zone = zones.get(name);
  if (!zone) {
    try {
      zone = new IanaZone(name);
    } catch {
      throw builtinError(builtin, `unknown time zone ${name}`);
    }
    zones.set(name, zone);
  }
  return zone;
}

/** Days since 1970-01-01 of a proleptic-Gregorian date (month 1–12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** [year, month, day] of a count of days since 1970-01-01. */
export function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [era * 400 + yoe + (month <= 2 ? 1 : 0), month, day];
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysIn(month: number, year: number): number {
  return month === 2 ? (isLeap(year) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
}

/** Broken-down time of an instant in a zone. */
export function fieldsOf(ns: bigint, zone: Zone): Fields {
  const seconds = floorDiv(ns, NS_PER_SECOND);
  const nanosecond = Number(ns - seconds * NS_PER_SECOND);
  const utcSeconds = Number(seconds);
  const offset = zone.offsetAt(utcSeconds);
  const local = utcSeconds + offset;
  const days = Math.floor(local / 86400);
  const sod = local - days * 86400;
  const [year, month, day] = civilFromDays(days);
  return {
    year, month, day, nanosecond, offset,
    hour: Math.floor(sod / 3600), minute: Math.floor(sod / 60) % 60, second: sod % 60,
    weekday: (((days + 4) % 7) + 7) % 7,
    yearDay: days - daysFromCivil(year, 1, 1) + 1,
    zoneName: zone === UTC ? 'UTC' : zone.abbreviation(utcSeconds),
  };
}

/**
 * The instant of a local date and time in `zone`, normalising out-of-range fields as Go's
 * time.Date does (month 13 is January of the next year, day 0 the last of the previous month).
 */
export function instantOf(f: { year: number; month: number; day: number; hour: number; minute: number; second: number; nanosecond: number }, zone: Zone): bigint {
  const year = f.year + Math.floor((f.month - 1) / 12);
  const month = ((((f.month - 1) % 12) + 12) % 12) + 1;
  const days = daysFromCivil(year, month, 1) + f.day - 1;
  const local = BigInt(days) * 86400n + BigInt(f.hour * 3600 + f.minute * 60 + f.second);
  const guess = zone.offsetAt(Number(local));
  let offset = zone.offsetAt(Number(local) - guess);
  if (offset !== guess) offset = zone.offsetAt(Number(local) - offset);
  return (local - BigInt(offset)) * NS_PER_SECOND + BigInt(f.nanosecond);
}

function inRange(ns: bigint): boolean {
  return ns >= INT64_MIN && ns <= INT64_MAX;
}

/** A nanosecond count: an integer that fits int64 ("timestamp too big" otherwise, as OPA says). */
function nanosOf(v: Value, name: string): bigint {
  if (typeof v !== 'number' && typeof v !== 'bigint') {
    throw operandError(name, 0, `must be one of {number, array[number, string]} but got ${typeName(v)}`);
  }
  const ns = typeof v === 'bigint' ? v : Number.isInteger(v) ? BigInt(v) : undefined;
  if (ns === undefined || !inRange(ns)) throw builtinError(name, 'timestamp too big');
  return ns;
}

/** OPA's time argument: `ns` or `[ns]`, `[ns, tz]`, `[ns, tz, layout]` (the layout used by time.format). */
function timeArg(v: Value, name: string): { ns: bigint; zone: Zone; layout?: string } {
  if (!Array.isArray(v)) return { ns: nanosOf(v, name), zone: UTC };
  if (v.length === 0) throw operandError(name, 0, 'must be one of {number, array[number, string]} but got empty array');
  const [ns, tz, layout] = v;
  if (tz !== undefined && typeof tz !== 'string') throw operandError(name, 0, `time zone must be a string but got ${typeName(tz)}`);
  if (layout !== undefined && typeof layout !== 'string') throw operandError(name, 0, `layout must be a string but got ${typeName(layout)}`);
  return { ns: nanosOf(ns, name), zone: zoneNamed(tz ?? '', name), layout };
}

/** An exact integer result in the engine's number normal form. */
function int(n: bigint): Value {
  return num.normalizeInteger(n);
}

/** Turns parsed layout fields into an instant, applying Go's defaults and checks. */
function instantOfParsed(p: Parsed, name: string): bigint {
  let { month, day } = p;
  if (p.yearDay >= 0) {
    const date = civilFromDays(daysFromCivil(p.year, 1, 1) + p.yearDay - 1);
    if (date[0] !== p.year || (month >= 0 && month !== date[1]) || (day >= 0 && day !== date[2])) throw builtinError(name, 'day-of-year does not match');
    [, month, day] = date;
  }
  if (month < 0) month = 1;
  if (day < 0) day = 1;
  if (day < 1 || day > daysIn(month, p.year)) throw builtinError(name, 'day out of range');
  const ns = instantOf({ ...p, month, day }, UTC) - BigInt(p.offset ?? 0) * NS_PER_SECOND;
  if (!inRange(ns)) throw builtinError(name, 'time outside of valid range');
  return ns;
}

function parseWith(layout: string, value: string, name: string): Value {
  const parsed = parseLayout(NAMED_LAYOUTS[layout] ?? layout, value);
  if (typeof parsed === 'string') throw builtinError(name, parsed);
  return int(instantOfParsed(parsed, name));
}

const DURATION_UNITS: Record<string, bigint> = {
  ns: 1n, us: 1000n, 'µs': 1000n, 'μs': 1000n, ms: 1_000_000n, s: NS_PER_SECOND, m: 60n * NS_PER_SECOND, h: 3600n * NS_PER_SECOND,
};

/** Go's time.ParseDuration, in exact nanoseconds (fractions scaled as Go scales them). */
export function parseDuration(text: string): bigint | undefined {
  let s = text, sign = 1n;
  if (s[0] === '-' || s[0] === '+') {
    if (s[0] === '-') sign = -1n;
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') return undefined;
  let total = 0n;
  while (s !== '') {
    const m = /^(\d*)(?:\.(\d*))?([^\d.]+)/.exec(s);
    if (!m || (m[1] === '' && (m[2] ?? '') === '')) return undefined;
    const unit = DURATION_UNITS[m[3]];
    if (unit === undefined) return undefined;
    total += BigInt(m[1] || '0') * unit;
    // Go stops reading fraction digits once they cannot matter; 18 keep nanoseconds exact.
    const fraction = (m[2] ?? '').slice(0, 18);
    if (fraction) total += BigInt(Math.trunc(Number(fraction) * (Number(unit) / 10 ** fraction.length)));
    s = s.slice(m[0].length);
  }
  const ns = sign * total;
  return inRange(ns) ? ns : undefined;
}

/** time.diff as OPA computes it: calendar differences normalised to non-negative fields. */
function diff(a: Fields, b: Fields): Value {
  let year = b.year - a.year, month = b.month - a.month, day = b.day - a.day;
  let hour = b.hour - a.hour, minute = b.minute - a.minute, second = b.second - a.second;
  if (second < 0) { second += 60; minute--; }
  if (minute < 0) { minute += 60; hour--; }
  if (hour < 0) { hour += 24; day--; }
  if (day < 0) { day += daysIn(a.month, a.year); month--; }
  if (month < 0) { month += 12; year--; }
  return [year, month, day, hour, minute, second];
}

function timeDiff(args: Value[]): Value {
  const a = timeArg(args[0], 'time.diff'), b = timeArg(args[1], 'time.diff');
  const [early, late] = a.ns <= b.ns ? [a.ns, b.ns] : [b.ns, a.ns];
  return diff(fieldsOf(early, a.zone), fieldsOf(late, a.zone));
}

function addDate(args: Value[]): Value | undefined {
  const { ns, zone } = timeArg(args[0], 'time.add_date');
  const years = ensureSafeInteger(args, 1, 'time.add_date');
  const months = ensureSafeInteger(args, 2, 'time.add_date');
  const days = ensureSafeInteger(args, 3, 'time.add_date');
  const f = fieldsOf(ns, zone);
  const result = instantOf({ ...f, year: f.year + years, month: f.month + months, day: f.day + days }, zone);
  // Out of the int64 nanosecond range there is no result, as with the other engines.
  return inRange(result) ? int(result) : undefined;
}

function fieldsBuiltin(name: string, pick: (f: Fields) => Value): Builtin {
  return {
    name,
    arity: 1,
    fn: (args) => {
      const { ns, zone } = timeArg(args[0], name);
      return pick(fieldsOf(ns, zone));
    },
  };
}

/** The time builtins. */
export const timeBuiltins: Builtin[] = [
  { name: 'time.now_ns', arity: 0, nondeterministic: true, fn: (_args, ctx) => int(ctx.nowNs) },
  {
    name: 'time.parse_rfc3339_ns',
    arity: 1,
    fn: (args) => parseWith('RFC3339', ensureString(args, 0, 'time.parse_rfc3339_ns'), 'time.parse_rfc3339_ns'),
  },
  {
    name: 'time.parse_ns',
    arity: 2,
    fn: (args) => parseWith(ensureString(args, 0, 'time.parse_ns'), ensureString(args, 1, 'time.parse_ns'), 'time.parse_ns'),
  },
  {
    name: 'time.parse_duration_ns',
    arity: 1,
    fn: (args) => {
      const text = ensureString(args, 0, 'time.parse_duration_ns');
      const ns = parseDuration(text);
      if (ns === undefined) throw builtinError('time.parse_duration_ns', `time: invalid duration ${JSON.stringify(text)}`);
      return int(ns);
    },
  },
  { name: 'time.add_date', arity: 4, fn: addDate },
  fieldsBuiltin('time.date', (f) => [f.year, f.month, f.day]),
  fieldsBuiltin('time.clock', (f) => [f.hour, f.minute, f.second]),
  fieldsBuiltin('time.weekday', (f) => WEEKDAYS[f.weekday]),
  { name: 'time.diff', arity: 2, fn: timeDiff },
  {
    name: 'time.format',
    arity: 1,
    fn: (args) => {
      const { ns, zone, layout } = timeArg(args[0], 'time.format');
      const text = layout || 'RFC3339Nano'; // an empty layout means the default, as in OPA
      return formatLayout(NAMED_LAYOUTS[text] ?? text, fieldsOf(ns, zone));
    },
  },
];
