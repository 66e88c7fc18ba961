import { RegoError } from '../errors.js';
import type { Term } from '../ast/nodes.js';
import { parseQuery } from './index.js';
import { renderBody } from './render.js';

const q = (src: string, regoVersion: 'v0' | 'v1' = 'v1') => renderBody(parseQuery(src, { regoVersion }));

function term(src: string): Term {
  const [expr] = parseQuery(src, { regoVersion: 'v1' });
  if (expr.type !== 'term') throw new Error(`not a term statement: ${expr.type}`);
  return expr.term;
}

function parseError(src: string): RegoError {
  try {
    parseQuery(src, { regoVersion: 'v1' });
  } catch (e) {
    if (e instanceof RegoError) return e;
    throw e;
  }
  throw new Error('expected a parse error');
}

describe('scalar terms', () => {
  it('parses null, booleans, strings and numbers', () => {
    expect(term('null')).toMatchObject({ type: 'null' });
    expect(term('false')).toMatchObject({ type: 'boolean', value: false });
    expect(term('"a\\tb"')).toMatchObject({ type: 'string', value: 'a\tb' });
    expect(term('`raw\\t`')).toMatchObject({ type: 'string', value: 'raw\\t' });
    expect(term('1.5e3')).toMatchObject({ type: 'number', value: 1500, raw: '1.5e3' });
  });

  it('keeps integers beyond 2^53 exact as bigint', () => {
    expect(term('9007199254740993')).toMatchObject({ type: 'number', value: 9007199254740993n });
  });

  it('reads decimals written without a leading zero', () => {
    expect(term('.5')).toMatchObject({ type: 'number', value: 0.5, raw: '.5' });
    expect(term('-.25')).toMatchObject({ type: 'number', value: -0.25, raw: '-.25' });
  });

  it('refuses numbers too big for a double', () => {
    expect(parseError('x := 1e400').message).toContain('number too big');
  });

  it('refuses a number with a leading zero', () => {
    expect(parseError('x := 012').message).toContain('invalid number');
  });
});

describe('references', () => {
  it('collects dot and bracket parts on one ref', () => {
    const t = term('input.a[b]["c"][0]');
    expect(t).toMatchObject({
      type: 'ref',
      head: { type: 'var', name: 'input' },
      path: [{ type: 'string', value: 'a' }, { type: 'var', name: 'b' }, { type: 'string', value: 'c' }, { type: 'number', value: 0 }],
    });
  });

  it('accepts keywords as field names after a dot', () => {
    expect(q('input.package.default.if.in.contains.else')).toBe('input.package.default.if.in.contains.else');
  });

  it('refuses a scalar as the head of a ref', () => {
    expect(parseError('x := "abc"[0]').message).toContain('a string cannot be the head of a reference');
    expect(q('x := [1, 2][0]; y := {"a": 1}.a')).toBe('x := [1, 2][0]; y := {"a": 1}.a');
  });

  it('does not continue a ref across whitespace', () => {
    expect(parseError('x [0]').message).toContain('unexpected `[`');
  });

  it('refuses whitespace between a dot and its name', () => {
    const e = parseError('regex.\nmatch("a", "b")');
    expect(e.message).toContain('invalid whitespace between `.` and identifier');
  });

  it('spans a ref from its head to its last part', () => {
    expect(term('  a.bc[1]').loc).toMatchObject({ line: 1, col: 3, start: 2, end: 9 });
  });
});

describe('calls', () => {
  it('calls plain and dotted names', () => {
    expect(q('count(x); time.now_ns(); data.lib.f(1, 2)')).toBe('count(x); time.now_ns(); data.lib.f(1, 2)');
    expect(term('time.now_ns()')).toMatchObject({ type: 'call', fn: { type: 'ref', head: { name: 'time' }, path: [{ value: 'now_ns' }] }, args: [] });
  });

  it('continues a call result as a ref head', () => {
    const t = term('f(x)[0].y');
    expect(t).toMatchObject({ type: 'ref', head: { type: 'call' }, path: [{ value: 0 }, { value: 'y' }] });
  });

  it('lets arguments span lines', () => {
    expect(q('f(\n  1,\n  2,\n)')).toBe('f(1, 2)');
  });

  it('treats print as an ordinary call', () => {
    expect(term('print("x", y)')).toMatchObject({ type: 'call', fn: { name: 'print' } });
  });

  it('keeps contains(s, t) a builtin call in v1', () => {
    expect(q('contains("abc", "b")')).toBe('contains("abc", "b")');
  });

  it('refuses to call something that is not a name', () => {
    expect(parseError('x := [1](2)').message).toContain('only a name');
  });
});

