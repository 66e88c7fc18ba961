/**
 * sprintf(format, values) as OPA runs it: each value becomes a Go value (integers `int`
 * or `*big.Int`, other numbers `float64`, strings `string`, anything else the string of
 * its Rego notation) and Go's fmt verbs, flags, width and precision apply, including
 * fmt's `%!d(string=x)` and `%!s(MISSING)` notes for mismatches.
 */
import { formatRego, type Value } from '../value/index.js';
import { ensureArray, ensureString } from './args.js';
import type { Builtin } from './types.js';

/** A value as fmt sees it after OPA's conversion. */
type GoArg =
  | { readonly kind: 'int'; readonly value: bigint }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string };

/** Flags, width and precision of one verb. */
interface Spec {
  plus: boolean; minus: boolean; sharp: boolean; space: boolean; zero: boolean;
  width?: number; precision?: number;
}

const INT64_MIN = -(2n ** 63n), INT64_MAX = 2n ** 63n - 1n;

/** Go's fmt refuses widths and precisions above a million. */
const MAX_WIDTH = 1_000_000;

/** Go's unicode.IsPrint, for single code points. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const SHORT_ESCAPES: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };

/** Go's strconv.Quote (or QuoteToASCII when `ascii`). */
export function goQuote(s: string, quote = '"', ascii = false): string {
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (PRINTABLE.test(ch) && (!ascii || cp < 0x80)) out += ch;
    else if (SHORT_ESCAPES[ch]) out += SHORT_ESCAPES[ch];
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd'; // a lone surrogate is not valid UTF-8
    else if (cp < 0x10000) out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += '\\U' + cp.toString(16).padStart(8, '0');
  }
  return out + quote;
}

/** A value in OPA's Rego notation: `{"a": 1}`, `{1, 2}`, `set()`, `["x"]`. */
export function formatValue(v: Value): string {
  return formatRego(v, goQuote);
}

