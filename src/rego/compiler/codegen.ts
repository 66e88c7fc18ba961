/**
 * JavaScript source for the commonest rule shapes. A rule node whose definitions are
 * bodies of tests (see `FastClause` in rules.ts) becomes one function of its own, made
 * with `new Function`, in which every test, operand read and comparison is written out:
 * the closures and the shared `holds`/`operandValue` switches it replaces are call sites
 * that see every rule of a policy, which V8 cannot inline.
 *
 * Safety: the source is made only from the compiled AST's shape. Operands, tests, nodes
 * and constants are never written into it; they are passed in an array and named `r0`,
 * `r1`… The only literals written are numbers the compiler assigned (node and input-path
 * ids, frame sizes), checked to be non-negative integers.
 */
import { RegoError } from '../errors.js';
import { compare, equals, SetValue, type Value } from '../value/index.js';
import { NO_RAW, UNDEFINED_MEMO, type Ctx, type Eval, type Frame, type K } from './context.js';
import { ruleValue } from './datarefs.js';
import {
  BINARY, CALL, CONSTANT, INPUT, member, NOT, RULE, TRUTHY, type Operand, type TestSpec,
} from './operands.js';
import { leafValue, MISSING, NOT_PLAIN, plainOrNot, rawAt, type InputPath } from './rawinput.js';
import type { TreeNode } from './tree.js';

/** A clause of tests and the value (or set member) it gives when they all hold. */
export interface GenClause {
  readonly tests: readonly TestSpec[];
  readonly value: Operand;
}

/** One rule definition as the generator sees it. */
export interface GenDef {
  /** The clauses when every one is a body of tests; else undefined (run `clauses[0]`). */
  readonly fast: readonly GenClause[] | undefined;
  readonly clauses: readonly K[];
  readonly size: number;
  /** The head value when constant (a complete rule's later solutions cannot change it). */
  readonly constValue: Value | undefined;
}

/** A frame for definitions that use no slot. */
const NO_SLOTS: Frame = [];

/** What generated code reaches by name (made on first use: these modules import each other). */
function helpers(): Record<string, unknown> {
  return { NO_RAW, MISSING, plainOrNot, NOT_PLAIN, UNDEFINED_MEMO, NO_SLOTS, SetValue, ruleValue, rawAt, leafValue, equals, compare, member };
}

/** A number written into source: only ids and sizes the compiler made. */
function num(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RegoError('rego_compile_error', `internal: bad generated index ${n}`);
  return String(n);
}

/** A primitive whose Rego equality is JS `===` (not numbers: 1 equals 1.0 as a bigint too). */
function strictlyComparable(o: Operand): boolean {
  if (o.kind !== CONSTANT) return false;
  const v = o.value;
  return v === null || typeof v === 'string' || typeof v === 'boolean';
}

class Gen {
  private readonly refs: unknown[] = [];
  private n = 0;

  /** The name under which generated code sees `x`. */
  ref(x: unknown): string {
    let i = this.refs.indexOf(x);
    if (i < 0) i = this.refs.push(x) - 1;
    return `r${i}`;
  }

  tmp(prefix = 't'): string {
    return `${prefix}${this.n++}`;
  }

