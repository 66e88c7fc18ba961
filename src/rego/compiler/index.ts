/**
 * The compiler's entry points: `compilePolicy` places and compiles every rule of a set of
 * modules once; `compileQuery` compiles a query against it. Evaluation then only runs
 * closures.
 */
import type { Body, Import, Module, Term } from '../ast/nodes.js';
import type { BuiltinTable } from '../builtins/types.js';
import { raise, RegoError } from '../errors.js';
import type { Value } from '../value/index.js';
import type { Ctx, K } from './context.js';
import { compileBody } from './exprs.js';
import { checkRecursion } from './recursion.js';
import { isWildcard, renameBody, topLevelVars, sourceName } from './rename.js';
import { InputPaths } from './rawinput.js';
import { compileNode } from './rules.js';
import { FrameLayout, Scope, Unsafe, type CompileEnv, type GlobalRef } from './scope.js';
import { buildTree, type PlacedRule, type TreeNode } from './tree.js';
import { lookupPath } from './values.js';

/** Modules compiled together. */
export interface CompiledPolicy {
  readonly tree: TreeNode;
  readonly builtins: BuiltinTable;
  /** Input paths read by the policy's rules and queries. */
  readonly inputPaths: InputPaths;
  /** Number of tree nodes (the size of a context's `memo`). */
  readonly nodeCount: number;
}

/** One result row of a query: each expression's value and the user variables bound. */
export interface QueryRow {
  expressions: Value[];
  bindings: Map<string, Value>;
}

/** A compiled query. */
export interface CompiledQuery {
  /** Evaluates in `c`, appending each solution to `rows`. */
  run(c: Ctx, rows: QueryRow[]): void;
}

const IGNORED_IMPORT_ROOTS = new Set(['future', 'rego']);

/** Aliases of a module's imports. */
function importsOf(imports: readonly Import[]): Map<string, GlobalRef> {
  const out = new Map<string, GlobalRef>();
  for (const imp of imports) {
    const p = imp.path;
    const head = p.type === 'var' ? p.name : p.head.type === 'var' ? p.head.name : '';
    if (IGNORED_IMPORT_ROOTS.has(head)) continue;
    if (head !== 'data' && head !== 'input') raise('rego_compile_error', `invalid import ${head}: must begin with input or data`, imp.loc);
    const path: Term[] = p.type === 'ref' ? p.path : [];
    const last = path[path.length - 1];
    const alias = imp.alias ?? (last === undefined ? head : last.type === 'string' ? last.value : head);
    if (out.has(alias)) raise('rego_compile_error', `import ${alias} shadows a previous import`, imp.loc);
    out.set(alias, { root: head, path });
  }
  return out;
}

/**
 * Places and compiles every rule; throws RegoError on compile errors. `data` is the base
 * document the policy will run with: where it has a value at a rule's path, it wins.
 */
export function compilePolicy(modules: readonly Module[], builtins: BuiltinTable, data?: Value): CompiledPolicy {
  const tree = buildTree(modules);
  const inputPaths = new InputPaths();
  if (data !== undefined) for (const node of tree.walk()) node.shadowed = node.hasRules && lookupPath(data, node.path) !== undefined;
  const envs = new Map<Module, Map<string, GlobalRef>>();
  for (const m of modules) envs.set(m, importsOf(m.imports));
  for (const node of tree.walk()) {
    if (!node.hasRules) continue;
    const envOf = (p: PlacedRule): CompileEnv => {
      let pkg = tree;
      for (const s of p.module.package) pkg = pkg.children.get(s) as TreeNode;
      return { tree, builtins, pkg, imports: envs.get(p.module) as Map<string, GlobalRef>, module: p.module, deps: node.deps, owner: node, inputPaths };
    };
    compileNode(node, envOf);
  }
  checkRecursion(tree);
  markConstants(tree);
  let nodeCount = 0;
  for (const _ of tree.walk()) nodeCount++;
  return { tree, builtins, inputPaths, nodeCount };
}

/**
 * Marks the rule nodes whose value is the same in every evaluation: their rules read no
 * input, clock, randomness or `print`, and neither does anything they refer to. Their
 * values are then kept across evaluations (see `ruleValue`).
 */
function markConstants(tree: TreeNode): void {
  const state = new Map<TreeNode, boolean>();
  const visit = (n: TreeNode): boolean => {
    const known = state.get(n);
    if (known !== undefined) return known;
    state.set(n, false); // a cycle (refused by the recursion check) counts as volatile
    let constant = !n.volatile;
    for (const d of n.deps) if (!visit(d)) constant = false;
    state.set(n, constant);
    return constant;
  };
  for (const node of tree.walk()) if (node.hasRules) node.constant = visit(node);
}

/** Compiles a query body against a compiled policy. */
export function compileQuery(policy: CompiledPolicy, query: Body): CompiledQuery {
  const { body, declared } = renameBody(query);
  const env: CompileEnv = { tree: policy.tree, builtins: policy.builtins, pkg: undefined, imports: new Map(), module: undefined, deps: new Set(), inputPaths: policy.inputPaths };
  const layout = new FrameLayout();
  const present = topLevelVars(body);
  const s = new Scope(env, layout, new Set(), declared, present, new Set());
  const valueSlots = body.map((e) => (e.type === 'term' && !e.negated ? layout.temp() : -1));
  try {
    const builder = compileBody(body, s, { valueSlots: valueSlots.map((x) => (x < 0 ? undefined : x)) as number[], keepFalse: body.length === 1 });
    const userVars = [...present].filter((n) => !isWildcard(n) && !s.global(n) && s.isBound(n));
    const slots = userVars.map((n) => layout.slotOf(n));
    const names = userVars.map(sourceName);
    // Slot 0 of the query frame holds the rows found so far.
    const final: K = (f) => {
      const expressions = valueSlots.map((slot) => (slot < 0 ? true : (f[slot] as Value)));
      const bindings = new Map<string, Value>();
      for (let i = 0; i < slots.length; i++) bindings.set(names[i], f[slots[i]] as Value);
      (f[0] as QueryRow[]).push({ expressions, bindings });
      return false;
    };
    const k = builder(final);
    return {
      run(c, rows) {
        const f: unknown[] = new Array(layout.size);
        f[0] = rows;
        k(f, c);
      },
    };
  } catch (err) {
    if (err instanceof Unsafe) throw new RegoError('rego_unsafe_var_error', `var ${sourceName(err.varName)} is unsafe`, err.loc);
    throw err;
  }
}