function toGoArg(v: Value): GoArg {
  if (typeof v === 'bigint') return { kind: 'int', value: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { kind: 'int', value: BigInt(v) } : { kind: 'float', value: v };
  if (typeof v === 'string') return { kind: 'string', value: v };
  return { kind: 'string', value: formatValue(v) };
}

function goTypeName(a: GoArg): string {
  if (a.kind === 'int') return a.value >= INT64_MIN && a.value <= INT64_MAX ? 'int' : '*big.Int';
  return a.kind === 'float' ? 'float64' : 'string';
}

/** Pads to the width in code points: spaces (or zeros with the 0 flag) on the left, or spaces on the right with `-`. */
function pad(s: string, spec: Spec, zeroAllowed = true): string {
  const missing = (spec.width ?? 0) - Array.from(s).length;
  if (missing <= 0) return s;
  if (spec.minus) return s + ' '.repeat(missing);
  return (spec.zero && zeroAllowed ? '0' : ' ').repeat(missing) + s;
}

// ---- integers ----

const INT_BASES: Record<string, [number, string]> = { d: [10, ''], v: [10, ''], b: [2, '0b'], o: [8, '0'], O: [8, '0o'], x: [16, '0x'], X: [16, '0X'] };

/** Go's fmtInteger: precision is a minimum digit count; the 0 flag pads after the sign. */
function formatInteger(n: bigint, verb: string, spec: Spec): string {
  const [base, prefix] = INT_BASES[verb];
  const negative = n < 0n;
  let digits = (negative ? -n : n).toString(base);
  if (verb === 'X') digits = digits.toUpperCase();
  let minDigits = 0;
  if (spec.precision !== undefined) {
    if (spec.precision === 0 && n === 0n) return pad('', { ...spec, zero: false });
    minDigits = spec.precision;
  } else if (spec.zero && !spec.minus && spec.width !== undefined) {
    minDigits = spec.width - (negative || spec.plus || spec.space ? 1 : 0);
  }
  digits = digits.padStart(minDigits, '0');
  // Go's %#o adds one leading zero unless there is one; prefixes do not count toward the width.
  if (spec.sharp && verb === 'o' && !digits.startsWith('0')) digits = '0' + digits;
  if (verb === 'O' || (spec.sharp && verb !== 'd' && verb !== 'v' && verb !== 'o')) digits = prefix + digits;
  const sign = negative ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  return pad(sign + digits, spec, false);
}

/** A code point as Go prints a rune: invalid ones (negative, surrogate, too large) as U+FFFD. */
function runeText(n: bigint): string {
  const valid = n >= 0n && n <= 0x10ffffn && !(n >= 0xd800n && n <= 0xdfffn);
  return valid ? String.fromCodePoint(Number(n)) : '\ufffd';
}

function isBig(n: bigint): boolean {
  return n < INT64_MIN || n > INT64_MAX;
}

function formatIntegerArg(n: bigint, verb: string, spec: Spec): string | undefined {
  if (verb in INT_BASES) return formatInteger(n, verb, spec);
  // A *big.Int formats itself: it knows %s as decimal and no rune verbs.
  if (isBig(n)) return verb === 's' ? formatInteger(n, 'd', spec) : `%!${verb}(big.Int=${n})`;
  if (verb === 'c') return pad(runeText(n), spec);
  if (verb === 'q') return pad(goQuote(runeText(n), "'", spec.plus), spec);
  if (verb === 'U') {
    const hex = n.toString(16).toUpperCase().padStart(spec.precision ?? 4, '0');
    return pad('U+' + hex + (spec.sharp ? ` '${runeText(n)}'` : ''), spec);
  }
  return undefined;
}

// ---- floats ----

/** Decimal digits (no trailing zeros) and decimal point position: value = 0.d1d2… × 10^dp. */
interface Decimal { digits: string; dp: number }

/** The exact decimal expansion of a finite positive double. */
function exactDecimal(x: number): Decimal {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const exponent = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & ((1n << 52n) - 1n);
  let e2 = exponent - 1075;
  if (exponent === 0) e2 = -1074;
  else mantissa |= 1n << 52n;
  let digits: string, dp: number;
  if (e2 >= 0) {
    digits = (mantissa << BigInt(e2)).toString();
    dp = digits.length;
  } else {
    // m / 2^k = m·5^k / 10^k
    digits = (mantissa * 5n ** BigInt(-e2)).toString();
    dp = digits.length + e2;
  }
  const trimmed = digits.replace(/0+$/, '');
  return { digits: trimmed, dp };
}

/** The shortest digits that read back as `x` (JS and Go agree on these). */
function shortestDecimal(x: number): Decimal {
  const [mant, exp] = x.toExponential().split('e');
  return { digits: mant.replace('.', '').replace(/0+$/, '') || '0', dp: Number(exp) + 1 };
}

/** Rounds to `nd` digits, half to even on the exact value, as Go's strconv does. */
function roundDecimal(d: Decimal, nd: number): Decimal {
  if (nd < 0) return { digits: '', dp: d.dp };
  if (nd >= d.digits.length) return d;
  const next = d.digits[nd];
  const exactHalf = next === '5' && nd + 1 === d.digits.length;
  const up = exactHalf ? nd > 0 && Number(d.digits[nd - 1]) % 2 === 1 : next >= '5';
  const kept = d.digits.slice(0, nd);
  if (!up) return { digits: kept.replace(/0+$/, ''), dp: d.dp };
  let i = nd - 1;
  while (i >= 0 && kept[i] === '9') i--;
  if (i < 0) return { digits: '1', dp: d.dp + 1 };
  return { digits: kept.slice(0, i) + String(Number(kept[i]) + 1), dp: d.dp };
}

const digitAt = (d: Decimal, i: number): string => (i >= 0 && i < d.digits.length ? d.digits[i] : '0');

function fixedText(d: Decimal, decimals: number): string {
  let out = '';
  if (d.dp > 0) for (let i = 0; i < d.dp; i++) out += digitAt(d, i);
  else out = '0';
  if (decimals > 0) {
    out += '.';
    for (let i = 0; i < decimals; i++) out += digitAt(d, d.dp + i);
  }
  return out;
}

function expText(d: Decimal, decimals: number, e: string): string {
  let out = d.digits === '' ? '0' : d.digits[0];
  if (decimals > 0) {
    out += '.';
    for (let i = 1; i <= decimals; i++) out += digitAt(d, i);
  }
  const exp = d.digits === '' ? 0 : d.dp - 1;
  return out + e + (exp < 0 ? '-' : '+') + String(Math.abs(exp)).padStart(2, '0');
}

/** strconv.FormatFloat(|x|, verb, precision) for verbs e E f F g G; precision -1 is shortest. */
function formatUnsignedFloat(x: number, verb: string, precision: number): string {
  const shortest = precision < 0;
  const lower = verb.toLowerCase();
  if (x === 0) {
    const zero: Decimal = { digits: '', dp: 1 };
    if (lower === 'f') return fixedText(zero, Math.max(precision, 0));
    if (lower === 'e') return expText(zero, Math.max(precision, 0), verb === 'E' ? 'E' : 'e');
    return '0';
  }
  const exact = shortest ? shortestDecimal(x) : exactDecimal(x);
  if (lower === 'e') {
    const d = shortest ? exact : roundDecimal(exact, precision + 1);
    return expText(d, shortest ? d.digits.length - 1 : precision, verb === 'E' ? 'E' : 'e');
  }
  if (lower === 'f') {
    const d = shortest ? exact : roundDecimal(exact, exact.dp + precision);
    return fixedText(d, shortest ? Math.max(d.digits.length - d.dp, 0) : precision);
  }
  let prec = shortest ? exact.digits.length : Math.max(precision, 1);
  const d = shortest ? exact : roundDecimal(exact, prec);
  let eprec = prec;
  if (eprec > d.digits.length && d.digits.length >= d.dp) eprec = d.digits.length;
  if (shortest) eprec = 6;
  const exp = d.dp - 1;
  if (exp < -4 || exp >= eprec) {
    if (prec > d.digits.length) prec = d.digits.length;
    return expText(d, prec - 1, verb === 'G' ? 'E' : 'e');
  }
  if (prec > d.dp) prec = d.digits.length;
  return fixedText(d, Math.max(prec - d.dp, 0));
}

/** Go's fmt.fmtFloat: sign handling and zero padding after the sign. */
function formatFloat(x: number, verb: string, spec: Spec): string | undefined {
  const goVerb = verb === 'v' ? 'g' : verb;
  if (!'eEfFgG'.includes(goVerb)) return undefined;
  const defaultPrecision = 'eEfF'.includes(goVerb) ? 6 : -1;
  const body = formatUnsignedFloat(Math.abs(x), goVerb, spec.precision ?? defaultPrecision);
  const negative = x < 0 || Object.is(x, -0);
  const sign = negative ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  const missing = (spec.width ?? 0) - sign.length - body.length;
  if (spec.zero && !spec.minus && missing > 0) return sign + '0'.repeat(missing) + body;
  return pad(sign + body, spec, false);
}

// ---- strings ----

function utf8Hex(s: string, upper: boolean, spec: Spec): string {
  const bytes = [...Buffer.from(s, 'utf8')].map((b) => b.toString(16).padStart(2, '0'));
  const prefix = spec.sharp ? (upper ? '0X' : '0x') : '';
  const text = spec.space ? bytes.map((b) => prefix + b).join(' ') : prefix + bytes.join('');
  return upper ? text.toUpperCase() : text;
}

/** Go's strconv.CanBackquote: no control characters but tab, no backquote, no BOM. */
function canBackquote(s: string): boolean {
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if ((cp < 0x20 && ch !== '\t') || cp === 0x7f || ch === '`' || cp === 0xfeff || cp === 0xfffd) return false;
    if (cp >= 0xd800 && cp <= 0xdfff) return false; // a lone surrogate is not valid UTF-8
  }
  return true;
}

