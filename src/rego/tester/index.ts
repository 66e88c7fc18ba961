/**
 * The policy test runner (`opa test`-like), static rule coverage, JUnit output and
 * one-off evaluation (`opa eval`-like).
 */
export { runPolicyTests, type PolicyTestOptions, type TestReport, type TestResult, type TestStatus } from './runTests.js';
export { evalPolicy, type EvalPolicyOptions } from './evalPolicy.js';
export { toJUnitXml } from './junit.js';
export { formatCoverage, formatTestReport, type TestFormatOptions } from './format.js';
export { staticCoverage, type CoverageReport, type FileCoverage, type RuleCoverage } from './coverage.js';
export { discoverTests, type PolicyTest } from './discover.js';
export { PolicyLoadError } from './load.js';
export type { JsonRow, PolicyEngine, PolicyEngineFactory, PolicyEngineOptions } from './engine.js';
export { policyCommand } from './cli.js';
