/**
 * Finding what a policy folder holds: Rego modules (`*.rego`, tests being `*_test.rego`)
 * and data documents (`data.json`, `data.yaml`), as `opa test DIR` reads them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** The files of a policy folder, as paths joined onto the folder given. */
export interface PolicyFiles {
  rego: string[];
  data: string[];
}

const dataNames = new Set(['data.json', 'data.yaml', 'data.yml']);

/**
 * Lists `*.rego` and data files under `dir`, recursively, sorted. Hidden folders and
 * `node_modules` are not entered. Throws when `dir` is not a folder.
 */
export function findPolicyFiles(dir: string): PolicyFiles {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`not a folder: ${dir}`);
  const out: PolicyFiles = { rego: [], data: [] };
  walk(dir, out);
  return out;
}

function walk(dir: string, out: PolicyFiles): void {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) {
      if (!name.startsWith('.') && name !== 'node_modules') walk(full, out);
    } else if (name.endsWith('.rego')) out.rego.push(full);
    else if (dataNames.has(name)) out.data.push(full);
  }
}

/** True for a test module by its name (`*_test.rego`). */
export function isTestFile(path: string): boolean {
  return path.endsWith('_test.rego');
}

/**
 * Builds the base document: each data file's content placed at its folder's path below
 * `dir` (`dir/a/b/data.json` → `data.a.b`), objects merged. Throws on a conflict.
 */
export function loadDataDocuments(dir: string, files: string[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const doc: unknown = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    const folder = relative(dir, join(file, '..'));
    const path = folder === '' ? [] : folder.split(sep);
    mergeAt(root, path, doc, file);
  }
  return root;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function mergeAt(root: Record<string, unknown>, path: string[], doc: unknown, file: string): void {
  let node = root;
  for (const key of path) {
    const next = node[key] ?? {};
    if (!isPlainObject(next)) throw new Error(`${file}: data path ${path.join('.')} conflicts with a value`);
    node = node[key] = next;
  }
  if (!isPlainObject(doc)) throw new Error(`${file}: a data document must be an object`);
  mergeInto(node, doc, file);
}

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>, file: string): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (existing === undefined) target[key] = value;
    else if (isPlainObject(existing) && isPlainObject(value)) mergeInto(existing, value, file);
    else throw new Error(`${file}: data key ${key} is defined twice`);
  }
}
