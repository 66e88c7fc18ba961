/**
 * The Rego parser: source text to the AST of `../ast/nodes.ts`. Errors are
 * `RegoError('rego_parse_error')` pointing at file:line:column with the source line.
 */
import type { Body, Module } from '../ast/nodes.js';
import { parseBody } from './body.js';
import { parseModuleBody } from './module.js';
import { ParserState } from './state.js';

/** Which Rego syntax to accept. */
export interface ParseOptions {
  /** 'v1': OPA 1.x syntax. 'v0': OPA's --v0-compatible (a module importing `rego.v1` is parsed as v1). */
  regoVersion: 'v0' | 'v1';
}

/** Parses a module (`package`, imports, rules). */
export function parseModule(file: string, source: string, opts: ParseOptions): Module {
  return parseModuleBody(new ParserState(file, source, opts.regoVersion));
}

/** Parses a query: one or more statements separated by `;` or line breaks. */
export function parseQuery(source: string, opts: ParseOptions, file = 'query'): Body {
  const p = new ParserState(file, source, opts.regoVersion);
  const body = parseBody(p, 'eof');
  if (p.peek().kind !== 'eof') p.unexpected('expected end of input');
  return body;
}

export { MAX_DEPTH } from './state.js';
export { renderBody, renderExpr, renderRule, renderTerm } from './render.js';
