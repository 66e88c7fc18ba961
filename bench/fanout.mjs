// `make bench` part: revocation fan-out to 5 local subscribers, in two scenarios.
// Live: 1,000 devices (100 accounts × 10) revoked while the fan-out runs; per revocation, the
// time from its commit to the last subscriber acknowledging its SET (202), p50/p99, and the
// deliveries per second (bounded here by how fast revocations commit).
// Backlog: another 1,000 revocations committed while no fan-out runs (as during a Redis outage),
// then the fan-out starts: how fast it drains the 5,000 deliveries.
// The baseline, measured in the same run, is 5,000 pushes of one pre-signed SET made directly
// (no outbox, queue, database or signing) with the same per-subscriber concurrency: the ratio
// shows what the reliable path costs.
// Runs from the built dist/ against the real PostgreSQL and Redis (BENCH_DATABASE_URL, REDIS_URL).
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';
import { Redis } from 'ioredis';
import { createLogger } from '../dist/http/logger.js';
import { startFanout } from '../dist/queue/fanout.js';
import { parseFanoutConfig } from '../dist/queue/fanoutConfig.js';
import { pushAgents, pushSet } from '../dist/queue/push.js';
import { LIFECYCLE_EVENT, SESSION_REVOKED_EVENT, buildSetClaims, signSet } from '../dist/queue/securityEventToken.js';
import { createSigningKeyStore } from '../dist/queue/signingKeys.js';
import { migrate } from '../dist/store/migrate.js';
import { openPostgres, quoteIdent } from '../dist/store/postgres.js';
import { createSubscriber } from '../dist/trust/subscribers.js';
import { transitionDevice } from '../dist/trust/transition.js';

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ACCOUNTS = 200; // half for each scenario
const DEVICES_PER_ACCOUNT = 10;
const SUBSCRIBERS = 5;
const REVOKE_CONCURRENCY = Number(process.env.BENCH_REVOKE_CONCURRENCY ?? 16);
const actor = { type: 'system', id: 'bench' };
const tag = randomBytes(4).toString('hex');
const schema = `bench_fanout_${tag}`;
// Production defaults, FANOUT_* from the environment honoured; a prefix of this run's own.
const settings = { ...parseFanoutConfig(process.env, 'https://trust.bench.enigm.dev'), prefix: `bench-fanout-${tag}` };

