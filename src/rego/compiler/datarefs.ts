/**
 * Refs into `data` and `input`. A `data` ref is resolved against the rule tree at compile
 * time: the static part of the path walks to a rule node (its value is computed and
 * memoised per evaluation), to a subtree (its value is built from the rules and base data
 * below it), or past the tree into the base document.
 */
import type { Term } from '../ast/nodes.js';
import { RegoError } from '../errors.js';
import { ObjectValue, type Value } from '../value/index.js';
import { UNDEFINED_MEMO, type Ctx, type Eval } from './context.js';
import { compilePath } from './paths.js';
import { markVolatile, type Scope } from './scope.js';
import { Operand } from './operands.js';
import { evalTerm, literalValue, operandTerm, type CTerm } from './terms.js';
import type { TreeNode } from './tree.js';
import { indexValue, lookupPath } from './values.js';

/** The string a path element names statically (`.a`, `["a"]`, and `[1]` on data), if any. */
function staticKey(t: Term): string | undefined {
  if (t.type === 'string') return t.value;
  if (t.type === 'number') return t.raw;
  return undefined;
}

/** Compiles `data` followed by `path`. */
export function compileDataRef(path: Term[], s: Scope): CTerm {
  let node = s.env.tree;
  let i = 0;
  while (i < path.length && !node.hasRules) {
    const key = staticKey(path[i]);
    const child = key === undefined ? undefined : node.children.get(key);
    if (!child) break;
    node = child;
    i++;
  }
  const target = node;
  if (target.hasRules) {
    if (target.kind === 'function' && target.arity === 0) {
      // A function without parameters also reads as the document it returns.
      s.env.deps.add(target);
      return compilePath(evalTerm((_f, c) => callWithoutArgs(target, c)), path.slice(i), s);
    }
    if (target.kind === 'function') {
      throw new RegoError('rego_type_error', `function ${target.name} must be called with arguments`, path[0]?.loc);
    }
    s.env.deps.add(target);
    const rest = path.slice(i);
    if (rest.length === 0) return operandTerm(Operand.rule(target));
    return compilePath(evalTerm((_f, c) => ruleValue(target, c)), rest, s);
  }
  if (i < path.length && staticKey(path[i]) !== undefined) {
    // Past the rule tree: a plain lookup in the base document.
    const prefix = target.path;
    const keys: Value[] = [];
    let j = i;
    while (j < path.length && staticKey(path[j]) !== undefined) keys.push(literalValue(path[j++]) as Value);
    return compilePath(evalTerm((_f, c) => lookupBase(lookupPath(c.data, prefix), keys)), path.slice(i + keys.length), s);
  }
  for (const n of target.walk()) if (n.hasRules) s.env.deps.add(n);
  return compilePath(evalTerm((_f, c) => nodeValue(target, c)), path.slice(i), s);
}

/**
 * Follows constant keys through the base document. A number also finds the object key
 * that is its text, since JSON documents can only have string keys.
 */
function lookupBase(root: Value | undefined, keys: Value[]): Value | undefined {
  let v = root;
  for (const k of keys) {
    if (v === undefined) return undefined;
    let next = indexValue(v, k);
    if (next === undefined && typeof k === 'number' && v instanceof ObjectValue) next = v.get(String(k));
    v = next;
  }
  return v;
}

/**
 * Compiles `input` followed by `path`. A path of constant keys reads the caller's plain JS
 * input directly and converts only the part it reaches, so a large input that a policy
 * reads a few fields of is never converted as a whole.
 */
export function compileInputRef(path: Term[], s: Scope): CTerm {
  markVolatile(s);
  const keys = path.map(literalValue);
  if (path.length > 0 && keys.every((k) => k !== undefined)) {
    const slow = compilePath(evalTerm((_f, c) => c.input), path, s).eval as Eval;
    return operandTerm(Operand.input(s.env.inputPaths.node(keys as Value[]), slow));
  }
  return compilePath(evalTerm((_f, c) => c.input), path, s);
}

function isMasked(node: TreeNode, c: Ctx): boolean {
  const masked = c.masked;
  if (masked === null) return false;
  for (let n: TreeNode | undefined = node; n; n = n.parent) if (masked.has(n)) return true;
  return false;
}

/**
 * The value of a rule node in this evaluation, memoised. A constant node's value is also
 * kept on the node for later evaluations, except where `with` replaced data or functions.
 */
export function ruleValue(node: TreeNode, c: Ctx): Value | undefined {
  const m = c.memo[node.id];
  if (m !== undefined) return m === UNDEFINED_MEMO ? undefined : m;
  const keep = node.constant && c.masked === null && c.mocks === null;
  if (keep && node.kept !== undefined) {
    // Remembered in this context too, so that later reads stop at the memo.
    c.memo[node.id] = node.kept as Value | typeof UNDEFINED_MEMO;
    return node.kept === UNDEFINED_MEMO ? undefined : (node.kept as Value);
  }
  let v: Value | undefined;
  if (c.masked !== null && isMasked(node, c)) v = lookupPath(c.data, node.path);
  else {
    c.shared.limiter.step();
    // The base document shadows a rule written at the same path.
    v = (node.shadowed ? lookupPath(c.data, node.path) : undefined) ?? (node.evaluate as (c: Ctx) => Value | undefined)(c);
  }
  c.memo[node.id] = v === undefined ? UNDEFINED_MEMO : v;
  if (keep) node.kept = c.memo[node.id];
  return v;
}

/** Calls a function that takes no arguments, memoised like a rule. */
export function callWithoutArgs(node: TreeNode, c: Ctx): Value | undefined {
  const m = c.memo[node.id];
  if (m !== undefined) return m === UNDEFINED_MEMO ? undefined : m;
  const v = (node.call as (a: Value[], c: Ctx) => Value | undefined)([], c);
  c.memo[node.id] = v === undefined ? UNDEFINED_MEMO : v;
  return v;
}

/** The value of a subtree: base data at its path merged with the values of its rules. */
export function nodeValue(node: TreeNode, c: Ctx): Value | undefined {
  if (node.hasRules) return ruleValue(node, c);
  const m = c.memo[node.id];
  if (m !== undefined) return m === UNDEFINED_MEMO ? undefined : m;
  const base = lookupPath(c.data, node.path);
  let v: Value | undefined;
  if (isMasked(node, c)) v = base;
  else if (base !== undefined && !(base instanceof ObjectValue)) v = base;
  else {
    const out = new ObjectValue();
    if (base instanceof ObjectValue) base.forEach((x, k) => out.set(k, x));
    for (const [key, child] of node.children) {
      const x = child.kind === 'function'
        ? (child.arity === 0 ? callWithoutArgs(child, c) : undefined)
        : nodeValue(child, c);
      if (x !== undefined) out.set(key, mergeValues(out.get(key), x));
    }
    v = out;
  }
  c.memo[node.id] = v === undefined ? UNDEFINED_MEMO : v;
  return v;
}

/** Merges a virtual value into a base one: objects merge key by key, the base wins otherwise. */
function mergeValues(base: Value | undefined, virtual: Value): Value {
  if (base === undefined) return virtual;
  if (base instanceof ObjectValue && virtual instanceof ObjectValue) {
    const out = new ObjectValue();
    base.forEach((x, k) => out.set(k, x));
    virtual.forEach((x, k) => out.set(k, mergeValues(out.get(k), x)));
    return out;
  }
  return base;
}
