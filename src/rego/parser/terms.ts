/**
 * Terms: scalars, variables, references, calls, and the composite literals and
 * comprehensions. A term continues as a reference or a call only when `.`, `[` or `(`
 * follows it with nothing in between, as in OPA (`a [0]` is two terms).
 */
import type { Body, CallTerm, Location, RefTerm, Term, VarTerm } from '../ast/nodes.js';
import type { Token } from '../lexer/index.js';
import { parseNumber } from '../value/number.js';
import { parseBody, parseKeyValueMembership } from './body.js';
import { ABOVE_BAR_PREC, parseBinary, parseTermExpr, parseUnaryTerm } from './operators.js';
import type { ParserState } from './state.js';

/** Parses a primary term and any reference or call parts glued to it. */
export function parsePostfixTerm(p: ParserState): Term {
  let term = parsePrimary(p);
  for (;;) {
    const tok = p.peek();
    if (tok.kind !== 'punct' || tok.spaceBefore || !'.[('.includes(tok.text)) return term;
    if (SCALARS.has(term.type)) p.fail(`a ${term.type} cannot be the head of a reference or call`, term.loc);
    if (tok.text === '.') term = appendPath(term, parseDotPart(p), p);
    else if (tok.text === '[') term = appendPath(term, parseBracketPart(p), p);
    else term = parseCall(p, term);
  }
}

const SCALARS = new Set(['null', 'boolean', 'number', 'string']);

/** `.name`: any word may follow the dot, keywords included (`input.package`). */
export function parseDotPart(p: ParserState): Term {
  p.next();
  const tok = p.peek();
  if (tok.kind !== 'ident') p.unexpected('expected a name after `.`');
  if (tok.spaceBefore) p.fail('invalid whitespace between `.` and identifier');
  p.next();
  return { type: 'string', value: tok.text, loc: tok.loc };
}

/** `[term]` */
export function parseBracketPart(p: ParserState): Term {
  p.next();
  const key = p.withMultiline(true, () => parseTermExpr(p));
  p.expect(']');
  return key;
}

/** Extends a ref this loop is building (in place: long refs stay linear), or starts one. */
function appendPath(term: Term, part: Term, p: ParserState): RefTerm {
  if (term.type !== 'ref') return { type: 'ref', head: term, path: [part], loc: p.span(term.loc) };
  term.path.push(part);
  term.loc = p.span(term.loc);
  return term;
}

/** `f(args)`: the callee must be a name or a dotted name (`time.now_ns`, `data.lib.f`). */
function parseCall(p: ParserState, callee: Term): CallTerm {
  if (!isCallable(callee)) p.unexpected('only a name or a dotted name can be called');
  p.next();
  const args = p.withMultiline(true, () => parseList(p, ')'));
  p.expect(')');
  return { type: 'call', fn: callee, args, loc: p.span(callee.loc) };
}

function isCallable(term: Term): term is VarTerm | RefTerm {
  if (term.type === 'var') return true;
  return term.type === 'ref' && term.head.type === 'var' && term.path.every((t) => t.type === 'string');
}

/** Comma-separated expressions up to (not including) `close`; a trailing comma is allowed. */
function parseList(p: ParserState, close: string): Term[] {
  const items: Term[] = [];
  while (!p.at(close)) {
    items.push(parseTermExpr(p));
    if (!p.eat(',')) break;
  }
  return items;
}

/** A term without reference or call parts. */
function parsePrimary(p: ParserState): Term {
  const tok = p.peek();
  switch (tok.kind) {
    case 'number': return parseNumberToken(p, p.next());
    case 'string': p.next(); return { type: 'string', value: tok.value ?? '', loc: tok.loc };
    case 'ident': return parseWord(p);
    case 'punct':
      if (tok.text === '.') return parseLeadingDotNumber(p);
      if (tok.text === '[') return p.nested(() => parseArray(p));
      if (tok.text === '{') return p.nested(() => parseBrace(p));
      if (tok.text === '(') return p.nested(() => parseParens(p));
      break;
  }
  return p.unexpected('expected a term');
}

function parseNumberToken(p: ParserState, tok: Token): Term {
  return { type: 'number', value: numberValue(p, tok.text, tok.loc), raw: tok.text, loc: tok.loc };
}

/** The value of number literal text (possibly signed), refusing malformed and overflowing ones. */
export function numberValue(p: ParserState, text: string, loc: Location): number | bigint {
  const value = parseNumber(text.replace(/^(-?)\./, (_m, sign: string) => `${sign}0.`));
  if (value === undefined) return p.fail(`invalid number ${text}`, loc);
  if (typeof value === 'number' && !Number.isFinite(value)) return p.fail(`number too big: ${text}`, loc);
  return value;
}

