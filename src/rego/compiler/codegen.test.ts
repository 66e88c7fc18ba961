/**
 * Rules compiled to generated JavaScript (codegen.ts) must mean what the closures they
 * replace meant: undefined vs false, sets vs arrays, numbers and bigints, `with`,
 * conflicts, errors in strict mode, and input paths the raw reader cannot follow.
 */
import { RegoEngine } from '../engine.js';
import { RegoError } from '../errors.js';
import { genComplete, readerOf } from './codegen.js';
import { InputPaths } from './rawinput.js';

function engineWith(source: string, opts: ConstructorParameters<typeof RegoEngine>[0] = {}): RegoEngine {
  const e = new RegoEngine(opts);
  e.addModule('policy.rego', source);
  return e;
}

const value = (e: RegoEngine, query: string, input?: unknown): unknown => e.prepare(query).eval(input)[0]?.expressions[0];

describe('generated rules', () => {
  it('tells undefined from false in tests and values', () => {
    const e = engineWith('package p\nt if input.a == true\nf := input.a if input.b\nn if not input.a\ndefault dflt := false\ndflt if input.a');
    expect(value(e, 'data.p.t', { a: false })).toBeUndefined();
    expect(value(e, 'data.p.t', {})).toBeUndefined();
    expect(value(e, 'data.p.t', { a: true })).toBe(true);
    expect(value(e, 'data.p.f', { a: false, b: true })).toBe(false);
    expect(value(e, 'data.p.f', { a: false, b: false })).toBeUndefined();
    expect(value(e, 'data.p.n', { a: false })).toBe(true);
    expect(value(e, 'data.p.n', {})).toBe(true);
    expect(value(e, 'data.p.n', { a: 0 })).toBeUndefined();
    expect(value(e, 'data.p.dflt', { a: 0 })).toBe(true);
    expect(value(e, 'data.p.dflt', { a: false })).toBe(false);
  });

  it('compares strings, null and booleans strictly and numbers by value', () => {
    const e = engineWith('package p\ns if input.x == "1"\nz if input.x == null\nnum if input.x == 1\nne if input.x != "a"\nlt if input.x < 2');
    expect(value(e, 'data.p.s', { x: 1 })).toBeUndefined();
    expect(value(e, 'data.p.s', { x: '1' })).toBe(true);
    expect(value(e, 'data.p.z', { x: null })).toBe(true);
    expect(value(e, 'data.p.z', {})).toBeUndefined();
    expect(value(e, 'data.p.num', { x: 1.0 })).toBe(true);
    expect(value(e, 'data.p.num', { x: 1n })).toBe(true);
    expect(value(e, 'data.p.ne', { x: 1 })).toBe(true);
    expect(value(e, 'data.p.ne', { x: 'a' })).toBeUndefined();
    expect(value(e, 'data.p.ne', {})).toBeUndefined();
    expect(value(e, 'data.p.lt', { x: 2n ** 60n })).toBeUndefined();
    expect(value(e, 'data.p.lt', { x: -(2n ** 60n) })).toBe(true);
    expect(value(e, 'data.p.lt', { x: 'a' })).toBeUndefined();
  });

  it('checks membership in set, array and object collections', () => {
    const e = engineWith('package p\nS := {"a", 1}\nA := ["a", 1]\nO := {"k": "a"}\nins if input.x in S\nina if input.x in A\nino if input.x in O\nlit if input.x in {"a", [1]}');
    expect(value(e, '[data.p.ins, data.p.ina, data.p.ino]', { x: 'a' })).toEqual([true, true, true]);
    expect(value(e, 'data.p.ins', { x: 1.0 })).toBe(true);
    expect(value(e, 'data.p.ino', { x: 'k' })).toBeUndefined();
    expect(value(e, 'data.p.lit', { x: [1] })).toBe(true);
    expect(value(e, 'data.p.lit', { x: ['1'] })).toBeUndefined();
  });

  it('builds partial sets from constant and computed members', () => {
    const e = engineWith('package p\ns contains "a" if input.a\ns contains "a" if input.b\ns contains input.c if input.c\ns contains x if { some x in input.xs }');
    expect(value(e, 'data.p.s', { a: true, b: true, c: [1], xs: [2, 'a'] })).toEqual([2, 'a', [1]]);
    expect(value(e, 'data.p.s', {})).toEqual([]);
    expect(value(e, 'is_set(data.p.s)', {})).toBe(true);
  });

  it('raises conflicts between complete definitions and keeps else order', () => {
    const e = engineWith('package p\nx := 1 if input.a\nx := 2 if input.b\ny := "first" if input.a else := "second" if input.b else := "last"');
    expect(value(e, 'data.p.x', { a: true })).toBe(1);
    expect(value(e, 'data.p.x', { b: true })).toBe(2);
    expect(() => value(e, 'data.p.x', { a: true, b: true })).toThrow(/complete rules must not produce multiple outputs/);
    expect(value(e, 'data.p.y', { a: true, b: true })).toBe('first');
    expect(value(e, 'data.p.y', { b: true })).toBe('second');
    expect(value(e, 'data.p.y', {})).toBe('last');
  });

  it('honours `with` on input, data and functions', () => {
    const e = engineWith('package p\nS := {"a"}\nok if input.x in S\nr1 if ok with input.x as "a"\nr2 if ok with data.p.S as {"b"} with input.x as "b"\nr3 if ok with input.x as 1 with internal.member_2 as true\nt if input.x == 1\nr4 if t with equal as false with input.x as 1');
    expect(value(e, 'data.p.r1', { x: 'z' })).toBe(true);
    expect(value(e, 'data.p.r2', { x: 'a' })).toBe(true);
    expect(value(e, 'data.p.r3', {})).toBe(true);
    expect(value(e, 'data.p.r4', {})).toBeUndefined();
    expect(value(e, 'data.p.ok', { x: 'b' })).toBeUndefined();
  });

  it('lets the base document shadow a rule it reads', () => {
    const e = engineWith('package p\nflag if input.a\nok if flag');
    e.setData({ p: { flag: false } });
    expect(value(e, 'data.p.ok', { a: true })).toBeUndefined();
  });

  it('raises builtin errors of a value in strict mode and is undefined otherwise', () => {
    const src = 'package p\nv := x if { input.a; x := 1 / input.d }\nw := count(input.s) if input.a';
    expect(value(engineWith(src), 'data.p.w', { a: true, s: 5 })).toBeUndefined();
    expect(() => value(engineWith(src, { strict: true }), 'data.p.w', { a: true, s: 5 })).toThrow(RegoError);
    expect(() => value(engineWith(src, { strict: true }), 'data.p.v', { a: true, d: 0 })).toThrow(RegoError);
  });

  it('reads inputs that are not plain JSON through the converted input', () => {
    const e = engineWith('package p\nm if input.m.k == "v"\nn if input.arr.x\nproto if input.toString\nown if input.constructor == "c"');
    expect(value(e, 'data.p.m', { m: new Map([['k', 'v']]) })).toBe(true);
    expect(value(e, 'data.p.n', { arr: [1] })).toBeUndefined();
    expect(value(e, 'data.p.proto', {})).toBeUndefined();
    expect(value(e, 'data.p.own', { constructor: 'c' })).toBe(true);
    expect(value(e, 'data.p.m', new Map([['m', { k: 'v' }]]))).toBe(true);
  });

  it('follows number keys into arrays and string keys below them', () => {
    const e = engineWith('package p\nfirst if input.xs[0] == "a"\ndeep if input.xs[1].k == 1\nodd if input.o["0"] == 2');
    expect(value(e, '[data.p.first, data.p.deep]', { xs: ['a', { k: 1.0 }] })).toEqual([true, true]);
    expect(value(e, 'data.p.first', { xs: { 0: 'a' } })).toBeUndefined();
    expect(value(e, 'data.p.deep', { xs: ['a'] })).toBeUndefined();
    expect(value(e, 'data.p.odd', { o: ['x', 'y', 2] })).toBeUndefined();
    expect(value(e, 'data.p.odd', { o: { 0: 2 } })).toBe(true);
  });
});

