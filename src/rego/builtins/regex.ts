/**
 * Regular expression builtins with Go's RE2 syntax and semantics, run by re2js (a pure-JS
 * RE2 port with linear-time matching). Policy-supplied patterns never reach JS RegExp,
 * whose backtracking can take exponential time on patterns like `(a+)+$`.
 */
import { RE2JS } from 're2js';
import type { Value } from '../value/index.js';
import { builtinError, ensureSafeInteger, ensureString } from './args.js';
import type { Builtin } from './types.js';

/** A Map that forgets its least recently used entry beyond `limit` entries. */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly limit: number) {}

  get(key: K): V | undefined {
    const v = this.entries.get(key);
    if (v !== undefined) {
      // Re-inserting moves the key to the back of the Map's insertion order.
      this.entries.delete(key);
      this.entries.set(key, v);
    }
    return v;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value as K);
  }
}

const compiled = new BoundedCache<string, RE2JS>(256);

/** Compiles (or fetches) `pattern`; a syntax error is a builtin error of `name`. */
export function compileRegex(pattern: string, name: string): RE2JS {
  let re = compiled.get(pattern);
  if (!re) {
    try {
      re = RE2JS.compile(pattern);
    } catch (e) {
      throw builtinError(name, (e as Error).message);
    }
    compiled.set(pattern, re);
  }
  return re;
}

/** Go's n argument: negative means all matches. */
function limitOf(n: number): number {
  return n < 0 ? -1 : n;
}

/** [start, end] UTF-16 offsets of each non-overlapping match, as Go's FindAllStringIndex. */
function matchIndexes(re: RE2JS, s: string, n: number): number[][] {
  if (n === 0) return [];
  return (re.re2().findAllIndex(s, limitOf(n)) as number[][] | null) ?? [];
}

/** Offsets of each match and its groups (-1 for a group that did not take part). */
function submatchIndexes(re: RE2JS, s: string, n: number): number[][] {
  if (n === 0) return [];
  return (re.re2().findAllSubmatchIndex(s, limitOf(n)) as number[][] | null) ?? [];
}

function findN(args: Value[]): Value {
  const re = compileRegex(ensureString(args, 0, 'regex.find_n'), 'regex.find_n');
  const s = ensureString(args, 1, 'regex.find_n');
  const n = ensureSafeInteger(args, 2, 'regex.find_n');
  return matchIndexes(re, s, n).map(([a, b]) => s.slice(a, b));
}

function findAllSubmatch(args: Value[]): Value {
  const name = 'regex.find_all_string_submatch_n';
  const re = compileRegex(ensureString(args, 0, name), name);
  const s = ensureString(args, 1, name);
  const n = ensureSafeInteger(args, 2, name);
  return submatchIndexes(re, s, n).map((idx) => {
    const groups: Value[] = [];
    for (let g = 0; g < idx.length; g += 2) groups.push(idx[g] < 0 ? '' : s.slice(idx[g], idx[g + 1]));
    return groups;
  });
}

/** Go's Regexp.Split(s, -1). */
function split(args: Value[]): Value {
  const pattern = ensureString(args, 0, 'regex.split');
  const re = compileRegex(pattern, 'regex.split');
  const s = ensureString(args, 1, 'regex.split');
  if (pattern !== '' && s === '') return [''];
  const out: Value[] = [];
  let begin = 0, end = 0;
  for (const [a, b] of matchIndexes(re, s, -1)) {
    end = a;
    if (b !== 0) out.push(s.slice(begin, end));
    begin = b;
  }
  if (end !== s.length) out.push(s.slice(begin));
  return out;
}

/** Reads a `$name`/`${name}` reference at `i` (just after `$`): [name, next index]. */
function readReference(template: string, i: number): [string, number] | undefined {
  if (template[i] === '{') {
    const close = template.indexOf('}', i + 1);
    if (close < 0) return undefined;
    const name = template.slice(i + 1, close);
    return /^\w+$/.test(name) ? [name, close + 1] : undefined;
  }
  const m = /^\w+/.exec(template.slice(i));
  return m ? [m[0], i + m[0].length] : undefined;
}

