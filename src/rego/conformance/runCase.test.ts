import { RegoError } from '../errors.js';
import { SetValue, type Value } from '../value/index.js';
import { casesOfFile, type ConformanceCase } from './cases.js';
import type { CaseEngineOptions, ConformanceEngine, EngineFactory, ValueRow } from './engine.js';
import { compareValueLists, isV0Case, runCase } from './runCase.js';
import { parseCaseYaml } from './yamlText.js';

/** A stand-in engine: each query answers from a table, per input, or throws what it is told to. */
function fakeEngine(answers: Record<string, (input: unknown, opts: CaseEngineOptions) => ValueRow[]>, seen: CaseEngineOptions[] = []): EngineFactory {
  return (opts) => {
    seen.push(opts);
    const engine: ConformanceEngine = {
      addModule: (_path, source) => {
        if (source.includes('syntax error')) throw new RegoError('rego_parse_error', 'unexpected token');
      },
      setData: () => undefined,
      prepare: (query) => {
        const answer = answers[query];
        if (!answer) throw new RegoError('rego_compile_error', `unknown query ${query}`);
        return { evalValues: (input) => answer(input, opts) };
      },
    };
    return engine;
  };
}

const rows = (...values: Value[]): ValueRow[] => values.map((v) => ({ expressions: [v], bindings: new Map() }));

function caseFrom(yaml: string, file = 'x/y.yaml'): ConformanceCase {
  return casesOfFile(file, 'x', parseCaseYaml(`cases:\n${yaml}`))[0];
}

describe('runCase', () => {
  it('passes a value case whose set result matches set!', () => {
    const c = caseFrom('  - note: s\n    modules: ["package t"]\n    query: q\n    want_result: {set!: [2, 1]}\n');
    const r = runCase(c, { createEngine: fakeEngine({ q: () => rows(SetValue.from([1, 2])) }) });
    expect(r).toMatchObject({ status: 'passed', kind: 'value', v0: true });
  });

  it('fails a value case when an array comes back where a set was expected', () => {
    const c = caseFrom('  - note: s\n    modules: []\n    query: q\n    want_result: {set!: [1]}\n');
    const r = runCase(c, { createEngine: fakeEngine({ q: () => rows([1]) }) });
    expect(r.status).toBe('failed');
    expect(r.reason).toBe('expected {1}, got [1]');
  });

  it('concatenates the results of each many! input in order', () => {
    const c = caseFrom('  - note: m\n    modules: []\n    input: {many!: [{x: 1}, {x: 5}]}\n    query: q\n    want_result: {many!: [1, 5]}\n');
    const engine = fakeEngine({ q: (input) => rows((input as { get(k: string): Value }).get('x')) });
    expect(runCase(c, { createEngine: engine }).status).toBe('passed');
  });

  it('passes an error case when a RegoError is raised and records the message seen', () => {
    const c = caseFrom('  - note: e\n    modules: ["syntax error"]\n    query: q\n    error: expecting EOF\n');
    const r = runCase(c, { createEngine: fakeEngine({}) });
    expect(r).toMatchObject({ status: 'passed', kind: 'error', errorSeen: 'rego_parse_error: unexpected token' });
  });

  it('fails an error case answered by the wrong kind of error', () => {
    const c = caseFrom('  - note: e\n    modules: []\n    query: q\n    error: recursion detected\n');
    const r = runCase(c, { createEngine: fakeEngine({ q: () => { throw new RegoError('eval_type_error', 'bad'); } }) });
    expect(r.status).toBe('failed');
  });

  it('fails an error case when the engine crashes instead of raising a RegoError', () => {
    const c = caseFrom('  - note: e\n    modules: []\n    query: q\n    error: oops\n');
    const r = runCase(c, { createEngine: fakeEngine({ q: () => { throw new TypeError('x is undefined'); } }) });
    expect(r.status).toBe('failed');
    expect(r.errorSeen).toBe('internal TypeError: x is undefined');
  });

  it('fails an error case when evaluation succeeds', () => {
    const c = caseFrom('  - note: e\n    modules: []\n    query: q\n    error: oops\n');
    const r = runCase(c, { createEngine: fakeEngine({ q: () => rows(1) }) });
    expect(r.reason).toBe('expected an error like "oops", got 1');
  });

  it('passes no_result only when nothing comes back', () => {
    const c = caseFrom('  - note: n\n    modules: []\n    query: q\n    no_result: true\n');
    expect(runCase(c, { createEngine: fakeEngine({ q: () => [] }) }).status).toBe('passed');
    expect(runCase(c, { createEngine: fakeEngine({ q: () => rows(false) }) }).status).toBe('failed');
  });

  it('skips a skipped case without making an engine', () => {
    const seen: CaseEngineOptions[] = [];
    const c = caseFrom('  - note: k\n    modules: []\n    query: q\n    want_result: 1\n    skip: true\n');
    expect(runCase(c, { createEngine: fakeEngine({}, seen) }).status).toBe('skipped');
    expect(seen).toHaveLength(0);
  });

  it('asks for strict and v0 by default, non-strict when told, and v1 for the bindings file', () => {
    const seen: CaseEngineOptions[] = [];
    const engine = fakeEngine({ q: () => rows(1) }, seen);
    runCase(caseFrom('  - note: a\n    modules: []\n    query: q\n    want_result: 1\n'), { createEngine: engine });
    runCase(caseFrom('  - note: b\n    modules: []\n    query: q\n    want_result: 1\n    strict: false\n', 'binding/bindings.yaml'), { createEngine: engine });
    expect(seen.map((o) => [o.strict, o.regoVersion])).toEqual([[true, 'v0'], [false, 'v1']]);
  });

  it('notes print differences without failing the case, ignoring a file:line prefix', () => {
    const c = caseFrom('  - note: p\n    modules: []\n    query: q\n    want_result: true\n    want_prints: ["rego_0:3: hi"]\n');
    const printing = (line: string) => fakeEngine({ q: (_i, opts) => { opts.print(line); return rows(true); } });
    expect(runCase(c, { createEngine: printing('hi') })).toMatchObject({ status: 'passed' });
    expect(runCase(c, { createEngine: printing('hi') }).printDifference).toBeUndefined();
    expect(runCase(c, { createEngine: printing('ho') })).toMatchObject({ status: 'passed', printDifference: 'print line 1: expected "hi", got "ho"' });
  });
});

describe('isV0Case', () => {
  it('counts a case as v0 when a module does not import rego.v1', () => {
    expect(isV0Case(caseFrom('  - note: a\n    modules: ["package p\\nimport rego.v1\\n"]\n    query: q\n    want_result: 1\n'))).toBe(false);
    expect(isV0Case(caseFrom('  - note: a\n    modules: ["package p\\nimport rego.v1\\n", "package q\\n"]\n    query: q\n    want_result: 1\n'))).toBe(true);
  });
});

describe('compareValueLists', () => {
  it('ignores order only when sorting is asked for', () => {
    expect(compareValueLists([1, 2], [2, 1], true)).toBeUndefined();
    expect(compareValueLists([1, 2], [2, 1], false)).toBe('expected #1 1; #2 2, got #1 2; #2 1');
  });
});
