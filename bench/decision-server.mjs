// Child process of bench/decisions.mjs: serves the real decision API and a constant-JSON
// baseline, both from Express 5 in this one process, and prints where they listen.
import { randomBytes } from 'node:crypto';
import express from 'express';
import pg from 'pg';
import { createApp } from '../dist/http/app.js';
import { createHttpServer } from '../dist/http/httpServer.js';
import { apiRoutes } from '../dist/http/api.js';
import { createLogger } from '../dist/http/logger.js';
import { createMetrics } from '../dist/http/metrics.js';
import { POLICY_BUNDLE_FILE } from '../dist/paths.js';
import { openPolicyStore } from '../dist/policy/policyStore.js';
import { openRedis } from '../dist/queue/redis.js';
import { migrate } from '../dist/store/migrate.js';
import { openPostgres, quoteIdent } from '../dist/store/postgres.js';
import { createServiceKey } from '../dist/trust/apiKeys.js';
import { createDecisionLog } from '../dist/trust/decisionLog.js';
import { deviceIdentifier, newDeviceHandle } from '../dist/trust/identifiers.js';

const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `bench_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: url });
await admin.connect();
await admin.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
const db = openPostgres({ connectionString: url, schema, max: 20 });
await migrate(db);

// One organisation, 20,000 accounts of 3 trusted devices with fresh sessions, then ANALYZE: the
// planner sees the statistics a running deployment's autovacuum would have given it.
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 20000);
const PER_ACCOUNT = 3;
await db.query("INSERT INTO organisations (id, name) VALUES ('bench', 'bench')");
const rows = [];
for (let a = 0; a < ACCOUNTS; a++) {
  for (let i = 0; i < PER_ACCOUNT; i++) rows.push({ account: `acc_bench${a}`, device: deviceIdentifier('bench-secret'.padEnd(40, 'x'), `acc_bench${a}`, newDeviceHandle()) });
}
await db.query("INSERT INTO accounts (id, org_id, handle) SELECT 'acc_bench' || n, 'bench', 'bench' || n FROM generate_series(0, $1::int - 1) n", [ACCOUNTS]);
await db.query(`INSERT INTO devices (id, account_id, state, label, platform, approval_method, approved_at, last_unlock_at, last_unlock_method)
                SELECT d, a, 'trusted', 'phone', 'android', 'bootstrap', now(), now(), 'webauthn_uv' FROM unnest($1::text[], $2::text[]) AS x(d, a)`,
  [rows.map((r) => r.device), rows.map((r) => r.account)]);
await db.query(`INSERT INTO credentials (id, device_id, credential_id, public_key) SELECT 'cred_' || d, d, 'c_' || d, '\\x00' FROM unnest($1::text[]) AS d`, [rows.map((r) => r.device)]);
await db.query(`INSERT INTO sessions (id, token_hash, device_id, account_id, user_verified, expires_at)
                SELECT 'ses_' || d, md5(d) || md5(a), d, a, true, now() + interval '1 day' FROM unnest($1::text[], $2::text[]) AS x(d, a)`,
  [rows.map((r) => r.device), rows.map((r) => r.account)]);
await db.exec('ANALYZE');
const devices = rows.map((r) => [r.account, r.device]);
const { token } = await createServiceKey(db, { name: 'bench', scopes: ['decisions:read'] }, { type: 'system', id: 'bench' });

const redis = openRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const policies = await openPolicyStore(POLICY_BUNDLE_FILE);
const decisionLog = createDecisionLog(db); // batched, as the service runs it
const app = createApp({ db, redis, logger: createLogger('silent'), metrics: createMetrics(), mount: (a) => a.use(apiRoutes({ db, policies, decisionLog })) });

// The baseline: the same Express stack's cheapest route, a constant JSON body, with the
// service's settings (no ETag, no X-Powered-By).
const baseline = express();
baseline.disable('x-powered-by');
baseline.set('etag', false);
baseline.use(express.json());
const constant = { decisionId: 'dec_constant', allow: true, reasons: ['device_trusted'], obligations: [], deviceState: 'trusted', policyRevision: 'sha256:0' };
baseline.post('/v1/decisions', (_req, res) => { res.json(constant); });

// Both served by the service's own HTTP server.
const listen = (a) => new Promise((resolve) => { const s = createHttpServer(a).listen(0, '127.0.0.1', () => resolve(s)); });
const real = await listen(app);
const base = await listen(baseline);
process.stdout.write(JSON.stringify({ real: real.address().port, baseline: base.address().port, token, devices }) + '\n');

process.on('SIGTERM', async () => {
  real.close();
  base.close();
  redis.disconnect();
  await decisionLog.close();
  await db.close();
  await admin.query(`DROP SCHEMA ${quoteIdent(schema)} CASCADE`);
  await admin.end();
  process.exit(0);
});
