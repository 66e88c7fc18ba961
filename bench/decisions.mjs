// `make bench` part: throughput and p99 latency of POST /v1/decisions against an Express
// route that returns a constant JSON body, both served by one child process in this run.
// This machine's speed drifts by tens of percent from minute to minute, so the two are
// measured in alternating rounds (baseline first in odd rounds, decisions first in even
// ones) and compared by their medians.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
// autocannon's own default: enough to keep the baseline's single process saturated.
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

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

function load(port, seconds) {
  return autocannon({
    url: `http://127.0.0.1:${port}/v1/decisions`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: seconds,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    requests: [{ setupRequest: (req) => ({ ...req, body: decisionBody() }) }],
  });
}

// Warm both (JIT, connection pools, plans), then alternate.
await load(baseline, SECONDS);
await load(real, SECONDS);
const rounds = { baseline: [], decisions: [] };
for (let i = 0; i < ROUNDS; i++) {
  const order = i % 2 === 0 ? [['baseline', baseline], ['decisions', real]] : [['decisions', real], ['baseline', baseline]];
  for (const [name, port] of order) rounds[name].push(await load(port, SECONDS));
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
const b = summary(rounds.baseline);
const d = summary(rounds.decisions);
const ratio = d.rps / b.rps;
const row = (name, s) => `${name.padEnd(18)} ${s.rps.toFixed(0).padStart(6)} req/s   p50 ${String(s.p50).padStart(3)} ms   p99 ${String(s.p99).padStart(3)} ms   (p99 by round: ${s.p99s.join(' ')})`;
console.log(`POST /v1/decisions vs a constant-JSON Express route: ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${SECONDS} s, medians; PostgreSQL, ${devices.length} devices`);
console.log(row('constant baseline', b));
console.log(row('decisions', d));
console.log(`throughput ratio (decisions / baseline): ${ratio.toFixed(2)}   target ≥ 0.50   ${ratio >= 0.5 ? 'met' : 'NOT met'}`);
console.log(`decisions p99: ${d.p99} ms   target < 10 ms   ${d.p99 < 10 ? 'met' : 'NOT met'}   non-2xx/errors: ${d.failures}`);
if (d.failures > 0) process.exitCode = 1;
