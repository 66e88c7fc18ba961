/**
 * A pull lexer for Rego: `peek()` shows the next token, `next()` consumes it. Tokens carry
 * their span and whether whitespace or a line break preceded them, because Rego gives both
 * meaning: a line break ends a statement, and `a.b` / `f(x)` / `a[0]` continue a term only
 * when nothing separates the parts.
 */
import type { Location } from '../ast/nodes.js';
import { raise } from '../errors.js';
import { readQuotedString, readRawString } from './strings.js';
import { PUNCTUATION, type Token } from './token.js';

/** Where the lexer stands; small so that a look-ahead can copy it. */
interface Cursor {
  pos: number;
  line: number;
  lineStart: number;
}

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c);
}

/** A saved lexer position (opaque to callers). */
export interface LexerMark {
  readonly cursor: Readonly<Cursor>;
  readonly lookahead: Token | undefined;
}

/** Splits Rego source text into tokens on demand. */
export class Lexer {
  private cursor: Cursor = { pos: 0, line: 1, lineStart: 0 };
  private lookahead: Token | undefined;

  constructor(
    readonly file: string,
    readonly source: string,
  ) {
    // A byte-order mark some editors write is not part of the text.
    if (source.charCodeAt(0) === 0xfeff) this.cursor.pos = 1;
  }

  /** The next token, without consuming it. */
  peek(): Token {
    this.lookahead ??= this.scan();
    return this.lookahead;
  }

  /** Consumes and returns the next token. */
  next(): Token {
    const tok = this.peek();
    this.lookahead = undefined;
    return tok;
  }

  /** The lexer's position, to come back to with `restore` after a speculative parse. */
  save(): LexerMark {
    return { cursor: { ...this.cursor }, lookahead: this.lookahead };
  }

  /** Returns to a position taken by `save`. */
  restore(mark: LexerMark): void {
    this.cursor = { ...mark.cursor };
    this.lookahead = mark.lookahead;
  }

  /** An independent copy positioned at the same place, for looking further ahead. */
  fork(): Lexer {
    const copy = new Lexer(this.file, this.source);
    copy.cursor = { ...this.cursor };
    copy.lookahead = this.lookahead;
    return copy;
  }

  /** A location at character offset `start`, on the current line. */
  private locAt(start: number, end: number): Location {
    return { file: this.file, line: this.cursor.line, col: start - this.cursor.lineStart + 1, start, end };
  }

  /** Raises a parse error at the current position. */
  fail(message: string, start = this.cursor.pos, end = start + 1): never {
    return raise('rego_parse_error', message, this.locAt(start, end), this.source);
  }

  private scan(): Token {
    const gap = this.skipSpace();
    const start = this.cursor.pos;
    const src = this.source;
    const base = { spaceBefore: gap.space, newlineBefore: gap.newline };
    if (start >= src.length) return { kind: 'eof', text: '', loc: this.locAt(start, start), ...base };
    const c = src.charCodeAt(start);
    if (isIdentStart(c)) return { kind: 'ident', text: this.readWhile(isIdentPart), loc: this.locAt(start, this.cursor.pos), ...base };
    if (isDigit(c)) return { kind: 'number', text: this.readNumber(), loc: this.locAt(start, this.cursor.pos), ...base };
    if (c === 34 /* " */) return this.readString(start, base);
    if (c === 96 /* ` */) return this.readRaw(start, base);
    for (const p of PUNCTUATION) {
      if (src.startsWith(p, start)) {
        this.cursor.pos += p.length;
        return { kind: 'punct', text: p, loc: this.locAt(start, this.cursor.pos), ...base };
      }
    }
    return this.fail(`unexpected character ${JSON.stringify(src[start])}`);
  }

  /** Skips whitespace and `#` comments, noting whether any (and a line break) was seen. */
  private skipSpace(): { space: boolean; newline: boolean } {
    const src = this.source;
    let space = false, newline = false;
    while (this.cursor.pos < src.length) {
      const c = src.charCodeAt(this.cursor.pos);
      if (c === 10) {
        newline = true;
        this.cursor.line++;
        this.cursor.lineStart = this.cursor.pos + 1;
      } else if (c === 35 /* # */) {
        const eol = src.indexOf('\n', this.cursor.pos);
        this.cursor.pos = eol < 0 ? src.length : eol;
        space = true;
        continue;
      } else if (c !== 32 && c !== 9 && c !== 13) {
        break;
      }
      space = true;
      this.cursor.pos++;
    }
    return { space, newline };
  }

  private readWhile(pred: (c: number) => boolean): string {
    const start = this.cursor.pos;
    while (this.cursor.pos < this.source.length && pred(this.source.charCodeAt(this.cursor.pos))) this.cursor.pos++;
    return this.source.slice(start, this.cursor.pos);
  }

  /** Digits, an optional fraction and an optional exponent; the parser checks the form. */
  private readNumber(): string {
    const start = this.cursor.pos;
    this.readWhile(isDigit);
    const src = this.source;
    if (src[this.cursor.pos] === '.' && isDigit(src.charCodeAt(this.cursor.pos + 1))) {
      this.cursor.pos++;
      this.readWhile(isDigit);
    }
    if (src[this.cursor.pos] === 'e' || src[this.cursor.pos] === 'E') {
      let p = this.cursor.pos + 1;
      if (src[p] === '+' || src[p] === '-') p++;
      if (isDigit(src.charCodeAt(p))) {
        this.cursor.pos = p;
        this.readWhile(isDigit);
      }
    }
    if (isIdentStart(src.charCodeAt(this.cursor.pos)) || src[this.cursor.pos] === '.' && isDigit(src.charCodeAt(this.cursor.pos + 1))) {
      this.fail('invalid number', start, this.cursor.pos + 1);
    }
    return src.slice(start, this.cursor.pos);
  }

  private readString(start: number, base: Pick<Token, 'spaceBefore' | 'newlineBefore'>): Token {
    const r = readQuotedString(this.source, start);
    if ('error' in r) this.fail(r.error, r.at, r.at + 1);
    this.cursor.pos = r.end;
    return { kind: 'string', text: this.source.slice(start, r.end), value: r.value, loc: this.locAt(start, r.end), ...base };
  }

  private readRaw(start: number, base: Pick<Token, 'spaceBefore' | 'newlineBefore'>): Token {
    const r = readRawString(this.source, start);
    if ('error' in r) this.fail(r.error, start, start + 1);
    const loc = this.locAt(start, r.end);
    // A raw string may span lines: keep the line count right for the tokens after it.
    for (let i = start; i < r.end; i++) {
      if (this.source.charCodeAt(i) === 10) {
        this.cursor.line++;
        this.cursor.lineStart = i + 1;
      }
    }
    this.cursor.pos = r.end;
    return { kind: 'string', text: this.source.slice(start, r.end), value: r.value, raw: true, loc, ...base };
  }
}
