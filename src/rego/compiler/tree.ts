/**
 * The rule tree: every rule placed at its full path under `data` (package + the static
 * part of its ref head). A node holds the rules defined exactly at its path and the
 * nodes below it; rules with a dynamic ref tail (`p[x] := v`, `a.b[k].c := v`) sit at
 * the node of their static prefix and build an object there.
 */
import type { Location, Module, Rule, Term } from '../ast/nodes.js';
import { RegoError } from '../errors.js';
import type { Value } from '../value/index.js';
import type { Ctx } from './context.js';

/** What one path's rules compute. */
export type RuleKind = 'complete' | 'set' | 'object' | 'function';

/** A rule placed in the tree, with what compiling it produced. */
export interface PlacedRule {
  readonly rule: Rule;
  readonly module: Module;
  /** Ref-head terms after the node's path (dynamic keys); empty for complete rules. */
  readonly suffix: Term[];
  readonly kind: RuleKind;
}

/** A path under `data`. */
export class TreeNode {
  /** Number of the node within its tree: its slot in per-evaluation memos. */
  id = 0;
  readonly children = new Map<string, TreeNode>();
  readonly rules: PlacedRule[] = [];
  readonly defaults: PlacedRule[] = [];
  kind: RuleKind | undefined;
  /** Set when the rules are compiled: the node's value (non-function nodes). */
  evaluate: ((c: Ctx) => Value | undefined) | undefined;
  /** Set when the rules are compiled: calls a function node. */
  call: ((args: Value[], c: Ctx) => Value | undefined) | undefined;
  /** Number of arguments of a function node. */
  arity = 0;
  /** The base document has a value at this rule's path (it then takes precedence). */
  shadowed = false;
  /** Nodes this node's rules refer to (for the recursion check). */
  readonly deps = new Set<TreeNode>();
  /** The rules themselves read input, the clock, randomness or print (set by the compiler). */
  volatile = false;
  /** Neither this node's rules nor anything they refer to are volatile (set by the compiler). */
  constant = false;
  /**
   * The value of a constant node, once computed in an evaluation without `with data` or
   * function replacements (UNDEFINED_MEMO when undefined); kept for every later evaluation.
   */
  kept: unknown = undefined;

  constructor(
    readonly path: readonly string[],
    readonly parent: TreeNode | undefined,
  ) {}

  /** `data.a.b` for messages. */
  get name(): string {
    return ['data', ...this.path].join('.');
  }

  get hasRules(): boolean {
    return this.kind !== undefined;
  }

  child(key: string): TreeNode {
    let c = this.children.get(key);
    if (!c) {
      c = new TreeNode([...this.path, key], this);
      this.children.set(key, c);
    }
    return c;
  }

  /** This node and every node below it. */
  *walk(): Generator<TreeNode> {
    yield this;
    for (const c of this.children.values()) yield* c.walk();
  }
}

/** Splits a rule's ref into its static string path and dynamic tail. */
function splitRef(ref: Term[]): { path: string[]; suffix: Term[] } {
  const head = ref[0];
  const path = [head.type === 'var' ? head.name : String((head as { value?: unknown }).value)];
  let i = 1;
  while (i < ref.length && ref[i].type === 'string') {
    path.push((ref[i] as { value: string }).value);
    i++;
  }
  return { path, suffix: ref.slice(i) };
}

function kindOf(rule: Rule, suffix: Term[]): RuleKind {
  if (rule.head.args) return 'function';
  if (rule.head.contains || (rule.head.key !== undefined && rule.head.value === undefined)) {
    return suffix.length === 0 ? 'set' : 'object';
  }
  return suffix.length === 0 ? 'complete' : 'object';
}

function conflict(message: string, loc: Location): never {
  throw new RegoError('rego_type_error', message, loc);
}

/** Places every rule of `modules` into a new tree, checking kinds and defaults. */
export function buildTree(modules: readonly Module[]): TreeNode {
  const root = new TreeNode([], undefined);
  for (const m of modules) {
    let pkg = root;
    for (const p of m.package) pkg = pkg.child(p);
    for (const rule of m.rules) placeRule(pkg, m, rule);
  }
  let id = 0;
  for (const node of root.walk()) {
    node.id = id++;
    checkNode(node);
  }
  return root;
}

function placeRule(pkg: TreeNode, module: Module, rule: Rule): void {
  const { path, suffix } = splitRef(rule.head.ref);
  if (module.regoVersion === 'v1' && (path[0] === 'input' || path[0] === 'data')) {
    conflict(`${path[0]} cannot be shadowed`, rule.loc);
  }
  let node = pkg;
  for (const p of path) node = node.child(p);
  const kind = kindOf(rule, suffix);
  if (node.kind !== undefined && node.kind !== kind) {
    conflict(`conflicting rules ${node.name} found`, rule.loc);
  }
  node.kind = kind;
  const placed: PlacedRule = { rule, module, suffix, kind };
  if (rule.default) node.defaults.push(placed);
  else node.rules.push(placed);
  if (kind === 'function') {
    const n = rule.head.args?.length ?? 0;
    if (node.rules.length + node.defaults.length > 1 && node.arity !== n) {
      conflict(`conflicting rules ${node.name} found: functions with different arities`, rule.loc);
    }
    node.arity = n;
  }
}

function checkNode(node: TreeNode): void {
  if (node.kind === 'object') {
    // Defaults of an object rule give constant keys their value; each key at most once.
    const seen = new Set<string>();
    for (const d of node.defaults) {
      const key = JSON.stringify(d.suffix.map((t) => ('value' in t ? [t.type, String(t.value)] : [t.type])));
      if (seen.has(key)) conflict(`multiple default rules ${node.name} found`, d.rule.loc);
      seen.add(key);
    }
  } else if (node.defaults.length > 1) conflict(`multiple default rules ${node.name} found`, node.defaults[1].rule.loc);
  // A complete value or a function cannot also have rules below it.
  if ((node.kind === 'complete' || node.kind === 'function' || node.kind === 'set') && node.children.size > 0) {
    const below = [...node.children.values()][0];
    const first = [...below.walk()].find((n) => n.hasRules);
    if (first) conflict(`rule ${node.name} conflicts with rules below it (${first.name})`, (node.rules[0] ?? node.defaults[0]).rule.loc);
  }
}
