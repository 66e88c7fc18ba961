import { RegoError } from '../errors.js';
import { Lexer } from './lexer.js';
import type { Token } from './token.js';

function tokens(source: string): Token[] {
  const lexer = new Lexer('t.rego', source);
  const out: Token[] = [];
  for (;;) {
    const tok = lexer.next();
    out.push(tok);
    if (tok.kind === 'eof') return out;
  }
}

function texts(source: string): string[] {
  return tokens(source).slice(0, -1).map((t) => t.text);
}

function lexError(source: string): RegoError {
  try {
    tokens(source);
  } catch (e) {
    if (e instanceof RegoError) return e;
    throw e;
  }
  throw new Error('expected a lexer error');
}

describe('Lexer', () => {
  it('splits operators longest first', () => {
    expect(texts('a:=b==c!=d<=e>=f<g>h=i:j')).toEqual(
      ['a', ':=', 'b', '==', 'c', '!=', 'd', '<=', 'e', '>=', 'f', '<', 'g', '>', 'h', '=', 'i', ':', 'j'],
    );
  });

  it('gives every token its line, column and offsets', () => {
    const [pkg, name, x] = tokens('package  foo\n  x');
    expect(pkg.loc).toEqual({ file: 't.rego', line: 1, col: 1, start: 0, end: 7 });
    expect(name.loc).toEqual({ file: 't.rego', line: 1, col: 10, start: 9, end: 12 });
    expect(x.loc).toMatchObject({ line: 2, col: 3, start: 15, end: 16 });
  });

  it('records whether space or a line break came before a token', () => {
    const [a, dot, b, sp, c] = tokens('a.b [\nc');
    expect([a.spaceBefore, dot.spaceBefore, b.spaceBefore]).toEqual([false, false, false]);
    expect(sp.spaceBefore).toBe(true);
    expect(sp.newlineBefore).toBe(false);
    expect(c.newlineBefore).toBe(true);
  });

  it('ignores a leading byte-order mark and carriage returns', () => {
    const toks = tokens('\ufeffpackage a\r\nb');
    expect(toks.map((t) => t.text)).toEqual(['package', 'a', 'b', '']);
    expect(toks[2].loc).toMatchObject({ line: 2, col: 1 });
  });

  it('skips comments, which count as space', () => {
    const toks = tokens('a # comment ] here\nb#c');
    expect(toks.map((t) => t.text)).toEqual(['a', 'b', '']);
    expect(toks[1].newlineBefore).toBe(true);
  });

  it('decodes string escapes including surrogate pairs', () => {
    const [s] = tokens(String.raw`"a\"b\\c\/d\n\t\u00e9\ud83d\ude00"`);
    expect(s.kind).toBe('string');
    expect(s.value).toBe('a"b\\c/d\n\té😀');
  });

  it('takes raw strings verbatim and keeps counting lines inside them', () => {
    const [s, after] = tokens('`a\\n\nb` x');
    expect(s.value).toBe('a\\n\nb');
    expect(s.raw).toBe(true);
    expect(after.loc).toMatchObject({ line: 2, col: 4 });
  });

  it('reads integers, decimals and exponents as number tokens', () => {
    expect(tokens('12 3.25 1e9 2.5E-3').slice(0, -1).map((t) => [t.kind, t.text])).toEqual([
      ['number', '12'], ['number', '3.25'], ['number', '1e9'], ['number', '2.5E-3'],
    ]);
  });

  it('stops a number before a ref dot: 1.x is not a decimal', () => {
    expect(() => tokens('1.x')).not.toThrow();
    expect(texts('a[1].b')).toEqual(['a', '[', '1', ']', '.', 'b']);
  });

  it('refuses an unterminated string at its opening quote', () => {
    const e = lexError('x := "abc\ny');
    expect(e.code).toBe('rego_parse_error');
    expect(e.location).toMatchObject({ line: 1, col: 6 });
    expect(e.message).toContain('unterminated string');
  });

  it('refuses an unknown escape where it is written', () => {
    const e = lexError('"ab\\qc"');
    expect(e.location).toMatchObject({ line: 1, col: 4 });
    expect(e.message).toContain('illegal escape');
  });

  it('refuses a short \\u escape', () => {
    expect(lexError('"\\u12"').message).toContain('four hex digits');
  });

  it('refuses an unterminated raw string and a stray character', () => {
    expect(lexError('`abc').message).toContain('unterminated raw string');
    const e = lexError('a ! b');
    expect(e.message).toContain('unexpected character "!"');
    expect(e.location).toMatchObject({ col: 3 });
  });

  it('shows the offending line and a caret in errors', () => {
    expect(lexError('ok\n  "bad').message).toContain('\n\t  "bad\n\t  ^');
  });

  it('peeks without consuming and can save and restore its position', () => {
    const lexer = new Lexer('t', 'a b c');
    expect(lexer.peek().text).toBe('a');
    expect(lexer.next().text).toBe('a');
    const mark = lexer.save();
    expect(lexer.next().text).toBe('b');
    lexer.restore(mark);
    expect(lexer.next().text).toBe('b');
    const ahead = lexer.fork();
    expect(ahead.next().text).toBe('c');
    expect(lexer.peek().text).toBe('c');
  });
});