  /** Statements declaring `t` as the operand's value (undefined when undefined). */
  operand(o: Operand, t: string): string {
    switch (o.kind) {
      case CONSTANT:
        return `const ${t} = ${this.ref(o.value)};`;
      case INPUT: {
        const path = o.input as InputPath, op = this.ref(o);
        return `let ${t};
if (c.rawInput === NO_RAW) ${t} = ${op}.ev(f, c);
else {
  ${t} = c.reads[${num(path.id)}];
  if (${t} === undefined) ${t} = ${this.ref(readerOf(path))}(c);
  if (typeof ${t} !== 'string' && typeof ${t} !== 'boolean') ${t} = ${t} === NOT_PLAIN ? ${op}.ev(f, c) : leafValue(${t});
}`;
      }
      case RULE: {
        const node = o.node as TreeNode;
        // `ruleValue` written out for the usual case (no `with data`, a rule the base document
        // does not shadow, not kept across evaluations), so that this call site of
        // `evaluate` sees one target and V8 can inline it.
        const n = this.ref(node), id = num(node.id);
        return `let ${t} = c.memo[${id}];
if (${t} === undefined) {
  if (c.masked !== null || ${n}.constant || ${n}.shadowed) ${t} = ruleValue(${n}, c);
  else {
    c.shared.limiter.step();
    ${t} = ${n}.evaluate(c);
    c.memo[${id}] = ${t} === undefined ? UNDEFINED_MEMO : ${t};
  }
} else if (${t} === UNDEFINED_MEMO) ${t} = undefined;`;
      }
      case CALL: {
        // The arguments in order, the first undefined one making the whole undefined.
        const label = this.tmp('a'), args = (o.args as readonly Operand[]).map(() => this.tmp());
        let out = `let ${t};\n${label}: {\n`;
        (o.args as readonly Operand[]).forEach((arg, i) => {
          out += `${this.operand(arg, args[i])}\nif (${args[i]} === undefined) break ${label};\n`;
        });
        return out + `${t} = ${this.ref(o.build)}([${args.join(', ')}], c);\n}`;
      }
      default:
        return `const ${t} = ${this.ref(o.ev)}(f, c);`;
    }
  }

  /** Statements that `break fail` when the test does not hold (as `holds` decides). */
  test(t: TestSpec, fail: string): string {
    switch (t.kind) {
      case TRUTHY: {
        const v = this.tmp();
        return `{ ${this.operand(t.left as Operand, v)}
if (${v} === undefined || ${v} === false) break ${fail}; }`;
      }
      case BINARY: {
        const a = this.tmp(), b = this.tmp(), r = this.tmp();
        return `{ ${this.operand(t.left as Operand, a)}
if (${a} === undefined) break ${fail};
${this.operand(t.right as Operand, b)}
if (${b} === undefined) break ${fail};
if (c.mocks === null) { if (!(${this.binary(t, a, b)})) break ${fail}; }
else { const ${r} = ${this.ref(t.fn)}([${a}, ${b}], c); if (${r} === undefined || ${r} === false) break ${fail}; } }`;
      }
      case NOT: {
        const held = this.tmp('h'), inner = this.tmp('n');
        return `{ let ${held} = false;
${inner}: { ${this.test(t.inner as TestSpec, inner)}
${held} = true; }
if (${held}) break ${fail}; }`;
      }
      default:
        return `if (!${this.ref(t.fn)}(f, c)) break ${fail};`;
    }
  }

  /** The comparison of `applyBinary`, specialised to what the operands are known to be. */
  private binary(t: TestSpec, a: string, b: string): string {
    const left = t.left as Operand, right = t.right as Operand;
    const strict = strictlyComparable(left) || strictlyComparable(right);
    switch (t.op) {
      case 0: return strict ? `${a} === ${b}` : `${a} === ${b} || equals(${a}, ${b})`;
      case 1: return strict ? `${a} !== ${b}` : `${a} !== ${b} && !equals(${a}, ${b})`;
      case 2: return `compare(${a}, ${b}) < 0`;
      case 3: return `compare(${a}, ${b}) <= 0`;
      case 4: return `compare(${a}, ${b}) > 0`;
      case 5: return `compare(${a}, ${b}) >= 0`;
      default:
        if (right.kind === CONSTANT && right.value instanceof SetValue) return `${b}.has(${a})`;
        return `${b} instanceof SetValue ? ${b}.has(${a}) : member(${a}, ${b})`;
    }
  }

  /**
   * A definition's clauses in order: the first whose tests hold and whose value is defined
   * runs `onValue(v)` and leaves the block labelled `done`.
   */
  def(d: GenDef, done: string, onValue: (v: string) => string): string {
    const size = num(d.size);
    let out = `const f = ${d.size > 1 ? `new Array(${size})` : 'NO_SLOTS'};\n`;
    for (const clause of d.fast as readonly GenClause[]) {
      const label = this.tmp('c'), v = this.tmp('v');
      out += `${label}: {\n`;
      for (const t of clause.tests) out += this.test(t, label) + '\n';
      out += `${this.operand(clause.value, v)}\nif (${v} !== undefined) { ${onValue(v)} break ${done}; }\n}\n`;
    }
    return out;
  }

