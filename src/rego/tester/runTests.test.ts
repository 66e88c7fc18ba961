import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Module } from '../ast/nodes.js';
import { RegoError } from '../errors.js';
import { parseModule } from '../parser/index.js';
import type { JsonRow, PolicyEngineFactory } from './engine.js';
import { PolicyLoadError } from './load.js';
import { runPolicyTests } from './runTests.js';

/**
 * An engine that parses for real but answers queries from a table, so the runner's own
 * logic (discovery, verdicts, prints, filtering) is tested apart from evaluation.
 */
function tableEngine(answers: Record<string, (print: (m: string) => void) => JsonRow[]>): PolicyEngineFactory {
  return (options) => {
    const modules: Module[] = [];
    return {
      addModule: (path, source) => { modules.push(parseModule(path, source, { regoVersion: options.regoVersion ?? 'v1' })); },
      setData: () => undefined,
      modules: () => modules,
      prepare: (query) => ({
        eval: () => {
          if (query === 'true') return [{ expressions: [true], bindings: {} }];
          const answer = answers[query];
          if (!answer) return [];
          return answer(options.print ?? (() => undefined));
        },
      }),
    };
  };
}

const value = (v: unknown): JsonRow[] => [{ expressions: [v], bindings: {} }];

describe('runPolicyTests (runner logic)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'runner-'));
    writeFileSync(join(dir, 'app.rego'), 'package app\n\nallow if input.ok\n');
    writeFileSync(join(dir, 'app_test.rego'), [
      'package app_test', '', 'test_pass if true', 'test_false if false', 'test_undefined if input.nothing',
      'test_error if true', 'test_number := 5', 'todo_test_later if true', '',
    ].join('\n'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const answers = {
    'data.app_test.test_pass': (print: (m: string) => void) => { print('checked'); return value(true); },
    'data.app_test.test_false': () => value(false),
    'data.app_test.test_error': () => { throw new RegoError('eval_type_error', 'bad operand', { file: 'app_test.rego', line: 6, col: 1, start: 0, end: 0 }); },
    'data.app_test.test_number': () => value(5),
  };

  it('passes true tests, fails false, undefined and non-true ones, reports errors and skips todos', () => {
    const report = runPolicyTests(dir, { createEngine: tableEngine(answers) });
    expect(report.results.map((r) => [r.name, r.status, r.line])).toEqual([
      ['test_pass', 'pass', 3], ['test_false', 'fail', 4], ['test_undefined', 'fail', 5],
      ['test_error', 'error', 6], ['test_number', 'fail', 7], ['todo_test_later', 'skip', 8],
    ]);
    expect([report.passed, report.failed, report.errored, report.skipped]).toEqual([1, 3, 1, 1]);
    expect(report.results[0]).toMatchObject({ package: 'data.app_test', file: join(dir, 'app_test.rego'), prints: ['checked'] });
    expect(report.results[3].error).toMatchObject({ code: 'eval_type_error', location: { line: 6 } });
  });

  it('runs only the tests matching the filter', () => {
    const report = runPolicyTests(dir, { createEngine: tableEngine(answers), filter: /test_(pass|false)$/ });
    expect(report.results.map((r) => r.name)).toEqual(['test_pass', 'test_false']);
  });

  it('adds static coverage when asked', () => {
    const report = runPolicyTests(dir, { createEngine: tableEngine(answers), coverage: true });
    expect(report.coverage?.files.map((f) => [f.file, f.referenced, f.total])).toEqual([[join(dir, 'app.rego'), 0, 1]]);
  });

  it('throws a PolicyLoadError naming every file that does not parse', () => {
    writeFileSync(join(dir, 'broken.rego'), 'package broken\nallow if {\n');
    writeFileSync(join(dir, 'broken2.rego'), 'package\n');
    const run = () => runPolicyTests(dir, { createEngine: tableEngine(answers) });
    expect(run).toThrow(PolicyLoadError);
    try {
      run();
    } catch (e) {
      expect((e as PolicyLoadError).problems).toHaveLength(2);
      expect((e as PolicyLoadError).message).toContain('broken.rego');
    }
  });
});
