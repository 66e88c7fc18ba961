// `make bench` part: do anonymous enrollment answers take as long for an unknown handle as for
// an existing one? The real API (Express 5, PostgreSQL, Redis, the served policy bundle) is
// asked, in one run and in rotating order, to start an enrollment and register a code-less
// credential for an unknown handle and for accounts without a device, with devices and in
// recovery. Prints the median of each and the ratio unknown ÷ known per route: 1.00 means an
// observer cannot tell them apart by time. `BENCH_SAMPLES` rounds (default 150).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import ts from 'typescript';
import { parseConfig } from '../dist/config.js';
import { apiRoutes } from '../dist/http/api.js';
import { createApp } from '../dist/http/app.js';
import { createHttpServer } from '../dist/http/httpServer.js';
import { createLogger } from '../dist/http/logger.js';
import { createMetrics } from '../dist/http/metrics.js';
import { POLICY_BUNDLE_FILE } from '../dist/paths.js';
import { openPolicyStore } from '../dist/policy/policyStore.js';
import { openRedis } from '../dist/queue/redis.js';
import { migrate } from '../dist/store/migrate.js';
import { openPostgres, quoteIdent } from '../dist/store/postgres.js';
import { createServiceKey } from '../dist/trust/apiKeys.js';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 150);
const ROOT = new URL('..', import.meta.url).pathname;
const ORIGIN = 'http://localhost:8080';

// The tests' software authenticator (real keys, real CBOR), transpiled beside the build.
const softSource = readFileSync(path.join(ROOT, 'test/helpers/softAuthenticator.ts'), 'utf8');
mkdirSync(path.join(ROOT, 'dist/bench'), { recursive: true });
writeFileSync(path.join(ROOT, 'dist/bench/softAuthenticator.js'), ts.transpileModule(softSource, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText);
const { SoftAuthenticator } = await import('../dist/bench/softAuthenticator.js');

const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `bench_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: url });
await admin.connect();
await admin.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
const db = openPostgres({ connectionString: url, schema, max: 10 });
await migrate(db);
const redis = openRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { keyPrefix: `${schema}:` });
const config = parseConfig({ RP_ID: 'localhost', RP_ORIGIN: ORIGIN, ID_SECRET: randomBytes(32).toString('base64url'), PORT: '8080', LOG_LEVEL: 'silent' });
const policies = await openPolicyStore(POLICY_BUNDLE_FILE);
const unlimited = { rateLimitPerAddress: 1e9, rateLimitPerHandle: 1e9 };
const app = createApp({ db, redis, logger: createLogger('silent'), metrics: createMetrics(), mount: (a) => a.use(apiRoutes({ db, policies, redis, config, enrollment: unlimited })) });
const server = await new Promise((resolve) => { const s = createHttpServer(app).listen(0, '127.0.0.1', () => resolve(s)); });
const base = `http://127.0.0.1:${server.address().port}`;

async function post(route, body, token) {
  const started = process.hrtime.bigint();
  const res = await fetch(`${base}${route}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
  const json = await res.json();
  return { status: res.status, body: json, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

// The accounts: one without a device, one with a trusted device, one in recovery.
await db.query("INSERT INTO organisations (id, name) VALUES ('bench', 'Bench')");
const { token } = await createServiceKey(db, { name: 'bench', scopes: ['accounts:write'] }, { type: 'system', id: 'bench' });
async function account(handle) {
  const res = await post('/v1/accounts', { handle, org: 'bench' }, token);
  if (res.status !== 201) throw new Error(`account: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
async function withFirstDevice(handle) {
  const a = await account(handle);
  const started = await post('/v1/enrollments', { accountHandle: handle, label: 'Phone', platform: 'android' });
  const auth = new SoftAuthenticator({ origin: ORIGIN });
  const reg = await post(`/v1/enrollments/${started.body.enrollmentId}/credential`, { registrationResponse: auth.register(started.body.registrationOptions), bootstrapCode: a.bootstrapCode });
  if (reg.body.state !== 'trusted') throw new Error(`first device: ${JSON.stringify(reg.body)}`);
  return a;
}
await account('bench-empty');
await withFirstDevice('bench-devices');
const recovering = await withFirstDevice('bench-recovery');
const recovery = await post(`/v1/accounts/${recovering.accountId}/recovery`, { reason: 'bench' }, token);
if (recovery.status !== 200) throw new Error(`recovery: ${recovery.status} ${JSON.stringify(recovery.body)}`);

const KINDS = { unknown: 'bench-nobody', 'no device': 'bench-empty', 'with devices': 'bench-devices', 'in recovery': 'bench-recovery' };
const times = Object.fromEntries(Object.keys(KINDS).map((k) => [k, { start: [], credential: [] }]));
const kinds = Object.keys(KINDS);
// Warm-up round, not counted.
for (let round = -10; round < SAMPLES; round++) {
  for (let i = 0; i < kinds.length; i++) {
    const kind = kinds[(i + Math.max(round, 0)) % kinds.length];
    const started = await post('/v1/enrollments', { accountHandle: KINDS[kind], label: 'Phone', platform: 'android' });
    const registration = new SoftAuthenticator({ origin: ORIGIN }).register(started.body.registrationOptions);
    const reg = await post(`/v1/enrollments/${started.body.enrollmentId}/credential`, { registrationResponse: registration });
    if (started.status !== 201 || reg.status !== 200) throw new Error(`${kind}: ${started.status} ${reg.status} ${JSON.stringify(reg.body)}`);
    if (round >= 0) {
      times[kind].start.push(started.ms);
      times[kind].credential.push(reg.ms);
    }
  }
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const known = kinds.filter((k) => k !== 'unknown');
console.log(`anonymous enrollment timing, ${SAMPLES} samples per kind and route (median ms; ratio = unknown ÷ known)`);
for (const route of ['start', 'credential']) {
  const path = route === 'start' ? 'POST /v1/enrollments' : 'POST /v1/enrollments/{id}/credential';
  const u = median(times.unknown[route]);
  const knownAll = median(known.flatMap((k) => times[k][route]));
  console.log(`${path}: unknown ${u.toFixed(2)} ms, known ${knownAll.toFixed(2)} ms, ratio ${(u / knownAll).toFixed(2)}`);
  for (const k of known) console.log(`  ${k}: ${median(times[k][route]).toFixed(2)} ms (ratio ${(u / median(times[k][route])).toFixed(2)})`);
  // The noise to judge the ratio by: how far apart the known kinds, all real, are from each other.
  const medians = known.map((k) => median(times[k][route]));
  console.log(`  noise: the known kinds' medians span ${(Math.max(...medians) / Math.min(...medians)).toFixed(2)}× among themselves`);
}

server.close();
redis.disconnect();
await db.close();
await admin.query(`DROP SCHEMA ${quoteIdent(schema)} CASCADE`);
await admin.end();
