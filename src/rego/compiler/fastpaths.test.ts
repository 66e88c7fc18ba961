/**
 * The evaluator's shortcuts (constant rules kept across evaluations, raw input reads,
 * folded literals, comparisons read as data, test-only rules) must not change semantics.
 */
import { RegoEngine } from '../engine.js';
import { RegoError } from '../errors.js';

function engineWith(source: string, opts: ConstructorParameters<typeof RegoEngine>[0] = {}): RegoEngine {
  const e = new RegoEngine(opts);
  e.addModule('policy.rego', source);
  return e;
}

const value = (e: RegoEngine, query: string, input?: unknown): unknown => e.prepare(query).eval(input)[0]?.expressions[0];

describe('constant rules kept across evaluations', () => {
  it('keeps a constant rule but recomputes one that reads input', () => {
    const e = engineWith('package p\nS := {"a"} | {"b"}\nhas if input.x in S');
    const q = e.prepare('[data.p.S, data.p.has]');
    expect(q.eval({ x: 'a' })[0].expressions[0]).toEqual([['a', 'b'], true]);
    expect(q.eval({ x: 'c' })).toEqual([]);
    expect(q.eval({ x: 'b' })[0].expressions[0]).toEqual([['a', 'b'], true]);
  });

  it('does not reuse a kept value where `with data` replaces what it depends on', () => {
    const e = engineWith('package p\nbase := 1\ndouble := base * 2\nr := [double, d] if d := double with data.p.base as 5');
    expect(value(e, 'data.p.double')).toBe(2);
    expect(value(e, 'data.p.r')).toEqual([2, 10]);
    expect(value(e, 'data.p.double')).toBe(2);
  });

  it('does not reuse a kept value where `with` replaces a function it calls', () => {
    const e = engineWith('package p\nf(x) := x + 1\nk := f(1)\nr := [k, m] if m := k with f as g\ng(x) := x * 10');
    expect(value(e, 'data.p.k')).toBe(2);
    expect(value(e, 'data.p.r')).toEqual([2, 10]);
    expect(value(e, 'data.p.k')).toBe(2);
  });

  it('recomputes rules that read the clock, print, or depend on such rules', () => {
    const printed: string[] = [];
    const e = engineWith('package p\nnow := time.now_ns()\nlater := now + 1\nsaid if print("hi")', { print: (m) => printed.push(m) });
    const q = e.prepare('data.p.later');
    expect(q.evalValues(undefined, { nowNs: 10n })[0].expressions[0]).toBe(11);
    expect(q.evalValues(undefined, { nowNs: 20n })[0].expressions[0]).toBe(21);
    const s = e.prepare('data.p.said');
    s.eval();
    s.eval();
    expect(printed).toEqual(['hi', 'hi']);
  });

  it('raises a constant rule\'s error on every evaluation, not only the first', () => {
    const e = engineWith('package p\nx := 1\nx := 2');
    const q = e.prepare('data.p.x');
    expect(() => q.eval()).toThrow(RegoError);
    expect(() => q.eval()).toThrow(RegoError);
  });
});

describe('reading the raw input', () => {
  it('tells a missing field from a false one', () => {
    const e = engineWith('package p\noff if input.flag == false\nunset if not input.flag');
    expect(value(e, '[data.p.off, data.p.unset]', { flag: false })).toEqual([true, true]);
    expect(e.prepare('data.p.off').eval({})).toEqual([]);
    expect(value(e, 'data.p.unset', {})).toBe(true);
    expect(value(e, 'data.p.unset', { flag: null })).toBeUndefined();
  });

  it('keeps numbers exact: -0 is 0, integers beyond 2^53 are exact, floats stay floats', () => {
    const e = engineWith('package p\nzero if input.n == 0\nbig := input.b + 1\nhalf := input.f * 2');
    expect(value(e, 'data.p.zero', { n: -0 })).toBe(true);
    expect(value(e, 'data.p.big', { b: 9007199254740993n })).toBe(9007199254740994n);
    expect(value(e, 'data.p.big', { b: 2 ** 60 })).toBe(1152921504606846977n);
    expect(value(e, 'data.p.half', { f: 0.25 })).toBe(0.5);
  });

  it('indexes arrays by number only and finds no inherited properties', () => {
    const e = engineWith('package p\nfirst := input.xs[0]\nname := input.xs.length\nproto := input.o.toString\nraw := input.o.__proto__');
    expect(value(e, 'data.p.first', { xs: ['a'] })).toBe('a');
    expect(value(e, 'data.p.name', { xs: ['a'] })).toBeUndefined();
    expect(value(e, 'data.p.proto', { o: {} })).toBeUndefined();
    expect(value(e, 'data.p.raw', { o: {} })).toBeUndefined();
  });

  it('reads Maps and Sets in the input as objects and sets', () => {
    const e = engineWith('package p\nv := input.m.k\nin_set if "a" in input.s');
    expect(value(e, 'data.p.v', { m: new Map([['k', 1]]) })).toBe(1);
    expect(value(e, 'data.p.in_set', { s: new Set(['a']) })).toBe(true);
  });

  it('lets `with input` override what the raw input holds', () => {
    const e = engineWith('package p\nstate := input.device.state\nr := [state, s] if s := state with input.device.state as "revoked"');
    expect(value(e, 'data.p.r', { device: { state: 'trusted' } })).toEqual(['trusted', 'revoked']);
    expect(value(e, 'data.p.state', { device: { state: 'trusted' } })).toBe('trusted');
  });

  it('still refuses input that has no Rego value where a rule reads it', () => {
    const e = engineWith('package p\nf := input.f');
    expect(() => e.prepare('data.p.f').eval({ f: () => 1 })).toThrow(RegoError);
  });
});

