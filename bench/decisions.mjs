// `make bench` part: throughput and p99 latency of POST /v1/decisions against an Express
// route that returns a constant JSON body, both served by one child process in this run;
// printed as a ratio, since absolute figures drift on shared machines.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);

const server = spawn(process.execPath, [new URL('./decision-server.mjs', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
const [line] = await once(createInterface({ input: server.stdout }), 'line');
const { real, baseline, token, devices } = JSON.parse(line);

const actions = ['message.receive', 'call.join', 'sync.live', 'keys.access'];
let n = 0;
function load(port, title) {
  return autocannon({
    url: `http://127.0.0.1:${port}/v1/decisions`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: DURATION,
    title,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    // Vary the device and action per request, as real callers do.
    requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ accountId: 'acc_bench', deviceId: devices[n++ % devices.length], action: actions[n % actions.length] }) }) }],
  });
}

// Warm both (JIT, connection pools), then measure each.
await load(baseline, 'warm-baseline');
await load(real, 'warm-decisions');
const b = await load(baseline, 'baseline');
const d = await load(real, 'decisions');
server.kill('SIGTERM');
await once(server, 'exit');

const errors = d.non2xx + d.errors;
const row = (name, r) => `${name.padEnd(22)} ${r.requests.average.toFixed(0).padStart(8)} req/s   p50 ${String(r.latency.p50).padStart(4)} ms   p99 ${String(r.latency.p99).padStart(4)} ms`;
console.log(`POST /v1/decisions vs constant-JSON Express route (${CONNECTIONS} connections, ${DURATION}s each, PostgreSQL)`);
console.log(row('constant baseline', b));
console.log(row('decisions', d));
console.log(`throughput ratio (decisions / baseline): ${(d.requests.average / b.requests.average).toFixed(2)}   target ≥ 0.50`);
console.log(`decisions p99: ${d.latency.p99} ms   target < 10 ms   non-2xx/errors: ${errors}`);
if (errors > 0) process.exitCode = 1;
