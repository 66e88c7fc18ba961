import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { tempDir } from '../../test/helpers/env.js';
import { buildBundle, bundleFiles, keyPair, MINIMAL_POLICIES, withAbiVersion, writeBundle } from '../../test/helpers/opaBundle.js';
import { loadBundle } from './bundle.js';
import { PolicyBundleError, type BundleErrorCode } from './bundleError.js';
import { openPolicyStore } from './policyStore.js';
import { parseVerificationKey, readVerificationKey } from './verifyBundleSignature.js';

let tmp: { dir: string; remove(): void };
let plain: string;
let signer: { privateKey: string; publicKey: string };
let signed: string;

beforeAll(() => {
  tmp = tempDir('enigm-bundles-');
  plain = buildBundle(tmp.dir, 'plain', MINIMAL_POLICIES, { revision: 'rev-plain' });
  signer = keyPair(tmp.dir, 'signer');
  signed = buildBundle(tmp.dir, 'signed', MINIMAL_POLICIES, { revision: 'rev-signed', signingKey: signer.privateKey });
});

afterAll(() => tmp.remove());

const key = () => readVerificationKey(signer.publicKey);

async function refusal(file: string, options: Parameters<typeof loadBundle>[1] = {}): Promise<{ code: BundleErrorCode; message: string; file: string | undefined }> {
  const err = await loadBundle(file, options).then(() => undefined, (e: unknown) => e);
  if (!(err instanceof PolicyBundleError)) throw new Error(`expected a PolicyBundleError, got ${String(err)}`);
  return { code: err.code, message: err.message, file: err.file };
}

/** `plain`'s files with `change` applied, written as a new bundle. */
async function altered(name: string, from: string, change: (files: Map<string, Buffer>) => void): Promise<string> {
  const files = await bundleFiles(from);
  change(files);
  return writeBundle(path.join(tmp.dir, `${name}.tar.gz`), files);
}

describe('a policy bundle built by OPA', () => {
  it('evaluates both entrypoints through Wasm and reports the revision of its manifest', async () => {
    const b = await loadBundle(plain);
    expect(b.revision).toBe('rev-plain');
    expect(b.verified).toBe(false);
    expect(b.abi).toMatch(/^1\.\d+$/);
    expect(b.decide({ device: { state: 'trusted' } })).toEqual({ allow: true, reasons: ['device_trusted'], obligations: [] });
    expect(b.decide({ device: { state: 'revoked' } })).toEqual({ allow: false, reasons: ['device_not_trusted'], obligations: [] });
    expect(b.enroll({})).toEqual({ outcome: 'pending', requirements: ['admin_approval'], reasons: [] });
  });

  it('is verified against the configured public key', async () => {
    const b = await loadBundle(signed, { verificationKey: key() });
    expect([b.revision, b.verified]).toEqual(['rev-signed', true]);
  });

  it('verifies data documents as OPA hashed them, and gives the policy their data', async () => {
    // Keys OPA sorts by UTF-8 bytes, numbers kept as written, characters Go escapes and JavaScript does not.
    const data = '{"limits": {"z": 1.50, "é": 1e3, "a": -0, "\u00e9t\u00e9": "line\u2028break", "ﬀ": "<&>", "😀": [1, 2.0]}}';
    const file = buildBundle(tmp.dir, 'with-data', {
      ...MINIMAL_POLICIES,
      'data.json': data,
      'decision.rego': 'package enigm.trust.decision\n\nresult := {"allow": data.limits.z == 1.5, "reasons": [data.limits["été"]], "obligations": []}\n',
    }, { signingKey: signer.privateKey });
    const b = await loadBundle(file, { verificationKey: key() });
    expect(b.decide({})).toEqual({ allow: true, reasons: ['line\u2028break'], obligations: [] });
  });

  it('keeps Wasm memory flat over many evaluations', async () => {
    const b = await loadBundle(plain);
    for (let i = 0; i < 100; i++) b.decide({ device: { state: i % 2 ? 'trusted' : 'revoked', note: 'x'.repeat(i * 10) } });
    const settled = b.memoryBytes();
    for (let i = 0; i < 20_000; i++) b.decide({ device: { state: i % 2 ? 'trusted' : 'revoked', note: 'x'.repeat(i % 100 * 10) } });
    expect(b.memoryBytes()).toBe(settled);
  });
});

