/**
 * Modules: the `package` clause, imports (which may switch a v0 module to v1 or enable
 * future keywords), then rules.
 */
import type { Import, Location, Module, RefTerm, Term, VarTerm } from '../ast/nodes.js';
import { parseRule } from './rules.js';
import { FUTURE_KEYWORDS, type ParserState } from './state.js';
import { parseBracketPart, parseDotPart } from './terms.js';

/** Parses a whole module from the parser's start. */
export function parseModuleBody(p: ParserState): Module {
  const start = p.peek().loc;
  const pkg = parsePackage(p);
  const imports: Import[] = [];
  while (p.atWord('import')) {
    const imp = parseImport(p);
    checkVersionImports(p, imports, imp);
    imports.push(imp);
  }
  const rules = [];
  while (p.peek().kind !== 'eof') {
    if (p.atWord('import')) p.fail('import must come before rules');
    if (p.atWord('package')) p.fail('unexpected `package`: a module has one package clause');
    rules.push(...parseRule(p));
  }
  return {
    type: 'module', file: p.file, package: pkg, imports, rules,
    regoVersion: p.v1 ? 'v1' : 'v0', loc: p.span(start),
  };
}

/** `package a.b["c"]` → ['a', 'b', 'c']. */
function parsePackage(p: ParserState): string[] {
  if (!p.atWord('package')) p.unexpected('expected `package`');
  p.next();
  const path = parsePlainRef(p);
  const names = [path.type === 'var' ? path.name : path.head.type === 'var' ? path.head.name : ''];
  for (const part of path.type === 'ref' ? path.path : []) {
    if (part.type !== 'string') p.fail('package path parts must be names or strings', part.loc);
    names.push(part.value);
  }
  return names;
}

/** A name followed by glued `.name` / `[term]` parts: package and import paths. */
function parsePlainRef(p: ParserState): VarTerm | RefTerm {
  const tok = p.peek();
  if (tok.kind !== 'ident' || p.isReservedWord(tok)) p.unexpected('expected a name');
  p.next();
  const head: VarTerm = { type: 'var', name: tok.text, loc: tok.loc };
  const path: Term[] = [];
  for (;;) {
    const next = p.peek();
    if (next.kind !== 'punct' || next.spaceBefore || (next.text !== '.' && next.text !== '[')) break;
    path.push(next.text === '.' ? parseDotPart(p) : parseBracketPart(p));
  }
  return path.length === 0 ? head : { type: 'ref', head, path, loc: p.span(tok.loc) };
}

const IMPORT_ROOTS = new Set(['data', 'input', 'future', 'rego']);

/** `import data.x.y [as z]`, `import input.x`, `import future.keywords[.kw]`, `import rego.v1`. */
function parseImport(p: ParserState): Import {
  const start = p.next().loc;
  const path = parsePlainRef(p);
  const root = path.type === 'var' ? path.name : (path.head as VarTerm).name;
  if (!IMPORT_ROOTS.has(root)) p.fail(`invalid import path: must begin with data, input, future or rego`, path.loc);
  const names = importNames(path);
  if (root === 'future') enableFutureKeywords(p, names, path.loc);
  if (root === 'rego') {
    if (names.join('.') !== 'rego.v1') p.fail('invalid import: only `rego.v1` can be imported from `rego`', path.loc);
    p.v1 = true;
  }
  let alias: string | undefined;
  if (p.atWord('as')) {
    p.next();
    const tok = p.peek();
    if (tok.kind !== 'ident' || p.isReservedWord(tok)) p.unexpected('expected an alias name');
    alias = p.next().text;
    if (root === 'future' || root === 'rego') p.fail(`\`${names.join('.')}\` cannot be aliased`, tok.loc);
  }
  return { path, ...(alias !== undefined ? { alias } : {}), loc: p.span(start) };
}

/**
 * `rego.v1` implies the future keywords: importing it twice, or together with
 * `future.keywords…`, is refused as OPA refuses it.
 */
function checkVersionImports(p: ParserState, previous: Import[], imp: Import): void {
  const root = importNames(imp.path)[0];
  if (root !== 'rego' && root !== 'future') return;
  const clash = previous.find((prev) => {
    const prevRoot = importNames(prev.path)[0];
    return prevRoot === 'rego' || (prevRoot === 'future' && root === 'rego');
  });
  if (clash) p.fail('this import shadows previous import: `rego.v1` implies `future.keywords` and can be imported once', imp.loc);
}

/** The dotted names of an import path; non-string parts appear as `?`. */
function importNames(path: VarTerm | RefTerm): string[] {
  if (path.type === 'var') return [path.name];
  const head = path.head.type === 'var' ? path.head.name : '?';
  return [head, ...path.path.map((t) => (t.type === 'string' ? t.value : '?'))];
}

function enableFutureKeywords(p: ParserState, names: string[], loc: Location): void {
  if (names[1] !== 'keywords' || names.length > 3) p.fail('invalid import: expected `future.keywords` or `future.keywords.<keyword>`', loc);
  if (names.length === 2) {
    for (const kw of FUTURE_KEYWORDS) p.futureKeywords.add(kw);
    return;
  }
  const kw = names[2];
  if (!(FUTURE_KEYWORDS as readonly string[]).includes(kw)) p.fail(`unknown future keyword \`${kw}\``, loc);
  p.futureKeywords.add(kw);
}
