import { RegoError } from '../errors.js';
import { parseQuery } from './index.js';
import { renderBody } from './render.js';

const q = (src: string, regoVersion: 'v0' | 'v1' = 'v1') => renderBody(parseQuery(src, { regoVersion }));

function parseError(src: string, regoVersion: 'v0' | 'v1' = 'v1'): RegoError {
  try {
    parseQuery(src, { regoVersion });
  } catch (e) {
    if (e instanceof RegoError) return e;
    throw e;
  }
  throw new Error('expected a parse error');
}

describe('statements', () => {
  it('separates statements by line breaks and semicolons', () => {
    const body = parseQuery('x := 1; y = 2\nz', { regoVersion: 'v1' });
    expect(body.map((e) => e.type)).toEqual(['assign', 'unify', 'term']);
  });

  it('refuses two statements on one line without a semicolon', () => {
    const e = parseError('1 2');
    expect(e.message).toContain('unexpected number 2: expected end of input');
    expect(e.location).toMatchObject({ line: 1, col: 3 });
  });

  it('refuses trailing characters after a query', () => {
    expect(parseError('[1]]').message).toContain('unexpected `]`');
  });

  it('refuses an empty query and an empty body', () => {
    expect(parseError('  # nothing').message).toContain('empty query');
    expect(parseError('x := [y | ]').message).toContain('found empty body');
  });

  it('parses destructuring assignment and unification', () => {
    expect(q('[a, {"k": b}] := f(x)')).toBe('[a, {"k": b}] := f(x)');
    expect(q('x = y')).toBe('x = y');
  });

  it('marks negation and allows it on unification', () => {
    const [e] = parseQuery('not x = 1', { regoVersion: 'v1' });
    expect(e).toMatchObject({ type: 'unify', negated: true });
    expect(q('not f(x)')).toBe('not f(x)');
  });

  it('refuses a negated assignment', () => {
    expect(parseError('not x := 1').message).toContain('cannot negate');
  });
});

describe('some and every', () => {
  it('declares variables with some', () => {
    const [e] = parseQuery('some x, y', { regoVersion: 'v1' });
    expect(e).toMatchObject({ type: 'some', vars: [{ name: 'x' }, { name: 'y' }] });
  });

  it('iterates with some … in, with or without a key', () => {
    const [a, b] = parseQuery('some x in xs\nsome k, [v, _] in input.o', { regoVersion: 'v1' });
    expect(a).toMatchObject({ type: 'somein', value: { name: 'x' }, collection: { name: 'xs' } });
    expect(a).not.toHaveProperty('key');
    expect(b).toMatchObject({ type: 'somein', key: { name: 'k' }, value: { type: 'array' }, collection: { type: 'ref' } });
  });

  it('refuses a some declaration of a non-variable', () => {
    expect(parseError('some 1').message).toContain('expected a variable name');
  });

  it('parses every with value or key and value', () => {
    expect(q('every x in xs { x > 0 }')).toBe('every x in xs { gt(x, 0) }');
    const [e] = parseQuery('every k, v in {"a": 1} {\n  k != v\n  v > 0\n}', { regoVersion: 'v1' });
    expect(e).toMatchObject({ type: 'every', key: { name: 'k' }, value: { name: 'v' }, domain: { type: 'object' } });
    if (e.type !== 'every') throw new Error('every expected');
    expect(e.body).toHaveLength(2);
  });

  it('requires a variable as the value of every', () => {
    expect(parseError('every [a] in xs { a }').message).toContain('value of `every` must be a variable');
  });

  it('requires a variable as the key of every', () => {
    expect(parseError('every 1, v in xs { v }').message).toContain('key of `every` must be a variable');
  });

  it('reads k, v in xs as a three-argument membership', () => {
    expect(q('k, v in xs')).toBe('internal.member_3(k, v, xs)');
    expect(q('b := 0, 2 in [5, 6]')).toBe('b := internal.member_3(0, 2, [5, 6])');
    expect(q('not "a", 1 in o')).toBe('not internal.member_3("a", 1, o)');
  });
});

describe('with modifiers', () => {
  it('attaches several with modifiers to one statement', () => {
    const [e] = parseQuery('data.p.allow with input as {"a": 1} with data.q as 2 with time.now_ns as f', { regoVersion: 'v1' });
    expect(e.with.map((w) => w.target.type)).toEqual(['var', 'ref', 'ref']);
    expect(q('allow with input.user as "bob"')).toBe('allow with input.user as "bob"');
  });

  it('lets a with modifier start on the next line', () => {
    expect(q('x := f(1)\n  with input as 2')).toBe('x := f(1) with input as 2');
  });

  it('refuses a with target that is not a name or ref', () => {
    expect(parseError('x with 1 as 2').message).toContain('`with` target');
  });
});

describe('keywords by version', () => {
  it('refuses a keyword as a variable in v1', () => {
    const e = parseError('x := if');
    expect(e.message).toContain('keyword `if`');
    expect(parseError('every := 1').message).toContain('keyword');
  });

  it('allows the future keywords as variables in v0 without the import', () => {
    expect(q('every := 1; in := every; contains := in', 'v0')).toBe('every := 1; in := every; contains := in');
  });

  it('still understands some … in, x in xs and every in v0 where no variable could stand', () => {
    expect(q('some x in xs; x in ys; every y in ys { y }', 'v0')).toBe('some x in xs; internal.member_2(x, ys); every y in ys { y }');
  });
});