describe('composite terms', () => {
  it('parses arrays, objects and sets, with trailing commas', () => {
    expect(q('[1, "a", [],]')).toBe('[1, "a", []]');
    expect(q('{"a": 1, 2: [x], y: z,}')).toBe('{"a": 1, 2: [x], y: z}');
    expect(q('{1, 2, 3}')).toBe('{1, 2, 3}');
  });

  it('reads {} as an empty object and set() as an empty set', () => {
    expect(term('{}')).toMatchObject({ type: 'object', entries: [] });
    expect(term('set()')).toMatchObject({ type: 'set', items: [] });
    expect(term('set(x)')).toMatchObject({ type: 'call', fn: { name: 'set' } });
  });

  it('parses the three comprehensions with full bodies', () => {
    expect(q('[x | some x in xs; x > 1]')).toBe('[x | some x in xs; gt(x, 1)]');
    expect(q('{x | x := 1}')).toBe('{x | x := 1}');
    expect(q('{k: v | some k, v in o\n v != 0}')).toBe('{k: v | some k, v in o; neq(v, 0)}');
  });

  it('prefers a comprehension when a plain term meets |', () => {
    expect(q('z = [x | y]')).toBe('z = [x | y]');
  });

  it('falls back to an array when the comprehension body runs into a comma', () => {
    expect(q('z = [x | y, 5]')).toBe('z = [or(x, y), 5]');
    expect(q('z = {x | y, 5}')).toBe('z = {or(x, y), 5}');
  });

  it('reads a k, v in membership inside a comprehension body', () => {
    expect(q('z = [x | y, 5 in {5}]')).toBe('z = [x | internal.member_3(y, 5, {5})]');
    expect(q('z = [x | y, 5 in {5}, 6]')).toBe('z = [or(x, y), internal.member_2(5, {5}), 6]');
  });

  it('treats an operator in the first element as an array of expressions', () => {
    expect(q('z = [x - {10} | y]')).toBe('z = [or(minus(x, {10}), y)]');
    expect(q('z = [(x - {10}) | y]')).toBe('z = [minus(x, {10}) | y]');
  });

  it('reads a comprehension whose head has operators when no literal parses', () => {
    expect(q('z := [x * 2 | some x in xs]')).toBe('z := [mul(x, 2) | some x in xs]');
    expect(q('z := {x + 1 | x := xs[_]}')).toBe('z := {plus(x, 1) | x := xs[_]}');
    expect(q('z := {k: v * 2 | some k, v in o}')).toBe('z := {k: mul(v, 2) | some k, v in o}');
    expect(q('z := {k + 1: v - 1 | some k, v in o}')).toBe('z := {plus(k, 1): minus(v, 1) | some k, v in o}');
    expect(q('z := [-x & y | x := 1; y := 2]')).toBe('z := [and(minus(0, x), y) | x := 1; y := 2]');
  });

  it('keeps a comprehension head with operators over several body lines', () => {
    expect(q('z := [x * 2 |\n  some x in xs\n  x > 1\n]')).toBe('z := [mul(x, 2) | some x in xs; gt(x, 1)]');
  });

  it('still reads a union when the text is a valid literal', () => {
    expect(q('z = [x * 2 | y]')).toBe('z = [or(mul(x, 2), y)]');
    expect(q('z = {x + 1 | y, 5}')).toBe('z = {or(plus(x, 1), y), 5}');
    expect(q('z = [(x | y)]')).toBe('z = [or(x, y)]');
    expect(q('z = [x | y]')).toBe('z = [x | y]');
  });

  it('does not read a comparison before the bar as a comprehension head', () => {
    expect(q('z = [x == y | true]')).toBe('z = [equal(x, or(y, true))]');
  });

  it('reports the literal\'s error when neither reading parses', () => {
    expect(parseError('z := [x * 2 | some x in xs').message).toContain('unexpected keyword `some`');
    expect(parseError('z := [, x * 2 | some x in xs]').message).toContain('unexpected keyword `some`');
  });

  it('reads a comprehension after an object key that has operators', () => {
    expect(q('x := {k + 1: v | some k, v in xs}')).toBe('x := {plus(k, 1): v | some k, v in xs}');
  });

  it('reads a key-value membership in parentheses', () => {
    expect(q('x := (k, v in xs)')).toBe('x := internal.member_3(k, v, xs)');
  });

  it('reuses nested composites instead of re-parsing them exponentially', () => {
    const n = 60;
    const src = 'x := ' + '{"a": '.repeat(n) + '1 + 2' + '} + 1'.repeat(n);
    const started = Date.now();
    expect(() => parseQuery(src, { regoVersion: 'v1' })).not.toThrow();
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('parses objects whose values need full expressions', () => {
    expect(q('{"a": 1 + 2, "b": x in s}')).toBe('{"a": plus(1, 2), "b": internal.member_2(x, s)}');
  });

  it('reports a missing closing bracket', () => {
    expect(parseError('x := [1, 2').message).toContain('end of input');
  });
});
