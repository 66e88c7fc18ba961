/**
 * Rejects rules that depend on themselves, directly or through other rules.
 */
import { RegoError } from '../errors.js';
import type { TreeNode } from './tree.js';

/** Throws `rego_recursion_error` naming the cycle when the rule graph has one. */
export function checkRecursion(root: TreeNode): void {
  const state = new Map<TreeNode, 'active' | 'done'>();
  const stack: TreeNode[] = [];
  const visit = (n: TreeNode): void => {
    const st = state.get(n);
    if (st === 'done') return;
    if (st === 'active') {
      const cycle = [...stack.slice(stack.indexOf(n)), n].map((x) => x.name).join(' -> ');
      const loc = (n.rules[0] ?? n.defaults[0])?.rule.loc;
      throw new RegoError('rego_recursion_error', `rule ${n.name} is recursive: ${cycle}`, loc);
    }
    state.set(n, 'active');
    stack.push(n);
    for (const d of n.deps) visit(d);
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of root.walk()) if (n.hasRules) visit(n);
}
