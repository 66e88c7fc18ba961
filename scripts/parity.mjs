// Parity of the two policy engines on the product's policies, before the hand-written one is
// retired: every compliance fixture, every combination of the inputs that decide (lifecycle
// state × action × account state × signals × session, unlock, counter, recovery, compliance),
// and random inputs valid under the input schemas, evaluated by the TypeScript Rego engine
// (src/rego) and by the OPA-built Wasm bundle. Each divergence is judged by `opa eval` (OPA's
// own Go evaluator) on the same sources and input.
//
//   node scripts/parity.mjs [--random N]   (after make build policy-build)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RegoEngine } from '../dist/rego/index.js';
import { loadBundle } from '../dist/policy/bundle.js';
import { INPUT_SCHEMA_IDS, loadFixtures } from '../dist/policy/fixtures.js';
import { schemas as schemaRegistry } from '../dist/policy/schemaRegistry.js';
import { OPA } from './lib/opa.mjs';

const RANDOM = Number(process.argv[process.argv.indexOf('--random') + 1] || 60000);
const QUERIES = { decision: 'data.enigm.trust.decision.result', enrollment: 'data.enigm.trust.enrollment.result' };

// --- the two engines --------------------------------------------------------------------
const engine = new RegoEngine({ strict: true });
for (const e of readdirSync('policies', { recursive: true, withFileTypes: true })) {
  if (e.isFile() && e.name.endsWith('.rego') && !e.name.endsWith('_test.rego')) {
    const file = path.join(e.parentPath, e.name);
    engine.addModule(file, readFileSync(file, 'utf8'));
  }
}
const prepared = { decision: engine.prepare(QUERIES.decision), enrollment: engine.prepare(QUERIES.enrollment) };
const bundle = await loadBundle('dist/bundle.tar.gz');

function outcome(fn) {
  try {
    return { value: fn() };
  } catch (e) {
    return { error: String(e instanceof Error ? e.message : e).split('\n')[0] };
  }
}

const tsEngine = (entrypoint, input) => outcome(() => {
  const rows = prepared[entrypoint].eval(input);
  if (rows.length > 1) throw new Error(`${rows.length} results`);
  return rows[0]?.expressions[0];
});
const wasm = (entrypoint, input) => outcome(() => bundle.evaluate(entrypoint, input));

/** JSON with sorted keys: equal results print equal. */
function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'undefined';
}

// --- inputs -------------------------------------------------------------------------------
function merge(base, over) {
  if (!base || !over || typeof base !== 'object' || typeof over !== 'object' || Array.isArray(over)) return over;
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? merge(base[k], v) : v;
  return out;
}

function product(dimensions) {
  return dimensions.reduce((acc, options) => acc.flatMap((a) => options.map((o) => merge(a, o))), [{}]);
}

const fixtureCases = loadFixtures('fixtures').flatMap((f) => f.cases.map((c) => ({ entrypoint: f.entrypoint, input: c.input, origin: `fixture ${f.file} ${c.name}` })));
const decisionBase = fixtureCases.find((c) => c.entrypoint === 'decision').input;
const enrollmentBase = fixtureCases.find((c) => c.entrypoint === 'enrollment').input;

const STATES = ['pending', 'trusted', 'restricted', 'revoked', 'replaced', 'retired'];
const ACTIONS = ['message.receive', 'message.send', 'call.join', 'sync.live', 'sync.history', 'keys.access', 'account.resources', 'device.approve_enrollment', 'device.revoke', 'files.delete'];
const signal = (present, verified, fresh, status) => ({ present, verified, fresh, status, issuer: present ? 'https://mdm.example' : null, age_seconds: present ? 60 : null });

