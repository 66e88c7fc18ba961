import { RegoError } from '../errors.js';
import type { Module } from '../ast/nodes.js';
import { parseModule } from './index.js';
import { renderRule } from './render.js';

function mod(rules: string, regoVersion: 'v0' | 'v1' = 'v1'): Module {
  return parseModule('t.rego', `package t\n${rules}`, { regoVersion });
}

const rendered = (rules: string, regoVersion: 'v0' | 'v1' = 'v1') => mod(rules, regoVersion).rules.map(renderRule);

function parseError(rules: string, regoVersion: 'v0' | 'v1' = 'v1'): RegoError {
  try {
    mod(rules, regoVersion);
  } catch (e) {
    if (e instanceof RegoError) return e;
    throw e;
  }
  throw new Error('expected a parse error');
}

describe('v1 rules', () => {
  it('gives p if … the value true', () => {
    const [r] = mod('allow if {\n  input.x == 1\n}').rules;
    expect(r.head).toMatchObject({ ref: [{ type: 'var', name: 'allow' }], value: { type: 'boolean', value: true }, assign: false, contains: false });
    expect(r.body).toHaveLength(1);
    expect(r.default).toBe(false);
  });

  it('accepts a single expression after if', () => {
    expect(rendered('p if input.x > 1\nq := 2 if input.y')).toEqual(['p = true if { gt(input.x, 1) }', 'q := 2 if { input.y }']);
  });

  it('parses complete rules with := and = and no body', () => {
    const [a, b] = mod('a := 1\nb = [1, 2]').rules;
    expect(a.head).toMatchObject({ assign: true, value: { value: 1 } });
    expect(a.body).toEqual([]);
    expect(b.head).toMatchObject({ assign: false, value: { type: 'array' } });
  });

  it('parses partial sets with contains', () => {
    const [r] = mod('deny contains msg if {\n  msg := "no"\n}').rules;
    expect(r.head).toMatchObject({ ref: [{ name: 'deny' }], key: { name: 'msg' }, contains: true });
    expect(r.head.value).toBeUndefined();
    expect(rendered('p.q contains "a"')).toEqual(['p.q contains "a"']);
  });

  it('parses ref heads with the key as last ref element', () => {
    const [a, b, c] = mod('p.q[x] := y if { some x, y in input }\np[x].y := z if { z := x; x := 1 }\na.b.c := 1').rules;
    expect(a.head.ref.map((t) => t.type)).toEqual(['var', 'string', 'var']);
    expect(a.head.value).toMatchObject({ name: 'y' });
    expect(b.head.ref.map((t) => t.type)).toEqual(['var', 'var', 'string']);
    expect(c.head.ref).toMatchObject([{ name: 'a' }, { value: 'b' }, { value: 'c' }]);
  });

  it('reads p[x] if … in v1 as a ref head whose value is true', () => {
    expect(rendered('violations[k] if { some k, _ in input }')).toEqual(['violations[k] = true if { some k, _ in input }']);
  });

  it('parses functions, several definitions, and a space before the arguments', () => {
    const rules = mod('f(x, [y]) := x + y if { true }\nf(1, _) := 2\nsum (a, b) := a + b').rules;
    expect(rules[0].head.args).toHaveLength(2);
    expect(rules[1].head.args).toMatchObject([{ value: 1 }, { name: '_' }]);
    expect(rules[2].head).toMatchObject({ ref: [{ name: 'sum' }], args: [{ name: 'a' }, { name: 'b' }] });
  });

  it('parses else chains with values and bodies', () => {
    const [r] = mod('p := 1 if {\n  input.a\n} else := 2 if {\n  input.b\n} else := 3').rules;
    expect(r.else).toHaveLength(2);
    expect(r.else[0]).toMatchObject({ value: { value: 2 } });
    expect(r.else[0].body).toHaveLength(1);
    expect(r.else[1]).toMatchObject({ value: { value: 3 }, body: [] });
  });

  it('gives a bare else the value true', () => {
    const [r] = mod('p := false if { input.a } else if { input.b }').rules;
    expect(r.else[0].value).toMatchObject({ type: 'boolean', value: true });
  });

  it('parses default rules, including default functions', () => {
    const [a, b] = mod('default allow := false\ndefault f(_) := {"a": [1]}').rules;
    expect(a).toMatchObject({ default: true, body: [], head: { value: { value: false }, assign: true } });
    expect(b).toMatchObject({ default: true, head: { args: [{ name: '_' }] } });
  });

  it('refuses non-constant default values', () => {
    expect(parseError('default a := x').message).toContain('cannot contain variable `x`');
    expect(parseError('default a := input.x').message).toContain('reference');
    expect(parseError('default a := 1 + 2').message).toContain('operator `+`');
    expect(parseError('default a := f(1)').message).toContain('a call');
    expect(rendered('default a := [x | x := 1]')).toEqual(['default a := [x | x := 1]']);
  });

  it('reads a brace that is not a body as a term after if', () => {
    expect(rendered('x if { 1: 2 | some p in [1, 2] }')).toEqual(['x = true if { {1: 2 | some p in [1, 2]} }']);
  });

  it('reads braces after if as a single expression unless they form a set', () => {
    expect(rendered('p if {}\nq if { "a": 1 }\nr if { input.x }')).toEqual([
      'p = true if { {} }', 'q = true if { {"a": 1} }', 'r = true if { input.x }',
    ]);
    const [r] = mod('r if { input.x }').rules;
    expect(r.body[0]).toMatchObject({ type: 'term', term: { type: 'ref' } });
  });

  it('reads { x | … } after if as a set comprehension expression', () => {
    const [r] = mod('x if { 1 | 1 }').rules;
    expect(r.body).toHaveLength(1);
    expect(r.body[0]).toMatchObject({ type: 'term', term: { type: 'setcomp' } });
  });

  it('refuses else on multi-value rules and on heads with variables', () => {
    expect(parseError('p contains 1 if { false } else := 2').message).toContain('multi-value');
    expect(parseError('p[x] := 1 if { x := 1 } else := 2').message).toContain('variables in head');
  });

  it('refuses default function arguments that are not distinct variables', () => {
    expect(parseError('default f(1) := 0').message).toContain('must be variables');
    expect(parseError('default f(x, x) := 0').message).toContain('repeated');
  });

  it('refuses an operator straight after a rule head', () => {
    expect(parseError('p + 1').message).toContain('unexpected `+`');
  });

  it('requires if before a body', () => {
    const e = parseError('allow {\n  true\n}');
    expect(e.message).toContain('`if` keyword is required before rule body');
    expect(e.location).toMatchObject({ line: 2, col: 7 });
    expect(parseError('p := 1 if { false } else = 2 { true }').message).toContain('`if` keyword is required');
  });

  it('requires contains for partial set heads and a body or value otherwise', () => {
    expect(parseError('p.a').message).toContain('`contains` keyword is required');
    expect(parseError('p').message).toContain('rule must have a body');
    expect(parseError('p[x]').message).toContain('`contains` keyword is required');
  });

  it('refuses a keyword as a rule name', () => {
    expect(parseError('if := 1').message).toContain('keyword `if`');
  });

  it('refuses a rule without a head', () => {
    expect(parseError('{ x }').message).toContain('expected a rule head');
    expect(parseError('1 == 1').message).toContain('expected a rule head');
  });

  it('spans a rule from its head to the end of its body', () => {
    const [r] = mod('p if {\n  true\n}').rules;
    expect(r.loc).toMatchObject({ line: 2, col: 1, start: 10, end: 25 });
  });
});

