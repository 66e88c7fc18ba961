import { RegoEngine } from './engine.js';
import { RegoError } from './errors.js';
import { SetValue } from './value/index.js';

function engineWith(source: string, data: unknown = {}): RegoEngine {
  const e = new RegoEngine();
  e.addModule('policy.rego', source);
  e.setData(data);
  return e;
}

describe('RegoEngine', () => {
  it('returns the value of a term query as its single expression', () => {
    const e = engineWith('package p\nallow if input.user == "bob"');
    expect(e.prepare('data.p.allow').eval({ user: 'bob' })).toEqual([{ expressions: [true], bindings: {} }]);
  });

  it('returns an empty result array when the query is undefined', () => {
    const e = engineWith('package p\nallow if input.user == "bob"');
    expect(e.prepare('data.p.allow').eval({ user: 'eve' })).toEqual([]);
  });

  it('reports a false rule value for a one-expression query', () => {
    const e = engineWith('package p\ndefault allow := false');
    expect(e.prepare('data.p.allow').eval()).toEqual([{ expressions: [false], bindings: {} }]);
  });

  it('treats false as failure when the query has several expressions', () => {
    const e = engineWith('package p\ndefault allow := false');
    expect(e.prepare('x := 1; data.p.allow').eval()).toEqual([]);
  });

  it('binds user variables and reports true for assignments', () => {
    const e = engineWith('package p\nxs := [10, 20]');
    expect(e.prepare('x := data.p.xs[i]').eval()).toEqual([
      { expressions: [true], bindings: { x: 10, i: 0 } },
      { expressions: [true], bindings: { x: 20, i: 1 } },
    ]);
  });

  it('does not report wildcard bindings', () => {
    const e = engineWith('package p\nxs := [10]');
    expect(e.prepare('x := data.p.xs[_]').eval()).toEqual([{ expressions: [true], bindings: { x: 10 } }]);
  });

  it('turns sets into sorted arrays in plain results and keeps them as sets in raw values', () => {
    const e = engineWith('package p\ns contains x if some x in ["b", "a", "c"]');
    expect(e.prepare('data.p.s').eval()[0].expressions[0]).toEqual(['a', 'b', 'c']);
    expect(e.prepare('data.p.s').evalValues()[0].expressions[0]).toBeInstanceOf(SetValue);
  });

  it('recompiles after a module is added', () => {
    const e = engineWith('package p\na := 1');
    expect(e.prepare('data.p').eval()[0].expressions[0]).toEqual({ a: 1 });
    e.addModule('q.rego', 'package p\nb := 2');
    expect(e.prepare('data.p').eval()[0].expressions[0]).toEqual({ a: 1, b: 2 });
    expect(e.modules().map((m) => m.file)).toEqual(['policy.rego', 'q.rego']);
  });

  it('reads the base document set with setData', () => {
    const e = engineWith('package p\nlimit := data.config.limit * 2', { config: { limit: 21 } });
    expect(e.prepare('data.p.limit').eval()[0].expressions[0]).toBe(42);
  });

  it('keeps time.now_ns constant within one evaluation and takes it from the options', () => {
    const e = engineWith('package p\nsame if time.now_ns() == time.now_ns()\nnow := time.now_ns()');
    expect(e.prepare('data.p.same').eval()).toHaveLength(1);
    expect(e.prepare('data.p.now').evalValues(undefined, { nowNs: 123n })[0].expressions[0]).toBe(123);
  });

  it('sends print output to the print hook, with <undefined> for undefined arguments', () => {
    const printed: string[] = [];
    const e = new RegoEngine({ print: (m) => printed.push(m) });
    e.addModule('p.rego', 'package p\nr if { print("x is", input.x, {"a": [1]}) }');
    e.prepare('data.p.r').eval({});
    expect(printed).toEqual(['x is <undefined> {"a": [1]}']);
  });

  it('throws a parse error when a module does not parse', () => {
    const e = new RegoEngine();
    expect(() => e.addModule('bad.rego', 'package p\nallow if {')).toThrow(RegoError);
  });

  it('fails the query on builtin errors only in strict mode', () => {
    const src = 'package p\nn := to_number("abc")';
    const lax = new RegoEngine();
    lax.addModule('p.rego', src);
    expect(lax.prepare('data.p.n').eval()).toEqual([]);
    const strict = new RegoEngine({ strict: true });
    strict.addModule('p.rego', src);
    expect(() => strict.prepare('data.p.n').eval()).toThrow(expect.objectContaining({ code: 'eval_builtin_error' }));
  });

  it('raises eval_type_error for a strict builtin type error', () => {
    const e = new RegoEngine({ strict: true });
    e.addModule('p.rego', 'package p\nn := count(5)');
    expect(() => e.prepare('data.p.n').eval()).toThrow(expect.objectContaining({ code: 'eval_type_error' }));
  });
});