const decisionGrid = product([
  STATES.map((state) => ({ device: { state } })),
  ACTIONS.map((action) => ({ action })),
  ['active', 'locked', 'disabled'].map((state) => ({ account: { state } })),
  [
    { signals: { managed: signal(false, false, false, null) } },
    { signals: { managed: signal(true, false, true, 'compliant') } },
    { signals: { managed: signal(true, true, false, 'compliant') } },
    { signals: { managed: signal(true, true, true, 'compliant') } },
    { signals: { managed: signal(true, true, true, 'noncompliant') } },
    { signals: { managed: signal(true, true, true, 'unknown') } },
  ],
  [
    { signals: { os_integrity: signal(false, false, false, null) } },
    { signals: { os_integrity: signal(true, false, true, 'fail') } },
    { signals: { os_integrity: signal(true, true, true, 'pass') } },
    { signals: { os_integrity: signal(true, true, false, 'fail') } },
  ],
  [
    { account: { session: { present: true, age_seconds: 60, user_verified: true } } },
    { account: { session: { present: true, age_seconds: 100000, user_verified: true } } },
    { account: { session: { present: true, age_seconds: 60, user_verified: false } } },
    { account: { session: { present: false, age_seconds: null, user_verified: false } } },
  ],
  [
    { device: { local_unlock: { verified: true, age_seconds: 30 } } },
    { device: { local_unlock: { verified: true, age_seconds: 100000 } } },
    { device: { local_unlock: { verified: false, age_seconds: 30 } } },
  ],
  [{ device: { counter_anomaly: false } }, { device: { counter_anomaly: true } }],
  [{ account: { recovery: { active: false, age_seconds: null } } }, { account: { recovery: { active: true, age_seconds: 600 } } }],
  [{ account: { policy: { require_managed_compliance: false } } }, { account: { policy: { require_managed_compliance: true, managed: true } } }],
]).map((over) => ({ entrypoint: 'decision', input: merge(decisionBase, over), origin: 'grid' }));

const approvals = [
  [],
  [{ method: 'bootstrap', valid: true }],
  [{ method: 'bootstrap', valid: false }],
  [{ method: 'recovery', valid: true }],
  [{ method: 'recovery', valid: false }],
  [{ method: 'device', approver: { id: 'dev_other', state: 'trusted', same_account: true, user_verified: true } }],
  [{ method: 'device', approver: { id: 'dev_other', state: 'trusted', same_account: true, user_verified: false } }],
  [{ method: 'device', approver: { id: 'dev_other', state: 'restricted', same_account: true, user_verified: true } }],
  [{ method: 'device', approver: { id: 'dev_other', state: 'trusted', same_account: false, user_verified: true } }],
  [{ method: 'device', approver: { id: 'dev_other', state: 'trusted', same_account: true, user_verified: true, counter_anomaly: true } }],
  [{ method: 'admin', decision: 'approve', role: 'approver', same_org: true }],
  [{ method: 'admin', decision: 'approve', role: 'operator', same_org: true }],
  [{ method: 'admin', decision: 'approve', role: 'approver', same_org: false }],
  [{ method: 'admin', decision: 'deny', role: 'approver', same_org: true }],
  [{ method: 'recovery', valid: true }, { method: 'admin', decision: 'approve', role: 'approver', same_org: true }],
  [{ method: 'bootstrap', valid: true }, { method: 'admin', decision: 'deny', role: 'operator', same_org: true }],
];

const enrollmentGrid = product([
  STATES.map((state) => ({ device: { state } })),
  ['active', 'locked', 'disabled'].map((state) => ({ account: { state } })),
  approvals.map((a) => ({ approvals: a })),
  [0, 3].map((n) => ({ account: { devices_ever_enrolled: n } })),
  [{ account: { recovery: { active: false, age_seconds: null } } }, { account: { recovery: { active: true, age_seconds: 600 } } }],
  [{ account: { policy: { managed: false, require_device_bound_credential: false } } }, { account: { policy: { managed: true, require_device_bound_credential: true } } }],
  [[false, false], [true, false], [true, true]].map(([e, b]) => ({ device: { protected: { backup_eligible: e, backed_up: b } } })),
  [{ signals: { os_integrity: signal(false, false, false, null) } }, { signals: { os_integrity: signal(true, true, true, 'fail') } }],
  [{ replacement: { replaces: null, old_state: null } }, { replacement: { replaces: 'dev_old', old_state: 'trusted' } }],
]).map((over) => ({ entrypoint: 'enrollment', input: merge(enrollmentBase, over), origin: 'grid' }));

// Random documents valid under the (inlined) input schemas; values drawn from small pools
// around the policies' thresholds so that equalities and limits are actually met.
let seed = 0x5eed;
const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const pick = (xs) => xs[Math.floor(random() * xs.length)];
const STRINGS = ['dev_test', 'dev_other', 'acc_test', 'default', 'acme', 'x', 'message.receive', 'keys.access', 'sync.history', 'device.approve_enrollment', 'trusted'];
const NUMBERS = [0, 1, 30, 59, 60, 61, 299, 300, 301, 899, 900, 901, 3600, 86400, 2592000, 2592001, 1e9, 0.5];
const TIMES = ['2026-11-25T10:00:00Z', '2026-01-01T00:00:00.123Z'];

