/**
 * String builtins: concat, contains, split, indexof, replace, trim, substring, case
 * mapping, format_int and to_number. Positions and lengths count code points, as OPA
 * counts runes, never UTF-16 units.
 */
import { SetValue, num, sortValues, type Value } from '../value/index.js';
import type { RegoNumber } from '../value/index.js';
import {
  builtinError, elementsOf, ensureNumber, ensureObject, ensureSafeInteger, ensureString, ensureStringCollection,
  operandError, typeName,
} from './args.js';
import type { Builtin } from './types.js';

/** Code points of `s`, each as its own string. */
function codePoints(s: string): string[] {
  return Array.from(s);
}

/** Go's unicode.ToUpper: one code point to one; JS's full mappings (ß → SS) are not used. */
function upperRune(ch: string): string {
  const mapped = ch.toUpperCase();
  return Array.from(mapped).length === 1 ? mapped : ch;
}

/**
 * Lower case. Like the conformance cases (and unlike Go's rune-wise ToLower) a final capital
 * sigma becomes ς; U+0130 lowers to a plain i, since JS would add a combining dot.
 */
function lower(s: string): string {
  return s.replace(/\u0130/g, 'i').toLowerCase();
}

function upper(s: string): string {
  let out = '';
  for (const ch of s) out += upperRune(ch);
  return out;
}

/** Sorted members of a set, or the array's elements in order, as OPA iterates them. */
function orderedStrings(args: Value[], i: number, name: string): string[] {
  const items = ensureStringCollection(args, i, name);
  return args[i] instanceof SetValue ? sortValues(items) : items;
}

/**
 * UTF-16 index of the first occurrence of `needle`, or -1. An empty needle gives -1 as the
 * conformance cases expect (OPA itself raises "empty search character").
 */
function indexOfRunes(hay: string, needle: string): number {
  return needle === '' ? -1 : hay.indexOf(needle);
}

/** Converts a UTF-16 offset in `s` to a code point offset. */
function runeOffset(s: string, unitOffset: number): number {
  return Array.from(s.slice(0, unitOffset)).length;
}

function indexOf(args: Value[]): Value {
  const hay = ensureString(args, 0, 'indexof'), needle = ensureString(args, 1, 'indexof');
  const at = indexOfRunes(hay, needle);
  return at < 0 ? -1 : runeOffset(hay, at);
}

/** Every code point position where `needle` starts, overlapping occurrences included. */
function indexOfN(args: Value[]): Value {
  const hay = ensureString(args, 0, 'indexof_n'), needle = ensureString(args, 1, 'indexof_n');
  if (needle === '') throw builtinError('indexof_n', 'empty search character');
  const out: Value[] = [];
  let runes = 0, unit = 0;
  for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + 1)) {
    runes += Array.from(hay.slice(unit, at)).length;
    unit = at;
    out.push(runes);
  }
  return out;
}

/** Go's strings.Split: an empty separator splits into code points. */
function split(args: Value[]): Value {
  const s = ensureString(args, 0, 'split'), sep = ensureString(args, 1, 'split');
  return sep === '' ? codePoints(s) : s.split(sep);
}

/** Go's strings.ReplaceAll: an empty `old` inserts `new` around every code point. */
function replaceAll(s: string, old: string, repl: string): string {
  if (old === '') return repl + codePoints(s).join(repl) + (s === '' ? '' : repl);
  return s.split(old).join(repl);
}

/**
 * Go's strings.NewReplacer over the object's pairs in key order: at each position the
 * first key (in that order) that matches wins, and replaced text is not rescanned.
 */
function replaceN(args: Value[]): Value {
  const patterns = ensureObject(args, 0, 'strings.replace_n');
  const s = ensureString(args, 1, 'strings.replace_n');
  const pairs: Array<[string, string]> = [];
  for (const k of sortValues(patterns.keys())) {
    const v = patterns.get(k) as Value;
    if (typeof k !== 'string' || typeof v !== 'string') {
      throw operandError('strings.replace_n', 0, `must be object[string: string] but got ${typeName(typeof k !== 'string' ? k : v)}`);
    }
    pairs.push([k, v]);
  }
  let out = '';
  let i = 0;
  while (i <= s.length) {
    const hit = pairs.find(([old]) => s.startsWith(old, i));
    if (hit && hit[0] !== '') {
      out += hit[1];
      i += hit[0].length;
      continue;
    }
    if (hit) out += hit[1]; // an empty key inserts before each code point and at the end
    if (i === s.length) break;
    const cp = s.codePointAt(i) as number;
    const width = cp > 0xffff ? 2 : 1;
    out += s.slice(i, i + width);
    i += width;
  }
  return out;
}

/** substring(s, start, length): code points; a negative length means "to the end". */
function substring(args: Value[]): Value {
  const s = ensureString(args, 0, 'substring');
  const start = ensureSafeInteger(args, 1, 'substring');
  const length = ensureSafeInteger(args, 2, 'substring');
  if (start < 0) throw builtinError('substring', 'negative offset');
  const runes = codePoints(s);
  if (start >= runes.length) return '';
  const end = length < 0 ? runes.length : Math.min(runes.length, start + length);
  return runes.slice(start, end).join('');
}

/** Go's unicode.IsSpace. */
function isGoSpace(ch: string): boolean {
  return /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/.test(ch);
}

