/**
 * The role matrix, enforced: every admin read of the v1 API answers each role as the matrix
 * says (200 or 403 insufficient_role), and every role the matrix leaves out of a change is
 * refused with 403, changes nothing and leaves an audit record.
 */
import { ADMIN_ROLES, may, type PermissionName } from '../../src/trust/admin/roles.js';
import { adminToken, enrollmentHarness, get, post, stateSnapshot, type Harness } from '../helpers/enrollmentHarness.js';
import { seedEnrollment } from '../helpers/admin.js';
import { seedAccount, seedDevice } from '../helpers/seed.js';

describe('the role matrix over HTTP', () => {
  let h: Harness;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    h = await enrollmentHarness();
    for (const role of ADMIN_ROLES) tokens[role] = await adminToken(h, role);
    ids.account = await seedAccount(h.db, h.org);
    ids.device = await seedDevice(h.db, ids.account);
    ids.enrollment = await seedEnrollment(h.db, ids.account, await seedDevice(h.db, ids.account, { state: 'pending' }));
  });
  afterAll(() => h.close());

  const reads: Array<[PermissionName, string]> = [
    ['inventory.read', '/v1/admin/devices'],
    ['inventory.read', '/v1/admin/devices/:device'],
    ['inventory.read', '/v1/admin/accounts/:account'],
    ['inventory.read', '/v1/admin/enrollments'],
    ['inventory.read', '/v1/admin/enrollments/:enrollment'],
    ['inventory.read', '/v1/admin/replacements'],
    ['inventory.read', '/v1/admin/reports/trust-states'],
    ['inventory.read', '/v1/accounts/:account/devices'],
    ['inventory.read', '/v1/enrollments/:enrollment'],
    ['inventory.read', '/v1/devices/:device/fanout'],
    ['signal_sources.read', '/v1/admin/signal-sources'],
    ['audit.read', '/v1/admin/audit'],
    ['audit.read', '/v1/admin/audit/verify'],
  ];
  const fill = (path: string) => path.replace(/:(\w+)/g, (_, name: string) => ids[name]);

  it.each(reads)('%s: %s answers each role as the matrix says', async (permission, path) => {
    const seen = [];
    for (const role of ADMIN_ROLES) {
      const res = await get(h, fill(path), tokens[role]);
      seen.push([role, res.status, res.status === 403 ? res.body.code : undefined]);
    }
    expect(seen).toEqual(ADMIN_ROLES.map((role) => (may(role, permission) ? [role, 200, undefined] : [role, 403, 'insufficient_role'])));
  });

  const changes: Array<[PermissionName, string, object]> = [
    ['accounts.write', '/v1/accounts', { handle: 'matrix-user' }],
    ['accounts.write', '/v1/accounts/:account/recovery', { reason: 'lost phone' }],
    ['devices.lifecycle', '/v1/devices/:device/restrict', { reason: 'matrix' }],
    ['devices.lifecycle', '/v1/devices/:device/revoke', { reason: 'matrix' }],
    ['enrollments.decide', '/v1/enrollments/:enrollment/approvals', { decision: 'deny', reason: 'matrix' }],
  ];

  it.each(changes)('%s: POST %s refuses every other role, changing nothing', async (permission, path, body) => {
    for (const role of ADMIN_ROLES.filter((r) => !may(r, permission))) {
      const before = await stateSnapshot(h);
      const res = await post(h, fill(path), body, tokens[role]);
      expect([role, res.status, res.body.code]).toEqual([role, 403, 'insufficient_role']);
      expect(await stateSnapshot(h)).toBe(before);
    }
  });
});
