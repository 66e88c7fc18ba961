/**
 * Go's reference-time layouts (`2006-01-02T15:04:05Z07:00`): splitting a layout into
 * chunks, formatting broken-down time with it, and parsing text against it, following
 * Go's time package so `time.format` and `time.parse_ns` agree with OPA.
 */

/** The layout elements of Go's reference time `Mon Jan 2 15:04:05 MST 2006`. */
export type Std =
  | 'LongMonth' | 'Month' | 'NumMonth' | 'ZeroMonth' | 'LongWeekDay' | 'WeekDay'
  | 'Day' | 'UnderDay' | 'ZeroDay' | 'UnderYearDay' | 'ZeroYearDay'
  | 'Hour' | 'Hour12' | 'ZeroHour12' | 'Minute' | 'ZeroMinute' | 'Second' | 'ZeroSecond'
  | 'LongYear' | 'Year' | 'PM' | 'pm' | 'TZ'
  | 'ISO8601TZ' | 'ISO8601SecondsTZ' | 'ISO8601ShortTZ' | 'ISO8601ColonTZ' | 'ISO8601ColonSecondsTZ'
  | 'NumTZ' | 'NumSecondsTZ' | 'NumShortTZ' | 'NumColonTZ' | 'NumColonSecondsTZ'
  | 'Frac0' | 'Frac9';

/** Literal text followed by one element (none for the trailing literal). */
export interface Chunk {
  readonly literal: string;
  readonly std?: Std;
  /** Digits of a fractional-second element. */
  readonly digits?: number;
  /** `.` or `,` before a fractional second. */
  readonly sep?: string;
}

/** Broken-down time in some zone, as Go's Time.Date/Clock give it. */
export interface Fields {
  year: number; month: number; day: number; hour: number; minute: number; second: number;
  nanosecond: number; weekday: number; yearDay: number;
  /** Seconds east of UTC. */
  offset: number;
  /** Zone abbreviation ('UTC', 'CET'…); '' when unknown. */
  zoneName: string;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** Go's weekday names, Sunday first (Go's Weekday 0). */
export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const ZERO_STD: Std[] = ['ZeroMonth', 'ZeroDay', 'ZeroHour12', 'ZeroMinute', 'ZeroSecond', 'Year'];
const NUM_TZ: Array<[string, Std]> = [
  ['070000', 'NumSecondsTZ'], ['07:00:00', 'NumColonSecondsTZ'], ['0700', 'NumTZ'], ['07:00', 'NumColonTZ'], ['07', 'NumShortTZ'],
];
const ISO_TZ: Record<string, Std> = {
  NumSecondsTZ: 'ISO8601SecondsTZ', NumColonSecondsTZ: 'ISO8601ColonSecondsTZ', NumTZ: 'ISO8601TZ', NumColonTZ: 'ISO8601ColonTZ', NumShortTZ: 'ISO8601ShortTZ',
};

const isDigit = (s: string, i: number): boolean => i < s.length && s[i] >= '0' && s[i] <= '9';
const startsLower = (s: string): boolean => s.length > 0 && s[0] >= 'a' && s[0] <= 'z';

/** The element starting at `i`, if any: [element, its length, extra chunk fields]. */
function stdAt(layout: string, i: number): [Std, number, Partial<Chunk>?] | undefined {
  const rest = layout.slice(i);
  switch (layout[i]) {
    case 'J':
      if (rest.startsWith('January')) return ['LongMonth', 7];
      if (rest.startsWith('Jan') && !startsLower(rest.slice(3))) return ['Month', 3];
      return undefined;
    case 'M':
      if (rest.startsWith('Monday')) return ['LongWeekDay', 6];
      if (rest.startsWith('Mon') && !startsLower(rest.slice(3))) return ['WeekDay', 3];
      if (rest.startsWith('MST')) return ['TZ', 3];
      return undefined;
    case '0':
      if (rest[1] >= '1' && rest[1] <= '6') return [ZERO_STD[rest.charCodeAt(1) - 49], 2];
      if (rest.startsWith('002')) return ['ZeroYearDay', 3];
      return undefined;
    case '1': return rest[1] === '5' ? ['Hour', 2] : ['NumMonth', 1];
    case '2': return rest.startsWith('2006') ? ['LongYear', 4] : ['Day', 1];
    case '_':
      if (rest[1] === '2' && !rest.startsWith('_2006')) return ['UnderDay', 2];
      if (rest.startsWith('__2')) return ['UnderYearDay', 3];
      return undefined;
    case '3': return ['Hour12', 1];
    case '4': return ['Minute', 1];
    case '5': return ['Second', 1];
    case 'P': return rest[1] === 'M' ? ['PM', 2] : undefined;
    case 'p': return rest[1] === 'm' ? ['pm', 2] : undefined;
    case '-':
    case 'Z': {
      const hit = NUM_TZ.find(([text]) => rest.startsWith(text, 1));
      if (!hit) return undefined;
      return [layout[i] === '-' ? hit[1] : ISO_TZ[hit[1]], hit[0].length + 1];
    }
    case '.':
    case ',': {
      const d = rest[1];
      if (d !== '0' && d !== '9') return undefined;
      let j = 1;
      while (rest[j] === d) j++;
      if (isDigit(rest, j)) return undefined;
      return [d === '0' ? 'Frac0' : 'Frac9', j, { digits: j - 1, sep: rest[0] }];
    }
    default: return undefined;
  }
}

