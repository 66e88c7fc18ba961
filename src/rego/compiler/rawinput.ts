/**
 * Reading the caller's plain JS input without converting it. Every constant-key path a
 * policy reads below `input` (`input.device.state`, `input.xs[0]`) is a node of one trie
 * shared by the policy's rules and queries; an evaluation remembers, per node, what the
 * raw input holds there. A prefix shared by many refs (`input.device`) is walked once per
 * evaluation, and a ref read by many rules costs an array lookup after the first.
 */
import { canonicalKey, type Value } from '../value/index.js';
import { convertInput, type Ctx } from './context.js';

/** Marks a path the raw input does not have. */
export const MISSING = Symbol('missing');
/** Marks a path that goes through something other than plain objects and arrays. */
export const NOT_PLAIN = Symbol('not plain JSON');

/** One constant-key path below `input`. */
export class InputPath {
  readonly children = new Map<string, InputPath>();
  /** `rawAt` for this path, written out (see codegen.ts); made on first use. */
  reader: ((c: Ctx) => unknown) | undefined = undefined;

  constructor(
    /** Index of the path in per-evaluation memos. */
    readonly id: number,
    readonly parent: InputPath | undefined,
    readonly key: Value,
  ) {}
}

/** The trie of the input paths of one compiled policy. */
export class InputPaths {
  private size = 0;

  /** How many paths there are (the size of a context's `reads`). */
  get count(): number {
    return this.size;
  }

  private readonly roots = new Map<string, InputPath>();

  /** The node of `keys` (at least one), created on first use. */
  node(keys: readonly Value[]): InputPath {
    let parent: InputPath | undefined;
    let level = this.roots;
    for (const k of keys) {
      const ck = canonicalKey(k);
      let n = level.get(ck);
      if (!n) {
        n = new InputPath(this.size++, parent, k);
        level.set(ck, n);
      }
      parent = n;
      level = n.children;
    }
    return parent as InputPath;
  }
}

/**
 * What the raw input holds at `n` (MISSING, NOT_PLAIN or a JS value), memoised in `c`.
 * Objects are checked to be plain when first reached, so that stepping into one again
 * costs a property read only.
 */
export function rawAt(c: Ctx, n: InputPath): unknown {
  const reads = c.reads;
  const known = reads[n.id];
  if (known !== undefined) return known;
  const parent = n.parent === undefined ? plainOrNot(c.rawInput) : rawAt(c, n.parent);
  const v = parent === MISSING || parent === NOT_PLAIN ? parent : stepRaw(parent, n);
  reads[n.id] = v;
  return v;
}

/** `v` itself, or NOT_PLAIN for an object that is neither an array nor a plain object. */
export function plainOrNot(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null ? v : NOT_PLAIN;
}

/** `v[k]` on plain JSON-like JS values (see `plainOrNot`), as `indexValue` reads the converted value. */
function stepRaw(v: unknown, n: InputPath): unknown {
  if (v === null || typeof v !== 'object') return MISSING;
  const k = n.key;
  let x: unknown;
  if (Array.isArray(v)) {
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 0) return MISSING;
    x = v[k];
  } else {
    if (typeof k !== 'string') return MISSING;
    x = (v as Record<string, unknown>)[k];
    // Only Object.prototype's functions and `__proto__` can be found without being own.
    if ((typeof x === 'function' || k === '__proto__') && !Object.hasOwn(v, k)) return MISSING;
  }
  return x === undefined ? MISSING : plainOrNot(x);
}

/** A raw JS value as a Rego value: scalars in normal form as they are, the rest converted. */
export function leafValue(leaf: unknown): Value | undefined {
  switch (typeof leaf) {
    case 'string':
    case 'boolean':
      return leaf;
    case 'number':
      // Safe integers and other finite doubles are already in normal form, but for -0.
      if (Number.isSafeInteger(leaf)) return leaf === 0 ? 0 : leaf;
      if (!Number.isInteger(leaf) && Number.isFinite(leaf)) return leaf;
      return convertInput(leaf);
    default:
      return leaf === MISSING ? undefined : leaf === null ? null : convertInput(leaf);
  }
}