/**
 * Go's Regexp.Expand: `$1`, `${1}`, `$name`, `${name}`, `$$`. A name that is not a group
 * (as `$1x`, read as the name `1x`) expands to nothing; a malformed reference stays as is.
 */
function expand(template: string, s: string, idx: number[], names: Record<string, number>): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const ch = template[i];
    if (ch !== '$') {
      out += ch;
      continue;
    }
    if (template[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    const ref = readReference(template, i + 1);
    if (!ref) {
      out += '$';
      continue;
    }
    const [name, next] = ref;
    const group = /^\d+$/.test(name) ? Number(name) : names[name];
    if (group !== undefined && 2 * group + 1 < idx.length && idx[2 * group] >= 0) out += s.slice(idx[2 * group], idx[2 * group + 1]);
    i = next - 1;
  }
  return out;
}

/** regex.replace(s, pattern, value): Go's ReplaceAllString, with `$` expansion. */
function replace(args: Value[]): Value {
  const s = ensureString(args, 0, 'regex.replace');
  const re = compileRegex(ensureString(args, 1, 'regex.replace'), 'regex.replace');
  const template = ensureString(args, 2, 'regex.replace');
  const names = re.namedGroups();
  let out = '', last = 0;
  for (const idx of submatchIndexes(re, s, -1)) {
    out += s.slice(last, idx[0]) + expand(template, s, idx, names);
    last = idx[1];
  }
  return out + s.slice(last);
}

/**
 * Translates a template such as `urn:{[a-z]+}:x` into one anchored pattern: the text
 * between the delimiters is a regular expression, the rest is literal.
 */
function templatePattern(template: string, open: string, close: string): string {
  let out = '^', literal = '', depth = 0, inner = '';
  for (const ch of template) {
    if (depth === 0 && ch === open) {
      out += RE2JS.quote(literal);
      literal = '';
      depth = 1;
    } else if (depth === 0) {
      if (ch === close) throw builtinError('regex.template_match', `unbalanced braces in template ${JSON.stringify(template)}`);
      literal += ch;
    } else if (ch === close && --depth === 0) {
      out += '(?:' + inner + ')';
      inner = '';
    } else {
      if (ch === open) depth++;
      inner += ch;
    }
  }
  if (depth !== 0) throw builtinError('regex.template_match', `unbalanced braces in template ${JSON.stringify(template)}`);
  return out + RE2JS.quote(literal) + '$';
}

/** A delimiter argument of template_match: exactly one code point. */
function delimiter(args: Value[], i: number): string {
  const d = ensureString(args, i, 'regex.template_match');
  const chars = Array.from(d);
  if (chars.length !== 1) throw builtinError('regex.template_match', `delimiter ${JSON.stringify(d)} must be one character`);
  return chars[0];
}

function templateMatch(args: Value[]): Value {
  const template = ensureString(args, 0, 'regex.template_match');
  const s = ensureString(args, 1, 'regex.template_match');
  const pattern = templatePattern(template, delimiter(args, 2), delimiter(args, 3));
  return compileRegex(pattern, 'regex.template_match').test(s);
}

/** The regex builtins. */
export const regexBuiltins: Builtin[] = [
  {
    name: 'regex.match',
    arity: 2,
    fn: (args) => {
      const re = compileRegex(ensureString(args, 0, 'regex.match'), 'regex.match');
      return re.test(ensureString(args, 1, 'regex.match'));
    },
  },
  {
    name: 'regex.is_valid',
    arity: 1,
    fn: (args) => {
      const pattern = args[0];
      if (typeof pattern !== 'string') return false;
      try {
        compileRegex(pattern, 'regex.is_valid');
        return true;
      } catch {
        return false;
      }
    },
  },
  { name: 'regex.find_n', arity: 3, fn: findN },
  { name: 'regex.find_all_string_submatch_n', arity: 3, fn: findAllSubmatch },
  { name: 'regex.split', arity: 2, fn: split },
  { name: 'regex.replace', arity: 3, fn: replace },
  { name: 'regex.template_match', arity: 4, fn: templateMatch },
];
