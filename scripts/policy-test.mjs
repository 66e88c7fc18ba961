// `make policy-test`: the policies checked with OPA's own tools, then every compliance fixture
// against the built bundle — the artefact the service serves.
//
//   opa fmt, opa check --strict (input schemas), opa test with coverage (≥ 95% of the policy
//   lines), then `enigm-trust fixtures --bundle dist/bundle.tar.gz`; JUnit XML in reports/.
//
//   node scripts/policy-test.mjs [--policies DIR] [--bundle FILE] [--junit DIR] [-v]
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatOpaTestReport, opaTestsPassed, opaTestsToJUnitXml, summariseOpaTests } from '../dist/policy/opaTestReport.js';
import { inlineSchemaRefs, opa } from './lib/opa.mjs';

const COVERAGE_THRESHOLD = 95;
const OPA_SCHEMAS = 'dist/policy-schemas';

function parseArgs(argv) {
  const opts = { policies: 'policies', bundle: 'dist/bundle.tar.gz', junit: 'reports', verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--policies' && argv[i + 1]) opts.policies = argv[++i];
    else if (a === '--bundle' && argv[i + 1]) opts.bundle = argv[++i];
    else if (a === '--junit' && argv[i + 1]) opts.junit = argv[++i];
    else if (a === '-v' || a === '--verbose') opts.verbose = true;
    else throw new Error(`unexpected argument "${a}" (use --policies DIR, --bundle FILE, --junit DIR, -v)`);
  }
  return opts;
}

/** `opa test` exits 2 when a test fails; its JSON report still says which. */
function opaJson(args) {
  return JSON.parse(opa(args, { capture: true, okStatus: [2] }).stdout);
}

/** OPA prints a coverage report only when every test passes (else it lists the failures). */
function coverage(policies) {
  try {
    return opaJson(['test', '--coverage', '--format', 'json', policies]);
  } catch {
    return undefined;
  }
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const unformatted = opa(['fmt', '--list', opts.policies], { capture: true }).stdout.trim();
  if (unformatted !== '') {
    console.error(`not formatted as opa fmt writes them (run .tools/bin/opa fmt -w ${opts.policies}):\n${unformatted}`);
    return 1;
  }
  inlineSchemaRefs('schemas', OPA_SCHEMAS);
  opa(['check', '--strict', '--schema', OPA_SCHEMAS, opts.policies]);
  const summary = summariseOpaTests(
    opaJson(['test', '--format', 'json', opts.policies]),
    coverage(opts.policies),
  );
  console.log(`Rego unit tests (opa test ${opts.policies})`);
  process.stdout.write(formatOpaTestReport(summary, { threshold: COVERAGE_THRESHOLD, verbose: opts.verbose }));
  mkdirSync(opts.junit, { recursive: true });
  writeFileSync(path.join(opts.junit, 'policy-tests.xml'), opaTestsToJUnitXml(summary));
  console.log(`JUnit: ${path.join(opts.junit, 'policy-tests.xml')}\n`);
  const fixtures = spawnSync(process.execPath, [
    'dist/cli/main.js', 'fixtures', '--bundle', opts.bundle, '--junit', opts.junit, ...(opts.verbose ? ['-v'] : []),
  ], { stdio: 'inherit' });
  const ok = opaTestsPassed(summary, COVERAGE_THRESHOLD) && fixtures.status === 0;
  console.log(ok ? '\npolicy-test: OK' : '\npolicy-test: FAILED');
  return ok ? 0 : 1;
}

try {
  process.exitCode = main();
} catch (e) {
  console.error(`policy-test: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
}
