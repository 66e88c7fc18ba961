/**
 * The Rego abstract syntax tree. Every node carries its source span; nodes are a
 * discriminated union on `type`. Operators are parsed into `call` terms named as OPA
 * names its internal builtins (`plus`, `equal`, `internal.member_2`, …) so the compiler
 * treats an operator and a function call alike.
 */

/** Where a token or node was written. `start`/`end` are character offsets. */
export interface Location {
  file: string;
  line: number;
  col: number;
  start: number;
  end: number;
}

export interface NullTerm { type: 'null'; loc: Location }
export interface BooleanTerm { type: 'boolean'; value: boolean; loc: Location }
/** `value` is a JS number, or a bigint for an integer beyond ±(2^53 − 1). `raw` is the source text. */
export interface NumberTerm { type: 'number'; value: number | bigint; raw: string; loc: Location }
export interface StringTerm { type: 'string'; value: string; loc: Location }
/** A variable; `_` is the wildcard (each occurrence a fresh variable). */
export interface VarTerm { type: 'var'; name: string; loc: Location }
/**
 * A reference `head.a[b][_]`. `head` is a var (`input`, `data`, a local) or, for
 * `f(x).y` and `[1,2][0]`, a call or composite term. Each path element is a term:
 * `.a` is a string term, `[b]` whatever term was written.
 */
export interface RefTerm { type: 'ref'; head: Term; path: Term[]; loc: Location }
export interface ArrayTerm { type: 'array'; items: Term[]; loc: Location }
export interface ObjectTerm { type: 'object'; entries: Array<[Term, Term]>; loc: Location }
export interface SetTerm { type: 'set'; items: Term[]; loc: Location }
export interface ArrayComprehension { type: 'arraycomp'; term: Term; body: Body; loc: Location }
export interface SetComprehension { type: 'setcomp'; term: Term; body: Body; loc: Location }
export interface ObjectComprehension { type: 'objectcomp'; key: Term; value: Term; body: Body; loc: Location }
/**
 * A call `f(a, b)`, `data.lib.f(a)`, `count(x)`, or an operator. `fn` is the callee as
 * written: a var (`count`, `f`) or a ref (`data.lib.f`, `time.now_ns` as ref
 * `time` . `now_ns`). `operator` is set when the call came from an infix operator.
 */
export interface CallTerm { type: 'call'; fn: VarTerm | RefTerm; args: Term[]; operator?: string; loc: Location }

export type Term =
  | NullTerm | BooleanTerm | NumberTerm | StringTerm | VarTerm | RefTerm
  | ArrayTerm | ObjectTerm | SetTerm
  | ArrayComprehension | SetComprehension | ObjectComprehension
  | CallTerm;

/** `with target as value`: target is a ref to `input…`, `data…` or a function/builtin name. */
export interface WithModifier { target: VarTerm | RefTerm; value: Term; loc: Location }

interface ExprBase { negated: boolean; with: WithModifier[]; loc: Location }

/** A term used as a statement: true unless it is `false` or undefined. */
export interface TermExpr extends ExprBase { type: 'term'; term: Term }
/** `left := right`: declares the variables of `left` (a var or a composite of vars). */
export interface AssignExpr extends ExprBase { type: 'assign'; left: Term; right: Term }
/** `left = right`: unification. */
export interface UnifyExpr extends ExprBase { type: 'unify'; left: Term; right: Term }
/** `some x, y`: declares local variables. */
export interface SomeDeclExpr extends ExprBase { type: 'some'; vars: VarTerm[] }
/** `some v in coll` / `some k, v in coll`: iterate a collection, binding (or matching) k and v. */
export interface SomeInExpr extends ExprBase { type: 'somein'; key?: Term; value: Term; collection: Term }
/** `every v in dom { body }` / `every k, v in dom { body }`. */
export interface EveryExpr extends ExprBase { type: 'every'; key?: VarTerm; value: Term; domain: Term; body: Body }

export type Expr = TermExpr | AssignExpr | UnifyExpr | SomeDeclExpr | SomeInExpr | EveryExpr;
export type Body = Expr[];

/**
 * A rule head. `ref` is the rule's path relative to its package: `p` → [var p];
 * `p.q[x]` → [var p, string q, var x]. Which kind of rule it is:
 * - complete: `p := v` / `p = v` / `p if …` (value `true`) — no `key`, no `args`;
 * - partial set: `p contains x` (v1), `p[x]` with no value (v0) — `key` set, `value` absent;
 * - partial object / ref head: `p[k] := v`, `p.q[k] = v` — the last ref element is the key;
 * - function: `f(a, b) := v` — `args` set.
 */
export interface RuleHead {
  ref: Term[];
  args?: Term[];
  /** Element of a partial set (`contains x`, v0 `p[x]`). */
  key?: Term;
  /** Value assigned; absent for partial sets; for `p if …` the parser stores a true term. */
  value?: Term;
  /** `:=` was written (as opposed to `=` or nothing). */
  assign: boolean;
  /** `contains` (v1) or `p[x] { }` (v0): the head defines a multi-value (set) rule. */
  contains: boolean;
  loc: Location;
}

/** An `else [= value] [if] { body }` clause of a rule. */
export interface ElseClause { value?: Term; body: Body; loc: Location }

export interface Rule {
  type: 'rule';
  default: boolean;
  head: RuleHead;
  /** Empty body means the rule is unconditionally defined. */
  body: Body;
  else: ElseClause[];
  loc: Location;
}

export interface Import {
  /** The imported ref, e.g. `data.lib.x`, `input.user`, `future.keywords.in`, `rego.v1`. */
  path: RefTerm | VarTerm;
  alias?: string;
  loc: Location;
}

export interface Module {
  type: 'module';
  file: string;
  /** Package path without the leading `data`, e.g. ['enigm', 'trust', 'decision']. */
  package: string[];
  imports: Import[];
  rules: Rule[];
  /** The syntax the module was parsed as. */
  regoVersion: 'v0' | 'v1';
  loc: Location;
}
