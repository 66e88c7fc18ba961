/**
 * One OPA-compiled Wasm module, instantiated with `@open-policy-agent/opa-wasm`, checked before
 * it is trusted with a decision: an OPA policy module, an ABI the SDK takes, every host builtin
 * it calls provided, every entrypoint the service asks for present.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { loadPolicy, type LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { PolicyBundleError } from './bundleError.js';

// Node has WebAssembly; the TypeScript libraries this project builds with (ES2023, Node 20's
// types) do not describe it, so name the little used here.
type WasmModule = object;
interface WasmRuntime {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  Module: { exports(module: WasmModule): Array<{ name: string }> };
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WasmRuntime }).WebAssembly;
type Exports = Record<string, unknown>;

/** The functions every OPA policy module of ABI 1.x exports. */
const REQUIRED_EXPORTS = ['opa_wasm_abi_version', 'entrypoints', 'builtins', 'eval', 'opa_heap_ptr_get', 'opa_heap_ptr_set', 'opa_malloc', 'opa_json_parse', 'opa_json_dump'];

// 64 KiB pages: a decision needs well under 1 MiB; the bound keeps a pathological input from
// taking the process's memory (the evaluation fails, and a failed evaluation denies).
const MEMORY = { initial: 5, maximum: 1600 };

// The SDK implements a few builtins in JavaScript (sprintf, regex.split, …) and resolves the
// rest to nothing at call time. Its list is not exported, so read it from beside its entry point
// and refuse a module that would call one it lacks, rather than deny every decision later.
const require = createRequire(import.meta.url);
const sdkBuiltins: ReadonlySet<string> = new Set(Object.keys(
  require(path.join(path.dirname(require.resolve('@open-policy-agent/opa-wasm')), 'builtins/index.js')) as object,
));

export interface WasmPolicy {
  /** `1.3`: the ABI the module was compiled for. */
  readonly abi: string;
  /** The entrypoints the module can evaluate. */
  readonly entrypoints: readonly string[];
  /** The entrypoint's value for `input`, undefined when the policy defines none; throws when evaluation fails. */
  evaluate(entrypoint: string, input: unknown): unknown;
  /** Bytes of Wasm memory the module holds now. */
  memoryBytes(): number;
}

function exportsOf(policy: LoadedPolicy): Exports {
  return (policy.wasmInstance as unknown as { exports: Exports }).exports;
}

function abiOf(policy: LoadedPolicy): string {
  const exports = exportsOf(policy);
  const read = (name: string) => (exports[name] as { value: number } | undefined)?.value;
  return `${read('opa_wasm_abi_version')}.${read('opa_wasm_abi_minor_version') ?? 0}`;
}

function hostBuiltins(policy: LoadedPolicy): string[] {
  const exports = exportsOf(policy) as Record<string, (...a: number[]) => number>;
  const at = exports.opa_json_dump(exports.builtins());
  const bytes = new Uint8Array((policy.mem as unknown as { buffer: ArrayBuffer }).buffer);
  let end = at;
  while (bytes[end] !== 0) end++;
  return Object.keys(JSON.parse(new TextDecoder().decode(bytes.subarray(at, end))) as object);
}

async function compile(wasm: Buffer): Promise<WasmModule> {
  try {
    return await WebAssembly.compile(wasm);
  } catch (e) {
    throw new PolicyBundleError('wasm_invalid', `policy.wasm is not a WebAssembly module: ${(e as Error).message}`);
  }
}

async function instantiate(module: WasmModule): Promise<LoadedPolicy> {
  try {
    return await loadPolicy(module as Parameters<typeof loadPolicy>[0], { ...MEMORY });
  } catch (e) {
    // The SDK throws a bare string when it refuses a module.
    const message = typeof e === 'string' ? e : (e as Error).message;
    const abi = /unsupported ABI version (\S+)/.exec(message);
    if (abi) throw new PolicyBundleError('wasm_abi_unsupported', `policy.wasm was compiled for Wasm ABI ${abi[1]}.x; @open-policy-agent/opa-wasm takes ABI 1.x`);
    throw new PolicyBundleError('wasm_invalid', `policy.wasm cannot be instantiated: ${message}`);
  }
}

/**
 * Compiles and instantiates `wasm`, sets `data`, and checks that it can evaluate each of
 * `entrypoints`. Rejects with a `PolicyBundleError` saying what is wrong with the module.
 */
export async function loadWasmPolicy(wasm: Buffer, data: object, entrypoints: readonly string[]): Promise<WasmPolicy> {
  const module = await compile(wasm);
  const exported = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  const missing = REQUIRED_EXPORTS.filter((name) => !exported.has(name));
  if (missing.includes('opa_wasm_abi_version')) throw new PolicyBundleError('wasm_abi_unsupported', 'policy.wasm declares no OPA Wasm ABI version: it was not compiled by `opa build -t wasm`');
  if (missing.length > 0) throw new PolicyBundleError('wasm_invalid', `policy.wasm is not an OPA policy module: it does not export ${missing.join(', ')}`);
  const policy = await instantiate(module);
  const lacking = hostBuiltins(policy).filter((name) => !sdkBuiltins.has(name));
  if (lacking.length > 0) {
    throw new PolicyBundleError('wasm_builtin_missing', `policy.wasm calls ${lacking.join(', ')}, which @open-policy-agent/opa-wasm does not provide: use other builtins`);
  }
  const ids = policy.entrypoints as Record<string, number>;
  const absent = entrypoints.filter((e) => !(e in ids));
  if (absent.length > 0) {
    throw new PolicyBundleError('entrypoint_missing', `policy.wasm has no entrypoint ${absent.join(', ')} (it has ${Object.keys(ids).join(', ') || 'none'})`);
  }
  policy.setData(data);
  return {
    abi: abiOf(policy),
    entrypoints: Object.keys(ids),
    evaluate(entrypoint, input) {
      // Asked by name: the SDK would take a missing id as entrypoint 0, another policy.
      if (!(entrypoint in ids)) throw new Error(`no entrypoint ${entrypoint}`);
      const rows = policy.evaluate(input, ids[entrypoint]) as Array<{ result: unknown }>;
      if (!Array.isArray(rows)) throw new Error('the policy returned no result set');
      if (rows.length > 1) throw new Error(`the entrypoint ${entrypoint} produced ${rows.length} results, expected one`);
      return rows[0]?.result;
    },
    memoryBytes: () => (policy.mem as unknown as { buffer: ArrayBuffer }).buffer.byteLength,
  };
}
