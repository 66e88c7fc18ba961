/**
 * The conformance harness entry point.
 */
import { loadCases } from './cases.js';
import { summarise, type Report } from './report.js';
import { runCase, type RunOptions } from './runCase.js';

/** Options of `runConformance`: the engine factory and a per-case deadline. */
export type ConformanceOptions = RunOptions;

/**
 * Runs every case under `dir` (the regorus case layout: `*.yaml` files of `cases:`) and
 * returns the report. Throws when `dir` is not a folder.
 */
export function runConformance(dir: string, options: ConformanceOptions = {}): Report {
  const started = performance.now();
  const { cases, fileErrors } = loadCases(dir);
  const results = cases.map((c) => runCase(c, options));
  return summarise(dir, results, fileErrors, performance.now() - started);
}
