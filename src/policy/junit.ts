/**
 * JUnit XML, the report format CI systems read, for the policy unit tests and the fixtures.
 */

/** One test case: passed when `problem` is absent. */
export interface JUnitCase {
  suite: string;
  name: string;
  classname: string;
  file: string;
  durationMs: number;
  problem?: { kind: 'failure' | 'error'; type: string; message: string; detail: string };
}

function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function attrs(values: Record<string, string | number>): string {
  return Object.entries(values).map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`).join('');
}

const seconds = (ms: number) => (ms / 1000).toFixed(6);

function testcase(c: JUnitCase): string {
  const open = `    <testcase${attrs({ name: c.name, classname: c.classname, file: c.file, time: seconds(c.durationMs) })}`;
  if (c.problem === undefined) return `${open}/>`;
  const { kind, type, message, detail } = c.problem;
  return `${open}>\n      <${kind}${attrs({ message, type })}>${escapeXml(detail)}</${kind}>\n    </testcase>`;
}

/** One `<testsuites name>` document, one `<testsuite>` per distinct `suite`, in order of appearance. */
export function toJUnitXml(name: string, cases: JUnitCase[], totalMs: number): string {
  const suites = new Map<string, JUnitCase[]>();
  for (const c of cases) suites.set(c.suite, [...(suites.get(c.suite) ?? []), c]);
  const count = (cs: JUnitCase[], kind: 'failure' | 'error') => cs.filter((c) => c.problem?.kind === kind).length;
  const body = [...suites].map(([suite, cs]) => {
    const time = cs.reduce((t, c) => t + c.durationMs, 0);
    const head = `  <testsuite${attrs({ name: suite, tests: cs.length, failures: count(cs, 'failure'), errors: count(cs, 'error'), time: seconds(time) })}>`;
    return [head, ...cs.map(testcase), '  </testsuite>'].join('\n');
  });
  const head = `<testsuites${attrs({ name, tests: cases.length, failures: count(cases, 'failure'), errors: count(cases, 'error'), time: seconds(totalMs) })}>`;
  return ['<?xml version="1.0" encoding="UTF-8"?>', head, ...body, '</testsuites>', ''].join('\n');
}