/** Drops leading and/or trailing code points for which `drop` holds. */
function trimRunes(s: string, drop: (ch: string) => boolean, left: boolean, right: boolean): string {
  const runes = codePoints(s);
  let a = 0, b = runes.length;
  if (left) while (a < b && drop(runes[a])) a++;
  if (right) while (b > a && drop(runes[b - 1])) b--;
  return runes.slice(a, b).join('');
}

function trimBuiltin(name: string, left: boolean, right: boolean): Builtin {
  return {
    name,
    arity: 2,
    fn: (args) => {
      const s = ensureString(args, 0, name);
      const cutset = new Set(codePoints(ensureString(args, 1, name)));
      return trimRunes(s, (ch) => cutset.has(ch), left, right);
    },
  };
}

/** A string, or an array/set of strings, as a list (for the any_*_match builtins). */
function stringOrStrings(args: Value[], i: number, name: string): string[] {
  const v = args[i];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) || v instanceof SetValue) {
    const items = elementsOf(v);
    if (items.every((x) => typeof x === 'string')) return items as string[];
  }
  throw operandError(name, i, `must be one of {string, array, set} of strings but got ${typeName(v as Value)}`);
}

function anyMatch(name: string, test: (s: string, affix: string) => boolean): Builtin {
  return {
    name,
    arity: 2,
    fn: (args) => {
      const search = stringOrStrings(args, 0, name), affixes = stringOrStrings(args, 1, name);
      return search.some((s) => affixes.some((a) => test(s, a)));
    },
  };
}

/** Go's strings.Count: non-overlapping occurrences; an empty needle counts code points + 1. */
function count(args: Value[]): Value {
  const s = ensureString(args, 0, 'strings.count'), sub = ensureString(args, 1, 'strings.count');
  if (sub === '') return codePoints(s).length + 1;
  return s.split(sub).length - 1;
}

const INT_BASES = new Set([2, 8, 10, 16]);

/** format_int(number, base): the number truncated toward zero, in base 2, 8, 10 or 16. */
function formatInt(args: Value[]): Value {
  const n = ensureNumber(args, 0, 'format_int');
  const base = ensureNumber(args, 1, 'format_int');
  if (typeof base !== 'number' || !INT_BASES.has(base)) throw operandError('format_int', 1, 'must be one of {2, 8, 10, 16}');
  return truncate(n).toString(base);
}

function truncate(n: RegoNumber): bigint {
  return typeof n === 'bigint' ? n : BigInt(Math.trunc(n));
}

/** Decimal number syntax accepted by Go's strconv.ParseFloat (hex floats left out). */
const NUMBER_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** to_number: null is 0, booleans 1/0, numbers themselves, strings parsed exactly. */
function toNumber(args: Value[]): Value {
  const v = args[0];
  if (v === null) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (typeof v !== 'string') throw operandError('to_number', 0, `must be one of {null, boolean, number, string} but got ${typeName(v)}`);
  if (!NUMBER_TEXT.test(v)) throw builtinError('to_number', `could not parse string as number: ${JSON.stringify(v)}`);
  if (/^[+-]?\d+$/.test(v)) return num.normalizeInteger(BigInt(v));
  const n = Number(v);
  if (!Number.isFinite(n)) throw builtinError('to_number', `could not parse string as number: ${JSON.stringify(v)}`);
  return num.normalizeInteger(n);
}

function strings2(name: string, fn: (a: string, b: string) => Value): Builtin {
  return { name, arity: 2, fn: (args) => fn(ensureString(args, 0, name), ensureString(args, 1, name)) };
}

function strings1(name: string, fn: (a: string) => Value): Builtin {
  return { name, arity: 1, fn: (args) => fn(ensureString(args, 0, name)) };
}

/** The string builtins. */
export const stringsBuiltins: Builtin[] = [
  {
    name: 'concat',
    arity: 2,
    fn: (args) => {
      const sep = ensureString(args, 0, 'concat');
      return orderedStrings(args, 1, 'concat').join(sep);
    },
  },
  strings2('contains', (s, sub) => s.includes(sub)),
  strings2('startswith', (s, p) => s.startsWith(p)),
  strings2('endswith', (s, p) => s.endsWith(p)),
  strings1('lower', lower),
  strings1('upper', upper),
  { name: 'split', arity: 2, fn: split },
  { name: 'format_int', arity: 2, fn: formatInt },
  { name: 'indexof', arity: 2, fn: indexOf },
  { name: 'indexof_n', arity: 2, fn: indexOfN },
  {
    name: 'replace',
    arity: 3,
    fn: (args) => replaceAll(ensureString(args, 0, 'replace'), ensureString(args, 1, 'replace'), ensureString(args, 2, 'replace')),
  },
  { name: 'strings.replace_n', arity: 2, fn: replaceN },
  { name: 'substring', arity: 3, fn: substring },
  trimBuiltin('trim', true, true),
  trimBuiltin('trim_left', true, false),
  trimBuiltin('trim_right', false, true),
  strings2('trim_prefix', (s, p) => (s.startsWith(p) ? s.slice(p.length) : s)),
  strings2('trim_suffix', (s, p) => (p !== '' && s.endsWith(p) ? s.slice(0, s.length - p.length) : s)),
  strings1('trim_space', (s) => trimRunes(s, isGoSpace, true, true)),
  strings1('strings.reverse', (s) => codePoints(s).reverse().join('')),
  anyMatch('strings.any_prefix_match', (s, p) => s.startsWith(p)),
  anyMatch('strings.any_suffix_match', (s, p) => s.endsWith(p)),
  { name: 'strings.count', arity: 2, fn: count },
  { name: 'to_number', arity: 1, fn: toNumber },
];

