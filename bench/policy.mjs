// `make bench` part: one evaluation of the product's decision policy, compiled by OPA to Wasm
// and run by @open-policy-agent/opa-wasm (the served bundle, dist/bundle.tar.gz), against the
// same logic written by hand (bench/decideByHand.mjs). Both decide the same seeded inputs and
// must agree on every one before any timing counts. Figures are CPU µs per evaluation, the
// median of alternating rounds, and their ratio; then the Wasm memory and the process heap
// around 1M evaluations, and what writing the input's JSON text alone costs.
//
// Run after `make build policy-build`: node --expose-gc bench/policy.mjs
import { readFileSync } from 'node:fs';
import { loadBundle } from '../dist/policy/bundle.js';
import { decideByHand } from './decideByHand.mjs';

const INPUTS = Number(process.env.BENCH_INPUTS ?? 50_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const MEMORY_EVALS = Number(process.env.BENCH_MEMORY_EVALS ?? 1_000_000);

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
const STATES = ['trusted', 'trusted', 'trusted', 'trusted', 'trusted', 'restricted', 'restricted', 'pending', 'revoked', 'replaced', 'retired'];
const base = JSON.parse(readFileSync(new URL('../fixtures/decision/lifecycle.json', import.meta.url), 'utf8')).base;

function makeInput(rand) {
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const chance = (p) => rand() < p;
  const age = (max) => (chance(0.1) ? null : Math.floor(rand() * max));
  const signal = (statuses) => {
    const present = chance(0.7);
    return { present, verified: present && chance(0.85), fresh: present && chance(0.85), status: present ? pick(statuses) : null, issuer: present ? 'https://mdm.example' : null, age_seconds: present ? age(86400) : null };
  };
  const input = structuredClone(base);
  input.action = pick(ACTIONS);
  input.account.state = pick(['active', 'active', 'active', 'active', 'active', 'locked', 'disabled']);
  input.account.recovery = chance(0.1) ? { active: true, age_seconds: 3600 } : { active: false, age_seconds: null };
  input.account.session = { present: chance(0.9), age_seconds: age(1800), user_verified: chance(0.85) };
  input.account.policy.require_managed_compliance = chance(0.4);
  input.device.state = pick(STATES);
  input.device.associated = chance(0.97);
  input.device.approval.method = chance(0.95) ? pick(['device', 'admin', 'bootstrap', 'recovery']) : null;
  input.device.replacement.replaced_by = chance(0.03) ? 'dev_next' : null;
  input.device.counter_anomaly = chance(0.05);
  input.device.local_unlock = { verified: chance(0.8), age_seconds: age(1200), method: 'webauthn_uv' };
  input.signals.managed = signal(['compliant', 'compliant', 'noncompliant', 'unknown']);
  input.signals.os_integrity = { ...signal(['pass', 'pass', 'pass', 'fail']), measurements: {} };
  input.signals.posture = { ...input.signals.posture, present: chance(0.6), screen_lock: chance(0.8) };
  return input;
}

const bundle = await loadBundle(new URL('../dist/bundle.tar.gz', import.meta.url).pathname);
const byWasm = (input) => bundle.evaluate('decision', input);

const rand = prng(20261205);
const inputs = Array.from({ length: INPUTS }, () => makeInput(rand));

let allowed = 0;
for (let i = 0; i < inputs.length; i++) {
  const want = JSON.stringify(decideByHand(inputs[i]));
  const got = JSON.stringify(byWasm(inputs[i]));
  if (got !== want) {
    console.error(`MISMATCH on input ${i}:\n  input:        ${JSON.stringify(inputs[i])}\n  Wasm:         ${got}\n  hand-written: ${want}`);
    process.exit(1);
  }
  if (JSON.parse(want).allow) allowed++;
}

let sink = 0;
/** CPU seconds to decide every input once: on a shared machine, waiting for a core is nobody's cost. */
function pass(decide) {
  const started = process.cpuUsage();
  for (let i = 0; i < inputs.length; i++) if (decide(inputs[i])) sink++;
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1e6;
}

/** µs per evaluation of each, the median of ROUNDS passes; sides alternate so that drift falls on all. */
function microseconds(deciders) {
  const entries = Object.entries(deciders);
  for (let warm = 0; warm < 2; warm++) for (const [, d] of entries) pass(d);
  const secs = Object.fromEntries(entries.map(([name]) => [name, []]));
  for (let r = 0; r < ROUNDS; r++) for (const [name, d] of entries) secs[name].push(pass(d));
  return Object.fromEntries(entries.map(([name]) => [name, (1e6 * secs[name].sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]) / inputs.length]));
}

const encoder = new TextEncoder();
const scratch = new Uint8Array(1 << 20);
const us = microseconds({
  wasm: byWasm,
  hand: decideByHand,
  // What happens before Wasm sees the input: JSON text, encoded as UTF-8 into a reused buffer.
  serialise: (input) => encoder.encodeInto(JSON.stringify(input), scratch).written,
});

const gc = typeof globalThis.gc === 'function' ? globalThis.gc : undefined;
const heapUsed = () => {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
};
const wasmBefore = bundle.memoryBytes();
const heapBefore = heapUsed();
for (let i = 0; i < MEMORY_EVALS; i++) if (byWasm(inputs[i % inputs.length]).allow) sink++;
const heapAfter = heapUsed();
const wasmAfter = bundle.memoryBytes();

const mb = (b) => `${(b / 1024 / 1024).toFixed(2)} MB`;
const row = (name, v) => `  ${name.padEnd(44)} ${v.toFixed(2).padStart(7)} µs/eval`;
console.log(`Decision policy: OPA-built Wasm vs hand-written (${inputs.length.toLocaleString('en-US')} seeded inputs, ${allowed.toLocaleString('en-US')} allowed; CPU time, median of ${ROUNDS} rounds)`);
console.log(`  all ${inputs.length.toLocaleString('en-US')} decisions identical; bundle ${bundle.revision}, Wasm ABI ${bundle.abi}`);
console.log(row('Wasm (@open-policy-agent/opa-wasm)', us.wasm));
console.log(row('  of which the input\'s JSON text (UTF-8)', us.serialise));
console.log(row('hand-written', us.hand));
console.log(`  ratio (Wasm time / hand-written time): ${(us.wasm / us.hand).toFixed(1)}×`);
console.log(`  around ${MEMORY_EVALS.toLocaleString('en-US')} Wasm evaluations: Wasm memory ${mb(wasmBefore)} → ${mb(wasmAfter)}, process heap ${mb(heapBefore)} → ${mb(heapAfter)}` +
  (gc ? ' (after global.gc)' : ' (no --expose-gc: the heap includes garbage not yet collected)'));
if (sink < 0) console.log(sink);
