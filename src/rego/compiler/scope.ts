/**
 * Compile-time scope: which variables have a slot in the frame, which are bound at the
 * point being compiled, and how a name resolves (local variable, `input`, `data`, a rule
 * of the current package, an import).
 */
import type { Location, Module, Term } from '../ast/nodes.js';
import type { BuiltinTable } from '../builtins/types.js';
import type { InputPaths } from './rawinput.js';
import type { TreeNode } from './tree.js';

/** Thrown while scheduling: the expression needs `name` bound first. */
export class Unsafe extends Error {
  constructor(
    readonly varName: string,
    readonly loc: Location,
  ) {
    super(`var ${varName} is unsafe`);
  }
}

/** A name that stands for a document: `input…` or `data…` plus a static path. */
export interface GlobalRef {
  root: 'input' | 'data';
  path: Term[];
}

/** What every compilation in one module (or the query) shares. */
export interface CompileEnv {
  readonly tree: TreeNode;
  readonly builtins: BuiltinTable;
  /** The package node, or undefined for a query. */
  readonly pkg: TreeNode | undefined;
  /** Import aliases → what they name. */
  readonly imports: ReadonlyMap<string, GlobalRef>;
  readonly module: Module | undefined;
  /** Rule nodes the rule being compiled refers to. */
  deps: Set<TreeNode>;
  /** The constant-key paths read below `input`, shared by the whole policy. */
  readonly inputPaths: InputPaths;
  /** The node whose rules are being compiled (absent for a query). */
  readonly owner?: TreeNode;
}

/**
 * Notes that the rule being compiled reads something that changes between evaluations
 * (`input`, the clock, randomness, `print` output), so its value is never kept across them.
 */
export function markVolatile(s: Scope): void {
  if (s.env.owner) s.env.owner.volatile = true;
}

/** Frame layout of one rule (or query): slot counter and variable slots. */
export class FrameLayout {
  size = 1;
  readonly slots = new Map<string, number>();

  slotOf(name: string): number {
    let s = this.slots.get(name);
    if (s === undefined) {
      s = this.size++;
      this.slots.set(name, s);
    }
    return s;
  }

  /** A slot for a compiler temporary. */
  temp(): number {
    return this.size++;
  }
}

/** Variables bound and visible at one point of compilation. */
export class Scope {
  constructor(
    readonly env: CompileEnv,
    readonly layout: FrameLayout,
    public bound: Set<string>,
    /** Names declared locally (shadow rule names). */
    readonly locals: ReadonlySet<string>,
    /** Names occurring in the current body (outside nested bodies). */
    readonly present: ReadonlySet<string>,
    /** Names of enclosing bodies (closure variables of a nested body). */
    readonly outer: ReadonlySet<string>,
  ) {}

  /** A copy whose bound set can grow without affecting this one. */
  fork(): Scope {
    return new Scope(this.env, this.layout, new Set(this.bound), this.locals, this.present, this.outer);
  }

  /** A scope for a nested body (comprehension, `every`) that sees this one's variables. */
  nested(present: ReadonlySet<string>): Scope {
    const outer = new Set([...this.outer, ...this.present]);
    return new Scope(this.env, this.layout, new Set(this.bound), this.locals, present, outer);
  }

  isBound(name: string): boolean {
    return this.bound.has(name);
  }

  bind(name: string): number {
    this.bound.add(name);
    return this.layout.slotOf(name);
  }

  slot(name: string): number {
    return this.layout.slotOf(name);
  }

  /** Resolves a non-local name to the document it names, if any. */
  global(name: string): GlobalRef | undefined {
    if (name.includes('$') || this.locals.has(name)) return undefined;
    if (name === 'input' || name === 'data') return { root: name, path: [] };
    // A rule of the package takes precedence over an import of the same name.
    const pkg = this.env.pkg;
    if (pkg) {
      const child = pkg.children.get(name);
      if (child && hasRulesBelow(child)) {
        const loc = this.env.module?.loc as Location;
        return { root: 'data', path: [...pkg.path, name].map((value) => ({ type: 'string', value, loc })) };
      }
    }
    return this.env.imports.get(name);
  }
}

function hasRulesBelow(node: TreeNode): boolean {
  for (const n of node.walk()) if (n.hasRules) return true;
  return false;
}
