import type { Body, Import, Location, Module, Rule, Term } from '../ast/nodes.js';
import { parseModule } from '../parser/index.js';
import { staticCoverage } from './coverage.js';

const loc = (line = 1): Location => ({ file: 'x', line, col: 1, start: 0, end: 0 });
const v = (name: string): Term => ({ type: 'var', name, loc: loc() });
const s = (value: string): Term => ({ type: 'string', value, loc: loc() });
const ref = (head: string, ...path: Term[]): Term => ({ type: 'ref', head: v(head), path, loc: loc() });
const call = (fn: Term, ...args: Term[]): Term => ({ type: 'call', fn: fn as never, args, loc: loc() });
const use = (...terms: Term[]): Body => terms.map((term) => ({ type: 'term', term, negated: false, with: [], loc: loc() }));

function rule(name: string, line: number, body: Body = [], value?: Term): Rule {
  return { type: 'rule', default: false, head: { ref: [v(name)], assign: false, contains: false, loc: loc(line), ...(value ? { value } : {}) }, body, else: [], loc: loc(line) };
}

function mod(file: string, pkg: string[], rules: Rule[], imports: Import[] = []): Module {
  return { type: 'module', file, package: pkg, imports, rules, regoVersion: 'v1', loc: loc() };
}

const policy = mod('policy.rego', ['app'], [
  rule('allow', 3, use(v('trusted'), call(v('check'), s('a')))),
  rule('trusted', 6, use(ref('data', s('lib'), s('util'), s('ok')))),
  rule('check', 8),
  rule('orphan', 10, use(v('unused_helper'))),
  rule('unused_helper', 12),
]);
const lib = mod('lib.rego', ['lib', 'util'], [rule('ok', 2), rule('other', 4)]);

describe('staticCoverage', () => {
  it('follows references from tests through rules, functions and data refs', () => {
    const tests = mod('policy_test.rego', ['app_test'], [rule('test_allow', 2, use(ref('data', s('app'), s('allow'))))]);
    const report = staticCoverage([policy, lib, tests]);
    const app = report.files.find((f) => f.file === 'policy.rego');
    expect(app?.rules.map((r) => [r.path, r.line, r.referenced])).toEqual([
      ['data.app.allow', 3, true],
      ['data.app.trusted', 6, true],
      ['data.app.check', 8, true],
      ['data.app.orphan', 10, false],
      ['data.app.unused_helper', 12, false],
    ]);
    expect(report.files.find((f) => f.file === 'lib.rego')?.rules.map((r) => r.referenced)).toEqual([true, false]);
    expect([report.referenced, report.total]).toEqual([4, 7]);
    expect(report.percent).toBeCloseTo(57.14, 1);
    expect(report.files.map((f) => f.file)).not.toContain('policy_test.rego');
  });

  it('resolves import aliases and whole-package references', () => {
    const imp: Import = { path: ref('data', s('lib'), s('util')) as Import['path'], alias: 'u', loc: loc() };
    const tests = mod('t_test.rego', ['t'], [rule('test_lib', 1, use(ref('u')))], [imp]);
    const report = staticCoverage([lib, tests]);
    expect(report.files[0].rules.every((r) => r.referenced)).toBe(true);
  });

  it('reports nothing referenced when there are no tests', () => {
    expect(staticCoverage([policy]).referenced).toBe(0);
  });
});

describe('staticCoverage on parsed policies', () => {
  const policyText = [
    'package enigm.trust',
    'import data.lib.time as t',
    'default allow := false',
    'allow if { not denied; every r in reasons { count(r) > 0 } }',
    'denied if { some x in {y | y := blocked[_]}; x == input.device }',
    'reasons contains "late" if t.late',
    'blocked := ["a"]',
    'fallback := 1 if false else := helper',
    'helper := 2',
    'unused.deep[k] := 1 if { k := "x" }',
    '',
  ].join('\n');
  const libText = 'package lib.time\nlate if true\nearly if false\n';
  const testText = 'package enigm.trust_test\nimport data.enigm.trust\ntest_allow if { trust.allow with input as {"device": "b"} }\n';

  it('follows negation, every, comprehensions, imports and default rules', () => {
    const modules = [
      parseModule('trust.rego', policyText, { regoVersion: 'v1' }),
      parseModule('lib.rego', libText, { regoVersion: 'v1' }),
      parseModule('trust_test.rego', testText, { regoVersion: 'v1' }),
    ];
    const report = staticCoverage(modules);
    const unreferenced = report.files.flatMap((f) => f.rules.filter((r) => !r.referenced).map((r) => `${r.path}:${r.line}`));
    expect(unreferenced).toEqual(['data.enigm.trust.fallback:8', 'data.enigm.trust.helper:9', 'data.enigm.trust.unused.deep:10', 'data.lib.time.early:3']);
    expect([report.referenced, report.total]).toEqual([6, 10]);
  });
});
