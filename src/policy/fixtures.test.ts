import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { buildBundle, keyPair, MINIMAL_POLICIES } from '../../test/helpers/opaBundle.js';
import { servedPolicies } from '../../test/helpers/policy.js';
import { POLICY_BUNDLE_FILE } from '../paths.js';
import type { PolicyBundle } from './bundle.js';
import { runFixtureCommand } from './fixtureCommand.js';
import { fixturesToJUnitXml, formatFixtureReport, loadFixtures, mergeInput, runFixtures } from './fixtures.js';

const root = process.cwd();
const FIXTURES = path.join(root, 'fixtures');
const SCHEMAS = path.join(root, 'schemas');

/** A decision input every schema accepts: a trusted device of an active account. */
function decisionBase(): Record<string, unknown> {
  const file = JSON.parse(readFileSync(path.join(FIXTURES, 'decision', 'lifecycle.json'), 'utf8')) as { base: Record<string, unknown> };
  return file.base;
}

function collect(): { out: Writable; text: () => string } {
  const chunks: string[] = [];
  const out = new Writable({ write(chunk, _enc, done) { chunks.push(String(chunk)); done(); } });
  return { out, text: () => chunks.join('') };
}

let scratch: string;
let served: PolicyBundle;

beforeAll(async () => {
  served = (await servedPolicies()).current();
});

beforeEach(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'enigm-fixtures-'));
});

afterEach(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** Writes a fixture folder holding one decision file with `cases`. */
function fixtureDir(cases: unknown[], extra: Record<string, unknown> = {}): string {
  const dir = path.join(scratch, 'fixtures');
  mkdirSync(path.join(dir, 'decision'), { recursive: true });
  const doc = { entrypoint: 'decision', base: decisionBase(), cases, ...extra };
  writeFileSync(path.join(dir, 'decision', 'probe.json'), JSON.stringify(doc));
  return dir;
}

describe('the served policy bundle', () => {
  it('passes every compliance fixture, and there are at least 60', () => {
    const report = runFixtures(served, FIXTURES, { schemasDir: SCHEMAS });
    const broken = report.results.filter((r) => r.status !== 'pass');
    if (broken.length > 0) throw new Error(formatFixtureReport(report, { verbose: true }));
    expect(report.results.length).toBeGreaterThanOrEqual(60);
    const entrypoints = new Set(report.results.map((r) => r.entrypoint));
    expect([...entrypoints].sort()).toEqual(['decision', 'enrollment']);
  });

  it('has fixture files that all validate and cases with unique names', () => {
    const files = loadFixtures(FIXTURES, { schemasDir: SCHEMAS });
    expect(files.filter((f) => f.problems.length > 0)).toEqual([]);
    expect(files.every((f) => f.cases.length > 0)).toBe(true);
  });
});

describe('the fixture runner', () => {
  it('catches a wrong expectation and says what differs', () => {
    const dir = fixtureDir([
      { name: 'revoked_receives', description: 'deliberately wrong', input: { device: { state: 'revoked' } }, expect: { allow: true } },
      { name: 'wrong_reason', description: 'deliberately wrong', input: { device: { state: 'revoked' } }, expect: { allow: false, reasons: ['device_retired'] } },
      { name: 'right', description: 'a revoked device receives nothing', input: { device: { state: 'revoked' } }, expect: { allow: false, reasons: ['device_revoked'] } },
    ]);
    const report = runFixtures(served, dir, { schemasDir: SCHEMAS });
    expect(report.results.map((r) => [r.name, r.status])).toEqual([['revoked_receives', 'fail'], ['wrong_reason', 'fail'], ['right', 'pass']]);
    expect(report.results[0].differences).toEqual(['allow: expected true, got false']);
    expect(report.results[1].differences[0]).toMatch(/^reasons: expected to contain "device_retired", got \[.*"device_revoked".*\]$/);
    const text = formatFixtureReport(report);
    expect(text).toContain('FAIL    decision/probe.json  revoked_receives');
    expect(text).toContain('PASS    decision/probe.json  right');
    expect(text).toContain('fixtures: 1/3 passed, 2 failed');
  });

  it('refuses an input that breaks the input schema instead of evaluating it', () => {
    const dir = fixtureDir([
      { name: 'bad_state', description: 'not a lifecycle state', input: { device: { state: 'lost' } }, expect: { allow: false } },
      { name: 'unknown_field', description: 'not in the contract', input: { device: { colour: 'red' } }, expect: { allow: false } },
    ]);
    const report = runFixtures(served, dir, { schemasDir: SCHEMAS });
    expect(report.results.map((r) => r.status)).toEqual(['invalid', 'invalid']);
    expect(report.results[0].differences.join('\n')).toContain('/device/state must be one of');
    expect(report.results[1].differences.join('\n')).toContain('/device has unknown field "colour"');
    expect(report.invalid).toBe(2);
  });

  it('refuses a fixture file that breaks the fixture schema', () => {
    const dir = fixtureDir([{ name: 'no_expectation', description: 'missing expect', input: {} }]);
    const report = runFixtures(served, dir, { schemasDir: SCHEMAS });
    expect(report.results).toHaveLength(1);
    expect(report.results[0]).toMatchObject({ name: '(file)', status: 'invalid' });
    expect(report.results[0].differences.join('\n')).toContain("must have required property 'expect'");
  });

  it('refuses duplicate case names', () => {
    const c = { name: 'twice', description: 'x', input: {}, expect: { allow: true } };
    const files = loadFixtures(fixtureDir([c, c]), { schemasDir: SCHEMAS });
    expect(files[0].problems).toEqual(['duplicate case name "twice"']);
  });

  it('deep-merges objects onto the base and lets arrays and null replace', () => {
    expect(mergeInput({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3], e: null }, d: null })).toEqual({ a: { b: 1, c: [3], e: null }, d: null });
  });

  it('renders JUnit XML with one failure per failing case', () => {
    const dir = fixtureDir([
      { name: 'revoked_receives', description: 'wrong', input: { device: { state: 'revoked' } }, expect: { allow: true } },
      { name: 'trusted_receives', description: 'right', input: {}, expect: { allow: true } },
    ]);
    const xml = fixturesToJUnitXml(runFixtures(served, dir, { schemasDir: SCHEMAS }));
    expect(xml).toContain('<testsuites name="fixtures" tests="2" failures="1" errors="0"');
    expect(xml).toContain('<failure message="allow: expected true, got false" type="fail">');
    expect(xml).toContain('<testcase name="trusted_receives" classname="fixtures.decision.probe"');
  });
});

