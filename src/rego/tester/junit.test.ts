import { escapeXml, toJUnitXml } from './junit.js';
import type { TestReport, TestResult } from './runTests.js';

const result = (over: Partial<TestResult>): TestResult => ({
  package: 'data.app', name: 'test_a', file: 'app_test.rego', line: 3, status: 'pass', durationMs: 1.5, prints: [], ...over,
});

function report(results: TestResult[]): TestReport {
  const count = (s: TestResult['status']) => results.filter((r) => r.status === s).length;
  return { dir: 'p', results, passed: count('pass'), failed: count('fail'), errored: count('error'), skipped: count('skip'), durationMs: 4 };
}

/** Checks that tags nest and close properly and that no raw `<` or `&` is left in text or attributes. */
function wellFormed(xml: string): boolean {
  const stack: string[] = [];
  const body = xml.replace(/^<\?xml[^?]*\?>/, '');
  const tokens = body.split(/(<[^>]*>)/).filter((t) => t !== '');
  for (const t of tokens) {
    if (!t.startsWith('<')) {
      if (/[<>]|&(?!(amp|lt|gt|quot|apos);)/.test(t)) return false;
      continue;
    }
    const m = /^<(\/?)([A-Za-z-]+)((?:\s+[a-z]+="[^"<&]*(?:&(?:amp|lt|gt|quot|apos);[^"<&]*)*")*)\s*(\/?)>$/.exec(t);
    if (!m) return false;
    if (m[1]) {
      if (stack.pop() !== m[2]) return false;
    } else if (!m[4]) stack.push(m[2]);
  }
  return stack.length === 0;
}

describe('escapeXml', () => {
  it('escapes markup characters and replaces characters XML cannot carry', () => {
    expect(escapeXml(`a<b>&"c"'d'`)).toBe('a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;');
    expect(escapeXml('x\u0001y\u0000\t\n')).toBe('x\uFFFDy\uFFFD\t\n');
    expect(escapeXml('\uD83D\uDE00 \uD800')).toBe('\uD83D\uDE00 \uFFFD');
  });
});

describe('toJUnitXml', () => {
  const xml = toJUnitXml(report([
    result({}),
    result({ name: 'test_b', status: 'fail', prints: ['got <nothing> & more'] }),
    result({ package: 'data.other', name: 'test_c', status: 'error', error: { code: 'eval_type_error', message: 'x.rego:4:2: eval_type_error: "a" < 1\n\tdetail' } }),
    result({ package: 'data.other', name: 'todo_test_d', status: 'skip' }),
  ]));

  it('is well-formed, with every message escaped', () => {
    expect(wellFormed(xml)).toBe(true);
    expect(xml).toContain('&lt;nothing&gt; &amp; more');
    expect(xml).toContain('message="x.rego:4:2: eval_type_error: &quot;a&quot; &lt; 1"');
  });

  it('has one suite per package with its counts, and a case per test', () => {
    expect(xml).toContain('<testsuites name="rego" tests="4" failures="1" errors="1" skipped="1" time="0.004000">');
    expect(xml).toContain('<testsuite name="data.app" tests="2" failures="1" errors="0" skipped="0" time="0.003000">');
    expect(xml).toContain('<testcase name="test_a" classname="data.app" file="app_test.rego" line="3" time="0.001500"/>');
    expect(xml).toMatch(/<testcase name="test_b"[^>]*>\s*<failure message="test evaluated to false or undefined" type="fail"\/>/);
    expect(xml).toMatch(/<testcase name="todo_test_d"[^>]*>\s*<skipped\/>/);
  });

  it('is detected as malformed by the checker when a tag is left open', () => {
    expect(wellFormed('<a><b></a>')).toBe(false);
    expect(wellFormed('<a>x < y</a>')).toBe(false);
  });
});
