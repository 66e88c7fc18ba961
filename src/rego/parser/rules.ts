/**
 * Rules: heads (complete, partial set, partial object / ref head, function, default),
 * bodies introduced by `if` or (v0) by braces, `else` chains and v0 chained bodies.
 */
import type { Body, BooleanTerm, ElseClause, Location, Rule, RuleHead, Term } from '../ast/nodes.js';
import { parseBracedBody, parseStatement } from './body.js';
import { checkDefaultArgs, checkDefaultValue } from './defaults.js';
import { parseTermExpr } from './operators.js';
import type { ParserState } from './state.js';
import { parseBracketPart, parseDotPart } from './terms.js';

/** Parses one rule statement; v0 chained bodies `p { a } { b }` give several rules. */
export function parseRule(p: ParserState): Rule[] {
  const start = p.peek().loc;
  if (p.atWord('default')) return [parseDefaultRule(p)];
  const { head: draft, lastIsBracket } = parseHead(p);
  const hasIf = p.atWord('if');
  const body = parseRuleBody(p, draft, lastIsBracket);
  const head = settleHead(draft, hasIf);
  const bodies = [body];
  while (!p.v1 && p.at('{') && body.length > 0) bodies.push(parseBracedBody(p));
  const elses = p.atWord('else') ? parseElseChain(p, head) : [];
  return bodies.map((b) => ({ type: 'rule', default: false, head, body: b, else: elses, loc: p.span(start) }));
}

/** `default p := v` / `default f(x) := v`: no body, a constant value. */
function parseDefaultRule(p: ParserState): Rule {
  const start = p.next().loc;
  const { head } = parseHead(p);
  if (head.value === undefined || head.contains) p.fail('default rule must assign a value with `=` or `:=`', head.loc);
  checkDefaultValue(p, head.value);
  if (head.args) checkDefaultArgs(p, head.args);
  if (p.atWord('if') || p.at('{')) p.fail('default rule cannot have a body');
  return { type: 'rule', default: true, head, body: [], else: [], loc: p.span(start) };
}

/**
 * `name(.part|[part])*` `(args)?` then `contains x` or `=`/`:=` value, if any; also says
 * whether the last ref part was written in brackets.
 */
function parseHead(p: ParserState): { head: RuleHead; lastIsBracket: boolean } {
  const nameTok = p.peek();
  if (nameTok.kind !== 'ident' || p.isReservedWord(nameTok)) p.unexpected('expected a rule head');
  p.next();
  const ref: Term[] = [{ type: 'var', name: nameTok.text, loc: nameTok.loc }];
  let lastIsBracket = false;
  for (;;) {
    const tok = p.peek();
    if (tok.kind !== 'punct' || tok.spaceBefore || (tok.text !== '.' && tok.text !== '[')) break;
    lastIsBracket = tok.text === '[';
    ref.push(lastIsBracket ? parseBracketPart(p) : parseDotPart(p));
  }
  const head: RuleHead = { ref, assign: false, contains: false, loc: nameTok.loc };
  // Unlike a call, a function head may have a space before `(` (`sum (a, b) := c`).
  if (p.at('(')) head.args = parseArgs(p);
  parseHeadValue(p, head);
  head.loc = p.span(nameTok.loc);
  return { head, lastIsBracket };
}

function parseArgs(p: ParserState): Term[] {
  p.next();
  const args: Term[] = [];
  p.withMultiline(true, () => {
    while (!p.at(')')) {
      args.push(parseTermExpr(p));
      if (!p.eat(',')) break;
    }
  });
  p.expect(')');
  return args;
}

/** `contains x` (always a keyword right after a head) or `:= v` / `= v`. */
function parseHeadValue(p: ParserState, head: RuleHead): void {
  if (p.atWord('contains') && !head.args) {
    p.next();
    head.contains = true;
    head.key = parseTermExpr(p);
  } else if (p.at(':=') || p.at('=')) {
    head.assign = p.next().text === ':=';
    head.value = parseTermExpr(p);
  } else if (p.peek().kind === 'punct' && !p.at('{') && !p.peek().newlineBefore && p.peek().text !== '}') {
    p.unexpected('expected `if`, `=`, `:=`, `contains` or a body after the rule head');
  }
}

/** The body after the head: `if …`, a v0 `{ … }`, or none (`contains`, a value, or v0 `p[x]`). */
function parseRuleBody(p: ParserState, head: RuleHead, lastIsBracket: boolean): Body {
  if (p.atWord('if')) return parseIfBody(p);
  if (p.at('{')) {
    if (p.v1) p.fail('`if` keyword is required before rule body');
    return parseBracedBody(p);
  }
  if (head.value === undefined && !head.contains) {
    const partial = head.ref.length === 2 && !head.args;
    if (p.v1 && partial) p.fail('`contains` keyword is required for partial set rules', head.loc);
    if (p.v1 || !partial || !lastIsBracket) p.fail('rule must have a body or assignment', head.loc);
  }
  return [];
}

/**
 * `if expr` or `if { body }`. As OPA does, a single expression is tried first, so that
 * `p if { x | … }` is a comprehension; a set literal there would always be true, so
 * braces that read as a set are a body instead (`p if { input.x }`).
 */
function parseIfBody(p: ParserState): Body {
  p.next();
  if (!p.at('{')) return p.nested(() => [parseStatement(p)]);
  const single = p.attempt(() => {
    const e = parseStatement(p);
    return e.type === 'term' && e.term.type === 'set' ? undefined : e;
  }, () => true);
  if (single) return [single];
  return parseBracedBody(p);
}

/**
 * Turns the parsed head into the rule's head. Without `if`, a two-part head with no value
 * is the v0 partial set `p[x]` (and `p.x`, whose key is "x"); any other head without value
 * or `contains` has the value `true`.
 */
function settleHead(head: RuleHead, hasIf: boolean): RuleHead {
  if (head.value !== undefined || head.contains) return head;
  if (!hasIf && head.ref.length === 2 && !head.args) {
    return { ...head, ref: head.ref.slice(0, 1), key: head.ref[1], contains: true };
  }
  return { ...head, value: trueTerm(head.loc) };
}

function trueTerm(loc: Location): BooleanTerm {
  return { type: 'boolean', value: true, loc };
}

/** One or more `else [= v | := v] [if body | { body }]` clauses. */
function parseElseChain(p: ParserState, head: RuleHead): ElseClause[] {
  if (head.contains) p.fail('else keyword cannot be used on multi-value rules');
  if (head.ref.slice(1).some((t) => t.type !== 'string' && t.type !== 'number' && t.type !== 'boolean' && t.type !== 'null')) {
    p.fail('else keyword cannot be used on rules with variables in head');
  }
  const clauses: ElseClause[] = [];
  while (p.atWord('else')) {
    const start = p.next().loc;
    let value: Term | undefined;
    if (p.at(':=') || p.at('=')) {
      p.next();
      value = parseTermExpr(p);
    } else if (!p.atWord('if') && !p.at('{')) {
      p.unexpected('expected a value or a body after `else`');
    }
    let body: Body = [];
    if (p.atWord('if')) body = parseIfBody(p);
    else if (p.at('{')) {
      if (p.v1) p.fail('`if` keyword is required before rule body');
      body = parseBracedBody(p);
    }
    clauses.push({ value: value ?? trueTerm(start), body, loc: p.span(start) });
  }
  return clauses;
}