/** `.5`: a decimal written without its leading zero. */
function parseLeadingDotNumber(p: ParserState): Term {
  const dot = p.peek();
  const digits = p.peek2();
  if (digits.kind !== 'number' || digits.spaceBefore) return p.unexpected('expected a term');
  p.next();
  p.next();
  const raw = '.' + digits.text;
  return { type: 'number', value: numberValue(p, raw, dot.loc), raw, loc: p.span(dot.loc) };
}

/** `null`, `true`, `false`, `set()`, or a variable (never a keyword). */
function parseWord(p: ParserState): Term {
  const tok = p.peek();
  const loc = tok.loc;
  if (tok.text === 'null') return p.next(), { type: 'null', loc };
  if (tok.text === 'true' || tok.text === 'false') return p.next(), { type: 'boolean', value: tok.text === 'true', loc };
  if (tok.text === 'set' && isEmptyCall(p)) {
    p.next(); p.next(); p.next();
    return { type: 'set', items: [], loc: p.span(loc) };
  }
  // `contains(s, t)` stays the builtin even where `contains` is a keyword.
  const builtinContains = tok.text === 'contains' && isGluedParen(p.peek2());
  if (p.isReservedWord(tok) && !builtinContains) p.unexpected('expected a term');
  p.next();
  return { type: 'var', name: tok.text, loc };
}

function isGluedParen(tok: Token): boolean {
  return tok.kind === 'punct' && tok.text === '(' && !tok.spaceBefore;
}

/** `set()` written as such: the name, a glued `(`, then `)`. */
function isEmptyCall(p: ParserState): boolean {
  const ahead = p.lexer.fork();
  ahead.next();
  if (!isGluedParen(ahead.next())) return false;
  const close = ahead.next();
  return close.kind === 'punct' && close.text === ')';
}

/** `( expr )`: grouping only, no node of its own. */
function parseParens(p: ParserState): Term {
  p.next();
  const inner = p.withMultiline(true, () => {
    const first = parseTermExpr(p);
    return p.at(',') ? parseKeyValueMembership(p, first) : first;
  });
  p.expect(')');
  return inner;
}

/**
 * `[a, b]` or `[x | body]`. As in OPA, a comprehension is tried first when a plain term
 * (no infix operator) is followed by `|`; when that fails at a comma (`[x | y, 5]`) or the
 * first element has operators, the brackets hold an array of full expressions — unless they
 * cannot, and the first element is then the head of a comprehension (`[x * 2 | some x in xs]`).
 */
function parseArray(p: ParserState): Term {
  const start = p.peek().loc;
  return memoizeComposite(p, () => p.withMultiline(true, () => {
    p.next();
    if (p.eat(']')) return { type: 'array', items: [], loc: p.span(start) };
    const quick = p.at(',') ? undefined : p.attempt(() => parseArrayFast(p, start), retryAtComma(p));
    if (quick) return quick;
    const leadingComma = p.eat(',');
    const literal = (): Term => {
      const items = parseList(p, ']');
      p.expect(']');
      return { type: 'array', items, loc: p.span(start) };
    };
    if (leadingComma) return literal();
    return literalOrComprehension(p, literal, () => {
      const head = parseBinary(p, ABOVE_BAR_PREC);
      if (!p.at('|')) return undefined;
      return { type: 'arraycomp', term: head, body: parseComprehensionBody(p, ']'), loc: p.span(start) };
    });
  }));
}

/**
 * A composite whose first element has operators: as in OPA, a literal of full expressions
 * (`[x - {10} | y]` is an array holding a union). Text that cannot be such a literal
 * (`[x * 2 | some x in xs]`, `{x + 1 | x := xs[_]}`) is then read as a comprehension whose
 * head is the expression before the bar. When neither parses, the literal's error is raised.
 */
function literalOrComprehension(p: ParserState, literal: () => Term, comprehension: () => Term | undefined): Term {
  const always = () => true;
  return p.attempt(literal, always) ?? p.attempt(comprehension, always) ?? literal();
}

/** The array forms that start with a plain term; undefined when full expressions are needed. */
function parseArrayFast(p: ParserState, start: Location): Term | undefined {
  const head = parseUnaryTerm(p);
  if (p.eat(']')) return { type: 'array', items: [head], loc: p.span(start) };
  if (p.at('|')) return { type: 'arraycomp', term: head, body: parseComprehensionBody(p, ']'), loc: p.span(start) };
  if (!p.eat(',')) return undefined;
  const items = [head, ...parseList(p, ']')];
  p.expect(']');
  return { type: 'array', items, loc: p.span(start) };
}

/**
 * `{}` (empty object), `{k: v, …}`, `{a, …}`, `{x | body}` or `{k: v | body}`, with the
 * same preference for comprehensions as arrays.
 */