/** Splits a layout into chunks, as Go's nextStdChunk walks it. */
export function chunksOf(layout: string): Chunk[] {
  const out: Chunk[] = [];
  let literal = '';
  for (let i = 0; i < layout.length;) {
    // "_2006" is a literal underscore followed by the year.
    const hit = layout.startsWith('_2006', i) ? undefined : stdAt(layout, i);
    if (!hit) {
      literal += layout[i++];
      continue;
    }
    out.push({ literal, std: hit[0], ...hit[2] });
    literal = '';
    i += hit[1];
  }
  if (literal !== '') out.push({ literal });
  return out;
}

const pad = (n: number, width: number): string => {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? '-' + s : s;
};

/** Go's numeric zone text: sign, hours, then minutes and seconds as the element asks. */
function formatOffset(std: Std, offset: number): string {
  if (std.startsWith('ISO') && offset === 0) return 'Z';
  const abs = Math.abs(offset);
  let out = (offset < 0 ? '-' : '+') + pad(Math.floor(abs / 3600), 2);
  if (std.endsWith('ShortTZ')) return out;
  const colon = std.includes('Colon') ? ':' : '';
  out += colon + pad(Math.floor(abs / 60) % 60, 2);
  if (std.includes('Seconds')) out += colon + pad(abs % 60, 2);
  return out;
}

function formatFraction(c: Chunk, nanos: number): string {
  const digits = String(nanos).padStart(9, '0');
  if (c.std === 'Frac0') return (c.sep as string) + digits.slice(0, c.digits);
  const kept = digits.slice(0, c.digits).replace(/0+$/, '');
  return kept === '' ? '' : (c.sep as string) + kept;
}

function formatStd(c: Chunk, f: Fields): string {
  const std = c.std as Std;
  const hour12 = f.hour % 12 === 0 ? 12 : f.hour % 12;
  switch (std) {
    case 'Year': return pad(((f.year % 100) + 100) % 100, 2);
    case 'LongYear': return pad(f.year, 4);
    case 'Month': return MONTHS[f.month - 1].slice(0, 3);
    case 'LongMonth': return MONTHS[f.month - 1];
    case 'NumMonth': return String(f.month);
    case 'ZeroMonth': return pad(f.month, 2);
    case 'WeekDay': return WEEKDAYS[f.weekday].slice(0, 3);
    case 'LongWeekDay': return WEEKDAYS[f.weekday];
    case 'Day': return String(f.day);
    case 'UnderDay': return String(f.day).padStart(2, ' ');
    case 'ZeroDay': return pad(f.day, 2);
    case 'UnderYearDay': return String(f.yearDay).padStart(3, ' ');
    case 'ZeroYearDay': return pad(f.yearDay, 3);
    case 'Hour': return pad(f.hour, 2);
    case 'Hour12': return String(hour12);
    case 'ZeroHour12': return pad(hour12, 2);
    case 'Minute': return String(f.minute);
    case 'ZeroMinute': return pad(f.minute, 2);
    case 'Second': return String(f.second);
    case 'ZeroSecond': return pad(f.second, 2);
    case 'PM': return f.hour >= 12 ? 'PM' : 'AM';
    case 'pm': return f.hour >= 12 ? 'pm' : 'am';
    case 'TZ': return f.zoneName !== '' ? f.zoneName : formatOffset('NumTZ', f.offset);
    case 'Frac0':
    case 'Frac9': return formatFraction(c, f.nanosecond);
    default: return formatOffset(std, f.offset);
  }
}

/** Formats broken-down time with a Go layout. */
export function formatLayout(layout: string, f: Fields): string {
  return chunksOf(layout).map((c) => c.literal + (c.std ? formatStd(c, f) : '')).join('');
}

