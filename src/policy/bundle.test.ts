import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../../test/helpers/env.js';
import { RegoError } from '../rego/index.js';
import { loadBundle } from './bundle.js';
import { createPolicyStore } from './policyStore.js';

const DECISION = `package enigm.trust.decision
default allow := false
allow if input.device.state == "trusted"
reasons contains "device_trusted" if allow
reasons contains "device_not_trusted" if not allow
result := {"allow": allow, "reasons": reasons, "obligations": []}
`;
const ENROLLMENT = `package enigm.trust.enrollment
result := {"outcome": "pending", "requirements": ["admin_approval"], "reasons": []}
`;

function policyDir(files: Record<string, string>): { dir: string; remove(): void } {
  const tmp = tempDir('enigm-policies-');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(tmp.dir, name)), { recursive: true });
    writeFileSync(path.join(tmp.dir, name), text);
  }
  return tmp;
}

describe('the policy bundle', () => {
  it('evaluates both entrypoints and names its revision by the hash of its sources', () => {
    const tmp = policyDir({ 'd/decision.rego': DECISION, 'd/enrollment.rego': ENROLLMENT, 'd/decision_test.rego': 'package x\ntest_ok if true\n' });
    const b = loadBundle(tmp.dir);
    expect(b.files).toEqual(['d/decision.rego', 'd/enrollment.rego']);
    expect(b.revision).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(b.decide({ device: { state: 'trusted' } })).toEqual({ allow: true, reasons: ['device_trusted'], obligations: [] });
    expect(b.decide({ device: { state: 'revoked' } })).toEqual({ allow: false, reasons: ['device_not_trusted'], obligations: [] });
    expect(b.enroll({})).toEqual({ outcome: 'pending', requirements: ['admin_approval'], reasons: [] });
    expect(loadBundle(tmp.dir).revision).toBe(b.revision);
    writeFileSync(path.join(tmp.dir, 'd/decision.rego'), DECISION + '\n# edited\n');
    expect(loadBundle(tmp.dir).revision).not.toBe(b.revision);
    tmp.remove();
  });

  it('refuses to load a policy that does not compile, naming file, line and column', () => {
    const tmp = policyDir({ 'decision.rego': DECISION.replace('allow if input', 'allow if inpt'), 'enrollment.rego': ENROLLMENT });
    expect(() => loadBundle(tmp.dir)).toThrow(RegoError);
    try {
      loadBundle(tmp.dir);
    } catch (err) {
      expect((err as RegoError).location).toMatchObject({ file: 'decision.rego', line: 3 });
    }
    tmp.remove();
  });

  it('fails closed: an undefined or malformed result denies', () => {
    const tmp = policyDir({ 'decision.rego': 'package enigm.trust.decision\nresult := {"allow": "yes"} if input.x\n', 'enrollment.rego': ENROLLMENT });
    const b = loadBundle(tmp.dir);
    expect(b.decide({})).toEqual({ allow: false, reasons: ['policy_undefined'], obligations: [] });
    expect(b.decide({ x: true })).toEqual({ allow: false, reasons: ['policy_result_invalid'], obligations: [] });
    tmp.remove();
  });

  it('fails closed when evaluation raises an error', () => {
    const tmp = policyDir({
      'decision.rego': 'package enigm.trust.decision\nresult := {"allow": true, "reasons": [], "obligations": []} if { x := 1 / input.zero; x > 0 }\n',
      'enrollment.rego': ENROLLMENT,
    });
    expect(loadBundle(tmp.dir).decide({ zero: 0 })).toEqual({ allow: false, reasons: ['policy_error'], obligations: [] });
    tmp.remove();
  });

  it('keeps serving the old revision when a reload fails, and takes the new one when it succeeds', () => {
    const tmp = policyDir({ 'decision.rego': DECISION, 'enrollment.rego': ENROLLMENT });
    const store = createPolicyStore(tmp.dir);
    const first = store.current().revision;
    writeFileSync(path.join(tmp.dir, 'decision.rego'), 'package enigm.trust.decision\nallow if {');
    const failed = store.reload();
    expect(failed).toMatchObject({ ok: false, revision: first });
    expect(store.current().decide({ device: { state: 'trusted' } }).allow).toBe(true);
    writeFileSync(path.join(tmp.dir, 'decision.rego'), DECISION.replace('"trusted"', '"restricted"'));
    const ok = store.reload();
    expect(ok).toMatchObject({ ok: true, changed: true });
    expect(store.current().revision).not.toBe(first);
    expect(store.current().decide({ device: { state: 'trusted' } }).allow).toBe(false);
    tmp.remove();
  });
});