function parseBrace(p: ParserState): Term {
  const start = p.peek().loc;
  return memoizeComposite(p, () => p.withMultiline(true, () => {
    p.next();
    if (p.eat('}')) return { type: 'object', entries: [], loc: p.span(start) };
    const quick = p.at(',') ? undefined : p.attempt(() => parseBraceFast(p, start), retryAtComma(p));
    if (quick) return quick;
    const leadingComma = p.eat(',');
    const literal = (): Term => {
      const first = parseTermExpr(p);
      if (p.eat(':')) return parseObjectValue(p, start, first);
      const items = [first];
      if (p.eat(',')) items.push(...parseList(p, '}'));
      p.expect('}');
      return { type: 'set', items, loc: p.span(start) };
    };
    if (leadingComma) return literal();
    return literalOrComprehension(p, literal, () => {
      const head = parseBinary(p, ABOVE_BAR_PREC);
      if (p.at('|')) return { type: 'setcomp', term: head, body: parseComprehensionBody(p, '}'), loc: p.span(start) };
      if (!p.eat(':')) return undefined;
      return parseObjectComprehension(p, start, head);
    });
  }));
}

/** The brace forms that start with plain terms; undefined when full expressions are needed. */
function parseBraceFast(p: ParserState, start: Location): Term | undefined {
  const head = parseUnaryTerm(p);
  if (p.eat(':')) return parseObjectValue(p, start, head);
  if (p.at('|')) return { type: 'setcomp', term: head, body: parseComprehensionBody(p, '}'), loc: p.span(start) };
  if (p.eat('}')) return { type: 'set', items: [head], loc: p.span(start) };
  if (!p.eat(',')) return undefined;
  const items = [head, ...parseList(p, '}')];
  p.expect('}');
  return { type: 'set', items, loc: p.span(start) };
}

/** A failed comprehension is retried as a literal when it stopped at a comma (`[x | y, 5]`). */
function retryAtComma(p: ParserState): () => boolean {
  return () => p.at(',');
}

/**
 * Remembers each composite parsed at a given offset, failures included: speculative
 * parses go over the same text again, and without this the work would grow exponentially
 * with nesting. A composite parses the same wherever it stands, so the result can be reused.
 */
function memoizeComposite(p: ParserState, parse: () => Term): Term {
  const offset = p.peek().loc.start;
  const known = p.composites.get(offset);
  if (known?.error !== undefined) p.rethrow(known.error);
  if (known?.term && known.end) {
    p.reset(known.end);
    return known.term;
  }
  try {
    const term = parse();
    p.composites.set(offset, { term, end: p.mark() });
    return term;
  } catch (e) {
    p.composites.set(offset, { error: e });
    return p.rethrow(e);
  }
}

/**
 * The first value of an object after its key and colon, then the rest. A plain term
 * followed by `|` makes an object comprehension (`{k: v | body}`, also `{a + 1: v | body}`).
 */
function parseObjectValue(p: ParserState, start: Location, key: Term): Term {
  const quick = p.attempt((): Term | undefined => {
    const value = parseUnaryTerm(p);
    if (p.at('|')) return { type: 'objectcomp', key, value, body: parseComprehensionBody(p, '}'), loc: p.span(start) };
    return p.at('}') || p.at(',') ? parseObjectRest(p, start, key, value) : undefined;
  }, retryAtComma(p));
  if (quick) return quick;
  return literalOrComprehension(p, () => parseObjectRest(p, start, key, parseTermExpr(p)), () => parseObjectComprehension(p, start, key));
}

/** `{key: value | body}` after the colon, the value possibly with operators (`{k: v * 2 | …}`). */
function parseObjectComprehension(p: ParserState, start: Location, key: Term): Term | undefined {
  const value = parseBinary(p, ABOVE_BAR_PREC);
  if (!p.at('|')) return undefined;
  return { type: 'objectcomp', key, value, body: parseComprehensionBody(p, '}'), loc: p.span(start) };
}

/** The rest of an object after its first entry: more `key: value` pairs and the closing brace. */
function parseObjectRest(p: ParserState, start: Location, firstKey: Term, firstValue: Term): Term {
  const entries: Array<[Term, Term]> = [[firstKey, firstValue]];
  while (p.eat(',') && !p.at('}')) {
    const key = parseTermExpr(p);
    p.expect(':');
    entries.push([key, parseTermExpr(p)]);
  }
  p.expect('}');
  return { type: 'object', entries, loc: p.span(start) };
}

/** `| body close`: consumes the bar, the body and the closing bracket. */
function parseComprehensionBody(p: ParserState, close: string): Body {
  p.next();
  const body = parseBody(p, close);
  p.expect(close);
  return body;
}
