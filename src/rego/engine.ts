/**
 * The engine facade: modules and base data in, prepared queries out. Modules are parsed
 * when added and compiled together once per change; a prepared query evaluates many times
 * without parsing or compiling anything.
 */
import type { Module } from './ast/nodes.js';
import { builtins as defaultBuiltins } from './builtins/index.js';
import type { BuiltinContext, BuiltinTable } from './builtins/types.js';
import { Ctx, type EvalShared, type Scratch } from './compiler/context.js';
import { compilePolicy, compileQuery, type CompiledPolicy, type CompiledQuery } from './compiler/index.js';
import { RegoError } from './errors.js';
import { Limiter, type LimitOptions } from './limits.js';
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
    return new Prepared(compileQuery(this.policy, body), this.policy, this.data, this.opts);
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

const discard = (): void => undefined;

/**
 * What builtins see of one evaluation. The clock is read when the evaluation starts but
 * turned into nanoseconds, and the cache made, only if a builtin asks.
 */
class EvalBuiltinContext implements BuiltinContext {
  private readonly startMs: number;
  private now: bigint | undefined;
  private memo: Map<string, Value> | undefined;

  constructor(
    readonly strict: boolean,
    readonly print: (message: string) => void,
    nowNs: bigint | undefined,
  ) {
    this.now = nowNs;
    this.startMs = nowNs === undefined ? Date.now() : 0;
  }

  get nowNs(): bigint {
    return (this.now ??= BigInt(this.startMs) * 1_000_000n);
  }

  get cache(): Map<string, Value> {
    return (this.memo ??= new Map());
  }
}

class Prepared implements PreparedQuery {
  private readonly print: (message: string) => void;
  private readonly strict: boolean;
  /** The engine's limits, for evaluations that do not override them. */
  private readonly limits: LimitOptions;

  constructor(
    private readonly query: CompiledQuery,
    private readonly policy: CompiledPolicy,
    private readonly data: Value,
    private readonly opts: RegoEngineOptions,
  ) {
    this.print = opts.print ?? discard;
    this.strict = opts.strict ?? false;
    this.limits = { maxSteps: opts.maxSteps, timeoutMs: opts.timeoutMs };
  }

  eval(input?: unknown, opts?: EvalOptions): EvalResult[] {
    const rows = this.evalValues(input, opts);
    const out: EvalResult[] = new Array(rows.length);
    try {
      for (let i = 0; i < rows.length; i++) {
        const bindings: Record<string, unknown> = {};
        if (rows[i].bindings.size > 0) for (const [k, v] of rows[i].bindings) {
          // A variable may be called `__proto__`: define it rather than set the prototype.
          if (k === '__proto__') Object.defineProperty(bindings, k, { value: toJS(v), enumerable: true, writable: true, configurable: true });
          else bindings[k] = toJS(v);
        }
        out[i] = { expressions: rows[i].expressions.map(toJS), bindings };
      }
    } catch (err) {
      throw depthError(err);
    }
    return out;
  }

  evalValues(input?: unknown, opts?: EvalOptions): EvalValueResult[] {
    const builtinCtx = new EvalBuiltinContext(this.strict, this.print, opts?.nowNs);
    const shared: EvalShared = {
      limiter: new Limiter(opts?.timeoutMs === undefined ? this.limits : { maxSteps: this.opts.maxSteps, timeoutMs: opts.timeoutMs }),
      builtinCtx,
      strict: this.strict,
      print: this.print,
    };
    // The input is converted lazily: refs of constant keys read the JS object directly.
    const scratch = this.scratch();
    const ctx = new Ctx(undefined, this.data, shared, null, null, input, scratch);
    const rows: EvalValueResult[] = [];
    try {
      this.query.run(ctx, rows);
    } catch (err) {
      throw depthError(err);
    }
    return rows;
  }

  /** Memo arrays of the right size (cheaper than growing them; clearing costs more). */
  private scratch(): Scratch {
    return { memo: new Array(this.policy.nodeCount), reads: new Array(this.policy.inputPaths.count) };
  }
}

/** A JS stack overflow (deeply nested values) becomes a RegoError; other errors pass. */
function depthError(err: unknown): unknown {
  if (err instanceof RangeError) return new RegoError('eval_cancel_error', `evaluation too deep: ${err.message}`);
  return err;
}
