/**
 * Static rule coverage: which rules of the policy files are referenced by tests, directly
 * or through other rules, following a reference graph built from the AST. It says what a
 * test can reach, not what evaluation actually ran — the output says "referenced by tests".
 */
import type { Module, Rule } from '../ast/nodes.js';
import { testKind } from './discover.js';
import { isTestFile } from './files.js';
import { dataRef, pathsOverlap, rulePath } from './paths.js';
import { ruleReferences } from './references.js';

/** One rule of a policy file and whether a test references it. */
export interface RuleCoverage {
  /** `data.pkg.rule` */
  path: string;
  line: number;
  referenced: boolean;
}

/** Coverage of one policy file. */
export interface FileCoverage {
  file: string;
  rules: RuleCoverage[];
  referenced: number;
  total: number;
  /** Percentage of rules referenced, 100 for a file without rules. */
  percent: number;
}

/** Coverage of the policy files (`*_test.rego` files are not counted). */
export interface CoverageReport {
  files: FileCoverage[];
  referenced: number;
  total: number;
  percent: number;
}

interface Node {
  module: Module;
  rule: Rule;
  path: string[];
}

/** Computes which rules the test rules of `modules` reach. */
export function staticCoverage(modules: ReadonlyArray<Module>): CoverageReport {
  const nodes: Node[] = modules.flatMap((module) => module.rules.map((rule) => ({ module, rule, path: rulePath(module, rule) })));
  const reached = new Set<Node>(nodes.filter((n) => testKind(n.rule) === 'test'));
  const queue = [...reached];
  while (queue.length > 0) {
    const node = queue.pop() as Node;
    for (const ref of ruleReferences(node.module, node.rule)) {
      for (const other of nodes) {
        if (reached.has(other) || !pathsOverlap(ref, other.path)) continue;
        reached.add(other);
        queue.push(other);
      }
    }
  }
  const files = modules.filter((m) => !isTestFile(m.file)).map((m) => fileCoverage(m, nodes, reached));
  const referenced = files.reduce((n, f) => n + f.referenced, 0);
  const total = files.reduce((n, f) => n + f.total, 0);
  return { files, referenced, total, percent: percentOf(referenced, total) };
}

function fileCoverage(module: Module, nodes: Node[], reached: Set<Node>): FileCoverage {
  const rules = nodes
    .filter((n) => n.module === module && !testKind(n.rule))
    .map((n) => ({ path: dataRef(n.path), line: n.rule.loc.line, referenced: reached.has(n) }));
  const referenced = rules.filter((r) => r.referenced).length;
  return { file: module.file, rules, referenced, total: rules.length, percent: percentOf(referenced, rules.length) };
}

function percentOf(part: number, whole: number): number {
  return whole === 0 ? 100 : (100 * part) / whole;
}
