/**
 * glob.match and glob.quote_meta with the semantics of the gobwas/glob library OPA uses.
 * A glob is translated to an RE2 pattern and run by re2js, so matching is linear in the
 * input whatever the pattern: no backtracking blow-up on `*a*a*a…`.
 */
import { RE2JS } from 're2js';
import type { Value } from '../value/index.js';
import { builtinError, elementsOf, ensureString, operandError, typeName } from './args.js';
import type { Builtin } from './types.js';
import { BoundedCache } from './regex.js';

/** Characters with a meaning in a glob, escaped by glob.quote_meta. */
const GLOB_SPECIALS = new Set(['*', '?', '\\', '[', ']', '{', '}']);

/** An RE2 class that matches no code point. */
const NOTHING = '[^\\x00-\\x{10FFFF}]';

/** Escapes a code point for use inside an RE2 character class. */
function classChar(ch: string): string {
  return /[\\\]^[-]/.test(ch) ? '\\' + ch : ch;
}

/** Pattern text for "any code point except the delimiters". */
function notDelimiter(delimiters: string[]): string {
  return delimiters.length === 0 ? '(?s:.)' : '[^' + delimiters.map(classChar).join('') + ']';
}

/** Translates a glob to RE2 syntax, one recursive-descent pass over its code points. */
class GlobTranslator {
  private i = 0;
  private readonly chars: string[];

  constructor(pattern: string, private readonly delimiters: string[]) {
    this.chars = Array.from(pattern);
  }

  translate(): string {
    const body = this.sequence(false);
    if (this.i < this.chars.length) throw new Error(`unexpected ${this.chars[this.i]}`);
    return '^' + body + '$';
  }

  /** A run of glob items, ending at the end of input or, inside braces, at `,` or `}`. */
  private sequence(inBraces: boolean): string {
    let out = '';
    while (this.i < this.chars.length) {
      const ch = this.chars[this.i];
      if (inBraces && (ch === ',' || ch === '}')) break;
      out += this.item(ch);
    }
    return out;
  }

  private item(ch: string): string {
    this.i++;
    switch (ch) {
      case '*':
        if (this.chars[this.i] === '*') {
          this.i++;
          return '(?s:.*)';
        }
        return notDelimiter(this.delimiters) + '*';
      case '?': return notDelimiter(this.delimiters);
      case '[': return this.characterClass();
      case '{': return this.alternatives();
      case '\\': {
        const next = this.chars[this.i++];
        if (next === undefined) throw new Error('unexpected end of pattern after escape');
        return RE2JS.quote(next);
      }
      default: return RE2JS.quote(ch);
    }
  }

  /**
   * `[abc]`, `[a-z]`, `[!abc]`, `[!a-z]`: one code point in (or, with `!`, not in) a list or
   * one range. As in gobwas, a class holds either a list (escapes allowed) or a single range.
   */
  private characterClass(): string {
    const negated = this.chars[this.i] === '!';
    if (negated) this.i++;
    const open = negated ? '[^' : '[';
    const lo = this.chars[this.i];
    if (lo !== undefined && this.chars[this.i + 1] === '-') {
      const hi = this.chars[this.i + 2];
      if (hi === undefined || this.chars[this.i + 3] !== ']') throw new Error('expected close range character');
      this.i += 4;
      // gobwas accepts a reversed range, which matches no code point.
      if ((lo.codePointAt(0) as number) > (hi.codePointAt(0) as number)) return negated ? '(?s:.)' : NOTHING;
      return open + classChar(lo) + '-' + classChar(hi) + ']';
    }
    let list = '';
    while (this.i < this.chars.length && this.chars[this.i] !== ']') {
      let ch = this.chars[this.i++];
      if (ch === '\\') ch = this.chars[this.i++] ?? '';
      list += classChar(ch);
    }
    if (this.chars[this.i] !== ']') throw new Error('unexpected end of input');
    this.i++;
    // An empty list matches no code point (and, negated, any one).
    if (list === '') return negated ? '(?s:.)' : NOTHING;
    return open + list + ']';
  }

  /** `{a,b,c}`: any one of the comma-separated sub-globs. */
  private alternatives(): string {
    const options: string[] = [];
    for (;;) {
      options.push(this.sequence(true));
      const ch = this.chars[this.i++];
      if (ch === '}') return '(?:' + options.join('|') + ')';
      if (ch !== ',') throw new Error('unclosed alternatives');
    }
  }
}

const compiled = new BoundedCache<string, RE2JS>(256);

/** Compiles (or fetches) the matcher for a glob and its delimiters. */
export function compileGlob(pattern: string, delimiters: string[]): RE2JS {
  const key = JSON.stringify([pattern, delimiters]);
  let re = compiled.get(key);
  if (!re) {
    let source: string;
    try {
      source = new GlobTranslator(pattern, delimiters).translate();
    } catch (e) {
      throw builtinError('glob.match', `invalid glob ${JSON.stringify(pattern)}: ${(e as Error).message}`);
    }
    try {
      re = RE2JS.compile(source);
    } catch (e) {
      throw builtinError('glob.match', `invalid glob ${JSON.stringify(pattern)}: ${(e as Error).message}`);
    }
    compiled.set(key, re);
  }
  return re;
}

/**
 * The delimiters argument: null means none (`*` crosses everything), an empty array means
 * the default `.`, otherwise each element is one code point.
 */
function delimitersOf(v: Value): string[] {
  if (v === null) return [];
  if (!Array.isArray(v)) throw operandError('glob.match', 1, `must be one of {array, null} but got ${typeName(v)}`);
  if (v.length === 0) return ['.'];
  return elementsOf(v).map((d) => {
    if (typeof d !== 'string') throw operandError('glob.match', 1, `must be array of strings but got ${typeName(d)} element`);
    const runes = Array.from(d);
    if (runes.length !== 1) throw operandError('glob.match', 1, `must be array of single-character strings but got ${JSON.stringify(d)}`);
    return runes[0];
  });
}

/** Escapes glob metacharacters so the result matches `s` literally. */
export function quoteGlob(s: string): string {
  let out = '';
  for (const ch of s) out += GLOB_SPECIALS.has(ch) ? '\\' + ch : ch;
  return out;
}

/** The glob builtins. */
export const globBuiltins: Builtin[] = [
  {
    name: 'glob.match',
    arity: 3,
    fn: (args) => {
      const pattern = ensureString(args, 0, 'glob.match');
      const delimiters = delimitersOf(args[1]);
      const subject = ensureString(args, 2, 'glob.match');
      return compileGlob(pattern, delimiters).testExact(subject);
    },
  },
  { name: 'glob.quote_meta', arity: 1, fn: (args) => quoteGlob(ensureString(args, 0, 'glob.quote_meta')) },
];