function formatStringArg(s: string, verb: string, spec: Spec): string | undefined {
  const truncated = spec.precision === undefined ? s : Array.from(s).slice(0, spec.precision).join('');
  switch (verb) {
    case 'v': return pad(spec.sharp ? goQuote(s) : truncated, spec); // %#v is Go syntax: a quoted string
    case 's': return pad(truncated, spec);
    case 'q': return pad(spec.sharp && canBackquote(s) ? '`' + s + '`' : goQuote(s, '"', spec.plus), spec);
    case 'x':
    case 'X': return pad(utf8Hex(s, verb === 'X', spec), spec);
    default: return undefined;
  }
}

/** Formats one argument; a verb that does not fit its type gives fmt's `%!v(type=value)`. */
function formatArg(a: GoArg, verb: string, spec: Spec): string {
  let out: string | undefined;
  if (verb === 'T') out = pad(goTypeName(a), spec);
  else if (a.kind === 'int') out = formatIntegerArg(a.value, verb, spec);
  else if (a.kind === 'float') out = formatFloat(a.value, verb, spec);
  else out = formatStringArg(a.value, verb, spec);
  return out ?? `%!${verb}(${goTypeName(a)}=${plain(a)})`;
}

function plain(a: GoArg): string {
  return a.kind === 'float' ? formatFloat(a.value, 'v', blankSpec()) as string : String(a.value);
}

