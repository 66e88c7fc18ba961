/**
 * JUnit XML of a test report, the format CI systems read: one `<testsuite>` per package,
 * one `<testcase>` per test, `<failure>`, `<error>` and `<skipped>` as they apply.
 */
import type { TestReport, TestResult } from './runTests.js';

/**
 * Escapes text for XML attributes and content. Characters XML 1.0 cannot carry at all
 * (most control characters, lone surrogates) are replaced by U+FFFD.
 */
export function escapeXml(text: string): string {
  return replaceInvalidXmlChars(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** True for a code point XML 1.0 allows: tab, LF, CR, and the ranges from space on, bar surrogates and U+FFFE/FFFF. */
function isXmlChar(cp: number): boolean {
  if (cp < 0x20) return cp === 0x9 || cp === 0xa || cp === 0xd;
  if (cp >= 0xd800 && cp <= 0xdfff) return false; // a lone surrogate: paired ones arrive as one code point
  return cp !== 0xfffe && cp !== 0xffff;
}

function replaceInvalidXmlChars(text: string): string {
  let out = '';
  for (const ch of text) out += isXmlChar(ch.codePointAt(0) as number) ? ch : '\uFFFD';
  return out;
}

const seconds = (ms: number) => (ms / 1000).toFixed(6);

function attrs(values: Record<string, string | number>): string {
  return Object.entries(values).map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`).join('');
}

function testcase(r: TestResult): string {
  const open = `    <testcase${attrs({ name: r.name, classname: r.package, file: r.file, line: r.line, time: seconds(r.durationMs) })}`;
  const inner: string[] = [];
  if (r.status === 'fail') inner.push(`      <failure${attrs({ message: 'test evaluated to false or undefined', type: 'fail' })}/>`);
  if (r.status === 'error' && r.error) {
    inner.push(`      <error${attrs({ message: r.error.message.split('\n')[0], type: r.error.code })}>${escapeXml(r.error.message)}</error>`);
  }
  if (r.status === 'skip') inner.push('      <skipped/>');
  if (r.prints.length > 0) inner.push(`      <system-out>${escapeXml(r.prints.join('\n'))}</system-out>`);
  return inner.length === 0 ? `${open}/>` : `${open}>\n${inner.join('\n')}\n    </testcase>`;
}

function suite(name: string, results: TestResult[]): string {
  const count = (s: TestResult['status']) => results.filter((r) => r.status === s).length;
  const time = results.reduce((t, r) => t + r.durationMs, 0);
  const head = `  <testsuite${attrs({ name, tests: results.length, failures: count('fail'), errors: count('error'), skipped: count('skip'), time: seconds(time) })}>`;
  return [head, ...results.map(testcase), '  </testsuite>'].join('\n');
}

/** Renders `report` as a JUnit XML document. */
export function toJUnitXml(report: TestReport): string {
  const byPackage = new Map<string, TestResult[]>();
  for (const r of report.results) byPackage.set(r.package, [...(byPackage.get(r.package) ?? []), r]);
  const head = `<testsuites${attrs({ name: 'rego', tests: report.results.length, failures: report.failed, errors: report.errored, skipped: report.skipped, time: seconds(report.durationMs) })}>`;
  const suites = [...byPackage].map(([name, results]) => suite(name, results));
  return ['<?xml version="1.0" encoding="UTF-8"?>', head, ...suites, '</testsuites>', ''].join('\n');
}
