/**
 * Semantic versions: `semver.is_valid` and `semver.compare`, as OPA parses and orders them.
 */
import type { Value } from '../value/index.js';
import { builtinError, ensureString } from './args.js';
import type { Builtin } from './types.js';

/** A parsed version; build metadata is kept out because it never affects precedence. */
interface Version {
  readonly core: [bigint, bigint, bigint];
  readonly prerelease: string[];
}

const IDENTIFIERS = /^[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*$/;
const INT64 = /^[+-]?[0-9]+$/;
const INT64_MIN = -(2n ** 63n), INT64_MAX = 2n ** 63n - 1n;

/** A decimal integer as Go's strconv.ParseInt reads it (sign and leading zeros allowed). */
function parseInt64(text: string): bigint | undefined {
  if (!INT64.test(text)) return undefined;
  const n = BigInt(text);
  return n >= INT64_MIN && n <= INT64_MAX ? n : undefined;
}

/** Removes and returns what follows the first `delim` (empty when there is none). */
function splitOff(text: string, delim: string): [string, string] {
  const i = text.indexOf(delim);
  return i < 0 ? [text, ''] : [text.slice(0, i), text.slice(i + delim.length)];
}

/**
 * The version `text` denotes, or undefined. OPA's parser (from coreos/go-semver) is more
 * lenient than SemVer 2.0.0: numbers may have leading zeros or a sign.
 */
export function parseSemver(text: string): Version | undefined {
  const [rest, metadata] = splitOff(text, '+');
  const [core, prerelease] = splitOff(rest, '-');
  if ((prerelease !== '' && !IDENTIFIERS.test(prerelease)) || (metadata !== '' && !IDENTIFIERS.test(metadata))) return undefined;
  const parts = core.split('.');
  if (parts.length < 3) return undefined;
  // Go splits into at most three parts, so a fourth dot ends up inside the patch number.
  const numbers = [parts[0], parts[1], parts.slice(2).join('.')].map(parseInt64);
  if (numbers.some((n) => n === undefined)) return undefined;
  return { core: numbers as [bigint, bigint, bigint], prerelease: prerelease === '' ? [] : prerelease.split('.') };
}

function compareBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Numeric identifiers compare as numbers and rank below alphanumeric ones; then as text. */
function compareIdentifiers(a: string, b: string): number {
  const an = parseInt64(a), bn = parseInt64(b);
  if ((an === undefined) !== (bn === undefined)) return an === undefined ? 1 : -1;
  if (an !== undefined && bn !== undefined && an !== bn) return compareBig(an, bn);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** SemVer precedence: -1, 0 or 1. A version with a pre-release ranks below the release. */
export function compareSemver(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) {
    const c = compareBig(a.core[i], b.core[i]);
    if (c !== 0) return c;
  }
  const pa = a.prerelease, pb = b.prerelease;
  if (pa.length === 0 || pb.length === 0) return pa.length === pb.length ? 0 : pa.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const c = compareIdentifiers(pa[i], pb[i]);
    if (c !== 0) return c;
  }
  return compareBig(BigInt(pa.length), BigInt(pb.length));
}

function versionArg(args: Value[], i: number): Version {
  const text = ensureString(args, i, 'semver.compare');
  const v = parseSemver(text);
  if (v === undefined) throw builtinError('semver.compare', `operand ${i + 1}: string ${JSON.stringify(text)} is not a valid SemVer`);
  return v;
}

/** The semver family; is_valid is false (not an error) for a non-string. */
export const semverBuiltins: Builtin[] = [
  { name: 'semver.is_valid', arity: 1, fn: (args) => typeof args[0] === 'string' && parseSemver(args[0]) !== undefined },
  { name: 'semver.compare', arity: 2, fn: (args) => compareSemver(versionArg(args, 0), versionArg(args, 1)) },
];
