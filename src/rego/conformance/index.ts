/**
 * The Rego conformance harness: runs regorus-style YAML cases against an engine.
 */
export { runConformance, type ConformanceOptions } from './runConformance.js';
export { formatReport, summarise, type FolderSummary, type FormatOptions, type Report, type Tally } from './report.js';
export { runCase, type CaseKind, type CaseResult, type CaseStatus } from './runCase.js';
export { loadCases, type ConformanceCase, type Expectation, type LoadedCases } from './cases.js';
export { createRegoEngine, type CaseEngineOptions, type ConformanceEngine, type EngineFactory, type ValueRow } from './engine.js';
export { conformanceCommand } from './command.js';
