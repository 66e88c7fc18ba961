/**
 * The runner and the `policy` command against the real engine, on small policies written
 * to a temporary folder.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { policyCommand } from './cli.js';
import { evalPolicy } from './evalPolicy.js';
import { PolicyLoadError } from './load.js';
import { runPolicyTests } from './runTests.js';

const policy = `package app

default allow := false

allow if input.device.state == "trusted"

level := 10 / input.divisor

unused if false
`;

const tests = `package app_test

import data.app

test_trusted_allowed if app.allow with input as {"device": {"state": "trusted"}}

test_revoked_denied if not app.allow with input as {"device": {"state": "revoked"}}

test_wrong_expectation if app.allow with input as {"device": {"state": "revoked"}}

test_division_error if app.level == 1 with input as {"divisor": 0}

test_prints if {
  print("checking", data.limits.max)
  data.limits.max == 3
}

todo_test_later if false
`;

function capture(): { out: PassThrough; text: () => string } {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (c: Buffer) => chunks.push(c.toString()));
  return { out, text: () => chunks.join('') };
}

describe('policy tests with the real engine', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'policy-real-'));
    mkdirSync(join(dir, 'limits'));
    writeFileSync(join(dir, 'app.rego'), policy);
    writeFileSync(join(dir, 'app_test.rego'), tests);
    writeFileSync(join(dir, 'limits', 'data.json'), '{"max": 3}');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('passes, fails, errors and skips each test as it evaluates', () => {
    const report = runPolicyTests(dir);
    expect(report.results.map((r) => [r.name, r.status])).toEqual([
      ['test_trusted_allowed', 'pass'],
      ['test_revoked_denied', 'pass'],
      ['test_wrong_expectation', 'fail'],
      ['test_division_error', 'error'],
      ['test_prints', 'pass'],
      ['todo_test_later', 'skip'],
    ]);
    const division = report.results[3];
    expect(division.error?.code).toBe('eval_builtin_error');
    expect(division.error?.location?.file).toBe(join(dir, 'app.rego'));
    expect(report.results[4].prints).toEqual(['checking 3']);
  });

  it('reports the rules no test references', () => {
    const report = runPolicyTests(dir, { coverage: true });
    const app = report.coverage?.files.find((f) => f.file === join(dir, 'app.rego'));
    expect(app?.rules.filter((r) => !r.referenced).map((r) => r.path)).toEqual(['data.app.unused']);
  });

  it('refuses a folder whose policies do not compile', () => {
    writeFileSync(join(dir, 'bad.rego'), 'package bad\n\np := 1\np := 2\n');
    writeFileSync(join(dir, 'bad2.rego'), 'package bad2\n\nq if { x }\n');
    expect(() => runPolicyTests(dir)).toThrow(PolicyLoadError);
  });

  it('runs `policy test` with JUnit output and exit code 1 on failures', async () => {
    const { out, text } = capture();
    const junit = join(dir, 'junit.xml');
    expect(await policyCommand(['test', dir, '--junit', junit, '--coverage'], out)).toBe(1);
    expect(text()).toMatch(/FAIL {2}data\.app_test\.test_wrong_expectation {2}.*app_test\.rego:9/);
    expect(text()).toContain('PASS: 3/6');
    expect(text()).toContain('not referenced by tests: data.app.unused');
    expect(readFileSync(junit, 'utf8')).toContain('<testsuite name="data.app_test" tests="6" failures="1" errors="1" skipped="1"');
  });

  it('exits 0 when the selected tests pass', async () => {
    const { out } = capture();
    expect(await policyCommand(['policy', 'test', dir, '--run', 'denied|allowed'], out)).toBe(0);
  });

  it('reports a test that runs past its deadline as an error', () => {
    writeFileSync(join(dir, 'slow_test.rego'), 'package slow\n\ntest_slow if {\n  some i in numbers.range(1, 5000)\n  some j in numbers.range(1, 5000)\n  i * j < 0\n}\n');
    const report = runPolicyTests(dir, { filter: /slow/, timeoutMs: 20 });
    expect(report.results.map((r) => [r.name, r.status, r.error?.code])).toEqual([['test_slow', 'error', 'eval_cancel_error']]);
  });

  it('evaluates a query for `policy eval`', async () => {
    writeFileSync(join(dir, 'input.json'), '{"device": {"state": "trusted"}}');
    expect(evalPolicy(dir, 'data.app.allow', { device: { state: 'trusted' } })).toEqual([{ expressions: [true], bindings: {} }]);
    const { out, text } = capture();
    expect(await policyCommand(['eval', '-d', dir, '-i', join(dir, 'input.json'), 'x := data.app.allow'], out)).toBe(0);
    expect(JSON.parse(text())).toEqual({ result: [{ expressions: [true], bindings: { x: true } }] });
  });
});
