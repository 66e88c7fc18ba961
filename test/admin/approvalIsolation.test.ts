/**
 * An approver of one organisation cannot decide another organisation's enrollment: the
 * approval route (`POST /v1/enrollments/{id}/approvals`) answers exactly as for a missing
 * enrollment, and nothing changes. Driven through the whole v1 API, as the service mounts it.
 */
import type { Express } from 'express';
import type { Redis } from 'ioredis';
import request from 'supertest';
import { parseConfig } from '../../src/config.js';
import { apiRoutes } from '../../src/http/api.js';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/http/logger.js';
import { createMetrics } from '../../src/http/metrics.js';
import { servedPolicies } from '../helpers/policy.js';
import { openRedis } from '../../src/queue/redis.js';
import type { Database } from '../../src/store/database.js';
import { adminKey, seedEnrollment, stateOf } from '../helpers/admin.js';
import { postgresSchema, REDIS_URL } from '../helpers/env.js';
import { migrated, seedAccount, seedDevice, seedOrg, TEST_ID_SECRET } from '../helpers/seed.js';

describe('an approver approving an enrollment of another organisation', () => {
  let db: Database;
  let drop: () => Promise<void>;
  let redis: Redis;
  let app: Express;

  beforeAll(async () => {
    const s = await postgresSchema();
    db = await migrated(s.db);
    drop = s.drop;
    redis = openRedis(REDIS_URL);
    const config = parseConfig({ ID_SECRET: TEST_ID_SECRET, PORT: '0' });
    const policies = await servedPolicies();
    app = createApp({ db, redis, logger: createLogger('silent'), metrics: createMetrics(), mount: (a) => a.use(apiRoutes({ db, policies, redis, config })) });
  });
  afterAll(async () => {
    redis.disconnect();
    await drop();
  });

  it('is answered as for a missing enrollment, and changes nothing', async () => {
    const theirs = await seedOrg(db);
    const ours = await seedOrg(db);
    const approver = (await adminKey(db, ours, 'approver')).token;
    const account = await seedAccount(db, theirs);
    await seedDevice(db, account); // the account's existing trusted device
    const pending = await seedDevice(db, account, { state: 'pending' });
    const enrollment = await seedEnrollment(db, account, pending, { requirements: ['approval'] });
    const decide = (id: string, decision: 'approve' | 'deny') => request(app).post(`/v1/enrollments/${id}/approvals`)
      .set('authorization', `Bearer ${approver}`).send({ decision, reason: 'looks fine' });

    const missingId = 'enr_doesnotexist0000000000';
    for (const decision of ['approve', 'deny'] as const) {
      const foreign = await decide(enrollment, decision);
      const missing = await decide(missingId, decision);
      expect(foreign.status).toBe(404);
      // enrollment_not_found, not the router's not_found: the approval route is there and refused.
      expect(foreign.body.code).toBe('enrollment_not_found');
      expect({ ...foreign.body, detail: foreign.body.detail.replace(enrollment, 'ID') }).toEqual({ ...missing.body, detail: missing.body.detail.replace(missingId, 'ID') });
    }
    expect(await stateOf(db, pending)).toBe('pending');
    expect((await db.query('SELECT 1 FROM approvals WHERE enrollment_id = $1', [enrollment])).rowCount).toBe(0);
    expect((await db.query<{ state: string }>('SELECT state FROM enrollments WHERE id = $1', [enrollment])).rows[0].state).toBe('registered');
    // The review queue of the approver's organisation does not show it either.
    const queue = await request(app).get('/v1/admin/enrollments').set('authorization', `Bearer ${approver}`);
    expect(queue.body.items).toEqual([]);
  });
});
