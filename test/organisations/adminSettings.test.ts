/**
 * An organisation's policy settings in Enigm Command: read by every role but the auditor,
 * changed by the owner alone, validated (each field at fault named, nothing changed, the
 * refusal audited), audited with before and after, and in force from the very next decision.
 */
import request from 'supertest';
import { ADMIN_ROLES, may } from '../../src/trust/admin/roles.js';
import { SETTING_DEFAULTS } from '../../src/trust/organisations/settings.js';
import { seedSignal } from '../helpers/admin.js';
import { adminToken, audits, enrollmentHarness, get, post, type Harness } from '../helpers/enrollmentHarness.js';
import { seedAccount, seedDevice, seedOrg } from '../helpers/seed.js';

describe("the organisation's settings in Enigm Command", () => {
  let h: Harness;
  let org: string;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    h = await enrollmentHarness();
    org = await seedOrg(h.db, { managed: true, settings: { max_unlock_age_seconds: 120 } });
    for (const role of ADMIN_ROLES) tokens[role] = await adminToken(h, role, org);
  });
  afterAll(() => h.close());

  const patch = (body: unknown, token = tokens.owner) => request(h.app).patch('/v1/admin/organisation').set('authorization', `Bearer ${token}`).send(body as object);
  const stored = async (id = org) => JSON.stringify((await h.db.query('SELECT managed, settings FROM organisations WHERE id = $1', [id])).rows);

  it('shows every setting, its choices over the defaults, to every role but the auditor', async () => {
    for (const role of ADMIN_ROLES) {
      const res = await get(h, '/v1/admin/organisation', tokens[role]);
      if (may(role, 'organisation.read')) {
        expect([role, res.status]).toEqual([role, 200]);
        expect(res.body).toEqual({ id: org, name: org, settings: { ...SETTING_DEFAULTS, managed: true, max_unlock_age_seconds: 120 }, createdAt: expect.any(String) });
        expect(res.headers['cache-control']).toBe('no-store');
      } else {
        expect([role, res.status, res.body.code]).toEqual([role, 403, 'insufficient_role']);
      }
    }
  });

  it('takes effect on the very next decision: turning on required compliance denies keys.access to a non-compliant device', async () => {
    const account = await seedAccount(h.db, org);
    const device = await seedDevice(h.db, account, { sessionAgeSeconds: 30, unlockAgeSeconds: 10 });
    await seedSignal(h.db, device, 'managed', { status: 'noncompliant', verified: true });
    const decide = () => post(h, '/v1/decisions', { accountId: account, deviceId: device, action: 'keys.access' }, h.serviceToken);
    expect((await decide()).body).toMatchObject({ allow: true, reasons: ['device_trusted'] });

    const on = await patch({ require_managed_compliance: true });
    expect([on.status, on.body.settings.require_managed_compliance]).toEqual([200, true]);
    expect((await decide()).body).toMatchObject({ allow: false, reasons: ['managed_compliance_required', 'managed_device_noncompliant'] });

    const off = await patch({ require_managed_compliance: null });
    expect(off.body.settings.require_managed_compliance).toBe(false);
    expect((await decide()).body).toMatchObject({ allow: true });

    const changes = (await audits(h, 'org.settings_changed', 'success')).slice(-2);
    expect(changes.map((c) => c.details)).toEqual([
      { before: { ...SETTING_DEFAULTS, managed: true, max_unlock_age_seconds: 120 }, after: { ...SETTING_DEFAULTS, managed: true, max_unlock_age_seconds: 120, require_managed_compliance: true }, changed: ['require_managed_compliance'] },
      { before: { ...SETTING_DEFAULTS, managed: true, max_unlock_age_seconds: 120, require_managed_compliance: true }, after: { ...SETTING_DEFAULTS, managed: true, max_unlock_age_seconds: 120 }, changed: ['require_managed_compliance'] },
    ]);
  });

  it('changes the session age a decision allows, from the next one', async () => {
    const account = await seedAccount(h.db, org);
    const device = await seedDevice(h.db, account, { sessionAgeSeconds: 700, unlockAgeSeconds: 10 });
    const decide = () => post(h, '/v1/decisions', { accountId: account, deviceId: device, action: 'sync.history' }, h.serviceToken);
    expect((await decide()).body.allow).toBe(true);
    await patch({ max_session_age_seconds: 600 });
    expect((await decide()).body).toMatchObject({ allow: false, reasons: ['session_not_fresh'] });
    await patch({ max_session_age_seconds: null });
  });

  const bad: Array<[string, unknown, RegExp, string[]]> = [
    ['settings that are not an object', [{ managed: true }], /settings must be a JSON object of setting names to values, got an array/, ['settings']],
    ['an unknown setting', { require_compliance: true }, /unknown setting "require_compliance"/, ['require_compliance']],
    ['a wrong type', { max_session_age_seconds: '600' }, /max_session_age_seconds must be a whole number of seconds from 60 to 43200, got "600"/, ['max_session_age_seconds']],
    ['a negative age', { max_unlock_age_seconds: -1 }, /max_unlock_age_seconds must be a whole number of seconds from 10 to 86400, got -1/, ['max_unlock_age_seconds']],
    ['an absurd age', { os_integrity_max_age_seconds: 1e12 }, /os_integrity_max_age_seconds must be a whole number of seconds from 60 to 604800, got 1000000000000/, ['os_integrity_max_age_seconds']],
    ['a fraction of a second', { max_session_age_seconds: 600.5 }, /max_session_age_seconds must be a whole number/, ['max_session_age_seconds']],
    ['an unknown approval mode', { enrollment_approval: 'nobody' }, /enrollment_approval must be one of device_or_admin, device, admin, device_and_admin, got "nobody"/, ['enrollment_approval']],
    ['one good and two bad', { managed: false, managed_max_age_seconds: 0, colour: 'red' }, /managed_max_age_seconds must be .*; unknown setting "colour"/, ['managed_max_age_seconds', 'colour']],
    // (NUL and unpaired surrogates never get this far: the request layer refuses them.)
    ['a setting named with control characters', { 'a\u0001b': '\u0001' }, /unknown setting "a\\u0001b"/, ['a\\u0001b']],
  ];

  it.each(bad)('refuses %s, naming the field, changing nothing, auditing the refusal', async (_what, body, detail, fields) => {
    const before = await stored();
    const refused = (await audits(h, 'org.settings_changed', 'refused')).length;
    const res = await patch(body);
    expect([res.status, res.body.code]).toEqual([400, 'invalid_settings']);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.detail).toMatch(detail);
    expect(res.body.fields).toEqual(fields);
    expect(await stored()).toBe(before);
    const records = await audits(h, 'org.settings_changed', 'refused');
    expect(records).toHaveLength(refused + 1);
    expect(records.at(-1)?.details).toMatchObject({ refusal: 'invalid_settings', fields });
  });

  it('lets the owner alone change settings; every other role is refused, changing nothing, and audited', async () => {
    const before = await stored();
    for (const role of ADMIN_ROLES.filter((r) => !may(r, 'organisation.write'))) {
      const res = await patch({ require_managed_compliance: true }, tokens[role]);
      expect([role, res.status, res.body.code]).toEqual([role, 403, 'insufficient_role']);
      const refusal = (await h.db.query<{ actor: { role: string }; details: Record<string, unknown> }>(
        `SELECT actor, details FROM audit_events WHERE type = 'admin.refused' ORDER BY seq DESC LIMIT 1`)).rows[0];
      expect(refusal).toMatchObject({ actor: { role }, details: { action: 'org.settings_changed', refusal: 'insufficient_role' } });
    }
    expect((await patch({ managed: false }, h.serviceToken)).status).toBe(403);
    expect(await stored()).toBe(before);
  });

  it("changes only the owner's own organisation", async () => {
    const other = await seedOrg(h.db);
    const otherOwner = await adminToken(h, 'owner', other);
    const mine = await stored();
    const res = await patch({ managed: true }, otherOwner);
    expect([res.status, res.body.id, res.body.settings.managed]).toEqual([200, other, true]);
    expect(await stored()).toBe(mine);
  });
});
