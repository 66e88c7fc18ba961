import type { Term } from '../ast/nodes.js';
import { parseQuery } from './index.js';
import { renderBody, renderTerm } from './render.js';

const q = (src: string, regoVersion: 'v0' | 'v1' = 'v1') => renderBody(parseQuery(src, { regoVersion }));

function onlyTerm(src: string): Term {
  const [expr] = parseQuery(src, { regoVersion: 'v1' });
  if (expr.type !== 'term') throw new Error(`not a term statement: ${expr.type}`);
  return expr.term;
}

describe('operator precedence', () => {
  it('binds * / % tighter than + -', () => {
    expect(q('1 + 2 * 3 - 4 / 5 % 6')).toBe('minus(plus(1, mul(2, 3)), rem(div(4, 5), 6))');
  });

  it('is left-associative within a level', () => {
    expect(q('1 - 2 - 3')).toBe('minus(minus(1, 2), 3)');
    expect(q('8 / 4 / 2')).toBe('div(div(8, 4), 2)');
  });

  it('binds & tighter than |, and both tighter than comparisons', () => {
    expect(q('a | b & c == d')).toBe('equal(or(a, and(b, c)), d)');
    expect(q('a + b | c')).toBe('or(plus(a, b), c)');
  });

  it('maps every comparison to its builtin', () => {
    expect(q('a == b; a != b; a < b; a <= b; a > b; a >= b')).toBe(
      'equal(a, b); neq(a, b); lt(a, b); lte(a, b); gt(a, b); gte(a, b)',
    );
  });

  it('makes in the loosest operator', () => {
    expect(q('x == 1 in s')).toBe('internal.member_2(equal(x, 1), s)');
    expect(q('x + 1 in {2}')).toBe('internal.member_2(plus(x, 1), {2})');
  });

  it('lets parentheses override precedence', () => {
    expect(q('(1 + 2) * 3')).toBe('mul(plus(1, 2), 3)');
  });

  it('records the written operator on operator calls only', () => {
    const t = onlyTerm('a + f(b)');
    expect(t).toMatchObject({ type: 'call', operator: '+', fn: { type: 'var', name: 'plus' } });
    if (t.type !== 'call') throw new Error('call expected');
    expect(t.args[1]).toMatchObject({ type: 'call', fn: { name: 'f' } });
    expect(t.args[1]).not.toHaveProperty('operator');
  });

  it('names membership with a ref callee internal.member_2', () => {
    const t = onlyTerm('1 in xs');
    expect(t).toMatchObject({ type: 'call', operator: 'in', fn: { type: 'ref', head: { name: 'internal' }, path: [{ value: 'member_2' }] } });
  });

  it('folds unary minus into number literals, even across a line break', () => {
    expect(onlyTerm('- 5')).toMatchObject({ type: 'number', value: -5, raw: '-5' });
    expect(onlyTerm('[-\n  2.5]')).toMatchObject({ items: [{ type: 'number', value: -2.5 }] });
  });

  it('turns unary minus on other terms into minus(0, x)', () => {
    expect(q('-x')).toBe('minus(0, x)');
    expect(q('- -1')).toBe('minus(0, -1)');
    expect(q('1 - -x')).toBe('minus(1, minus(0, x))');
  });

  it('reads a minus after a term as subtraction', () => {
    expect(q('1 + 1 -2')).toBe('minus(plus(1, 1), 2)');
  });

  it('continues an expression across lines only inside brackets', () => {
    expect(q('x := (1 +\n 2)')).toBe('x := plus(1, 2)');
    expect(q('x := [1,\n 2 +\n 3]')).toBe('x := [1, plus(2, 3)]');
    expect(q('x := 1\n-2 == y')).toBe('x := 1; equal(-2, y)');
  });

  it('keeps big integers exact and renders terms back', () => {
    const t = onlyTerm('123456789012345678901234567890 + 1');
    expect(renderTerm(t)).toBe('plus(123456789012345678901234567890n, 1)');
  });
});