describe('v0 rules', () => {
  it('accepts brace bodies without if, valued true', () => {
    expect(rendered('p { true }\nq = 1 { true }', 'v0')).toEqual(['p = true if { true }', 'q = 1 if { true }']);
  });

  it('reads p[x] { … } as a partial set and p[k] = v as a partial object', () => {
    const [s, o] = mod('p[x] { x := 1 }\nq[k] = v { k := "a"; v := 1 }', 'v0').rules;
    expect(s.head).toMatchObject({ ref: [{ name: 'p' }], key: { name: 'x' }, contains: true });
    expect(s.head.value).toBeUndefined();
    expect(o.head).toMatchObject({ ref: [{ name: 'q' }, { name: 'k' }], value: { name: 'v' }, contains: false });
  });

  it('reads a two-part dotted head without value as a partial set, as OPA v0 does', () => {
    const [r] = mod('x.a { true }', 'v0').rules;
    expect(r.head).toMatchObject({ ref: [{ name: 'x' }], key: { type: 'string', value: 'a' }, contains: true });
  });

  it('gives longer v0 heads without value the value true', () => {
    expect(rendered('p.q[x] { x := 1 }', 'v0')).toEqual(['p.q[x] = true if { x := 1 }']);
  });

  it('accepts a bodyless v0 partial set member p["a"], but not a bodyless p.a', () => {
    const [r] = mod('r["s"] p1 { true }', 'v0').rules;
    expect(r).toMatchObject({ head: { ref: [{ name: 'r' }], key: { value: 's' }, contains: true }, body: [] });
    expect(parseError('p.a', 'v0').message).toContain('rule must have a body');
  });

  it('splits chained bodies into one rule each', () => {
    expect(rendered('p { input.a } { input.b }', 'v0')).toEqual(['p = true if { input.a }', 'p = true if { input.b }']);
  });

  it('accepts else with brace bodies', () => {
    const [r] = mod('p = 1 { false } else = 2 { true } else { true }', 'v0').rules;
    expect(r.else.map((e) => e.value)).toMatchObject([{ value: 2 }, { value: true }]);
  });

  it('understands if and contains after a head even without the import', () => {
    expect(rendered('p if { true }\nq contains 1 if true', 'v0')).toEqual(['p = true if { true }', 'q contains 1 if { true }']);
  });

  it('still requires a body or a value on a plain name', () => {
    expect(parseError('p', 'v0').message).toContain('rule must have a body');
  });
});
