/**
 * `policy test` for the product: the Rego unit tests of `policies/` and every compliance
 * fixture, one report, JUnit files for CI, one exit code.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatTestReport, runPolicyTests, toJUnitXml, type TestReport } from '../rego/tester/index.js';
import { fixturesPassed, fixturesToJUnitXml, formatFixtureReport, runFixtures, type FixtureReport } from './fixtures.js';

/** Options of `runPolicyTestCommand`. */
export interface PolicyTestCommandOptions {
  /** The policy folder (Rego policies and their `*_test.rego`). */
  policies: string;
  /** The fixtures folder (`decision/*.json`, `enrollment/*.json`). */
  fixtures: string;
  /** When given, write `policy-tests.xml` and `fixtures.xml` (JUnit) into this folder. */
  junitDir?: string;
  /** Where the JSON Schemas are; default the package's `schemas/`. */
  schemasDir?: string;
  /** List passing Rego tests too, and failing fixtures' descriptions and results. */
  verbose?: boolean;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function unitTestsPassed(report: TestReport): boolean {
  return report.failed === 0 && report.errored === 0 && report.results.length > 0;
}

/**
 * Runs the Rego unit tests and the fixtures, writing one report to `out`. Resolves to the
 * exit code: 0 when everything passed, 1 on any failure, 2 when the policies do not load.
 */
export async function runPolicyTestCommand(opts: PolicyTestCommandOptions, out: NodeJS.WritableStream): Promise<number> {
  let unit: TestReport;
  let fixtures: FixtureReport;
  try {
    unit = runPolicyTests(opts.policies);
    fixtures = runFixtures(opts.policies, opts.fixtures, opts.schemasDir !== undefined ? { schemasDir: opts.schemasDir } : {});
  } catch (e) {
    out.write(`policy test: cannot load ${opts.policies}: ${message(e)}\n`);
    return 2;
  }
  out.write(`Rego unit tests (${opts.policies})\n`);
  out.write(formatTestReport(unit, { verbose: opts.verbose ?? false }));
  out.write(`\nCompliance fixtures (${opts.fixtures})\n`);
  out.write(formatFixtureReport(fixtures, { verbose: opts.verbose ?? false }));
  if (opts.junitDir !== undefined) {
    mkdirSync(opts.junitDir, { recursive: true });
    writeFileSync(path.join(opts.junitDir, 'policy-tests.xml'), toJUnitXml(unit));
    writeFileSync(path.join(opts.junitDir, 'fixtures.xml'), fixturesToJUnitXml(fixtures));
    out.write(`\nJUnit: ${path.join(opts.junitDir, 'policy-tests.xml')}, ${path.join(opts.junitDir, 'fixtures.xml')}\n`);
  }
  const ok = unitTestsPassed(unit) && fixturesPassed(fixtures);
  out.write(ok ? '\nOK\n' : '\nFAILED\n');
  return ok ? 0 : 1;
}