describe('evaluation fails closed', () => {
  it('denies when the policy returns a malformed result', async () => {
    const file = buildBundle(tmp.dir, 'malformed', {
      ...MINIMAL_POLICIES,
      'decision.rego': 'package enigm.trust.decision\n\nresult := {"allow": "yes", "reasons": []}\n',
    });
    expect((await loadBundle(file)).decide({})).toEqual({ allow: false, reasons: ['policy_result_invalid'], obligations: [] });
  });

  it('denies when the policy leaves the entrypoint undefined', async () => {
    const file = buildBundle(tmp.dir, 'undefined', {
      ...MINIMAL_POLICIES,
      'decision.rego': 'package enigm.trust.decision\n\nresult := {"allow": true, "reasons": [], "obligations": []} if input.never\n',
    });
    expect((await loadBundle(file)).decide({})).toEqual({ allow: false, reasons: ['policy_undefined'], obligations: [] });
  });

  it('denies when evaluation fails, and the next evaluation works', async () => {
    // Two values for one complete rule: OPA's Wasm aborts with a conflict error.
    const file = buildBundle(tmp.dir, 'conflict', {
      ...MINIMAL_POLICIES,
      'decision.rego': `package enigm.trust.decision

reason := "a" if input.a

reason := "b" if input.b

result := {"allow": true, "reasons": [reason], "obligations": []}
`,
    });
    const b = await loadBundle(file);
    expect(b.decide({ a: true, b: true })).toEqual({ allow: false, reasons: ['policy_error'], obligations: [] });
    expect(b.decide({ a: true })).toEqual({ allow: true, reasons: ['a'], obligations: [] });
    expect(() => b.evaluate('decision', { a: true, b: true })).toThrow();
  });

  it('puts an enrollment that cannot be evaluated on hold', async () => {
    const file = buildBundle(tmp.dir, 'enrollment-bad', {
      ...MINIMAL_POLICIES,
      'enrollment.rego': 'package enigm.trust.enrollment\n\nresult := {"outcome": "admitted", "requirements": [], "reasons": []}\n',
    });
    expect((await loadBundle(file)).enroll({})).toEqual({ outcome: 'pending', requirements: [], reasons: ['policy_result_invalid'] });
  });
});

describe('a bundle the service must not serve', () => {
  it('is missing', async () => {
    const r = await refusal(path.join(tmp.dir, 'nowhere.tar.gz'));
    expect(r).toMatchObject({ code: 'bundle_missing', file: path.join(tmp.dir, 'nowhere.tar.gz') });
    expect(r.message).toContain('make policy-build');
  });

  it('is truncated', async () => {
    const file = path.join(tmp.dir, 'truncated.tar.gz');
    const bytes = readFileSync(plain);
    writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    expect((await refusal(file)).code).toBe('bundle_truncated');
  });

  it('is not a bundle: neither gzip, nor a tar inside gzip', async () => {
    const text = path.join(tmp.dir, 'text.tar.gz');
    writeFileSync(text, 'package enigm.trust.decision\n');
    expect(await refusal(text)).toMatchObject({ code: 'not_a_bundle', message: expect.stringContaining('not a gzipped tar') });
    const gzippedText = path.join(tmp.dir, 'gzipped-text.tar.gz');
    writeFileSync(gzippedText, gzipSync(Buffer.from('just some text, not a tar archive at all'.repeat(20))));
    expect((await refusal(gzippedText)).code).toMatch(/^(not_a_bundle|bundle_truncated)$/);
  });

  it('holds a path that escapes the bundle', async () => {
    const file = await altered('escape', plain, (files) => files.set('../outside.rego', Buffer.from('package x')));
    expect(await refusal(file)).toMatchObject({ code: 'not_a_bundle', message: expect.stringContaining('unsafe path') });
  });

  it('has no manifest, or a manifest without a revision', async () => {
    const noManifest = await altered('no-manifest', plain, (files) => files.delete('.manifest'));
    expect((await refusal(noManifest)).code).toBe('manifest_invalid');
    const noRevision = buildBundle(tmp.dir, 'no-revision', MINIMAL_POLICIES, { revision: '' });
    expect(await refusal(noRevision)).toMatchObject({ code: 'manifest_invalid', message: expect.stringContaining('revision') });
  });

  it('lacks an entrypoint, or was built for another one', async () => {
    const one = buildBundle(tmp.dir, 'one-entrypoint', MINIMAL_POLICIES, { entrypoints: ['enigm/trust/decision/result'] });
    expect(await refusal(one)).toMatchObject({ code: 'entrypoint_missing', message: expect.stringContaining('enigm/trust/enrollment/result') });
    // A package renamed by mistake: the bundle evaluates an entrypoint the service never asks for.
    const renamed = { ...MINIMAL_POLICIES, 'decision.rego': MINIMAL_POLICIES['decision.rego'].replace('package enigm.trust.decision', 'package enigm.trust.decisions') };
    const wrong = buildBundle(tmp.dir, 'wrong-entrypoint', renamed, { entrypoints: ['enigm/trust/decisions/result', 'enigm/trust/enrollment/result'] });
    expect(await refusal(wrong)).toMatchObject({ code: 'entrypoint_missing', message: expect.stringContaining('enigm/trust/decision/result') });
  });

  it('carries a module that is not Wasm', async () => {
    const file = await altered('not-wasm', plain, (files) => files.set('policy.wasm', Buffer.from('\0asm but not really')));
    expect((await refusal(file)).code).toBe('wasm_invalid');
  });

  it('carries a module for a Wasm ABI the SDK does not take', async () => {
    const file = await altered('abi-2', plain, (files) => files.set('policy.wasm', withAbiVersion(files.get('policy.wasm') as Buffer, 2)));
    expect(await refusal(file)).toMatchObject({ code: 'wasm_abi_unsupported', message: expect.stringContaining('ABI 2.x') });
  });

  it('calls a builtin the Wasm SDK does not provide', async () => {
    const file = buildBundle(tmp.dir, 'builtin', {
      ...MINIMAL_POLICIES,
      'decision.rego': 'package enigm.trust.decision\n\nresult := {"allow": false, "reasons": [crypto.sha256(input.x)], "obligations": []}\n',
    });
    expect(await refusal(file)).toMatchObject({ code: 'wasm_builtin_missing', message: expect.stringContaining('crypto.sha256') });
  });

  it('is unsigned while a verification key is configured', async () => {
    expect(await refusal(plain, { verificationKey: key() })).toMatchObject({ code: 'bundle_unsigned' });
  });

  it('is signed by another key', async () => {
    const other = keyPair(tmp.dir, 'other');
    const file = buildBundle(tmp.dir, 'other-signer', MINIMAL_POLICIES, { signingKey: other.privateKey });
    expect((await refusal(file, { verificationKey: key() })).code).toBe('signature_invalid');
  });

  it('carries a signature made for other files', async () => {
    const stranger = buildBundle(tmp.dir, 'stranger', { ...MINIMAL_POLICIES, 'enrollment.rego': MINIMAL_POLICIES['enrollment.rego'].replace('admin_approval', 'bootstrap_code') });
    const strangerWasm = (await bundleFiles(stranger)).get('policy.wasm') as Buffer;
    const swapped = await altered('swapped-wasm', signed, (files) => files.set('policy.wasm', strangerWasm));
    expect(await refusal(swapped, { verificationKey: key() })).toMatchObject({ code: 'signature_files_mismatch', message: expect.stringContaining('policy.wasm') });
    const extra = await altered('extra-file', signed, (files) => files.set('data.json', Buffer.from('{"extra": true}')));
    expect((await refusal(extra, { verificationKey: key() })).code).toBe('signature_files_mismatch');
    const added = await altered('added-file', signed, (files) => files.set('more/data.json', Buffer.from('{"x": 1}')));
    expect(await refusal(added, { verificationKey: key() })).toMatchObject({ code: 'signature_files_mismatch', message: expect.stringContaining('more/data.json is not covered') });
    const dropped = await altered('dropped-file', signed, (files) => files.delete('data.json'));
    expect(await refusal(dropped, { verificationKey: key() })).toMatchObject({ code: 'signature_files_mismatch', message: expect.stringContaining('does not hold') });
  });

  it('is accepted when a signed JSON document is only re-encoded', async () => {
    const file = await altered('reencoded', signed, (files) => {
      const manifest = JSON.parse((files.get('.manifest') as Buffer).toString()) as object;
      files.set('.manifest', Buffer.from(JSON.stringify(manifest, null, 4)));
    });
    expect((await loadBundle(file, { verificationKey: key() })).revision).toBe('rev-signed');
  });
});

