/**
 * Finding the tests of a set of modules: rules named `test_*` (run) and `todo_test_*`
 * (reported as skipped), one test per package and name, as `opa test` does.
 */
import type { Module, Rule } from '../ast/nodes.js';
import { dataRef, ruleHeadPath } from './paths.js';

/** A test to run. */
export interface PolicyTest {
  /** Package path below `data`. */
  package: string[];
  /** The rule's name, e.g. `test_allows_trusted`. */
  name: string;
  /** Query evaluating it: `data.<package>.<name>`. */
  query: string;
  file: string;
  line: number;
  /** `todo_test_*` rules are listed but not run. */
  todo: boolean;
}

/** Whether a rule is a test (`test_*`), a todo test (`todo_test_*`) or neither. */
export function testKind(rule: Rule): 'test' | 'todo' | undefined {
  const path = ruleHeadPath(rule);
  if (path.length !== 1 || rule.head.args) return undefined;
  if (path[0].startsWith('test_')) return 'test';
  if (path[0].startsWith('todo_test_')) return 'todo';
  return undefined;
}

/** Lists the tests of `modules` in file and line order; a name defined twice in a package is one test. */
export function discoverTests(modules: ReadonlyArray<Module>): PolicyTest[] {
  const seen = new Set<string>();
  const tests: PolicyTest[] = [];
  for (const m of modules) {
    for (const rule of m.rules) {
      const kind = testKind(rule);
      if (!kind) continue;
      const name = ruleHeadPath(rule)[0];
      const query = dataRef([...m.package, name]);
      if (seen.has(query)) continue;
      seen.add(query);
      tests.push({ package: m.package, name, query, file: m.file, line: rule.loc.line, todo: kind === 'todo' });
    }
  }
  return tests.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
}

/** Keeps the tests whose `package.name` (as `data.pkg.name`) matches `filter`. */
export function filterTests(tests: PolicyTest[], filter: RegExp | undefined): PolicyTest[] {
  return filter ? tests.filter((t) => filter.test(t.query)) : tests;
}
