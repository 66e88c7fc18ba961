import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { conformanceCommand } from './command.js';
import type { EngineFactory } from './engine.js';

/** An engine that answers every query with the single value 1. */
const answersOne: EngineFactory = () => ({
  addModule: () => undefined,
  setData: () => undefined,
  prepare: () => ({ evalValues: () => [{ expressions: [1], bindings: new Map() }] }),
});

function capture(): { out: PassThrough; text: () => string } {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (c: Buffer) => chunks.push(c.toString()));
  return { out, text: () => chunks.join('') };
}

describe('conformanceCommand', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'conf-cmd-'));
    writeFileSync(join(dir, 'a.yaml'), 'cases:\n  - note: one\n    modules: []\n    query: "1"\n    want_result: 1\n  - note: two\n    modules: []\n    query: "2"\n    want_result: 2\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the report and exits 0 when the run completes, failures included', () => {
    const { out, text } = capture();
    expect(conformanceCommand([dir], out, answersOne)).toBe(0);
    expect(text()).toContain('value cases: 1 passed, 1 failed');
    expect(text()).toContain('FAIL [value] a.yaml #1 "two": expected 2, got 1');
  });

  it('exits 2 for a missing folder or a bad command line', () => {
    const { out, text } = capture();
    expect(conformanceCommand([join(dir, 'missing')], out, answersOne)).toBe(2);
    expect(text()).toContain('conformance folder not found');
    expect(conformanceCommand([], out, answersOne)).toBe(2);
    expect(conformanceCommand([dir, '--bogus'], out, answersOne)).toBe(2);
  });
});
