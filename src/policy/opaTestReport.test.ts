import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../../test/helpers/env.js';
import { OPA } from '../../test/helpers/opaBundle.js';
import { formatOpaTestReport, opaTestsPassed, opaTestsToJUnitXml, summariseOpaTests, type OpaCoverageReport, type OpaTestResult } from './opaTestReport.js';

const POLICY = `package demo

allow if input.role == "admin"

note := "unreached" if input.never
`;

const TESTS = `package demo_test

import data.demo

test_admin_allowed if demo.allow with input as {"role": "admin"}

test_guest_allowed if {
	print("role was guest")
	demo.allow with input as {"role": "guest"}
}

twice := 1 if input.a

twice := 2 if input.b

test_conflict if twice == 1 with input as {"a": true, "b": true}
`;

/** Runs the pinned OPA on the folder; `opa test` reports coverage only when every test it runs passes, so `--run` picks the passing one. */
function opaJson<T>(dir: string, ...args: string[]): T {
  try {
    return JSON.parse(execFileSync(OPA, ['test', ...args, '--format', 'json', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as T;
  } catch (e) {
    // `opa test` exits 2 when a test fails; its report is still on stdout.
    return JSON.parse((e as { stdout: string }).stdout) as T;
  }
}

describe('the report of opa test', () => {
  const tmp = tempDir('enigm-opa-test-');
  const dir = path.join(tmp.dir, 'policies');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'demo.rego'), POLICY);
  writeFileSync(path.join(dir, 'demo_test.rego'), TESTS);
  const summary = summariseOpaTests(opaJson<OpaTestResult[]>(dir), opaJson<OpaCoverageReport>(dir, '--coverage', '--run', 'test_admin'));
  afterAll(() => tmp.remove());

  it('counts passed, failed and erroring tests', () => {
    expect([summary.passed, summary.failed, summary.errored, summary.results.length]).toEqual([1, 1, 1, 3]);
    expect(opaTestsPassed(summary, 0)).toBe(false);
  });

  it('measures coverage over the policy files only, naming the lines no test reached', () => {
    expect(summary.coverage.totalLines).toBe(2);
    expect(summary.coverage.percent).toBe(50);
    expect(summary.coverage.uncovered).toEqual([{ file: path.join(dir, 'demo.rego'), rows: [5] }]);
  });

  it('prints each failure with what it printed, and the coverage against the threshold', () => {
    const text = formatOpaTestReport(summary, { threshold: 95 });
    expect(text).toMatch(/FAIL +.*demo_test\.rego:7 +demo_test\.test_guest_allowed\n +role was guest/);
    expect(text).toMatch(/ERROR +.*demo_test\.rego:16 +demo_test\.test_conflict\n +eval_conflict_error: rule data\.demo_test\.twice produced conflicting values:\n +1 at /);
    expect(text).not.toContain('test_admin_allowed');
    expect(text).toContain('rego tests: 1/3 passed, 1 failed, 1 errors');
    expect(text).toContain('coverage of the policies: 50.00% (1/2 lines), BELOW the 95% required');
  });

  it('counts coverage as 0% when OPA could not measure it', () => {
    const unmeasured = summariseOpaTests(summary.results, undefined);
    expect(unmeasured.coverage).toMatchObject({ measured: false, percent: 0, totalLines: 0 });
    expect(formatOpaTestReport(unmeasured, { threshold: 95 })).toContain('coverage of the policies: not measured (OPA measures it only when every test passes), BELOW the 95% required');
  });

  it('fails a run whose tests pass but whose coverage is below the threshold', () => {
    const passing = { ...summary, results: summary.results.slice(0, 1), passed: 1, failed: 0, errored: 0 };
    expect(opaTestsPassed(passing, 95)).toBe(false);
    expect(opaTestsPassed(passing, 50)).toBe(true);
  });

  it('writes JUnit XML with one failure and one error', () => {
    const xml = opaTestsToJUnitXml(summary);
    expect(xml).toContain('<testsuites name="rego" tests="3" failures="1" errors="1"');
    expect(xml).toContain('<testsuite name="data.demo_test" tests="3" failures="1" errors="1"');
    expect(xml).toMatch(/<testcase name="test_guest_allowed" classname="demo_test" [^>]*>\n +<failure message="role was guest" type="fail">/);
  });
});