/** What parsing found; unset fields are -1 (or null for the zone). */
export interface Parsed {
  year: number; month: number; day: number; yearDay: number; hour: number; minute: number; second: number; nanosecond: number;
  /** Seconds east of UTC, when the text gave a numeric offset or `Z`. */
  offset: number | null;
}

class ParseFailure extends Error {}

function fail(message: string): never {
  throw new ParseFailure(message);
}

/** Reads a 1-or-2-digit number (exactly 2 when `fixed`), as Go's getnum. */
function readNum(s: string, fixed: boolean, max = 2): [number, string] {
  if (!isDigit(s, 0)) fail('expected a number');
  let n = 1;
  while (n < max && isDigit(s, n)) n++;
  if (fixed && n < max) fail('expected a two-digit number');
  return [Number(s.slice(0, n)), s.slice(n)];
}

function readName(s: string, names: string[], len?: number): [number, string] {
  const lower = s.toLowerCase();
  const i = names.findIndex((n) => lower.startsWith((len ? n.slice(0, len) : n).toLowerCase()));
  if (i < 0) fail('bad name');
  return [i, s.slice(len ?? names[i].length)];
}

/** `.123` → nanoseconds; `n` is the length including the separator. */
function readNanos(s: string, n: number): number {
  if (s[0] !== '.' && s[0] !== ',') fail('bad fraction separator');
  const digits = s.slice(1, n);
  if (!/^\d+$/.test(digits)) fail('bad fraction');
  return Number(digits.slice(0, 9).padEnd(9, '0'));
}

/** Numeric zone offsets: `-0700`, `-07:00`, `-07`, `-070000`, `-07:00:00`. */
function readOffset(std: Std, s: string): [number, string] {
  const shape = std.replace('ISO8601', 'Num');
  const specs: Record<string, [number, number[]]> = {
    NumColonTZ: [6, [1, 4]], NumShortTZ: [3, [1]], NumColonSecondsTZ: [9, [1, 4, 7]], NumSecondsTZ: [7, [1, 3, 5]], NumTZ: [5, [1, 3]],
  };
  const [len, at] = specs[shape];
  if (s.length < len) fail('bad zone offset');
  if (shape.includes('Colon') && (s[3] !== ':' || (shape === 'NumColonSecondsTZ' && s[6] !== ':'))) fail('bad zone offset');
  const [h, m = 0, sec = 0] = at.map((i) => readNum(s.slice(i, i + 2), true)[0]);
  if (h > 24 || m > 60 || sec > 60) fail('zone offset out of range');
  const offset = (h * 60 + m) * 60 + sec;
  if (s[0] !== '+' && s[0] !== '-') fail('bad zone sign');
  return [s[0] === '-' ? -offset : offset, s.slice(len)];
}

/** A zone abbreviation: `UTC`, 3–5 capitals, or `GMT+h`. Only GMT±h has a known offset. */
function readZoneName(s: string): [number, string] {
  if (s.startsWith('UTC')) return [0, s.slice(3)];
  const gmt = /^GMT([+-]\d{1,2})?/.exec(s);
  if (gmt) return [gmt[1] ? Number(gmt[1]) * 3600 : 0, s.slice(gmt[0].length)];
  const m = /^[A-Z]{3,5}/.exec(s);
  if (!m) fail('bad time zone');
  return [0, s.slice(m[0].length)];
}