describe('calls and literals inside generated rules', () => {
  it('is undefined when an argument or member is undefined', () => {
    const e = engineWith('package p\nn := count(input.xs) if input.on\nobj := {"a": input.a, "b": 1} if input.on\narr := [input.a, input.b] if input.on\nzero if count(input.xs) == 0');
    expect(value(e, 'data.p.n', { on: true, xs: [1, 2] })).toBe(2);
    expect(value(e, 'data.p.n', { on: true })).toBeUndefined();
    expect(value(e, 'data.p.obj', { on: true, a: false })).toEqual({ a: false, b: 1 });
    expect(value(e, 'data.p.obj', { on: true })).toBeUndefined();
    expect(value(e, 'data.p.arr', { on: true, a: 1 })).toBeUndefined();
    expect(value(e, 'data.p.arr', { on: true, a: 1, b: 2n ** 60n })).toEqual([1, 2n ** 60n]);
    expect(value(e, 'data.p.zero', { xs: [] })).toBe(true);
    expect(value(e, 'data.p.zero', {})).toBeUndefined();
  });

  it('keeps sets as sets and sums numbers exactly', () => {
    const e = engineWith('package p\ns contains x if some x in input.xs\nr := {"s": s, "n": sum(input.ns)} if input.on');
    expect(value(e, 'data.p.r', { on: true, xs: ['b', 'a', 'b'], ns: [2 ** 53 - 1, 2] })).toEqual({ n: 2n ** 53n + 1n, s: ['a', 'b'] });
    expect(value(e, 'is_set(data.p.r.s)', { on: true, xs: [], ns: [] })).toBe(true);
  });

  it('calls what `with` puts in place of builtins and functions', () => {
    const e = engineWith('package p\nf(x) := x + 1\nv := [count(input.xs), f(1)] if input.on\ng(_) := 10\nr1 := x if { x := v with count as 7 with input.on as true }\nr2 := x if { x := v with f as g with input.on as true with input.xs as [] }');
    expect(value(e, 'data.p.r1', { xs: [1] })).toEqual([7, 2]);
    expect(value(e, 'data.p.r2', {})).toEqual([0, 10]);
    expect(value(e, 'data.p.v', { on: true, xs: [1] })).toEqual([1, 2]);
  });

  it('raises builtin errors in arguments and values in strict mode only', () => {
    const src = 'package p\nt if count(input.x) > 0\nv := [1, to_number(input.s)] if input.on';
    expect(value(engineWith(src), 'data.p.t', { x: 5 })).toBeUndefined();
    expect(value(engineWith(src), 'data.p.v', { on: true, s: 'x' })).toBeUndefined();
    expect(() => value(engineWith(src, { strict: true }), 'data.p.t', { x: 5 })).toThrow(RegoError);
    expect(() => value(engineWith(src, { strict: true }), 'data.p.v', { on: true, s: 'x' })).toThrow(RegoError);
  });
});

describe('generated source', () => {
  it('never writes input keys into the source unescaped', () => {
    const paths = new InputPaths();
    const evil = '"]; throw new Error("injected"); //';
    const read = readerOf(paths.node(['a', evil]));
    const reads: unknown[] = [];
    const raw = { a: { [evil]: 'ok' } };
    expect(read({ reads, rawInput: raw } as never)).toBe('ok');
  });

  it('has nothing to run for an empty definition list but the default', () => {
    const run = genComplete([], (_f) => 7, () => { throw new Error('conflict'); });
    expect(run({} as never)).toBe(7);
  });
});