function generate(schema) {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return pick(schema.enum);
  if (schema.oneOf) return generate(pick(schema.oneOf));
  if (schema.anyOf) return generate(pick(schema.anyOf));
  const type = Array.isArray(schema.type) ? pick(schema.type) : schema.type;
  switch (type) {
    case 'null': return null;
    case 'boolean': return random() < 0.5;
    case 'integer': return pick(NUMBERS.filter((n) => Number.isInteger(n) && n >= (schema.minimum ?? -Infinity)));
    case 'number': return pick(NUMBERS.filter((n) => n >= (schema.minimum ?? -Infinity)));
    case 'string': return schema.format === 'date-time' ? pick(TIMES) : pick(STRINGS);
    case 'array': {
      const n = Math.max(schema.minItems ?? 0, Math.floor(random() * 4));
      return Array.from({ length: Math.min(n, schema.maxItems ?? n) }, () => generate(schema.items ?? {}));
    }
    case 'object': {
      const out = {};
      for (const [k, s] of Object.entries(schema.properties ?? {})) {
        if ((schema.required ?? []).includes(k) || random() < 0.5) out[k] = generate(s);
      }
      return out;
    }
    default: return null;
  }
}

const schemas = {
  decision: JSON.parse(readFileSync('dist/policy-schemas/policy-input.schema.json', 'utf8')),
  enrollment: JSON.parse(readFileSync('dist/policy-schemas/enrollment-input.schema.json', 'utf8')),
};
const randomCases = ['decision', 'enrollment'].flatMap((entrypoint) => {
  const valid = schemaRegistry().validator(INPUT_SCHEMA_IDS[entrypoint]);
  return Array.from({ length: RANDOM }, () => {
    const input = generate(schemas[entrypoint]);
    if (!valid(input)) throw new Error(`a generated ${entrypoint} input breaks its schema: ${JSON.stringify(valid.errors)}`);
    return { entrypoint, input, origin: 'random' };
  });
});

// --- compare ------------------------------------------------------------------------------
const cases = [...fixtureCases, ...decisionGrid, ...enrollmentGrid, ...randomCases];
const counts = {};
const divergences = [];
const started = performance.now();
for (const c of cases) {
  const key = `${c.entrypoint} ${c.origin.split(' ')[0]}`;
  counts[key] = (counts[key] ?? 0) + 1;
  const a = tsEngine(c.entrypoint, c.input);
  const b = wasm(c.entrypoint, c.input);
  if (canonical(a) !== canonical(b)) divergences.push({ ...c, ts: a, wasm: b });
}
const seconds = (performance.now() - started) / 1000;

function opaEval(entrypoint, input) {
  const dir = mkdtempSync(path.join(tmpdir(), 'parity-'));
  try {
    writeFileSync(path.join(dir, 'input.json'), JSON.stringify(input));
    const out = JSON.parse(execFileSync(OPA, ['eval', '--format', 'json', '-d', 'policies', '--ignore', '*_test.rego', '-i', path.join(dir, 'input.json'), QUERIES[entrypoint]], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
    return { value: out.result?.[0]?.expressions?.[0]?.value };
  } catch (e) {
    return { error: String(e.stderr ?? e.message).split('\n')[0] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`parity of src/rego and the OPA-built Wasm bundle (${bundle.revision}) on the product's policies`);
for (const [k, n] of Object.entries(counts)) console.log(`  ${k.padEnd(24)} ${String(n).padStart(8)} inputs`);
console.log(`  ${'total'.padEnd(24)} ${String(cases.length).padStart(8)} inputs, ${seconds.toFixed(1)} s`);
console.log(`divergences: ${divergences.length}`);
for (const d of divergences.slice(0, 50)) {
  const reference = opaEval(d.entrypoint, d.input);
  const wrong = canonical(reference) === canonical(d.wasm) ? 'src/rego' : canonical(reference) === canonical(d.ts) ? 'Wasm' : 'both';
  console.log(`- ${d.entrypoint} (${d.origin}): wrong engine ${wrong}`);
  console.log(`  input   ${JSON.stringify(d.input)}`);
  console.log(`  src/rego ${canonical(d.ts)}\n  Wasm    ${canonical(d.wasm)}\n  opa eval ${canonical(reference)}`);
}
process.exitCode = divergences.length === 0 ? 0 : 1;
