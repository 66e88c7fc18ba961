/**
 * Finding and reading the conformance case files: every `*.yaml` under a folder, each a
 * `cases:` list, turned into typed cases that keep their YAML values raw (decoded later).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parseCaseYaml } from './yamlText.js';

/** What a case expects. */
export type Expectation =
  | { kind: 'value'; want: unknown }
  | { kind: 'no_result' }
  | { kind: 'error'; text: string }
  | { kind: 'none' };

/** One conformance case, as written in its file. */
export interface ConformanceCase {
  /** Path of the file relative to the cases folder, with `/` separators. */
  file: string;
  /** Folder of the file relative to the cases folder (`.` at the top). */
  folder: string;
  /** Position of the case in its file, from 0. */
  index: number;
  note: string;
  modules: string[];
  /** Raw YAML `data`; absent means `{}`. */
  data: unknown;
  /** Inputs to evaluate with, in order: one `undefined` when the case has no input. */
  inputs: unknown[];
  query: string;
  strict: boolean;
  sortBindings: boolean;
  skip: boolean;
  expectation: Expectation;
  /** Expected `print` lines, when the case lists them. */
  wantPrints?: string[];
}

/** A file that could not be read as a case list. */
export interface CaseFileError {
  file: string;
  folder: string;
  message: string;
}

/** The cases of a folder, and the files that could not be read. */
export interface LoadedCases {
  cases: ConformanceCase[];
  fileErrors: CaseFileError[];
}

/** Lists `*.yaml` files under `dir`, recursively, in a stable (sorted) order. */
export function findYamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...findYamlFiles(full));
    else if (name.endsWith('.yaml') || name.endsWith('.yml')) out.push(full);
  }
  return out;
}

/** Reads every case file under `dir`. Throws if `dir` does not exist. */
export function loadCases(dir: string): LoadedCases {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`conformance folder not found: ${dir}`);
  const result: LoadedCases = { cases: [], fileErrors: [] };
  for (const full of findYamlFiles(dir)) {
    const file = relative(dir, full).split(sep).join('/');
    const folder = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '.';
    try {
      result.cases.push(...casesOfFile(file, folder, parseCaseYaml(readFileSync(full, 'utf8'))));
    } catch (e) {
      result.fileErrors.push({ file, folder, message: e instanceof Error ? e.message : String(e) });
    }
  }
  return result;
}

/** Turns one parsed file into cases. Throws when it has no `cases` list. */
export function casesOfFile(file: string, folder: string, doc: unknown): ConformanceCase[] {
  const list = doc instanceof Map ? doc.get('cases') : undefined;
  if (!Array.isArray(list)) throw new Error('no `cases:` list');
  return list.map((raw, index) => toCase(file, folder, index, raw));
}

function toCase(file: string, folder: string, index: number, raw: unknown): ConformanceCase {
  const c = raw instanceof Map ? (raw as Map<unknown, unknown>) : new Map<unknown, unknown>();
  const modules = c.get('modules');
  const prints = c.get('want_prints');
  return {
    file,
    folder,
    index,
    note: String(c.get('note') ?? `case ${index}`),
    modules: Array.isArray(modules) ? modules.map(String) : [],
    data: c.get('data'),
    inputs: inputsOf(c),
    query: String(c.get('query') ?? ''),
    strict: c.get('strict') !== false,
    sortBindings: c.get('sort_bindings') === true,
    skip: c.get('skip') === true,
    expectation: expectationOf(c),
    ...(Array.isArray(prints) ? { wantPrints: prints.map(String) } : {}),
  };
}

/** `input: {many!: [a, b]}` means one evaluation per listed input. */
function inputsOf(c: Map<unknown, unknown>): unknown[] {
  if (!c.has('input')) return [undefined];
  const input = c.get('input');
  const many = manyOf(input);
  return many ?? [input];
}

/** The list of a `{many!: [...]}` map, or undefined for any other value. */
export function manyOf(v: unknown): unknown[] | undefined {
  if (v instanceof Map && v.size === 1 && Array.isArray(v.get('many!'))) return v.get('many!') as unknown[];
  return undefined;
}

function expectationOf(c: Map<unknown, unknown>): Expectation {
  // An error expectation wins: such a case checks that evaluation fails.
  if (c.has('error')) return { kind: 'error', text: String(c.get('error')) };
  if (c.has('want_result')) return { kind: 'value', want: c.get('want_result') };
  if (c.get('no_result') === true) return { kind: 'no_result' };
  return { kind: 'none' };
}
