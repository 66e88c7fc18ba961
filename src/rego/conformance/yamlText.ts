/**
 * YAML parsing as the case files were written for. They were checked by a Rust YAML
 * library that accepts one thing the YAML spec (and the `yaml` package) refuses: the
 * lines of a flow collection written at the same indentation as the key that opens it.
 */
import { parseDocument } from 'yaml';

/** Thrown when a file is not YAML even after the lenient repair. */
export class YamlLoadError extends Error {
  override name = 'YamlLoadError';
}

const parseOptions = { intAsBigInt: true, uniqueKeys: false } as const;
const toJSOptions = { mapAsMap: true, maxAliasCount: -1 } as const;

/**
 * Parses YAML text into plain JS: maps become `Map`s (keys keep their YAML type, as the
 * cases use `null:`, `true:` and `7:` keys) and integers become bigints (exact at any size).
 */
export function parseCaseYaml(text: string): unknown {
  const doc = parseDocument(text, parseOptions);
  if (doc.errors.length === 0) return doc.toJS(toJSOptions);
  if (!doc.errors.some((e) => e.code === 'BAD_INDENT')) throw new YamlLoadError(doc.errors[0].message);
  const repaired = parseDocument(indentFlowContinuations(text), parseOptions);
  if (repaired.errors.length > 0) throw new YamlLoadError(doc.errors[0].message);
  return repaired.toJS(toJSOptions);
}

const opensFlow = /^(\s*)(?:- )?[^#'"]*:\s*[[{]\s*$/;

/**
 * Indents, by two more spaces than its key, every continuation line of a flow collection
 * opened at the end of a `key: [` line, until its brackets balance. Lines already indented
 * deeper are left alone.
 */
export function indentFlowContinuations(text: string): string {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = opensFlow.exec(lines[i]);
    if (!m) continue;
    const minIndent = m[1].length + 2;
    let depth = bracketBalance(lines[i]);
    for (let j = i + 1; j < lines.length && depth > 0; j++) {
      const indent = lines[j].length - lines[j].trimStart().length;
      if (lines[j].trim() !== '' && indent < minIndent) lines[j] = ' '.repeat(minIndent - indent) + lines[j];
      depth += bracketBalance(lines[j]);
      i = j;
    }
  }
  return lines.join('\n');
}

/** Opening minus closing brackets on a line, ignoring those inside quoted strings. */
function bracketBalance(line: string): number {
  let depth = 0;
  let quote = '';
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') depth--;
    else if (ch === '#') break;
  }
  return depth;
}
