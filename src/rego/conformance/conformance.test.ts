import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatReport } from './report.js';
import { runConformance } from './runConformance.js';

/**
 * Value cases of the regorus suite that pass today. A run below it is a regression; raise
 * it when the engine gets better.
 */
const VALUE_CASES_PASSING_FLOOR = 338;

const casesDir = resolve(process.cwd(), '../shared/conformance/regorus');

describe('regorus conformance suite', () => {
  it('is present (CI provides it)', () => {
    expect(existsSync(casesDir)).toBe(true);
  });

  it(`passes at least ${VALUE_CASES_PASSING_FLOOR} value cases`, () => {
    const report = runConformance(casesDir, { timeoutMs: 10_000 });
    expect(report.fileErrors).toEqual([]);
    if (report.total.value.passed < VALUE_CASES_PASSING_FLOOR) {
      // Show what failed, so a regression can be found from the test output alone.
      console.log(formatReport(report));
    }
    expect(report.total.value.passed).toBeGreaterThanOrEqual(VALUE_CASES_PASSING_FLOOR);
  }, 300_000);
});
