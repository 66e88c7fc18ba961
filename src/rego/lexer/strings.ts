/**
 * Reading string literals: double-quoted strings with JSON escapes (including `\uXXXX`
 * surrogate pairs), and backtick raw strings taken verbatim.
 */

/** A decoded string and the offset just past its closing quote, or where it went wrong. */
export type StringRead = { value: string; end: number } | { error: string; at: number };

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t',
};

/** Reads the `"…"` string whose opening quote is at `start`. */
export function readQuotedString(src: string, start: number): StringRead {
  let out = '';
  let i = start + 1;
  let chunk = i;
  while (i < src.length) {
    const c = src[i];
    if (c === '"') return { value: out + src.slice(chunk, i), end: i + 1 };
    if (c === '\n') break;
    if (c === '\\') {
      out += src.slice(chunk, i);
      const esc = readEscape(src, i);
      if ('error' in esc) return esc;
      out += esc.value;
      i = esc.end;
      chunk = i;
      continue;
    }
    i++;
  }
  return { error: 'unterminated string', at: start };
}

/** Decodes the escape sequence whose backslash is at `at`. */
function readEscape(src: string, at: number): StringRead {
  const kind = src[at + 1];
  if (kind === undefined) return { error: 'unterminated string', at };
  const simple = SIMPLE_ESCAPES[kind];
  if (simple !== undefined) return { value: simple, end: at + 2 };
  if (kind !== 'u') return { error: `illegal escape sequence \\${kind}`, at };
  const hi = readHex4(src, at + 2);
  if (hi === undefined) return { error: 'illegal \\u escape: expected four hex digits', at };
  // A high surrogate followed by an escaped low surrogate encodes one code point.
  if (hi >= 0xd800 && hi <= 0xdbff && src.startsWith('\\u', at + 6)) {
    const lo = readHex4(src, at + 8);
    if (lo !== undefined && lo >= 0xdc00 && lo <= 0xdfff) return { value: String.fromCharCode(hi, lo), end: at + 12 };
  }
  // A lone surrogate cannot be encoded as UTF-8: use the replacement character, as Go does.
  if (hi >= 0xd800 && hi <= 0xdfff) return { value: '\ufffd', end: at + 6 };
  return { value: String.fromCharCode(hi), end: at + 6 };
}

function readHex4(src: string, at: number): number | undefined {
  const hex = src.slice(at, at + 4);
  return /^[0-9a-fA-F]{4}$/.test(hex) ? parseInt(hex, 16) : undefined;
}

/** Reads the backtick string whose opening quote is at `start`. */
export function readRawString(src: string, start: number): StringRead {
  const close = src.indexOf('`', start + 1);
  if (close < 0) return { error: 'unterminated raw string', at: start };
  return { value: src.slice(start + 1, close), end: close + 1 };
}