  /** Makes the function from its body (parameter `c`). */
  build<T>(body: string, what: string, id: number): T {
    const h = helpers();
    const prelude = `const { ${Object.keys(h).join(', ')} } = H;\n` + this.refs.map((_, i) => `const r${i} = R[${i}];`).join('\n');
    const factory = new Function('H', 'R', `'use strict';\n${prelude}\nreturn function generated(c) {\n${body}\n};\n//# sourceURL=rego-${what}-${num(id)}.js`) as (h: Record<string, unknown>, r: unknown[]) => T;
    return factory(h, this.refs);
  }
}

/**
 * A complete rule's value from definitions that are all fast: as `evalComplete` in
 * rules.ts (conflicting values raise through `conflict`, then the default applies).
 */
export function genComplete(defs: readonly GenDef[], dflt: Eval | undefined, conflict: () => never, id = 0): (c: Ctx) => Value | undefined {
  const g = new Gen();
  if (defs.length === 1 && !dflt) {
    return g.build(`d: {\n${g.def(defs[0], 'd', (v) => `return ${v};`)}}\nreturn undefined;`, 'rule', id);
  }
  let body = 'let val;\n';
  defs.forEach((d, i) => {
    const label = `d${i}`;
    const skip = d.constValue === undefined ? '' : `if (val !== undefined && equals(val, ${g.ref(d.constValue)})) break ${label};\n`;
    const record = (v: string): string => `if (val !== undefined && !equals(val, ${v})) ${g.ref(conflict)}(); val = ${v};`;
    body += `${label}: {\n${skip}${g.def(d, label, record)}}\n`;
  });
  if (dflt) body += `if (val === undefined) val = ${g.ref(dflt)}([], c);\n`;
  return g.build(body + 'return val;', 'rule', id);
}

/** A partial set rule's value: every definition's members (fast ones written out). */
export function genSet(defs: readonly GenDef[], id = 0): (c: Ctx) => Value {
  const g = new Gen();
  let body = 'const acc = new SetValue();\n';
  defs.forEach((d, i) => {
    const label = `d${i}`;
    if (d.fast) body += `${label}: {\n${g.def(d, label, (v) => `acc.add(${v});`)}}\n`;
    else body += `{ const f = new Array(${num(d.size)}); f[0] = acc; ${g.ref(d.clauses[0])}(f, c); }\n`;
  });
  return g.build(body + 'return acc;', 'rule', id);
}

/**
 * `rawAt(c, path)` written out for one path: its key is a constant in the source (through
 * JSON.stringify), so that V8 caches the property read at each path rather than sharing
 * one megamorphic keyed read, and its parent's reader is a direct, inlinable call.
 * Number keys and `__proto__` keep the general `rawAt`.
 */
export function readerOf(path: InputPath): (c: Ctx) => unknown {
  if (path.reader) return path.reader;
  const key = path.key;
  if (typeof key !== 'string' || key === '__proto__') return (path.reader = (c) => rawAt(c, path));
  const g = new Gen();
  const parent = path.parent === undefined ? 'plainOrNot(c.rawInput)' : `reads[${num(path.parent.id)}] ?? ${g.ref(readerOf(path.parent))}(c)`;
  const k = JSON.stringify(key);
  path.reader = g.build(`const reads = c.reads;
let t = reads[${num(path.id)}];
if (t !== undefined) return t;
const p = ${parent};
if (p === MISSING || p === NOT_PLAIN) t = p;
else if (p === null || typeof p !== 'object' || Array.isArray(p)) t = MISSING;
else {
  const x = p[${k}];
  if (x === undefined || (typeof x === 'function' && !Object.hasOwn(p, ${k}))) t = MISSING;
  else t = x === null || typeof x !== 'object' ? x : plainOrNot(x);
}
reads[${num(path.id)}] = t;
return t;`, 'input', path.id);
  return path.reader as (c: Ctx) => unknown;
}
