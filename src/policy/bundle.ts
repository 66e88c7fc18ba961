/**
 * The policy bundle the service serves: an OPA bundle built by `opa build -t wasm` (see
 * `make policy-build`), read from a file, its signature checked when a key is configured, its
 * Wasm module instantiated with `@open-policy-agent/opa-wasm`, and the two entrypoints of the
 * policy contract. Evaluation fails closed: an error or a malformed result is a denial.
 */
import { readFile, stat } from 'node:fs/promises';
import { PolicyBundleError } from './bundleError.js';
import { loadWasmPolicy, type WasmPolicy } from './loadWasmPolicy.js';
import { MAX_BUNDLE_BYTES, readBundleArchive } from './readBundleArchive.js';
import { verifyBundleSignature, type VerificationKey } from './verifyBundleSignature.js';

/** The two entrypoints of the policy contract (DESIGN §3), as OPA names them. */
export const ENTRYPOINTS = {
  decision: 'enigm/trust/decision/result',
  enrollment: 'enigm/trust/enrollment/result',
} as const;

export type Entrypoint = keyof typeof ENTRYPOINTS;

export const ENROLLMENT_OUTCOMES = ['pending', 'trusted', 'restricted', 'denied'] as const;

export interface DecisionResult {
  allow: boolean;
  reasons: string[];
  obligations: string[];
}

export interface EnrollmentResult {
  outcome: (typeof ENROLLMENT_OUTCOMES)[number];
  requirements: string[];
  reasons: string[];
}

export interface PolicyBundle {
  /** The revision in the bundle's manifest (`make policy-build` sets the hash of the policy sources). */
  readonly revision: string;
  /** The file it was read from. */
  readonly file: string;
  /** True when its signature was checked against the configured key. */
  readonly verified: boolean;
  /** The Wasm ABI of its module, `1.3`. */
  readonly abi: string;
  /** An entrypoint's raw value (undefined when the policy defines none); throws when evaluation fails. */
  evaluate(entrypoint: Entrypoint, input: unknown): unknown;
  decide(input: unknown): DecisionResult;
  enroll(input: unknown): EnrollmentResult;
  /** Bytes of Wasm memory the policy holds now. */
  memoryBytes(): number;
}

