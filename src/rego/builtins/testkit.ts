/**
 * Helpers for the builtin tests (not used by the engine): call a builtin through the
 * table with plain JS arguments, and compare results as Rego values.
 */
import { canonicalKey, fromJS, type Value } from '../value/index.js';
import { builtins } from './index.js';
import { BuiltinError, type Builtin, type BuiltinContext } from './types.js';

/** A context whose print output is collected in `printed`. */
export function testContext(): BuiltinContext & { printed: string[] } {
  const printed: string[] = [];
  return { strict: true, nowNs: 0n, cache: new Map(), print: (m) => printed.push(m), printed };
}

/** Calls builtin `name` with JS arguments converted to Rego values (undefined kept as is). */
export function call(name: string, args: unknown[], ctx: BuiltinContext = testContext()): Value | undefined {
  const b = builtins.get(name);
  if (!b) throw new Error(`no builtin ${name}`);
  if (b.arity >= 0 && b.arity !== args.length) throw new Error(`${name} takes ${b.arity} arguments`);
  return b.fn(args.map((a) => (a === undefined ? (undefined as unknown as Value) : fromJS(a))), ctx);
}

/** Canonical text of a result, so that tests compare Rego values (a set is not an array). */
export function rego(v: Value | undefined): string {
  return v === undefined ? '<undefined>' : canonicalKey(v);
}

/** Canonical text of a JS value read as a Rego value. */
export function js(v: unknown): string {
  return v === undefined ? '<undefined>' : canonicalKey(fromJS(v));
}

/** The BuiltinError a call throws; fails when it throws nothing or something else. */
export function errorOf(name: string, args: unknown[]): BuiltinError {
  try {
    call(name, args);
  } catch (e) {
    if (e instanceof BuiltinError) return e;
    throw e;
  }
  throw new Error(`${name} did not fail`);
}

/**
 * A caller bound to one family's builtins and a context of its own, taking Rego values as
 * they are: `call` (checking the arity unless told not to) and `errorOf`, the BuiltinError a
 * call throws.
 */
export function familyCaller(family: readonly Builtin[], opts: { nowNs?: bigint; checkArity?: boolean } = {}) {
  const table = new Map(family.map((b) => [b.name, b]));
  const ctx: BuiltinContext = { strict: true, nowNs: opts.nowNs ?? 0n, cache: new Map(), print: () => undefined };
  const call = (name: string, ...args: Value[]): Value | undefined => {
    const b = table.get(name);
    if (!b) throw new Error(`no builtin ${name}`);
    if ((opts.checkArity ?? true) && b.arity >= 0 && args.length !== b.arity) throw new Error(`${name} takes ${b.arity} arguments, got ${args.length}`);
    return b.fn(args, ctx);
  };
  const errorOf = (name: string, ...args: Value[]): BuiltinError => {
    try {
      call(name, ...args);
    } catch (e) {
      if (e instanceof BuiltinError) return e;
      throw e;
    }
    throw new Error(`${name} did not fail`);
  };
  return { call, errorOf, table, ctx };
}
