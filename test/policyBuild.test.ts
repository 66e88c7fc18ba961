import { execFile, execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadBundle } from '../src/policy/bundle.js';
import { readVerificationKey } from '../src/policy/verifyBundleSignature.js';
import { tempDir } from './helpers/env.js';
import { buildProductBundle, keyPair } from './helpers/opaBundle.js';

const run = promisify(execFile);

let tmp: { dir: string; remove(): void };

beforeEach(() => {
  tmp = tempDir('enigm-policy-build-');
});
afterEach(() => tmp.remove());

/** A copy of the product's policies whose `file` has `from` replaced by `to`. */
function editedPolicies(file: string, from: string, to: string): string {
  const dir = path.join(tmp.dir, 'policies');
  cpSync(path.resolve('policies'), dir, { recursive: true });
  const target = path.join(dir, file);
  const text = readFileSync(target, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} does not contain ${from}`);
  writeFileSync(target, text.replace(from, to));
  return dir;
}

async function build(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, ['scripts/policy-build.mjs', ...args]).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

describe('make policy-build', () => {
  it.each([
    ['decision', 'enigm/trust/decision.rego', 'input.account.session.user_verified == true', 'input.account.session.user_verifed == true', 'session.user_verifed'],
    ['enrollment', 'enigm/trust/enrollment.rego', 'input.account.devices_ever_enrolled == 0', 'input.account.devices_enrolled == 0', 'devices_enrolled'],
  ])('fails when the %s policy reads an input field the schema does not have', async (_name, file, from, to, field) => {
    const policies = editedPolicies(file, from, to);
    const r = await build('--policies', policies, '--out', path.join(tmp.dir, 'b.tar.gz'), '--unsigned');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`rego_type_error: undefined ref: input.account.${field}`);
  });

  it('names the pinned OPA, and signs a bundle whose revision is the hash of the policy sources', async () => {
    const signer = keyPair(tmp.dir, 'signer');
    const out = path.join(tmp.dir, 'b.tar.gz');
    const r = await build('--out', out, '--signing-key', signer.privateKey);
    expect(r.stdout).toMatch(/^policy toolchain: OPA 1\.22\.4 /m);
    const first = await loadBundle(out, { verificationKey: readVerificationKey(signer.publicKey) });
    expect(r.stdout).toContain(`policy bundle ${out}: revision ${first.revision}, signed with ${signer.privateKey}`);
    const again = await loadBundle(buildProductBundle(tmp.dir, 'again'));
    expect(again.revision).toBe(first.revision);
    const policies = path.join(tmp.dir, 'edited');
    cpSync(path.resolve('policies'), policies, { recursive: true });
    appendFileSync(path.join(policies, 'enigm/trust/enrollment.rego'), '\n# edited\n');
    expect((await loadBundle(buildProductBundle(tmp.dir, 'edited', { policies }))).revision).not.toBe(first.revision);
  });
});

describe('make opa', () => {
  it('tells a machine without Go, in one line, what to install', async () => {
    // A PATH with the script's other tools and no go.
    const bin = path.join(tmp.dir, 'bin');
    mkdirSync(bin);
    for (const tool of ['sed', 'sort', 'head', 'dirname', 'mkdir', 'mv']) symlinkSync(execFileSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), path.join(bin, tool));
    const r = await run('/bin/bash', ['scripts/build-opa.sh'], { env: { ...process.env, PATH: bin } })
      .catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect((r as { stderr: string }).stderr).toMatch(/^OPA is built from source and needs Go 1\.26\.0 or newer: install it \(https:\/\/go\.dev\/doc\/install\) and run make again\n$/);
  });
});

describe('make policy-test', () => {
  it('refuses policies that are not formatted as opa fmt writes them', async () => {
    const policies = editedPolicies('enigm/trust/decision.rego', 'known_actions := (live_actions | high_risk_actions) | account_actions', 'known_actions   :=   (live_actions | high_risk_actions) | account_actions');
    const r = await run(process.execPath, ['scripts/policy-test.mjs', '--policies', policies, '--junit', path.join(tmp.dir, 'reports')])
      .catch((e: { code: number; stderr: string }) => e);
    expect(r).toMatchObject({ code: 1 });
    expect((r as { stderr: string }).stderr).toMatch(/not formatted as opa fmt writes them.*\n.*decision\.rego/);
  });
});
