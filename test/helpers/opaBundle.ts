/**
 * Policy bundles of a test's own, built by the pinned OPA (`make opa`) exactly as
 * `make policy-build` builds the product's, and taken apart or put together again to make
 * the bad bundles a loader must refuse.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { ENTRYPOINTS } from '../../src/policy/bundle.js';
import { readBundleArchive } from '../../src/policy/readBundleArchive.js';

export const OPA = path.resolve('.tools/bin/opa');

/** Rego that satisfies both entrypoints: trusted devices may, nothing else; enrollment waits for an admin. */
export const MINIMAL_POLICIES: Readonly<Record<string, string>> = {
  'decision.rego': `package enigm.trust.decision

default allow := false

allow if input.device.state == "trusted"

reasons contains "device_trusted" if allow

reasons contains "device_not_trusted" if not allow

result := {"allow": allow, "reasons": reasons, "obligations": []}
`,
  'enrollment.rego': `package enigm.trust.enrollment

result := {"outcome": "pending", "requirements": ["admin_approval"], "reasons": []}
`,
};

export interface BuildOptions {
  /** Slash-separated entrypoints; default both of the policy contract. */
  entrypoints?: string[];
  revision?: string;
  /** PEM file of the private key to sign with (ES256 for EC P-256 keys). */
  signingKey?: string;
}

/** Writes `files` under `dir/src` and builds them into `dir/<name>.tar.gz`; returns its path. */
export function buildBundle(dir: string, name: string, files: Readonly<Record<string, string>>, options: BuildOptions = {}): string {
  if (!existsSync(OPA)) throw new Error(`${OPA} is missing: run \`make opa\` (make test does) before the tests`);
  const src = path.join(dir, `${name}-src`);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(src, file)), { recursive: true });
    writeFileSync(path.join(src, file), text);
  }
  const out = path.join(dir, `${name}.tar.gz`);
  const entrypoints = options.entrypoints ?? Object.values(ENTRYPOINTS);
  execFileSync(OPA, [
    'build', '--bundle', '--target', 'wasm', ...entrypoints.flatMap((e) => ['--entrypoint', e]),
    '--revision', options.revision ?? `test-${name}`,
    ...(options.signingKey ? ['--signing-key', options.signingKey, '--signing-alg', 'ES256'] : []),
    '--output', out, src,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  return out;
}

/**
 * The product's policies (or a copy in `options.policies`) built by `scripts/policy-build.mjs`,
 * as `make policy-build` builds them, into `dir/<name>.tar.gz`; unsigned unless a key is given.
 */
export function buildProductBundle(dir: string, name: string, options: { signingKey?: string; policies?: string } = {}): string {
  const out = path.join(dir, `${name}.tar.gz`);
  execFileSync(process.execPath, [
    'scripts/policy-build.mjs', '--out', out, ...(options.policies ? ['--policies', options.policies] : []),
    ...(options.signingKey ? ['--signing-key', options.signingKey] : ['--unsigned']),
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  return out;
}

/** A fresh EC P-256 key pair as PEM files in `dir`. */
export function keyPair(dir: string, name: string): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const files = { privateKey: path.join(dir, `${name}.pem`), publicKey: path.join(dir, `${name}.pub.pem`) };
  writeFileSync(files.privateKey, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(files.publicKey, publicKey.export({ type: 'spki', format: 'pem' }));
  return files;
}

/** The files of a bundle on disk. */
export function bundleFiles(file: string): Promise<Map<string, Buffer>> {
  return readBundleArchive(readFileSync(file));
}

/** Writes `files` as a gzipped tar at `file`, as `opa build` lays a bundle out. */
export async function writeBundle(file: string, files: Map<string, Buffer>): Promise<string> {
  const tar = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of tar) chunks.push(chunk as Buffer);
  })();
  for (const [name, bytes] of files) tar.entry({ name: `/${name}`, size: bytes.length }, bytes);
  tar.finalize();
  await done;
  writeFileSync(file, gzipSync(Buffer.concat(chunks)));
  return file;
}

function readLeb(bytes: Buffer, at: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  let next = at;
  for (;;) {
    const b = bytes[next++];
    value |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) return { value, next };
    shift += 7;
  }
}

/**
 * A copy of an OPA policy module whose exported `opa_wasm_abi_version` global says `version`:
 * what a module built for an ABI the SDK does not know looks like. The global's initialiser
 * is `i32.const <one LEB128 byte>`, so the value is replaced in place.
 */
export function withAbiVersion(wasm: Buffer, version: number): Buffer {
  const sections = new Map<number, { start: number; end: number }>();
  for (let at = 8; at < wasm.length;) {
    const id = wasm[at];
    const size = readLeb(wasm, at + 1);
    sections.set(id, { start: size.next, end: size.next + size.value });
    at = size.next + size.value;
  }
  const exportSection = sections.get(7);
  const globalSection = sections.get(6);
  if (!exportSection || !globalSection) throw new Error('not an OPA policy module');
  let global = -1;
  let at = readLeb(wasm, exportSection.start).next;
  while (at < exportSection.end && global < 0) {
    const nameLength = readLeb(wasm, at);
    const name = wasm.subarray(nameLength.next, nameLength.next + nameLength.value).toString('utf8');
    const kind = wasm[nameLength.next + nameLength.value];
    const index = readLeb(wasm, nameLength.next + nameLength.value + 1);
    if (name === 'opa_wasm_abi_version' && kind === 3) global = index.value;
    at = index.next;
  }
  const patched = Buffer.from(wasm);
  at = readLeb(wasm, globalSection.start).next;
  for (let i = 0; ; i++) {
    // valtype, mutability, then the constant expression: i32.const (0x41) LEB … end (0x0b)
    const init = at + 2;
    if (i === global) {
      if (wasm[init] !== 0x41 || wasm[init + 2] !== 0x0b) throw new Error('unexpected initialiser for opa_wasm_abi_version');
      patched[init + 1] = version;
      return patched;
    }
    if (wasm[init] !== 0x41 && wasm[init] !== 0x42) throw new Error(`unexpected initialiser of global ${i}`);
    at = readLeb(wasm, init + 1).next + 1;
  }
}
