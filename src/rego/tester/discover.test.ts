import type { Location, Module, Rule, Term } from '../ast/nodes.js';
import { discoverTests, filterTests, testKind } from './discover.js';
import { dataRef } from './paths.js';

const loc = (line: number, file = 'p.rego'): Location => ({ file, line, col: 1, start: 0, end: 0 });
const v = (name: string): Term => ({ type: 'var', name, loc: loc(1) });
const s = (value: string): Term => ({ type: 'string', value, loc: loc(1) });

function rule(ref: Term[], line: number, args?: Term[]): Rule {
  return { type: 'rule', default: false, head: { ref, assign: false, contains: false, loc: loc(line), ...(args ? { args } : {}) }, body: [], else: [], loc: loc(line) };
}

function mod(file: string, pkg: string[], rules: Rule[]): Module {
  return { type: 'module', file, package: pkg, imports: [], rules, regoVersion: 'v1', loc: loc(1, file) };
}

describe('testKind', () => {
  it('tells tests, todo tests and other rules apart', () => {
    expect(testKind(rule([v('test_ok')], 1))).toBe('test');
    expect(testKind(rule([v('todo_test_later')], 1))).toBe('todo');
    expect(testKind(rule([v('allow')], 1))).toBeUndefined();
    expect(testKind(rule([v('test_fn')], 1, [v('x')]))).toBeUndefined();
    expect(testKind(rule([v('test_obj'), s('k')], 1))).toBeUndefined();
  });
});

describe('discoverTests', () => {
  const modules = [
    mod('b_test.rego', ['b'], [rule([v('test_two')], 9), rule([v('helper')], 3), rule([v('test_one')], 5)]),
    mod('a_test.rego', ['a', 'x-y'], [rule([v('test_q')], 2), rule([v('test_q')], 4), rule([v('todo_test_r')], 7)]),
  ];

  it('lists tests by file and line, each package and name once, with its query', () => {
    expect(discoverTests(modules).map((t) => [t.query, t.file, t.line, t.todo])).toEqual([
      ['data.a["x-y"].test_q', 'a_test.rego', 2, false],
      ['data.a["x-y"].todo_test_r', 'a_test.rego', 7, true],
      ['data.b.test_one', 'b_test.rego', 5, false],
      ['data.b.test_two', 'b_test.rego', 9, false],
    ]);
  });

  it('filters on the qualified name', () => {
    expect(filterTests(discoverTests(modules), /b\.test_t/).map((t) => t.name)).toEqual(['test_two']);
  });
});

describe('dataRef', () => {
  it('quotes segments that are not identifiers', () => {
    expect(dataRef(['enigm', 'trust', 'decision'])).toBe('data.enigm.trust.decision');
    expect(dataRef(['a', 'b c', '1'])).toBe('data.a["b c"]["1"]');
  });
});