/** A receiver answering 202, noting when each event (txn) reached it. */
function receiver(onSet) {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const payload = JSON.parse(Buffer.from(body.split('.')[1], 'base64url').toString('utf8'));
      onSet(payload.txn, performance.now());
      res.writeHead(202).end();
    });
  });
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}/secevents` })));
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function runLimited(items, limit, work) {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await work(items[next++]);
  }));
}

async function seed(db, orgId) {
  await db.query('INSERT INTO organisations (id, name) VALUES ($1, $1)', [orgId]);
  await db.query(`INSERT INTO accounts (id, org_id, handle, device_epoch) SELECT 'acc_b' || i, $1, 'bench-' || i, ${DEVICES_PER_ACCOUNT} FROM generate_series(1, ${ACCOUNTS}) i`, [orgId]);
  await db.query(`INSERT INTO devices (id, account_id, state, label, platform, approval_method, approved_at)
    SELECT 'dev_b' || a || '_' || d, 'acc_b' || a, 'trusted', 'Bench phone', 'android', 'bootstrap', now()
      FROM generate_series(1, ${ACCOUNTS}) a, generate_series(1, ${DEVICES_PER_ACCOUNT}) d`);
  const r = await db.query('SELECT id FROM devices ORDER BY id');
  return r.rows.map((row) => row.id);
}

const admin = new pg.Client({ connectionString: DATABASE_URL });
await admin.connect();
await admin.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
const db = openPostgres({ connectionString: DATABASE_URL, schema, max: 20 });
const receivers = [];
let fanout;
try {
  await migrate(db);
  const devices = await seed(db, `org_bench_${tag}`);
  const arrivals = new Map(); // txn → [count, last arrival]
  const onSet = (txn, at) => {
    const seen = arrivals.get(txn) ?? [0, 0];
    arrivals.set(txn, [seen[0] + 1, Math.max(seen[1], at)]);
  };
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const r = await receiver(onSet);
    receivers.push(r);
    await createSubscriber(db, { name: `bench-${i}`, url: r.url, events: [LIFECYCLE_EVENT, SESSION_REVOKED_EVENT] }, 'key_bench', actor);
  }
  const signingKeys = createSigningKeyStore({ db, idSecret: 'bench-id-secret-'.padEnd(40, 'x') });
  const key = await signingKeys.current();
  const live = devices.slice(0, devices.length / 2);
  const backlog = devices.slice(devices.length / 2);

  /** Revokes `list`, REVOKE_CONCURRENCY at a time; returns txn → commit time. */
  async function revokeAll(list) {
    const committed = new Map();
    await runLimited(list, REVOKE_CONCURRENCY, async (deviceId) => {
      const t = await transitionDevice(db, { deviceId, to: 'revoked', actor, reason: 'bench' });
      committed.set(t.outboxId, performance.now());
    });
    return committed;
  }
  async function allDelivered(committed) {
    const deadline = Date.now() + 180_000;
    while ([...committed.keys()].some((txn) => (arrivals.get(txn)?.[0] ?? 0) < SUBSCRIBERS)) {
      if (Date.now() > deadline) throw new Error('not every subscriber got every event within 180 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    return Math.max(...[...committed.keys()].map((txn) => arrivals.get(txn)[1]));
  }

  // Backlog first, committed with no fan-out running; then the live scenario on the running fan-out.
  let t0 = performance.now();
  const pending = await revokeAll(backlog);
  const backlogRevokeMs = performance.now() - t0;
  t0 = performance.now();
  fanout = await startFanout({ db, redisUrl: REDIS_URL, settings, signingKeys, logger: createLogger('warn') });
  const drainRate = (pending.size * SUBSCRIBERS) / (((await allDelivered(pending)) - t0) / 1000);

  const started = performance.now();
  const committed = await revokeAll(live);
  const revokedIn = performance.now() - started;
  const lastArrival = await allDelivered(committed);
  const latencies = [...committed].map(([txn, at]) => arrivals.get(txn)[1] - at).sort((a, b) => a - b);
  const deliveries = committed.size * SUBSCRIBERS;
  const fanoutRate = deliveries / ((lastArrival - started) / 1000);
  const failed = await db.query(`SELECT count(*) AS n FROM deliveries WHERE status <> 'delivered'`);

  // Baseline: the same number of pushes, made directly.
  const token = await signSet(buildSetClaims({ event_id: 'evt_bench', device_id: 'dev_bench', account_id: 'acc_bench', state: 'revoked', previous_state: 'trusted', epoch: 1, reason: 'bench', occurred_at: new Date().toISOString() }, { issuer: settings.issuer, audience: 'bench', jti: 'bench', issuedAt: new Date() }, [LIFECYCLE_EVENT]), key);
  const agents = pushAgents(settings.concurrency);
  const baseStart = performance.now();
  await Promise.all(receivers.map((r) => runLimited(Array.from({ length: committed.size }), settings.concurrency, async () => {
    const o = await pushSet(r.url, token, { timeoutMs: settings.timeoutMs, agents });
    if (o.kind !== 'delivered') throw new Error(`baseline push failed: ${o.error}`);
  })));
  const baseRate = deliveries / ((performance.now() - baseStart) / 1000);
  agents.http.destroy();

  console.log(`revocation fan-out: ${SUBSCRIBERS} subscribers, PostgreSQL + Redis, poll ${settings.pollMs} ms, ${settings.concurrency} pushes in flight per subscriber`);
  console.log(`live: ${committed.size} revocations committed in ${revokedIn.toFixed(0)} ms (${REVOKE_CONCURRENCY} at a time), ${deliveries} SETs`);
  console.log(`  commit → last subscriber acknowledged: p50 ${percentile(latencies, 50).toFixed(0)} ms   p99 ${percentile(latencies, 99).toFixed(0)} ms   max ${latencies.at(-1).toFixed(0)} ms`);
  console.log(`  deliveries per second: ${fanoutRate.toFixed(0)} (paced by the revocations)`);
  console.log(`backlog: ${pending.size} revocations committed with no fan-out running (${backlogRevokeMs.toFixed(0)} ms), then drained`);
  console.log(`  deliveries per second: ${drainRate.toFixed(0)}   direct-push baseline: ${baseRate.toFixed(0)}   ratio ${(drainRate / baseRate).toFixed(2)}`);
  console.log(`not delivered: ${failed.rows[0].n}`);
  if (Number(failed.rows[0].n) > 0) process.exitCode = 1;
} finally {
  await fanout?.close();
  for (const r of receivers) {
    r.server.closeAllConnections();
    r.server.close();
  }
  await db.close();
  await admin.query(`DROP SCHEMA ${quoteIdent(schema)} CASCADE`);
  await admin.end();
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${settings.prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  await redis.quit();
}
