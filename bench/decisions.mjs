// `make bench` part: throughput and p99 latency of POST /v1/decisions against an Express
// route that returns a constant JSON body, both served by one child process in this run.
// This machine's speed drifts by tens of percent from minute to minute, so the two are
// measured in alternating rounds (baseline first in odd rounds, decisions first in even
// ones) and compared by their medians.
//
// Two loads: 10 connections (autocannon's default), where the p99 target is judged, and 50,
// where both are saturated. A decision waits for a PostgreSQL round trip, so at 10
// connections few decisions share each read and the server idles between them; at 50 the
// ratio compares what each can serve at most.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const LOADS = (process.env.BENCH_CONNECTIONS ?? '10,50').split(',').map(Number);

const server = spawn(process.execPath, [new URL('./decision-server.mjs', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
const [line] = await once(createInterface({ input: server.stdout }), 'line');
const { real, baseline, token, devices } = JSON.parse(line);

const actions = ['message.receive', 'call.join', 'sync.live', 'keys.access'];
let n = 0;
// Spread over every device and action, as real callers do.
function decisionBody() {
  const [accountId, deviceId] = devices[(n * 7919) % devices.length];
  return JSON.stringify({ accountId, deviceId, action: actions[n++ % actions.length] });
}

function load(port, seconds, connections) {
  return autocannon({
    url: `http://127.0.0.1:${port}/v1/decisions`,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    requests: [{ setupRequest: (req) => ({ ...req, body: decisionBody() }) }],
  });
}

// At each load: warm both (JIT, connection pools, plans), then alternate.
const results = [];
for (const connections of LOADS) {
  await load(baseline, SECONDS, connections);
  await load(real, SECONDS, connections);
  const rounds = { baseline: [], decisions: [] };
  for (let i = 0; i < ROUNDS; i++) {
    const order = i % 2 === 0 ? [['baseline', baseline], ['decisions', real]] : [['decisions', real], ['baseline', baseline]];
    for (const [name, port] of order) rounds[name].push(await load(port, SECONDS, connections));
  }
  results.push({ connections, rounds });
}
server.kill('SIGTERM');
await once(server, 'exit');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = (runs) => ({
  rps: median(runs.map((r) => r.requests.average)),
  p50: median(runs.map((r) => r.latency.p50)),
  p99: median(runs.map((r) => r.latency.p99)),
  p99s: runs.map((r) => r.latency.p99),
  failures: runs.reduce((sum, r) => sum + r.non2xx + r.errors, 0),
});
const row = (name, s) => `  ${name.padEnd(18)} ${s.rps.toFixed(0).padStart(6)} req/s   p50 ${String(s.p50).padStart(3)} ms   p99 ${String(s.p99).padStart(3)} ms   (p99 by round: ${s.p99s.join(' ')})`;
console.log(`POST /v1/decisions vs a constant-JSON Express route: ${ROUNDS} alternating rounds of ${SECONDS} s per load, medians; PostgreSQL, ${devices.length} devices`);
let failures = 0;
for (const [i, { connections, rounds }] of results.entries()) {
  const b = summary(rounds.baseline);
  const d = summary(rounds.decisions);
  const ratio = d.rps / b.rps;
  failures += d.failures;
  console.log(`${connections} connections`);
  console.log(row('constant baseline', b));
  console.log(row('decisions', d));
  console.log(`  throughput ratio (decisions / baseline): ${ratio.toFixed(2)}   target ≥ 0.50   ${ratio >= 0.5 ? 'met' : 'NOT met'}`);
  // The latency target is judged at the first (lightest) load only: at saturation p99 is queueing.
  if (i === 0) console.log(`  decisions p99: ${d.p99} ms   target < 10 ms   ${d.p99 < 10 ? 'met' : 'NOT met'}`);
}
console.log(`non-2xx/errors in decisions: ${failures}`);
if (failures > 0) process.exitCode = 1;
