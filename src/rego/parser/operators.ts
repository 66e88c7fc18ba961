/**
 * Infix and prefix operators. Precedence follows OPA's grammar, loosest first: membership
 * `in`, comparisons, `|`, `&`, `+ -`, `* / %`. Each operator becomes a call term named after
 * the builtin OPA evaluates it with, so the compiler treats operators and calls alike.
 */
import type { CallTerm, Location, RefTerm, Term, VarTerm } from '../ast/nodes.js';
import type { ParserState } from './state.js';
import { numberValue, parsePostfixTerm } from './terms.js';

interface BinaryOperator {
  /** Builtin name, possibly dotted (`internal.member_2`). */
  name: string;
  /** Higher binds tighter. */
  prec: number;
}

/** Precedence of `in`, the loosest operator. */
export const IN_PREC = 1;
/** Precedence of the comparisons: an operand at this level holds no `in`. */
export const RELATION_PREC = 2;
/** Precedence just above `|`: an operand at this level stops before a bar (a comprehension head). */
export const ABOVE_BAR_PREC = 4;

const BINARY: Record<string, BinaryOperator> = {
  '==': { name: 'equal', prec: 2 },
  '!=': { name: 'neq', prec: 2 },
  '<': { name: 'lt', prec: 2 },
  '<=': { name: 'lte', prec: 2 },
  '>': { name: 'gt', prec: 2 },
  '>=': { name: 'gte', prec: 2 },
  '|': { name: 'or', prec: 3 },
  '&': { name: 'and', prec: 4 },
  '+': { name: 'plus', prec: 5 },
  '-': { name: 'minus', prec: 5 },
  '*': { name: 'mul', prec: 6 },
  '/': { name: 'div', prec: 6 },
  '%': { name: 'rem', prec: 6 },
};

const MEMBER: BinaryOperator = { name: 'internal.member_2', prec: IN_PREC };

/** What may stop an expression early. */
export interface ExprOptions {
  /** `|` ends the expression (the head of a comprehension). */
  noBar?: boolean;
  /** `in` ends the expression (the variables of `some … in`, `every … in`). */
  noIn?: boolean;
}

/** Parses a full infix expression: a term, possibly combined with operators. */
export function parseTermExpr(p: ParserState, opts: ExprOptions = {}): Term {
  return parseBinary(p, opts.noIn ? RELATION_PREC : IN_PREC, opts);
}

/** Precedence climbing: operands bind operators of precedence `minPrec` or tighter. */
export function parseBinary(p: ParserState, minPrec: number, opts: ExprOptions = {}): Term {
  // Recursion here is bounded by the number of precedence levels; nesting that can grow
  // without bound goes through brackets or unary minus, which count depth.
  let left = parseUnaryTerm(p);
  for (;;) {
    const op = peekOperator(p, opts);
    if (!op || op.prec < minPrec) return left;
    const tok = p.next();
    const right = parseBinary(p, op.prec + 1, opts);
    left = operatorCall(op.name, tok.text, [left, right], p.span(left.loc));
  }
}

/** The binary operator that continues the expression here, if any. */
function peekOperator(p: ParserState, opts: ExprOptions): BinaryOperator | undefined {
  const tok = p.peek();
  // Outside brackets a line break ends the statement, even before an operator.
  if (tok.newlineBefore && !p.multiline) return undefined;
  if (tok.kind === 'ident') return tok.text === 'in' && !opts.noIn ? MEMBER : undefined;
  if (tok.kind !== 'punct' || (opts.noBar && tok.text === '|')) return undefined;
  return BINARY[tok.text];
}

/**
 * A term with its reference/call parts and any unary minus, but no infix operator. `-`
 * before a number literal folds into it; before anything else it means `0 - x`.
 */
export function parseUnaryTerm(p: ParserState): Term {
  if (!p.at('-')) return parsePostfixTerm(p);
  const minus = p.next();
  const tok = p.peek();
  if (tok.kind === 'number') {
    p.next();
    const raw = '-' + tok.text;
    return { type: 'number', value: numberValue(p, raw, tok.loc), raw, loc: p.span(minus.loc) };
  }
  const operand = p.nested(() => parseUnaryTerm(p));
  if (operand.type === 'number' && operand.raw.startsWith('.')) {
    const raw = '-' + operand.raw;
    return { type: 'number', value: numberValue(p, raw, operand.loc), raw, loc: p.span(minus.loc) };
  }
  const zero: Term = { type: 'number', value: 0, raw: '0', loc: minus.loc };
  return operatorCall('minus', '-', [zero, operand], p.span(minus.loc));
}

/** A call term for the builtin `name` (dotted names become refs), marked as an operator. */
export function operatorCall(name: string, operator: string, args: Term[], loc: Location): CallTerm {
  return { type: 'call', fn: builtinName(name, loc), args, operator, loc };
}

/** The callee term for a builtin name: `plus` → var, `internal.member_2` → ref. */
export function builtinName(name: string, loc: Location): VarTerm | RefTerm {
  const [head, ...rest] = name.split('.');
  const headVar: VarTerm = { type: 'var', name: head, loc };
  if (rest.length === 0) return headVar;
  return { type: 'ref', head: headVar, path: rest.map((s) => ({ type: 'string', value: s, loc })), loc };
}
