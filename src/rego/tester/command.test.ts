import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Module } from '../ast/nodes.js';
import { RegoError } from '../errors.js';
import { parseModule } from '../parser/index.js';
import { runPolicyCommand } from './command.js';
import type { PolicyEngineFactory } from './engine.js';

/** Parses for real; `test_ok*` rules are true, `data.x` is 7, `boom` raises, the rest is undefined. */
const fakeEngine: PolicyEngineFactory = (options) => {
  const modules: Module[] = [];
  return {
    addModule: (path, source) => { modules.push(parseModule(path, source, { regoVersion: options.regoVersion ?? 'v1' })); },
    setData: () => undefined,
    modules: () => modules,
    prepare: (query) => {
      if (query.includes('(')) throw new RegoError('rego_parse_error', 'unexpected (');
      return {
        eval: (input) => {
          if (query === 'boom') throw new RegoError('eval_type_error', 'boom');
          if (query === 'input') return [{ expressions: [input], bindings: {} }];
          if (query === 'data.x' || query.includes('.test_ok')) return [{ expressions: [query === 'data.x' ? 7 : true], bindings: {} }];
          return [];
        },
      };
    },
  };
};

function capture(): { out: PassThrough; text: () => string } {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (c: Buffer) => chunks.push(c.toString()));
  return { out, text: () => chunks.join('') };
}

describe('policy command', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'policy-cmd-'));
    writeFileSync(join(dir, 'a_test.rego'), 'package a\n\ntest_ok_one if true\ntest_ok_two if true\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 when every test passes and writes JUnit when asked', async () => {
    const { out, text } = capture();
    const junit = join(dir, 'report.xml');
    expect(await runPolicyCommand(['test', dir, '--junit', junit, '-v'], out, fakeEngine)).toBe(0);
    expect(text()).toContain('PASS: 2/2');
    expect(readFileSync(junit, 'utf8')).toContain('<testsuite name="data.a" tests="2" failures="0"');
  });

  it('exits 1 when a test fails, and shows coverage when asked', async () => {
    writeFileSync(join(dir, 'b_test.rego'), 'package b\n\ntest_not_ok if allow\n');
    writeFileSync(join(dir, 'b.rego'), 'package b\n\nallow if true\n');
    const { out, text } = capture();
    expect(await runPolicyCommand(['policy', 'test', dir, '--coverage'], out, fakeEngine)).toBe(1);
    expect(text()).toContain('FAIL  data.b.test_not_ok');
    expect(text()).toContain('1/1 rules referenced by tests');
  });

  it('exits 2 when the JUnit file cannot be written', async () => {
    const { out, text } = capture();
    expect(await runPolicyCommand(['test', dir, '--junit', join(dir, 'missing', 'r.xml')], out, fakeEngine)).toBe(2);
    expect(text()).toContain('cannot write');
  });

  it('honours --run', async () => {
    const { out, text } = capture();
    expect(await runPolicyCommand(['test', dir, '--run', 'two$', '-v'], out, fakeEngine)).toBe(0);
    expect(text()).toContain('PASS: 1/1');
  });

  it('exits 2 on a policy that does not parse, and on usage errors', async () => {
    writeFileSync(join(dir, 'bad.rego'), 'package\n');
    const { out, text } = capture();
    expect(await runPolicyCommand(['test', dir], out, fakeEngine)).toBe(2);
    expect(text()).toContain('the policies do not load');
    expect(await runPolicyCommand(['test'], out, fakeEngine)).toBe(2);
    expect(await runPolicyCommand(['test', dir, '--run', '('], out, fakeEngine)).toBe(2);
    expect(await runPolicyCommand(['frobnicate'], out, fakeEngine)).toBe(2);
    expect(await runPolicyCommand(['eval', 'data.x'], out, fakeEngine)).toBe(2);
    expect(await runPolicyCommand(['test', join(dir, '..', 'no-such-dir')], out, fakeEngine)).toBe(2);
  });

  it('evaluates a query and prints the result as JSON, {} when undefined', async () => {
    const first = capture();
    expect(await runPolicyCommand(['eval', '-d', dir, 'data.x'], first.out, fakeEngine)).toBe(0);
    expect(JSON.parse(first.text())).toEqual({ result: [{ expressions: [7], bindings: {} }] });
    const second = capture();
    expect(await runPolicyCommand(['eval', '-d', dir, 'data.nothing'], second.out, fakeEngine)).toBe(0);
    expect(JSON.parse(second.text())).toEqual({});
  });

  it('reads the input file, and exits 1 on an evaluation error and 2 on a query that does not parse', async () => {
    writeFileSync(join(dir, 'input.json'), '{"user": "ana"}');
    const { out, text } = capture();
    expect(await runPolicyCommand(['eval', '-d', dir, '-i', join(dir, 'input.json'), 'input'], out, fakeEngine)).toBe(0);
    expect(text()).toContain('"user": "ana"');
    expect(await runPolicyCommand(['eval', '-d', dir, 'boom'], out, fakeEngine)).toBe(1);
    expect(await runPolicyCommand(['eval', '-d', dir, 'f('], out, fakeEngine)).toBe(2);
    expect(await runPolicyCommand(['eval', '-d', dir, '-i', join(dir, 'missing.json'), 'input'], out, fakeEngine)).toBe(2);
  });
});

describe('policy command options', () => {
  it('refuses a --timeout that is not a positive number of milliseconds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-timeout-'));
    try {
      const { out, text } = capture();
      expect(await runPolicyCommand(['test', dir, '--timeout', 'soon'], out, fakeEngine)).toBe(2);
      expect(text()).toContain('--timeout wants a positive number');
      expect(await runPolicyCommand(['eval', '-d', dir, '--timeout', '0', 'data.x'], out, fakeEngine)).toBe(2);
      expect(await runPolicyCommand(['eval', '-d', dir, '--timeout=50', 'data.x'], out, fakeEngine)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