describe('enigm-trust fixtures', () => {
  it('passes on the served bundle, naming its revision, and writes a JUnit file', async () => {
    const { out, text } = collect();
    const junitDir = path.join(scratch, 'reports');
    const code = await runFixtureCommand({ bundle: POLICY_BUNDLE_FILE, fixtures: FIXTURES, junitDir, schemasDir: SCHEMAS }, out);
    expect(text()).toContain(`on ${POLICY_BUNDLE_FILE}, revision ${served.revision}`);
    expect(code).toBe(0);
    expect(readFileSync(path.join(junitDir, 'fixtures.xml'), 'utf8')).toContain('<testsuites name="fixtures"');
  });

  it('judges a candidate bundle: a policy that lets revoked devices receive fails the fixtures', async () => {
    const candidate = buildBundle(scratch, 'candidate', {
      ...MINIMAL_POLICIES,
      'decision.rego': 'package enigm.trust.decision\n\nresult := {"allow": true, "reasons": ["device_trusted"], "obligations": []}\n',
    });
    const { out, text } = collect();
    expect(await runFixtureCommand({ bundle: candidate, fixtures: FIXTURES, schemasDir: SCHEMAS }, out)).toBe(1);
    expect(text()).toMatch(/FAIL +decision\/lifecycle\.json +revoked/);
    expect(text()).toContain('FAILED');
  });

  it('checks the signature when given a public key', async () => {
    const signer = keyPair(scratch, 'signer');
    const signed = buildBundle(scratch, 'signed', MINIMAL_POLICIES, { signingKey: signer.privateKey });
    const good = collect();
    await runFixtureCommand({ bundle: signed, publicKey: signer.publicKey, fixtures: fixtureDir([{ name: 'trusted', description: 'x', input: {}, expect: { allow: true } }]), schemasDir: SCHEMAS }, good.out);
    expect(good.text()).toContain('signature verified');
    const other = keyPair(scratch, 'other');
    const bad = collect();
    expect(await runFixtureCommand({ bundle: signed, publicKey: other.publicKey, fixtures: FIXTURES, schemasDir: SCHEMAS }, bad.out)).toBe(2);
    expect(bad.text()).toMatch(/^fixtures: cannot load the bundle .*signed\.tar\.gz: the bundle's signature does not verify/);
  });

  it('exits 2 when the bundle cannot be loaded', async () => {
    const { out, text } = collect();
    expect(await runFixtureCommand({ bundle: path.join(scratch, 'absent.tar.gz'), fixtures: FIXTURES, schemasDir: SCHEMAS }, out)).toBe(2);
    expect(text()).toContain('no such file');
  });
});
