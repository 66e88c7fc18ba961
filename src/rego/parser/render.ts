/**
 * A compact text form of AST nodes, for tests and diagnostics: operators appear as the
 * calls they became (`plus(1, mul(2, 3))`), refs as `head.a[b]`, strings JSON-quoted.
 */
import type { Expr, Rule, Term, WithModifier } from '../ast/nodes.js';

/** Renders a term. */
export function renderTerm(t: Term): string {
  switch (t.type) {
    case 'null': return 'null';
    case 'boolean': return String(t.value);
    case 'number': return typeof t.value === 'bigint' ? `${t.value}n` : String(t.value);
    case 'string': return JSON.stringify(t.value);
    case 'var': return t.name;
    case 'ref': return renderTerm(t.head) + t.path.map(renderPathPart).join('');
    case 'array': return `[${t.items.map(renderTerm).join(', ')}]`;
    case 'set': return t.items.length === 0 ? 'set()' : `{${t.items.map(renderTerm).join(', ')}}`;
    case 'object': return `{${t.entries.map(([k, v]) => `${renderTerm(k)}: ${renderTerm(v)}`).join(', ')}}`;
    case 'arraycomp': return `[${renderTerm(t.term)} | ${renderBody(t.body)}]`;
    case 'setcomp': return `{${renderTerm(t.term)} | ${renderBody(t.body)}}`;
    case 'objectcomp': return `{${renderTerm(t.key)}: ${renderTerm(t.value)} | ${renderBody(t.body)}}`;
    case 'call': return `${renderTerm(t.fn)}(${t.args.map(renderTerm).join(', ')})`;
  }
}

function renderPathPart(t: Term): string {
  return t.type === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(t.value) ? `.${t.value}` : `[${renderTerm(t)}]`;
}

/** Renders a statement, with `not` and its `with` modifiers. */
export function renderExpr(e: Expr): string {
  const text = renderBareExpr(e);
  const mods = e.with.map(renderWith).join('');
  return (e.negated ? 'not ' : '') + text + mods;
}

function renderBareExpr(e: Expr): string {
  switch (e.type) {
    case 'term': return renderTerm(e.term);
    case 'assign': return `${renderTerm(e.left)} := ${renderTerm(e.right)}`;
    case 'unify': return `${renderTerm(e.left)} = ${renderTerm(e.right)}`;
    case 'some': return `some ${e.vars.map(renderTerm).join(', ')}`;
    case 'somein': return `some ${e.key ? renderTerm(e.key) + ', ' : ''}${renderTerm(e.value)} in ${renderTerm(e.collection)}`;
    case 'every': return `every ${e.key ? renderTerm(e.key) + ', ' : ''}${renderTerm(e.value)} in ${renderTerm(e.domain)} { ${renderBody(e.body)} }`;
  }
}

function renderWith(w: WithModifier): string {
  return ` with ${renderTerm(w.target)} as ${renderTerm(w.value)}`;
}

/** Renders a body as statements joined by `; `. */
export function renderBody(body: Expr[]): string {
  return body.map(renderExpr).join('; ');
}

/** Renders a rule on one line: `[default ]ref[(args)][ contains key][ := value][ if { body }][ else …]`. */
export function renderRule(r: Rule): string {
  const h = r.head;
  let text = (r.default ? 'default ' : '') + renderRef(h.ref);
  if (h.args) text += `(${h.args.map(renderTerm).join(', ')})`;
  if (h.contains) text += ` contains ${h.key ? renderTerm(h.key) : '?'}`;
  if (h.value) text += ` ${h.assign ? ':=' : '='} ${renderTerm(h.value)}`;
  if (r.body.length > 0) text += ` if { ${renderBody(r.body)} }`;
  for (const e of r.else) {
    text += ` else = ${e.value ? renderTerm(e.value) : 'true'}`;
    if (e.body.length > 0) text += ` if { ${renderBody(e.body)} }`;
  }
  return text;
}

function renderRef(ref: Term[]): string {
  const [head, ...rest] = ref;
  return renderTerm(head) + rest.map(renderPathPart).join('');
}