/** Parses one element off the front of `s`, recording it in `p`. */
function parseStd(c: Chunk, next: Chunk | undefined, s: string, p: Parsed, ampm: { pm?: boolean }): string {
  let v: number;
  switch (c.std as Std) {
    case 'Year': {
      if (!/^\d\d/.test(s)) fail('bad year');
      v = Number(s.slice(0, 2));
      p.year = v >= 69 ? 1900 + v : 2000 + v;
      return s.slice(2);
    }
    case 'LongYear':
      if (!/^\d{4}/.test(s)) fail('bad year');
      p.year = Number(s.slice(0, 4));
      return s.slice(4);
    case 'Month': [v, s] = readName(s, MONTHS, 3); p.month = v + 1; return s;
    case 'LongMonth': [v, s] = readName(s, MONTHS); p.month = v + 1; return s;
    case 'NumMonth':
    case 'ZeroMonth':
      [p.month, s] = readNum(s, c.std === 'ZeroMonth');
      if (p.month < 1 || p.month > 12) fail('month out of range');
      return s;
    case 'WeekDay': return readName(s, WEEKDAYS, 3)[1];
    case 'LongWeekDay': return readName(s, WEEKDAYS)[1];
    case 'Day':
    case 'UnderDay':
    case 'ZeroDay':
      if (c.std === 'UnderDay' && s[0] === ' ') s = s.slice(1);
      [p.day, s] = readNum(s, c.std === 'ZeroDay');
      return s;
    case 'UnderYearDay':
    case 'ZeroYearDay':
      if (c.std === 'UnderYearDay') s = s.replace(/^ {1,2}/, '');
      [p.yearDay, s] = readNum(s, c.std === 'ZeroYearDay', 3);
      if (p.yearDay < 1 || p.yearDay > 366) fail('day-of-year out of range');
      return s;
    case 'Hour':
      [p.hour, s] = readNum(s, false);
      if (p.hour > 23) fail('hour out of range');
      return s;
    case 'Hour12':
    case 'ZeroHour12':
      [p.hour, s] = readNum(s, c.std === 'ZeroHour12');
      if (p.hour > 12) fail('hour out of range');
      return s;
    case 'Minute':
    case 'ZeroMinute':
      [p.minute, s] = readNum(s, c.std === 'ZeroMinute');
      if (p.minute > 59) fail('minute out of range');
      return s;
    case 'Second':
    case 'ZeroSecond':
      [p.second, s] = readNum(s, c.std === 'ZeroSecond');
      if (p.second > 59) fail('second out of range');
      return parseImpliedFraction(next, s, p);
    case 'PM':
    case 'pm': {
      const text = s.slice(0, 2), want = c.std === 'PM' ? text : text.toUpperCase();
      if (c.std === 'PM' ? want !== 'AM' && want !== 'PM' : text !== 'am' && text !== 'pm') fail('bad AM/PM');
      ampm.pm = want === 'PM';
      return s.slice(2);
    }
    case 'TZ':
      [v, s] = readZoneName(s);
      p.offset = v;
      return s;
    case 'Frac0': {
      const n = 1 + (c.digits as number);
      if (s.length < n) fail('bad fraction');
      p.nanosecond = readNanos(s, n);
      return s.slice(n);
    }
    case 'Frac9': {
      if (s.length < 2 || (s[0] !== '.' && s[0] !== ',') || !isDigit(s, 1)) return s;
      let n = 1;
      while (isDigit(s, n)) n++; // every digit is read; those past the ninth are dropped
      p.nanosecond = readNanos(s, n);
      return s.slice(n);
    }
    default:
      if (c.std?.startsWith('ISO') && s[0] === 'Z') {
        p.offset = 0;
        return s.slice(1);
      }
      [v, s] = readOffset(c.std as Std, s);
      p.offset = v;
      return s;
  }
}

/** Go accepts a fraction after the seconds even when the layout has none. */
function parseImpliedFraction(next: Chunk | undefined, s: string, p: Parsed): string {
  const layoutHasFraction = next?.literal === '' && (next.std === 'Frac0' || next.std === 'Frac9');
  if (layoutHasFraction || s.length < 2 || (s[0] !== '.' && s[0] !== ',') || !isDigit(s, 1)) return s;
  let n = 2;
  while (isDigit(s, n)) n++;
  p.nanosecond = readNanos(s, n);
  return s.slice(n);
}

/**
 * Parses `value` against a Go layout. Returns the fields found, or an error message.
 * Fields the layout lacks keep Go's defaults: year 0, January, day 1, midnight.
 */
export function parseLayout(layout: string, value: string): Parsed | string {
  const p: Parsed = { year: 0, month: -1, day: -1, yearDay: -1, hour: 0, minute: 0, second: 0, nanosecond: 0, offset: null };
  const ampm: { pm?: boolean } = {};
  const chunks = chunksOf(layout);
  let s = value;
  try {
    chunks.forEach((c, i) => {
      if (!s.startsWith(c.literal)) fail(`cannot parse ${JSON.stringify(s)} as ${JSON.stringify(c.literal)}`);
      s = s.slice(c.literal.length);
      if (c.std) s = parseStd(c, chunks[i + 1], s, p, ampm);
    });
  } catch (e) {
    if (e instanceof ParseFailure) return `parsing time ${JSON.stringify(value)} as ${JSON.stringify(layout)}: ${e.message}`;
    throw e;
  }
  if (s !== '') return `parsing time ${JSON.stringify(value)}: extra text: ${JSON.stringify(s)}`;
  if (ampm.pm === true && p.hour < 12) p.hour += 12;
  else if (ampm.pm === false && p.hour === 12) p.hour = 0;
  return p;
}