describe('folded literals and comparisons', () => {
  it('keeps sets and arrays apart and compares sets by value', () => {
    const e = engineWith('package p\nsame if {1, 2} == {2, 1}\nmixed if [1, 2] == {1, 2}\nin_arr if 2 in [1, 2]\nin_obj if 2 in {"a": 2}');
    expect(value(e, '[data.p.same, data.p.in_arr, data.p.in_obj]')).toEqual([true, true, true]);
    expect(e.prepare('data.p.mixed').eval()).toEqual([]);
  });

  it('compares numbers by value across integer and float spellings', () => {
    const e = engineWith('package p\nhit if input.n in {1, 2.5}\nlow if input.n < 3');
    expect(value(e, 'data.p.hit', { n: 1.0 })).toBe(true);
    expect(value(e, 'data.p.hit', { n: 2.5 })).toBe(true);
    expect(value(e, 'data.p.low', { n: 9007199254740993n })).toBeUndefined();
    expect(value(e, 'data.p.low', { n: 2 })).toBe(true);
  });

  it('does not let a builtin change a folded literal', () => {
    const e = engineWith('package p\nxs := [3, 1, 2]\nsorted := sort(xs)');
    expect(value(e, '[data.p.sorted, data.p.xs]')).toEqual([[1, 2, 3], [3, 1, 2]]);
  });

  it('binds the output argument of an operator written as a call', () => {
    const e = engineWith('package p\nr := x if equal(1, 1, x)\ns := y if lt(2, 1, y)');
    expect(value(e, '[data.p.r, data.p.s]')).toEqual([true, false]);
  });
});

describe('rules whose bodies are tests only', () => {
  it('tries the next else clause when a body holds but its value is undefined', () => {
    const e = engineWith('package p\nr := input.missing if { true } else := "fallback"');
    expect(value(e, 'data.p.r', {})).toBe('fallback');
  });

  it('still reports conflicting values of a complete rule', () => {
    const e = engineWith('package p\nr := 1 if input.a\nr := 2 if input.b');
    expect(value(e, 'data.p.r', { a: true })).toBe(1);
    expect(() => e.prepare('data.p.r').eval({ a: true, b: true })).toThrow(/complete rules must not produce multiple outputs/);
  });

  it('builds partial sets from constant, input and rule members', () => {
    const e = engineWith('package p\nname := "n"\ns contains "c" if input.on\ns contains input.k if input.on\ns contains name if not input.off');
    expect(value(e, 'data.p.s', { on: true, k: 'k' })).toEqual(['c', 'k', 'n']);
    expect(value(e, 'data.p.s', { off: true })).toEqual([]);
  });
});

describe('comprehension heads with operators', () => {
  it('evaluates [x * 2 | some x in xs] and {k: v * 2 | …}', () => {
    const e = engineWith('package p\nd := [x * 2 | some x in input.xs]\no := {k: v * 2 | some k, v in input.o}\ns := {x + 1 | x := input.xs[_]}');
    expect(value(e, '[data.p.d, data.p.o, data.p.s]', { xs: [1, 2], o: { a: 3 } })).toEqual([[2, 4], { a: 6 }, [2, 3]]);
  });
});

describe('query results', () => {
  it('returns a variable named __proto__ as a binding', () => {
    const e = engineWith('package p\nk := 1');
    const [row] = e.prepare('__proto__ := data.p.k').eval();
    expect(Object.keys(row.bindings)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(row.bindings, '__proto__')?.value).toBe(1);
  });
});
