// `make bench` part: the Rego engine against the same policy hand-written in JavaScript.
// The policy (bench/fixtures/rego-trust.rego, a device-trust decision of 35 rules, 55 definitions) is
// compiled once; both sides then decide the same 100k seeded inputs, which must agree on
// every one. Printed as evaluations per second of each and their ratio, since absolute
// figures drift on shared machines, plus heap used around 1M engine evaluations.
// Run after `npm run build`: node --expose-gc bench/rego.mjs
import { readFileSync } from 'node:fs';
import { RegoEngine } from '../dist/rego/index.js';

const INPUTS = Number(process.env.BENCH_INPUTS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const HEAP_EVALS = Number(process.env.BENCH_HEAP_EVALS ?? 1_000_000);

// ---------------------------------------------------------------------------------------
// Inputs: plain JS objects as the service builds them, from a seeded PRNG (mulberry32).
// ---------------------------------------------------------------------------------------

function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Weighted towards what a service sees most: live traffic from trusted, approved devices.
const ACTIONS = ['message.receive', 'message.receive', 'message.send', 'message.send', 'sync.live', 'call.join',
  'keys.access', 'sync.history', 'device.approve_enrollment', 'account.resources', 'device.revoke', 'files.delete'];
const DEVICE_STATES = ['trusted', 'trusted', 'trusted', 'trusted', 'trusted', 'restricted', 'restricted', 'pending', 'revoked',
  'replaced', 'retired', 'lost'];
const APPROVALS = ['device', 'device', 'admin', 'bootstrap', 'recovery', 'self'];
const ANOMALIES = ['geo_velocity', 'new_asn', 'clock_skew', 'emulator'];

function makeInput(rand) {
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const chance = (p) => rand() < p;
  const age = (max) => (chance(0.1) ? null : Math.floor(rand() * max));
  const signal = (statuses) => ({ present: chance(0.8), verified: chance(0.8), status: pick(statuses) });
  const anomalies = [];
  for (let i = Math.floor(rand() * 3); i > 0; i--) {
    anomalies.push({ kind: pick(ANOMALIES), weight: Math.floor(rand() * 5), verified: chance(0.5) });
  }
  const device = {
    id: `dev_${Math.floor(rand() * 1e9).toString(36)}`,
    state: pick(DEVICE_STATES),
    associated: chance(0.95),
    counter_anomaly: chance(0.05),
    replacement: { replaced_by: chance(0.05) ? 'dev_next' : null },
    local_unlock: { verified: chance(0.8), age_seconds: age(1200) },
  };
  if (chance(0.9)) device.approval = { method: pick(APPROVALS), at: '2026-11-01T10:00:00Z' };
  const signals = {
    os_integrity: signal(['pass', 'pass', 'pass', 'fail']),
    posture: { present: true, screen_lock: chance(0.8) },
    anomalies,
  };
  if (chance(0.7)) signals.managed = { ...signal(['compliant', 'compliant', 'noncompliant']), fresh: chance(0.85) };
  return {
    action: pick(ACTIONS),
    now: '2026-11-25T10:00:00Z',
    account: {
      id: `acc_${Math.floor(rand() * 1e6)}`,
      org: chance(0.5) ? 'default' : 'org_acme',
      state: pick(['active', 'active', 'active', 'active', 'active', 'active', 'locked', 'disabled']),
      recovery: chance(0.1) ? { active: true, age_seconds: 3600 } : { active: false, age_seconds: null },
      session: { present: chance(0.9), age_seconds: age(1800), user_verified: chance(0.85) },
      policy: { max_session_age_seconds: 900, max_unlock_age_seconds: 600, require_managed_compliance: chance(0.4) },
    },
    device,
    signals,
  };
}

// ---------------------------------------------------------------------------------------
// The same policy, hand-written: what a service would write without an engine.
// ---------------------------------------------------------------------------------------

const LIVE = new Set(['message.receive', 'message.send', 'sync.live', 'call.join']);
const HIGH_RISK = new Set(['keys.access', 'sync.history', 'device.approve_enrollment']);
const ACCOUNT = new Set(['account.resources', 'device.revoke']);
const KNOWN = new Set([...LIVE, ...HIGH_RISK, ...ACCOUNT]);
const RESTRICTED = new Set([...LIVE, ...ACCOUNT]);
const COMPLIANCE = new Set(['keys.access', 'sync.history']);
const APPROVED = new Set(['device', 'admin', 'bootstrap', 'recovery']);
const DEVICE_STATE_REASONS = new Map([['pending', 'device_pending'], ['revoked', 'device_revoked'],
  ['replaced', 'device_replaced'], ['retired', 'device_retired']]);

function decideByHand(input) {
  const { action, account = {}, device = {}, signals = {} } = input;
  const policy = account.policy ?? {};
  const session = account.session ?? {};
  const unlock = device.local_unlock ?? {};
  const os = signals.os_integrity ?? {};
  const managed = signals.managed ?? {};

  const accountActive = account.state === 'active';
  const stateReason = account.state === 'locked' ? 'account_locked' : account.state === 'disabled' ? 'account_disabled' : 'account_not_active';
  const sessionFresh = session.present === true && typeof session.age_seconds === 'number'
    && typeof policy.max_session_age_seconds === 'number' && session.age_seconds <= policy.max_session_age_seconds;
  const userVerified = session.user_verified === true;
  const complianceRequired = policy.require_managed_compliance === true;
  const associated = device.associated === true;
  const approved = APPROVED.has(device.approval?.method);
  const superseded = typeof device.replacement?.replaced_by === 'string';
  const unlockRecent = unlock.verified === true && typeof unlock.age_seconds === 'number'
    && typeof policy.max_unlock_age_seconds === 'number' && unlock.age_seconds <= policy.max_unlock_age_seconds;
  const osFailed = os.present === true && os.verified === true && os.status === 'fail';
  const eligible = device.state === 'trusted' || device.state === 'restricted';
  const tier = eligible ? (osFailed ? 'restricted' : device.state) : undefined;
  const managedCompliant = managed.present === true && managed.verified === true && managed.fresh === true && managed.status === 'compliant';
  const managedProblem = managed.present !== true ? 'managed_statement_missing' : managed.verified !== true ? 'managed_statement_unverified'
    : managed.fresh !== true ? 'managed_statement_stale' : 'managed_device_noncompliant';
  let risk = 0;
  if (Array.isArray(signals.anomalies)) {
    for (const a of signals.anomalies) if (a.verified === true && typeof a.weight === 'number') risk += a.weight * 10;
  }
  const known = KNOWN.has(action);
  const highRisk = HIGH_RISK.has(action);
  const permitted = (tier === 'trusted' && known) || (tier === 'restricted' && RESTRICTED.has(action));
  const needsCompliance = complianceRequired && COMPLIANCE.has(action) && !managedCompliant;

  const deny = new Set();
  if (!known) deny.add('unknown_action');
  if (!accountActive) deny.add(stateReason);
  if (highRisk && account.recovery?.active !== false) deny.add('account_in_recovery');
  if (!eligible) deny.add(DEVICE_STATE_REASONS.get(device.state) ?? 'device_state_unknown');
  if (superseded) deny.add('device_replaced');
  if (!associated) deny.add('device_not_associated');
  if (eligible && !approved) deny.add('device_approval_missing');
  if (tier === 'restricted' && known && !RESTRICTED.has(action)) deny.add('action_not_allowed_when_restricted');
  if (highRisk && !sessionFresh) deny.add('session_not_fresh');
  if (highRisk && !userVerified) deny.add('session_not_user_verified');
  if (highRisk && !unlockRecent) deny.add('local_unlock_not_recent');
  if (highRisk && device.counter_anomaly !== false) deny.add('counter_anomaly');
  if (needsCompliance) deny.add(managedProblem);
  if (risk >= 50) deny.add('risk_too_high');

  const allow = known && accountActive && associated && approved && !superseded && permitted && deny.size === 0;
  const remediable = accountActive && associated && permitted;
  const obligations = new Set();
  if (remediable && highRisk && (!sessionFresh || !userVerified)) obligations.add('require_reauthentication');
  if (remediable && highRisk && !unlockRecent) obligations.add('require_local_unlock');
  if (remediable && needsCompliance) obligations.add('refresh_managed_status');
  if (tier !== undefined && signals.posture?.screen_lock === false) obligations.add('prompt_screen_lock');

  let reasons;
  if (allow) reasons = tier === 'trusted' ? ['device_trusted'] : osFailed ? ['device_restricted', 'os_integrity_failed'] : ['device_restricted'];
  else reasons = deny.size > 0 ? [...deny].sort() : ['policy_conditions_not_met'];
  return { allow, obligations: [...obligations].sort(), reasons, risk };
}

// ---------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------

const engine = new RegoEngine();
engine.addModule('rego-trust.rego', readFileSync(new URL('./fixtures/rego-trust.rego', import.meta.url), 'utf8'));
const query = engine.prepare('data.bench.trust.result');
const decideByEngine = (input) => query.eval(input)[0]?.expressions[0];

const rand = prng(20261125);
const inputs = Array.from({ length: INPUTS }, () => makeInput(rand));

// Both must agree on every input before any timing counts.
let allowed = 0;
for (let i = 0; i < inputs.length; i++) {
  const want = JSON.stringify(decideByHand(inputs[i]));
  const got = JSON.stringify(decideByEngine(inputs[i]));
  if (got !== want) {
    console.error(`MISMATCH on input ${i}:\n  input:        ${JSON.stringify(inputs[i])}\n  engine:       ${got}\n  hand-written: ${want}`);
    process.exit(1);
  }
  if (JSON.parse(want).allow) allowed++;
}

let sink = 0;
/**
 * Seconds of CPU this process spends deciding every input once. CPU time rather than wall
 * time: on a shared machine, waiting for a core would count against whichever side waited.
 */
function pass(decide) {
  const started = process.cpuUsage();
  for (let i = 0; i < inputs.length; i++) if (decide(inputs[i]).allow) sink++;
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1e6;
}

/**
 * Evaluations per CPU second of each, as the median of ROUNDS passes over all inputs. The
 * two alternate pass by pass, after two warm-up passes each, so that drift falls on both.
 */
function rates(...deciders) {
  for (let warm = 0; warm < 2; warm++) for (const d of deciders) pass(d);
  const secs = deciders.map(() => []);
  for (let r = 0; r < ROUNDS; r++) deciders.forEach((d, i) => secs[i].push(pass(d)));
  return secs.map((s) => inputs.length / s.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]);
}

