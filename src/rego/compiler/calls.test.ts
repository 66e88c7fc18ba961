import { builtins } from '../builtins/index.js';
import type { Builtin } from '../builtins/types.js';
import { RegoEngine } from '../engine.js';

function engineWith(extra: Builtin[], strict: boolean, source: string): RegoEngine {
  const table = new Map(builtins);
  for (const b of extra) table.set(b.name, b);
  const e = new RegoEngine({ strict, builtins: table });
  e.addModule('p.rego', source);
  return e;
}

const broken: Builtin = { name: 'test.broken', arity: 1, fn: () => { throw new TypeError('oops'); } };
const pairs: Builtin = { name: 'test.pairs', arity: 1, relation: true, fn: (args) => [[args[0], 1], [args[0], 2]] };

describe('calls', () => {
  it('treats an unexpected exception of a builtin as a builtin error', () => {
    const src = 'package p\nx := test.broken(1)';
    expect(engineWith([broken], false, src).prepare('data.p.x').eval()).toEqual([]);
    expect(() => engineWith([broken], true, src).prepare('data.p.x').eval()).toThrow(expect.objectContaining({ code: 'eval_builtin_error' }));
  });

  it('enumerates every result of a relation builtin', () => {
    const e = engineWith([pairs], true, 'package p\nxs := [n | test.pairs("a", [_, n])]');
    expect(e.prepare('data.p.xs').eval()[0].expressions[0]).toEqual([1, 2]);
  });

  it('rejects an extra argument when the call is used as a value', () => {
    const e = engineWith([], true, 'package p\nx := abs(-1, 1)');
    expect(() => e.prepare('data.p.x')).toThrow(expect.objectContaining({ code: 'rego_type_error' }));
  });

  it('compares values of different types by Rego order in comparison operators', () => {
    const e = engineWith([], true, 'package p\nr := [1 < "a", null < false, [1] > "z"]');
    expect(e.prepare('data.p.r').eval()[0].expressions[0]).toEqual([true, true, true]);
  });
});