function blankSpec(): Spec {
  return { plus: false, minus: false, sharp: false, space: false, zero: false };
}

/** Walks a Go format string, as fmt's doPrintf does. */
class Printer {
  private out = '';
  private i = 0;
  private argIndex = 0;
  private reordered = false;

  constructor(private readonly format: string, private readonly args: GoArg[]) {}

  run(): string {
    while (this.i < this.format.length) {
      const pct = this.format.indexOf('%', this.i);
      if (pct < 0) {
        this.out += this.format.slice(this.i);
        break;
      }
      this.out += this.format.slice(this.i, pct);
      this.i = pct + 1;
      this.directive();
    }
    if (!this.reordered && this.argIndex < this.args.length) {
      this.out += '%!(EXTRA ' + this.args.slice(this.argIndex).map((a) => `${goTypeName(a)}=${plain(a)}`).join(', ') + ')';
    }
    return this.out;
  }

  private directive(): void {
    const spec = this.flags();
    this.explicitIndex();
    spec.width = this.number(spec, true);
    if (this.format[this.i] === '.') {
      this.i++;
      this.explicitIndex();
      spec.precision = this.number(spec, false) ?? 0;
      if (spec.precision < 0) spec.precision = undefined;
    }
    this.explicitIndex();
    if (this.i >= this.format.length) {
      this.out += '%!(NOVERB)';
      return;
    }
    const verb = String.fromCodePoint(this.format.codePointAt(this.i) as number);
    this.i += verb.length;
    if (verb === '%') {
      this.out += '%';
      return;
    }
    if (this.argIndex >= this.args.length) {
      this.out += `%!${verb}(MISSING)`;
      return;
    }
    this.out += formatArg(this.args[this.argIndex++], verb, spec);
  }

  private flags(): Spec {
    const spec = blankSpec();
    for (; this.i < this.format.length; this.i++) {
      const c = this.format[this.i];
      if (c === '#') spec.sharp = true;
      else if (c === '0') spec.zero = !spec.minus;
      else if (c === '+') spec.plus = true;
      else if (c === ' ') spec.space = true;
      else if (c === '-') {
        spec.minus = true;
        spec.zero = false;
      } else break;
    }
    return spec;
  }

  /** `[n]` chooses the next argument (1-based). */
  private explicitIndex(): void {
    const m = /^\[(\d+)\]/.exec(this.format.slice(this.i, this.i + 12));
    if (!m) return;
    this.reordered = true;
    this.argIndex = Number(m[1]) - 1;
    this.i += m[0].length;
  }

  /** A width or precision: digits, or `*` taking an integer argument. */
  private number(spec: Spec, isWidth: boolean): number | undefined {
    if (this.format[this.i] === '*') {
      this.i++;
      const a = this.args[this.argIndex++];
      if (!a || a.kind !== 'int') {
        this.out += isWidth ? '%!(BADWIDTH)' : '%!(BADPREC)';
        return undefined;
      }
      let n = Number(a.value);
      if (Math.abs(n) > MAX_WIDTH) {
        this.out += isWidth ? '%!(BADWIDTH)' : '%!(BADPREC)';
        return undefined;
      }
      if (isWidth && n < 0) {
        spec.minus = true;
        spec.zero = false;
        n = -n;
      }
      return n;
    }
    const m = /^\d+/.exec(this.format.slice(this.i));
    if (!m) return undefined;
    if (Number(m[0]) > MAX_WIDTH) {
      // As Go: an absurd width or precision swallows the rest of the format.
      this.i = this.format.length;
      return undefined;
    }
    this.i += m[0].length;
    return Number(m[0]);
  }
}

/** Formats like OPA's sprintf: Go's fmt over OPA's conversion of the values. */
export function sprintf(format: string, values: Value[]): string {
  return new Printer(format, values.map(toGoArg)).run();
}

/** The sprintf builtin. */
export const sprintfBuiltins: Builtin[] = [
  {
    name: 'sprintf',
    arity: 2,
    fn: (args) => sprintf(ensureString(args, 0, 'sprintf'), ensureArray(args, 1, 'sprintf')),
  },
];