const [handRate, engineRate] = rates(decideByHand, decideByEngine);

const gc = typeof globalThis.gc === 'function' ? globalThis.gc : undefined;
const heapUsed = () => {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
};
const heapBefore = heapUsed();
for (let i = 0; i < HEAP_EVALS; i++) if (decideByEngine(inputs[i % inputs.length]).allow) sink++;
const heapAfter = heapUsed();

const fmt = (n) => Math.round(n).toLocaleString('en-US').padStart(12);
const mb = (b) => `${(b / 1024 / 1024).toFixed(1)} MB`;
console.log(`Rego engine vs hand-written JavaScript (${inputs.length.toLocaleString('en-US')} seeded inputs, ${allowed} allowed; CPU time, median of ${ROUNDS} rounds)`);
console.log(`  all ${inputs.length.toLocaleString('en-US')} decisions identical`);
console.log(`  hand-written  ${fmt(handRate)} evals/s   ${(1e6 / handRate).toFixed(2).padStart(7)} µs/eval`);
console.log(`  engine        ${fmt(engineRate)} evals/s   ${(1e6 / engineRate).toFixed(2).padStart(7)} µs/eval`);
console.log(`  ratio (engine time / hand-written time): ${(handRate / engineRate).toFixed(2)}×   target ≤ 5×`);
console.log(`  heap used around ${HEAP_EVALS.toLocaleString('en-US')} engine evals: ${mb(heapBefore)} before, ${mb(heapAfter)} after` +
  (gc ? ' (after global.gc)' : ' (no --expose-gc: figures include garbage not yet collected)'));
if (sink < 0) console.log(sink);
