/**
 * Administrators' reads leave no audit record, but each leaves an access-log line naming the
 * key that asked (id and role) — answered, refused or unauthenticated — and never its token.
 */
import type { Express } from 'express';
import { createLogger } from '../../src/http/logger.js';
import type { Database } from '../../src/store/database.js';
import { adminTestbed, adminKey, get } from '../helpers/admin.js';
import { seedOrg } from '../helpers/seed.js';

describe('the access log of Enigm Command requests', () => {
  let db: Database;
  let app: Express;
  let done: () => Promise<void>;
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];

  beforeAll(async () => {
    const sink = { write: (line: string) => { raw.push(line); lines.push(JSON.parse(line)); return true; } } as unknown as NodeJS.WritableStream;
    ({ db, app, done } = await adminTestbed(createLogger('info', sink)));
  });
  afterAll(() => done());
  beforeEach(() => { lines.length = 0; raw.length = 0; });

  const accessLines = () => lines.filter((l) => l.msg === 'request');

  it('names the key and role of every read, answered or refused, and never writes the token', async () => {
    const org = await seedOrg(db);
    const viewer = await adminKey(db, org, 'viewer');
    const auditor = await adminKey(db, org, 'auditor');

    expect((await get(app, auditor.token, '/v1/admin/audit')).status).toBe(200);
    expect((await get(app, viewer.token, '/v1/admin/devices')).status).toBe(200);
    expect((await get(app, viewer.token, '/v1/admin/audit')).status).toBe(403);

    expect(accessLines().map((l) => [l.route, l.status, l.actor])).toEqual([
      ['/v1/admin/audit', 200, expect.objectContaining({ type: 'admin', id: auditor.id, role: 'auditor' })],
      ['/v1/admin/devices', 200, expect.objectContaining({ type: 'admin', id: viewer.id, role: 'viewer' })],
      ['/v1/admin/audit', 403, expect.objectContaining({ type: 'admin', id: viewer.id, role: 'viewer' })],
    ]);
    for (const token of [viewer.token, auditor.token]) expect(raw.join('\n')).not.toContain(token);
  });

  it('records a request without a valid key as anonymous, with the address it came from', async () => {
    expect((await get(app, 'eak_not-a-real-token-at-all', '/v1/admin/devices')).status).toBe(401);
    expect((await get(app, null, '/v1/admin/devices')).status).toBe(401);
    const actors = accessLines().map((l) => l.actor as Record<string, unknown>);
    expect(actors).toHaveLength(2);
    for (const actor of actors) expect(actor).toEqual({ type: 'anonymous', address: expect.stringMatching(/127\.0\.0\.1|::1/) });
    expect(raw.join('\n')).not.toContain('eak_not-a-real-token-at-all');
  });
});
