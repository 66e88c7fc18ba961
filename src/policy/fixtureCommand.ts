/**
 * `enigm-trust fixtures`: every compliance fixture against a built policy bundle — the one
 * the service serves, or a candidate — with one report, a JUnit file for CI and an exit code.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadBundle, type PolicyBundle } from './bundle.js';
import { PolicyBundleError } from './bundleError.js';
import { fixturesPassed, fixturesToJUnitXml, formatFixtureReport, runFixtures } from './fixtures.js';
import { readVerificationKey } from './verifyBundleSignature.js';

/** Options of `runFixtureCommand`. */
export interface FixtureCommandOptions {
  /** The OPA bundle to evaluate (`dist/bundle.tar.gz`, or a candidate). */
  bundle: string;
  /** The fixtures folder (`decision/*.json`, `enrollment/*.json`). */
  fixtures: string;
  /** A PEM public key (or its file) the bundle must be signed with; unset, the signature is not checked. */
  publicKey?: string;
  /** When given, write `fixtures.xml` (JUnit) into this folder. */
  junitDir?: string;
  /** Where the JSON Schemas are; default the package's `schemas/`. */
  schemasDir?: string;
  /** Show failing fixtures' descriptions and results. */
  verbose?: boolean;
}

/**
 * Runs the fixtures, writing one report to `out`. Resolves to the exit code: 0 when every
 * fixture passed, 1 on any failure, 2 when the bundle cannot be loaded.
 */
export async function runFixtureCommand(opts: FixtureCommandOptions, out: NodeJS.WritableStream): Promise<number> {
  let bundle: PolicyBundle;
  try {
    const verificationKey = readVerificationKey(opts.publicKey);
    bundle = await loadBundle(opts.bundle, verificationKey === undefined ? {} : { verificationKey });
  } catch (e) {
    if (!(e instanceof PolicyBundleError)) throw e;
    out.write(`fixtures: cannot load the bundle ${opts.bundle}: ${e.message}\n`);
    return 2;
  }
  const report = runFixtures(bundle, opts.fixtures, opts.schemasDir !== undefined ? { schemasDir: opts.schemasDir } : {});
  out.write(`Compliance fixtures (${opts.fixtures}) on ${bundle.file}, revision ${bundle.revision}${bundle.verified ? ', signature verified' : ''}\n`);
  out.write(formatFixtureReport(report, { verbose: opts.verbose ?? false }));
  if (opts.junitDir !== undefined) {
    mkdirSync(opts.junitDir, { recursive: true });
    writeFileSync(path.join(opts.junitDir, 'fixtures.xml'), fixturesToJUnitXml(report));
    out.write(`JUnit: ${path.join(opts.junitDir, 'fixtures.xml')}\n`);
  }
  const ok = fixturesPassed(report);
  out.write(ok ? 'OK\n' : 'FAILED\n');
  return ok ? 0 : 1;
}