describe('the verification key', () => {
  it('is read from a PEM file or PEM text; a private key or junk is refused', () => {
    expect(readVerificationKey(undefined)).toBeUndefined();
    expect(readVerificationKey(signer.publicKey)?.algorithms).toEqual(['ES256']);
    expect(readVerificationKey(readFileSync(signer.publicKey, 'utf8'))?.algorithms).toEqual(['ES256']);
    expect(() => readVerificationKey(signer.privateKey)).toThrow(/private key/);
    expect(() => parseVerificationKey('-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----\n')).toThrow(PolicyBundleError);
    expect(() => readVerificationKey(path.join(tmp.dir, 'absent.pem'))).toThrow(/cannot read .*ENOENT/);
  });
});

describe('the policy store', () => {
  it('swaps in a rebuilt bundle on reload, and keeps serving the old one when the new one is bad', async () => {
    const file = path.join(tmp.dir, 'served.tar.gz');
    writeFileSync(file, readFileSync(signed));
    const store = await openPolicyStore(file, { verificationKey: key() });
    expect(store.current().revision).toBe('rev-signed');

    writeFileSync(file, 'garbage');
    const failed = await store.reload();
    expect(failed).toMatchObject({ ok: false, revision: 'rev-signed' });
    expect(store.current().decide({ device: { state: 'trusted' } }).allow).toBe(true);

    writeFileSync(file, readFileSync(plain));
    expect(await store.reload()).toMatchObject({ ok: false, revision: 'rev-signed', error: { code: 'bundle_unsigned' } });

    const next = buildBundle(tmp.dir, 'next', { ...MINIMAL_POLICIES, 'decision.rego': MINIMAL_POLICIES['decision.rego'].replace('"trusted"', '"restricted"') }, { revision: 'rev-next', signingKey: signer.privateKey });
    writeFileSync(file, readFileSync(next));
    expect(await store.reload()).toEqual({ ok: true, revision: 'rev-next', changed: true });
    expect(store.current().decide({ device: { state: 'trusted' } }).allow).toBe(false);
    expect(store.current().decide({ device: { state: 'restricted' } }).allow).toBe(true);
  });

  it('refuses to open on a bad bundle', async () => {
    await expect(openPolicyStore(path.join(tmp.dir, 'nowhere.tar.gz'))).rejects.toMatchObject({ code: 'bundle_missing' });
  });
});
