/**
 * JSON text for builtins, as OPA's Go encoder writes and reads it: object keys sorted,
 * `<`, `>` and `&` escaped, integers of any size kept exact in both directions.
 */
import { ObjectValue, SetValue, compareStrings, num, sortValues, type Value } from '../value/index.js';

/** How to lay out JSON text; without `indent` the output is compact. */
export interface JSONLayout {
  /** Written at the start of every line, the first included. */
  readonly prefix?: string;
  /** One level of indentation; a pretty layout when present. */
  readonly indent?: string;
}

/** A JSON string literal with Go's HTML-safe escapes. */
export function quoteJSON(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** An object key as JSON text: strings as they are, other keys as their compact JSON. */
function keyText(k: Value): string {
  return typeof k === 'string' ? k : writeJSON(k);
}

/** Serialises a Rego value; sets become sorted arrays. */
export function writeJSON(v: Value, layout: JSONLayout = {}, depth = 0): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean': return String(v);
    case 'number':
    case 'bigint': return num.formatNumber(v);
    case 'string': return quoteJSON(v);
  }
  if (Array.isArray(v) || v instanceof SetValue) {
    const items = Array.isArray(v) ? v : sortValues(v.values());
    return bracket('[', ']', items.map((x) => writeJSON(x, layout, depth + 1)), layout, depth);
  }
  const entries = (v as ObjectValue).entries().map(([k, x]) => [keyText(k), x] as const);
  entries.sort(([a], [b]) => compareStrings(a, b));
  const sep = layout.indent === undefined ? ':' : ': ';
  return bracket('{', '}', entries.map(([k, x]) => quoteJSON(k) + sep + writeJSON(x, layout, depth + 1)), layout, depth);
}

function bracket(open: string, close: string, items: string[], layout: JSONLayout, depth: number): string {
  if (items.length === 0) return open + close;
  if (layout.indent === undefined) return open + items.join(',') + close;
  const line = (level: number) => '\n' + (layout.prefix ?? '') + layout.indent!.repeat(level);
  return open + items.map((x) => line(depth + 1) + x).join(',') + line(depth) + close;
}

/** Thrown for text that is not one JSON value. */
export class JSONSyntaxError extends Error {
  override name = 'JSONSyntaxError';
}

/** Parses exactly one JSON value (surrounding whitespace allowed) into a Rego value. */
export function parseJSON(text: string): Value {
  const reader = new JSONReader(text);
  const v = reader.value();
  reader.end();
  return v;
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
// eslint-disable-next-line no-control-regex -- JSON forbids raw control characters inside strings
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

/** A recursive-descent reader; JSON.parse would round integers beyond 2^53. */
class JSONReader {
  private pos = 0;
  constructor(private readonly text: string) {}

  value(depth = 0): Value {
    if (depth > 10_000) this.fail('nesting too deep');
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.pos)) { this.pos += word.length; return v; }
    }
    return this.number();
  }

  end(): void {
    this.skipSpace();
    if (this.pos < this.text.length) this.fail('unexpected text after the value');
  }

  private object(depth: number): Value {
    const out = new ObjectValue();
    this.pos++;
    if (this.peek() === '}') { this.pos++; return out; }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') this.fail('expected a string key');
      const key = this.string();
      this.expect(':');
      out.set(key, this.value(depth + 1));
      if (this.peek() === '}') { this.pos++; return out; }
      this.expect(',');
    }
  }

  private array(depth: number): Value {
    const out: Value[] = [];
    this.pos++;
    if (this.peek() === ']') { this.pos++; return out; }
    for (;;) {
      out.push(this.value(depth + 1));
      if (this.peek() === ']') { this.pos++; return out; }
      this.expect(',');
    }
  }

  private string(): string {
    return JSON.parse(this.match(STRING, 'a string')) as string;
  }

  private number(): Value {
    return num.parseNumber(this.match(NUMBER, 'a value')) as Value;
  }

  private match(re: RegExp, what: string): string {
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    if (!m) return this.fail(`expected ${what}`);
    this.pos += m[0].length;
    return m[0];
  }

  private peek(): string | undefined {
    this.skipSpace();
    return this.text[this.pos];
  }

  private expect(c: string): void {
    if (this.peek() !== c) this.fail(`expected ${c}`);
    this.pos++;
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && ' \t\n\r'.includes(this.text[this.pos])) this.pos++;
  }

  private fail(message: string): never {
    throw new JSONSyntaxError(`${message} at offset ${this.pos}`);
  }
}
