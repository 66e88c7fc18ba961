import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPolicyFiles, isTestFile, loadDataDocuments } from './files.js';

describe('policy folder discovery', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pol-'));
    for (const sub of ['lib', '.git', 'node_modules', 'lib/deep']) mkdirSync(join(dir, sub));
    const files: Record<string, string> = {
      'app.rego': 'package app', 'app_test.rego': 'package app_test', 'lib/util.rego': 'package lib',
      'lib/deep/data.json': '{"limits": {"max": 3}}', 'lib/data.yaml': 'name: lib\n', 'data.json': '{"top": true}',
      '.git/x.rego': 'package hidden', 'node_modules/y.rego': 'package dep', 'README.md': '#',
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds rego and data files recursively, skipping hidden folders and node_modules', () => {
    const found = findPolicyFiles(dir);
    const rel = (files: string[]) => files.map((f) => f.slice(dir.length + 1));
    expect(rel(found.rego)).toEqual(['app.rego', 'app_test.rego', 'lib/util.rego']);
    expect(rel(found.data)).toEqual(['data.json', 'lib/data.yaml', 'lib/deep/data.json']);
  });

  it('places each data document at its folder path', () => {
    const found = findPolicyFiles(dir);
    expect(loadDataDocuments(dir, found.data)).toEqual({ top: true, lib: { name: 'lib', deep: { limits: { max: 3 } } } });
  });

  it('refuses a data key defined twice', () => {
    writeFileSync(join(dir, 'lib', 'data.json'), '{"name": "again"}');
    expect(() => loadDataDocuments(dir, [join(dir, 'lib', 'data.yaml'), join(dir, 'lib', 'data.json')])).toThrow(/defined twice/);
  });

  it('throws for a missing folder', () => {
    expect(() => findPolicyFiles(join(dir, 'nope'))).toThrow(/not a folder/);
  });

  it('recognises test files by name', () => {
    expect([isTestFile('a/x_test.rego'), isTestFile('a/x.rego'), isTestFile('a/test.rego')]).toEqual([true, false, false]);
  });
});