export interface LoadBundleOptions {
  /** When set, the bundle must carry a valid signature by this key. */
  verificationKey?: VerificationKey;
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/** Turns whatever the policy produced into a decision; anything unexpected denies. */
export function toDecision(value: unknown): DecisionResult {
  const v = value as Partial<DecisionResult> | undefined;
  if (v === undefined || v === null || typeof v !== 'object') return { allow: false, reasons: ['policy_undefined'], obligations: [] };
  if (typeof v.allow !== 'boolean' || !isStringArray(v.reasons) || !isStringArray(v.obligations ?? [])) {
    return { allow: false, reasons: ['policy_result_invalid'], obligations: [] };
  }
  return { allow: v.allow, reasons: v.reasons, obligations: v.obligations ?? [] };
}

export function toEnrollment(value: unknown): EnrollmentResult {
  const v = value as Partial<EnrollmentResult> | undefined;
  if (v === undefined || v === null || typeof v !== 'object') return { outcome: 'pending', requirements: [], reasons: ['policy_undefined'] };
  if (!(ENROLLMENT_OUTCOMES as readonly unknown[]).includes(v.outcome) || !isStringArray(v.requirements ?? []) || !isStringArray(v.reasons ?? [])) {
    return { outcome: 'pending', requirements: [], reasons: ['policy_result_invalid'] };
  }
  return { outcome: v.outcome as EnrollmentResult['outcome'], requirements: v.requirements ?? [], reasons: v.reasons ?? [] };
}

async function readBundleFile(file: string): Promise<Buffer> {
  try {
    const { size } = await stat(file);
    if (size > MAX_BUNDLE_BYTES) throw new PolicyBundleError('bundle_too_large', `the file is ${size} bytes; a bundle may have ${MAX_BUNDLE_BYTES}`);
    return await readFile(file);
  } catch (e) {
    if (e instanceof PolicyBundleError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new PolicyBundleError('bundle_missing', 'no such file: build it with `make policy-build`');
    throw new PolicyBundleError('bundle_unreadable', (e as Error).message);
  }
}

interface Manifest {
  revision: string;
  /** entrypoint → the module file that evaluates it */
  modules: Map<string, string>;
}

function readManifest(files: Map<string, Buffer>): Manifest {
  const raw = files.get('.manifest');
  if (raw === undefined) throw new PolicyBundleError('manifest_invalid', 'the bundle has no .manifest: build it with `opa build -t wasm`');
  let doc: { revision?: unknown; wasm?: unknown };
  try {
    doc = JSON.parse(raw.toString('utf8')) as typeof doc;
  } catch {
    throw new PolicyBundleError('manifest_invalid', '.manifest is not JSON');
  }
  if (typeof doc?.revision !== 'string' || doc.revision === '') {
    throw new PolicyBundleError('manifest_invalid', '.manifest names no revision: build with `opa build --revision` (make policy-build does)');
  }
  const modules = new Map<string, string>();
  for (const w of Array.isArray(doc.wasm) ? (doc.wasm as Array<{ entrypoint?: unknown; module?: unknown }>) : []) {
    if (typeof w?.entrypoint === 'string' && typeof w.module === 'string') modules.set(w.entrypoint, w.module.replace(/^\/+/, ''));
  }
  return { revision: doc.revision, modules };
}

/** The one Wasm module that evaluates both entrypoints. */
function policyModule(manifest: Manifest, files: Map<string, Buffer>): Buffer {
  const wanted = Object.values(ENTRYPOINTS);
  const absent = wanted.filter((e) => !manifest.modules.has(e));
  if (absent.length > 0) {
    const has = [...manifest.modules.keys()];
    throw new PolicyBundleError('entrypoint_missing', `the bundle has no Wasm entrypoint ${absent.join(', ')} (it has ${has.join(', ') || 'none'}): build with \`opa build -t wasm -e ${wanted.join(' -e ')}\``);
  }
  const names = new Set(wanted.map((e) => manifest.modules.get(e) as string));
  if (names.size > 1) throw new PolicyBundleError('manifest_invalid', `the entrypoints are in different Wasm modules (${[...names].join(', ')}); build them into one`);
  const [name] = names;
  const wasm = files.get(name);
  if (wasm === undefined) throw new PolicyBundleError('manifest_invalid', `.manifest names ${name}, which the bundle does not hold`);
  return wasm;
}

/** The bundle's data: each `data.json` placed at its folder's path, as OPA does. */
function bundleData(files: Map<string, Buffer>): object {
  const data: Record<string, unknown> = {};
  for (const [name, bytes] of files) {
    if (/(^|\/)data\.ya?ml$/.test(name)) throw new PolicyBundleError('not_a_bundle', `${name}: YAML data is not supported; use data.json`);
    if (name !== 'data.json' && !name.endsWith('/data.json')) continue;
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new PolicyBundleError('not_a_bundle', `${name} is not JSON`);
    }
    const at = name.split('/').slice(0, -1);
    if (at.length === 0 && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      throw new PolicyBundleError('not_a_bundle', 'data.json must hold an object');
    }
    let parent = data;
    for (const key of at.slice(0, -1)) parent = (parent[key] ??= {}) as Record<string, unknown>;
    if (at.length === 0) Object.assign(data, value);
    else if (at[at.length - 1] in parent) throw new PolicyBundleError('not_a_bundle', `${name} overlaps other data`);
    else parent[at[at.length - 1]] = value;
  }
  return data;
}

/**
 * Reads, verifies and instantiates the bundle at `file`. Rejects with a `PolicyBundleError`
 * naming the problem, so a bad bundle never starts serving.
 */
export async function loadBundle(file: string, options: LoadBundleOptions = {}): Promise<PolicyBundle> {
  let manifest: Manifest;
  let wasm: WasmPolicy;
  try {
    const files = await readBundleArchive(await readBundleFile(file));
    if (options.verificationKey !== undefined) await verifyBundleSignature(files, options.verificationKey);
    manifest = readManifest(files);
    wasm = await loadWasmPolicy(policyModule(manifest, files), bundleData(files), Object.values(ENTRYPOINTS));
  } catch (e) {
    if (e instanceof PolicyBundleError) e.file ??= file;
    throw e;
  }
  const evaluate = (entrypoint: Entrypoint, input: unknown) => wasm.evaluate(ENTRYPOINTS[entrypoint], input);
  return {
    revision: manifest.revision,
    file,
    verified: options.verificationKey !== undefined,
    abi: wasm.abi,
    evaluate,
    decide(input) {
      try {
        return toDecision(evaluate('decision', input));
      } catch {
        return { allow: false, reasons: ['policy_error'], obligations: [] };
      }
    },
    enroll(input) {
      try {
        return toEnrollment(evaluate('enrollment', input));
      } catch {
        return { outcome: 'pending', requirements: [], reasons: ['policy_error'] };
      }
    },
    memoryBytes: wasm.memoryBytes,
  };
}
