/**
 * Bodies and their statements: expressions, `not`, `some`, `every`, assignment and
 * unification, `with` modifiers. Statements are separated by `;` or a line break.
 */
import type { Body, Expr, Term, VarTerm, WithModifier } from '../ast/nodes.js';
import { operatorCall, parseBinary, parseTermExpr, RELATION_PREC } from './operators.js';
import type { ParserState } from './state.js';

/** Where a body ends: a closing bracket (not consumed) or the end of input. */
export type BodyEnd = string | 'eof';

function atEnd(p: ParserState, end: BodyEnd): boolean {
  return end === 'eof' ? p.peek().kind === 'eof' : p.at(end);
}

/** Parses statements up to `end` (which is left for the caller). A body is never empty. */
export function parseBody(p: ParserState, end: BodyEnd): Body {
  return p.withMultiline(false, () => {
    const body: Body = [];
    while (!atEnd(p, end)) {
      body.push(parseStatement(p));
      if (p.eat(';') || atEnd(p, end)) continue;
      if (!p.peek().newlineBefore) p.unexpected(end === 'eof' ? 'expected end of input' : `expected \`${end}\``);
    }
    if (body.length === 0) p.fail(end === 'eof' ? 'empty query' : 'found empty body');
    return body;
  });
}

/** `{ body }`, consuming both braces. */
export function parseBracedBody(p: ParserState): Body {
  p.expect('{');
  const body = p.nested(() => parseBody(p, '}'));
  p.expect('}');
  return body;
}

/** One statement with its `with` modifiers. */
export function parseStatement(p: ParserState): Expr {
  const start = p.peek().loc;
  const expr = parseBareStatement(p);
  const mods = parseWithModifiers(p);
  if (mods.length > 0) return { ...expr, with: mods, loc: p.span(start) };
  return expr;
}

function parseBareStatement(p: ParserState): Expr {
  const start = p.peek().loc;
  if (p.atWord('some')) return parseSome(p);
  if (atEvery(p)) return parseEvery(p);
  const negated = p.atWord('not');
  if (negated) p.next();
  const left = parseTermExpr(p);
  const base = { negated, with: [] as WithModifier[] };
  if (p.at(',')) {
    return { type: 'term', term: parseKeyValueMembership(p, left), ...base, loc: p.span(start) };
  }
  if (p.eat(':=')) {
    if (negated) p.fail('cannot negate an assignment', start);
    return { type: 'assign', left, right: parseRightSide(p), ...base, loc: p.span(start) };
  }
  if (p.eat('=')) return { type: 'unify', left, right: parseRightSide(p), ...base, loc: p.span(start) };
  return { type: 'term', term: left, ...base, loc: p.span(start) };
}

/** The right side of `:=` or `=`, which may be a `k, v in coll` membership. */
function parseRightSide(p: ParserState): Term {
  const right = parseTermExpr(p);
  return p.at(',') ? parseKeyValueMembership(p, right) : right;
}

/**
 * `every` starts a quantifier where it is a keyword, and in v0 modules without the import
 * also when a name follows it (a variable `every` could not be followed by one).
 */
function atEvery(p: ParserState): boolean {
  if (!p.atWord('every')) return false;
  const after = p.peek2();
  // Where `every` is a keyword, anything else after it is reported as a misplaced keyword.
  if (p.keywordEnabled('every')) return after.kind !== 'eof' && (after.kind !== 'punct' || '[{(-'.includes(after.text));
  return after.kind === 'ident' && !after.newlineBefore;
}

/**
 * `k, v in coll` as an expression: `internal.member_3(k, v, coll)`. Without the `in`, the
 * comma is not ours (`[x | y, 5]` is an array): rewind to it and return the key alone.
 */
export function parseKeyValueMembership(p: ParserState, key: Term): Term {
  const beforeComma = p.mark();
  p.expect(',');
  const value = parseTermExpr(p, { noIn: true });
  if (!p.atWord('in')) {
    p.reset(beforeComma);
    return key;
  }
  p.next();
  const collection = parseBinary(p, RELATION_PREC);
  return operatorCall('internal.member_3', 'in', [key, value, collection], p.span(key.loc));
}

/** `some a, b` declares variables; `some x in xs` / `some k, v in xs` iterates. */
function parseSome(p: ParserState): Expr {
  const start = p.next().loc;
  const terms = [parseTermExpr(p, { noIn: true })];
  while (p.eat(',')) terms.push(parseTermExpr(p, { noIn: true }));
  const base = { negated: false, with: [] as WithModifier[] };
  if (p.atWord('in')) {
    p.next();
    if (terms.length > 2) p.fail('`some … in` takes at most a key and a value', start);
    const collection = parseBinary(p, RELATION_PREC);
    const [key, value] = terms.length === 2 ? terms : [undefined, terms[0]];
    return { type: 'somein', ...(key ? { key } : {}), value, collection, ...base, loc: p.span(start) };
  }
  const vars = terms.map((t) => (t.type === 'var' ? t : p.fail('expected a variable name after `some`', t.loc)));
  return { type: 'some', vars, ...base, loc: p.span(start) };
}

/** `every v in dom { body }` / `every k, v in dom { body }`. */
function parseEvery(p: ParserState): Expr {
  const start = p.next().loc;
  const first = parseTermExpr(p, { noIn: true });
  let key: VarTerm | undefined;
  let value = first;
  if (p.eat(',')) {
    if (first.type !== 'var') p.fail('the key of `every` must be a variable', first.loc);
    key = first;
    value = parseTermExpr(p, { noIn: true });
  }
  if (value.type !== 'var') p.fail('the value of `every` must be a variable', value.loc);
  if (!p.atWord('in')) p.unexpected('expected `in`');
  p.next();
  const domain = parseBinary(p, RELATION_PREC);
  const body = parseBracedBody(p);
  return { type: 'every', ...(key ? { key } : {}), value, domain, body, negated: false, with: [], loc: p.span(start) };
}

/** Zero or more `with target as value`; `with` may start a new line, since no statement begins with it. */
function parseWithModifiers(p: ParserState): WithModifier[] {
  const mods: WithModifier[] = [];
  while (p.atWord('with')) {
    const start = p.next().loc;
    const target = parseTermExpr(p, { noIn: true });
    if (target.type !== 'var' && target.type !== 'ref') p.fail('`with` target must be a name or a reference', target.loc);
    if (!p.atWord('as')) p.unexpected('expected `as`');
    p.next();
    mods.push({ target, value: parseTermExpr(p), loc: p.span(start) });
  }
  return mods;
}
