// `make bench` part: POST /v1/decisions (Express, PostgreSQL, the OPA-built Wasm bundle, the
// decision log) against two peers, all driven by wrk in this one run:
//   - node's own http server answering a constant JSON body: the most a Node service can serve;
//   - OPA's own server (`opa run --server`) loaded with the same bundle, asked the same decision.
//     This OPA is built without a Wasm runtime (that needs cgo and a prebuilt wasmtime), so it is
//     given the bundle without its Wasm module: the same Rego sources, data and revision, which
//     it evaluates with its Go evaluator, on every core it finds.
// This machine's speed drifts by tens of percent from minute to minute, so the three are
// measured in rotating rounds and compared by their medians, at 10 connections and at 50.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { readBundleArchive } from '../dist/policy/readBundleArchive.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const LOADS = (process.env.BENCH_CONNECTIONS ?? '10,50').split(',').map(Number);
const ROOT = new URL('..', import.meta.url).pathname;
const BUNDLE = path.join(ROOT, 'dist/bundle.tar.gz');
const work = mkdtempSync(path.join(tmpdir(), 'enigm-bench-'));

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function untilAnswers(url, child, output) {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited (${child.exitCode}): ${output()}`);
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer`);
}

// --- the servers -------------------------------------------------------------------------
const service = spawn(process.execPath, [new URL('./decision-server.mjs', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
const [line] = await once(createInterface({ input: service.stdout }), 'line');
const { real, baseline, token, devices } = JSON.parse(line);

/** The served bundle as a folder without its Wasm module (and so without the signature over it). */
async function regoBundle(dir) {
  for (const [name, bytes] of await readBundleArchive(readFileSync(BUNDLE))) {
    if (name === 'policy.wasm' || name === '.signatures.json') continue;
    let content = bytes;
    if (name === '.manifest') {
      const { wasm: _wasm, ...manifest } = JSON.parse(bytes.toString());
      content = JSON.stringify(manifest);
    }
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

const opaPort = await freePort();
const opaArgs = ['run', '--server', '--addr', `127.0.0.1:${opaPort}`, '--log-level', 'error', '--bundle', await regoBundle(path.join(work, 'bundle'))];
// Its stderr is kept for an early exit only: OPA warns at every start when run as root.
const opa = spawn(path.join(ROOT, '.tools/bin/opa'), opaArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
let opaStderr = '';
opa.stderr.on('data', (c) => (opaStderr += c));
await untilAnswers(`http://127.0.0.1:${opaPort}/health?bundles`, opa, () => opaStderr);

// --- what wrk sends ------------------------------------------------------------------------
const actions = ['message.receive', 'call.join', 'sync.live', 'keys.access'];
// Spread over every device and action, as real callers do.
const decisionBodies = devices.slice(0, 20000).map(([accountId, deviceId], i) => JSON.stringify({ accountId, deviceId, action: actions[i % actions.length] }));
// OPA is asked for the same decision: the input document the service builds for such a device.
const base = JSON.parse(readFileSync(path.join(ROOT, 'fixtures/decision/lifecycle.json'), 'utf8')).base;
const opaBodies = devices.slice(0, 20000).map(([accountId, deviceId], i) => JSON.stringify({
  input: { ...base, action: actions[i % actions.length], account: { ...base.account, id: accountId }, device: { ...base.device, id: deviceId } },
}));

function luaScript(file, bodies, headers) {
  const quote = (s) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  writeFileSync(file, [
    'wrk.method = "POST"',
    ...Object.entries(headers).map(([k, v]) => `wrk.headers[${quote(k)}] = ${quote(v)}`),
    `local bodies = {${bodies.map(quote).join(',\n')}}`,
    'local n = 0',
    'request = function()',
    '  n = n + 1',
    '  return wrk.format(nil, nil, nil, bodies[(n % #bodies) + 1])',
    'end',
    'done = function(summary, latency, requests)',
    '  local e = summary.errors',
    '  io.write(string.format("RESULT {\\"requests\\":%d,\\"micros\\":%d,\\"p50\\":%.3f,\\"p99\\":%.3f,\\"errors\\":%d,\\"non2xx\\":%d}\\n",',
    '    summary.requests, summary.duration, latency:percentile(50) / 1000, latency:percentile(99) / 1000,',
    '    e.connect + e.read + e.write + e.timeout, e.status))',
    'end',
  ].join('\n'));
  return file;
}

const json = { 'Content-Type': 'application/json' };
const targets = {
  'node http, constant': { url: `http://127.0.0.1:${baseline}/v1/decisions`, script: luaScript(path.join(work, 'decisions.lua'), decisionBodies, { ...json, Authorization: `Bearer ${token}` }) },
  'POST /v1/decisions': { url: `http://127.0.0.1:${real}/v1/decisions`, script: path.join(work, 'decisions.lua') },
  'opa run --server': { url: `http://127.0.0.1:${opaPort}/v1/data/enigm/trust/decision/result`, script: luaScript(path.join(work, 'opa.lua'), opaBodies, json) },
};

async function wrk({ url, script }, connections, seconds) {
  const child = spawn('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '5s', '-s', script, url], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  await once(child, 'exit');
  const result = /^RESULT (.*)$/m.exec(out);
  if (!result) throw new Error(`wrk printed no result for ${url}:\n${out}`);
  const r = JSON.parse(result[1]);
  return { rps: r.requests / (r.micros / 1e6), p50: r.p50, p99: r.p99, failures: r.errors + r.non2xx };
}

// --- the run -----------------------------------------------------------------------------
const names = Object.keys(targets);
const results = [];
for (const connections of LOADS) {
  for (const name of names) await wrk(targets[name], connections, SECONDS); // warm: JIT, pools, plans
  const rounds = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < ROUNDS; i++) {
    const order = names.map((_, k) => names[(k + i) % names.length]);
    for (const name of order) rounds[name].push(await wrk(targets[name], connections, SECONDS));
  }
  results.push({ connections, rounds });
}
service.kill('SIGTERM');
opa.kill('SIGTERM');
await Promise.all([once(service, 'exit'), once(opa, 'exit')]);
rmSync(work, { recursive: true, force: true });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = (runs) => ({
  rps: median(runs.map((r) => r.rps)),
  p50: median(runs.map((r) => r.p50)),
  p99: median(runs.map((r) => r.p99)),
  failures: runs.reduce((sum, r) => sum + r.failures, 0),
});
console.log(`POST /v1/decisions vs node's http (constant JSON) vs opa run --server (same bundle): wrk, ${ROUNDS} rotating rounds of ${SECONDS} s per load, medians; PostgreSQL, ${devices.length.toLocaleString('en-US')} devices`);
let failures = 0;
for (const { connections, rounds } of results) {
  const s = Object.fromEntries(names.map((n) => [n, summary(rounds[n])]));
  console.log(`${connections} connections`);
  for (const n of names) console.log(`  ${n.padEnd(20)} ${s[n].rps.toFixed(0).padStart(7)} req/s   p50 ${s[n].p50.toFixed(2).padStart(6)} ms   p99 ${s[n].p99.toFixed(2).padStart(6)} ms`);
  const decisions = s['POST /v1/decisions'];
  console.log(`  decisions / node http constant: ${(decisions.rps / s['node http, constant'].rps).toFixed(2)}`);
  console.log(`  decisions / opa run --server:   ${(decisions.rps / s['opa run --server'].rps).toFixed(2)}`);
  failures += names.reduce((sum, n) => sum + s[n].failures, 0);
}
console.log(`non-2xx answers and socket errors: ${failures}`);
if (failures > 0) process.exitCode = 1;
