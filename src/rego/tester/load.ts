/**
 * Loading a policy folder into an engine: every module, then the data documents, then a
 * compile of the whole, so that load problems surface before any test runs.
 */
import { readFileSync } from 'node:fs';
import { RegoError } from '../errors.js';
import type { PolicyEngine, PolicyEngineFactory, PolicyEngineOptions } from './engine.js';
import { findPolicyFiles, loadDataDocuments } from './files.js';

/** Thrown when a policy folder cannot be loaded: unreadable, unparsable or not compiling. */
export class PolicyLoadError extends Error {
  override name = 'PolicyLoadError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** A loaded folder: the engine holding it and the module files read. */
export interface LoadedPolicies {
  engine: PolicyEngine;
  files: string[];
}

/**
 * Loads every `*.rego` and data file under `dir` into a new engine. Parse errors of all
 * files are gathered into one PolicyLoadError.
 */
export function loadPolicies(dir: string, createEngine: PolicyEngineFactory, options: PolicyEngineOptions = {}): LoadedPolicies {
  let found;
  try {
    found = findPolicyFiles(dir);
  } catch (e) {
    throw new PolicyLoadError([e instanceof Error ? e.message : String(e)]);
  }
  const engine = createEngine(options);
  const problems: string[] = [];
  for (const file of found.rego) {
    try {
      engine.addModule(file, readFileSync(file, 'utf8'));
    } catch (e) {
      problems.push(describeLoadError(e, file));
    }
  }
  try {
    if (found.data.length > 0) engine.setData(loadDataDocuments(dir, found.data));
  } catch (e) {
    problems.push(describeLoadError(e, dir));
  }
  if (problems.length === 0) compileAll(engine, problems);
  if (problems.length > 0) throw new PolicyLoadError(problems);
  return { engine, files: found.rego };
}

/** Preparing a trivial query makes an engine that compiles lazily compile every module now. */
function compileAll(engine: PolicyEngine, problems: string[]): void {
  try {
    engine.prepare('true');
  } catch (e) {
    problems.push(describeLoadError(e, ''));
  }
}

function describeLoadError(e: unknown, file: string): string {
  if (e instanceof RegoError) return e.message;
  const message = e instanceof Error ? e.message : String(e);
  return file ? `${file}: ${message}` : message;
}
