// Child process of bench/decisions.mjs: serves the real decision API and a constant-JSON
// baseline, both from Express 5 in this one process, and prints where they listen.
import { randomBytes } from 'node:crypto';
import express from 'express';
import pg from 'pg';
import { createApp } from '../dist/http/app.js';
import { apiRoutes } from '../dist/http/api.js';
import { createLogger } from '../dist/http/logger.js';
import { createMetrics } from '../dist/http/metrics.js';
import { POLICIES_DIR } from '../dist/paths.js';
import { createPolicyStore } from '../dist/policy/policyStore.js';
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

// One organisation, one account, 20 trusted devices with fresh sessions.
await db.query("INSERT INTO organisations (id, name) VALUES ('bench', 'bench')");
await db.query("INSERT INTO accounts (id, org_id, handle) VALUES ('acc_bench', 'bench', 'bench')");
const devices = [];
for (let i = 0; i < 20; i++) {
  const id = deviceIdentifier('bench-secret'.padEnd(40, 'x'), 'acc_bench', newDeviceHandle());
  devices.push(id);
  await db.query(`INSERT INTO devices (id, account_id, state, label, platform, approval_method, approved_at, last_unlock_at, last_unlock_method)
                  VALUES ($1, 'acc_bench', 'trusted', 'phone', 'android', 'bootstrap', now(), now(), 'webauthn_uv')`, [id]);
  await db.query(`INSERT INTO credentials (id, device_id, credential_id, public_key) VALUES ($1, $2, $3, '\\x00')`, [`cred_${i}`, id, `c${i}`]);
  await db.query(`INSERT INTO sessions (id, token_hash, device_id, account_id, user_verified, expires_at)
                  VALUES ($1, $2, $3, 'acc_bench', true, now() + interval '1 day')`, [`ses_${i}`, randomBytes(16).toString('hex'), id]);
}
const { token } = await createServiceKey(db, { name: 'bench', scopes: ['decisions:read'] }, { type: 'system', id: 'bench' });

const redis = openRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const policies = createPolicyStore(POLICIES_DIR);
const decisionLog = createDecisionLog(db); // batched, as the service runs it
const app = createApp({ db, redis, logger: createLogger('silent'), metrics: createMetrics(), mount: (a) => a.use(apiRoutes({ db, policies, decisionLog })) });

// The baseline: the same Express stack's cheapest route, a constant JSON body.
const baseline = express();
baseline.use(express.json());
const constant = { decisionId: 'dec_constant', allow: true, reasons: ['device_trusted'], obligations: [], deviceState: 'trusted', policyRevision: 'sha256:0' };
baseline.post('/v1/decisions', (_req, res) => { res.json(constant); });

const listen = (a) => new Promise((resolve) => { const s = a.listen(0, '127.0.0.1', () => resolve(s)); });
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
