/**
 * The engine facade: modules and base data in, prepared queries out. Modules are parsed
 * when added and compiled together once per change; a prepared query evaluates many times
 * without parsing or compiling anything.
 */
import type { Module } from './ast/nodes.js';
import { builtins as defaultBuiltins } from './builtins/index.js';
import type { BuiltinContext, BuiltinTable } from './builtins/types.js';
import { Ctx, type EvalShared } from './compiler/context.js';
import { compilePolicy, compileQuery, type CompiledPolicy, type CompiledQuery } from './compiler/index.js';
import { RegoError } from './errors.js';
import { Limiter } from './limits.js';
import { parseModule, parseQuery } from './parser/index.js';
import { fromJS, ObjectValue, toJS, ValueConversionError, type Value } from './value/index.js';

/** Options of an engine. */
export interface RegoEngineOptions {
  /** Builtin errors fail the query (true) or make the call undefined (false, the default). */
  strict?: boolean;
  /** Syntax of added modules and queries: 'v1' (default) or OPA's v0-compatible mode. */
  regoVersion?: 'v0' | 'v1';
  /** Receives `print` output (default: discarded). */
  print?: (msg: string) => void;
  /** Step budget of one evaluation. */
  maxSteps?: number;
  /** Time budget of one evaluation, in milliseconds. */
  timeoutMs?: number;
  /** Builtins to use instead of the standard table. */
  builtins?: BuiltinTable;
}

/** Per-evaluation options. */
export interface EvalOptions {
  /** Value of `time.now_ns()` (default: the clock when evaluation starts). */
  nowNs?: bigint;
  /** Overrides the engine's time budget for this evaluation. */
  timeoutMs?: number;
}

/** One solution of a query as plain JSON. */
export interface EvalResult {
  expressions: unknown[];
  bindings: Record<string, unknown>;
}

/** One solution of a query as Rego values. */
export interface EvalValueResult {
  expressions: Value[];
  bindings: Map<string, Value>;
}

/** A query compiled against the engine's modules and data. */
export interface PreparedQuery {
  /** Evaluates; an empty array means undefined. Sets become sorted arrays. */
  eval(input?: unknown, opts?: EvalOptions): EvalResult[];
  /** Evaluates, returning raw Rego values. */
  evalValues(input?: unknown, opts?: EvalOptions): EvalValueResult[];
}

/** A Rego engine with OPA 1.x semantics. */
export class RegoEngine {
  private readonly mods = new Map<string, Module>();
  private data: Value = new ObjectValue();
  private policy: CompiledPolicy | undefined;
  private readonly opts: RegoEngineOptions;

  constructor(opts: RegoEngineOptions = {}) {
    this.opts = opts;
  }

  /** Parses a module and adds it (replacing one added under the same path). */
  addModule(path: string, source: string): void {
    this.mods.set(path, parseModule(path, source, { regoVersion: this.opts.regoVersion ?? 'v1' }));
    this.policy = undefined;
  }

  /** Sets the base document `data`. */
  setData(data: unknown): void {
    this.data = convert(data ?? {}, 'data');
    this.policy = undefined;
  }

  /** The parsed modules, in the order they were added. */
  modules(): ReadonlyArray<Module> {
    return [...this.mods.values()];
  }

  /** Compiles the modules (once until they change) and the query. */
  prepare(query: string): PreparedQuery {
    this.policy ??= compilePolicy(this.modules(), this.opts.builtins ?? defaultBuiltins, this.data);
    const body = parseQuery(query, { regoVersion: this.opts.regoVersion ?? 'v1' });
    return new Prepared(compileQuery(this.policy, body), this.data, this.opts);
  }
}

function convert(v: unknown, what: string): Value {
  try {
    return fromJS(v);
  } catch (err) {
    if (err instanceof ValueConversionError) throw new RegoError('eval_type_error', `${what}: ${err.message}`);
    throw err;
  }
}

class Prepared implements PreparedQuery {
  constructor(
    private readonly query: CompiledQuery,
    private readonly data: Value,
    private readonly opts: RegoEngineOptions,
  ) {}

  eval(input?: unknown, opts?: EvalOptions): EvalResult[] {
    const rows = this.evalValues(input, opts);
    return guardDepth(() => rows.map((r) => ({
      expressions: r.expressions.map(toJS),
      bindings: Object.fromEntries([...r.bindings].map(([k, v]) => [k, toJS(v)])),
    })));
  }

  evalValues(input?: unknown, opts: EvalOptions = {}): EvalValueResult[] {
    const print = this.opts.print ?? (() => undefined);
    const builtinCtx: BuiltinContext = {
      strict: this.opts.strict ?? false,
      nowNs: opts.nowNs ?? BigInt(Date.now()) * 1_000_000n,
      cache: new Map(),
      print,
    };
    const shared: EvalShared = {
      limiter: new Limiter({ maxSteps: this.opts.maxSteps, timeoutMs: opts.timeoutMs ?? this.opts.timeoutMs }),
      builtinCtx,
      strict: builtinCtx.strict,
      print,
    };
    return guardDepth(() => {
      // The input is converted lazily: refs of constant keys read the JS object directly.
      const ctx = new Ctx(undefined, this.data, shared, null, null, input);
      const rows: EvalValueResult[] = [];
      this.query.run(ctx, (row) => rows.push(row));
      return rows;
    });
  }
}

/** Runs `fn`, turning a JS stack overflow (deeply nested values) into a RegoError. */
function guardDepth<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RangeError) throw new RegoError('eval_cancel_error', `evaluation too deep: ${err.message}`);
    throw err;
  }
}
