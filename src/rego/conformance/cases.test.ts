import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { casesOfFile, findYamlFiles, loadCases } from './cases.js';
import { parseCaseYaml } from './yamlText.js';

describe('loadCases', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'conf-'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'top.yaml'), 'cases:\n  - note: a\n    modules: []\n    query: "1"\n    want_result: 1\n');
    writeFileSync(join(dir, 'sub', 'b.yaml'), 'cases:\n  - note: b\n    modules: ["package p"]\n    query: x\n    error: boom\n');
    writeFileSync(join(dir, 'sub', 'broken.yaml'), 'cases: [\n');
    writeFileSync(join(dir, 'sub', 'notes.txt'), 'not a case file');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds yaml files recursively in sorted order', () => {
    expect(findYamlFiles(dir).map((f) => f.slice(dir.length + 1))).toEqual(['sub/b.yaml', 'sub/broken.yaml', 'top.yaml']);
  });

  it('reads cases with their folder and reports unreadable files', () => {
    const { cases, fileErrors } = loadCases(dir);
    expect(cases.map((c) => [c.folder, c.file, c.note, c.expectation.kind])).toEqual([
      ['sub', 'sub/b.yaml', 'b', 'error'],
      ['.', 'top.yaml', 'a', 'value'],
    ]);
    expect(fileErrors.map((f) => f.file)).toEqual(['sub/broken.yaml']);
  });

  it('throws when the folder does not exist', () => {
    expect(() => loadCases(join(dir, 'missing'))).toThrow(/not found/);
  });
});

describe('casesOfFile', () => {
  it('reads the fields of a case and their defaults', () => {
    const [c] = casesOfFile('f.yaml', '.', parseCaseYaml('cases:\n  - note: n\n    modules: ["package p"]\n    query: data.p\n    no_result: true\n'));
    expect(c).toMatchObject({ strict: true, sortBindings: false, skip: false, inputs: [undefined], data: undefined, expectation: { kind: 'no_result' } });
  });
});

describe('the shared regorus cases', () => {
  it('all read, the flow-indentation quirk included', () => {
    const { cases, fileErrors } = loadCases(join(process.cwd(), '../shared/conformance/regorus'));
    expect(fileErrors).toEqual([]);
    expect(cases.length).toBeGreaterThan(600);
    expect(cases.every((c) => c.expectation.kind !== 'none')).toBe(true);
  });
});
