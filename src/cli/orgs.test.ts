import type { Database } from '../store/database.js';
import { migrate } from '../store/migrate.js';
import { openPglite } from '../store/pglite.js';
import { SETTING_DEFAULTS } from '../trust/organisations/settings.js';
import { orgsCommand } from './orgs.js';

// One in-memory database for the file, emptied before each test.
let db: Database;
beforeAll(async () => {
  db = await openPglite(undefined);
  await migrate(db);
});
beforeEach(async () => {
  await db.exec('TRUNCATE api_keys, audit_events, organisations CASCADE');
});
afterAll(() => db.close());

async function run(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await orgsCommand(argv, { db, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

async function stored(): Promise<unknown[]> {
  return (await db.query('SELECT id, name, managed, settings FROM organisations ORDER BY id')).rows;
}

async function audited(type: string, outcome: string): Promise<Array<{ org_id: string | null; details: Record<string, unknown> }>> {
  return (await db.query<{ org_id: string | null; details: Record<string, unknown> }>('SELECT org_id, details FROM audit_events WHERE type = $1 AND outcome = $2 ORDER BY seq', [type, outcome])).rows;
}

describe('enigm-trust orgs', () => {
  it('creates a managed organisation, shows it with its settings, and audits the creation', async () => {
    const r = await run('create', 'acme', '--name', 'Acme Corp', '--managed');
    expect(r).toMatchObject({ code: 0, err: [] });
    expect(r.out[0]).toBe('created organisation acme');
    expect(r.out.join('\n')).toMatch(/managed\s+true\n/);
    expect(await stored()).toEqual([{ id: 'acme', name: 'Acme Corp', managed: true, settings: {} }]);
    expect(await audited('org.created', 'success')).toEqual([{ org_id: 'acme', details: { name: 'Acme Corp', settings: { ...SETTING_DEFAULTS, managed: true } } }]);
    const shown = await run('show', 'acme');
    expect(shown.out[0]).toMatch(/^organisation acme "Acme Corp", created \d{4}-/);
    expect(shown.out.join('\n')).toMatch(/max_session_age_seconds\s+900\s+\(default\)/);
  });

  it('sets settings and the name, a setting back to its default, audited with before and after', async () => {
    await run('create', 'acme', '--name', 'Acme');
    const r = await run('set', 'acme', 'managed=true', 'require_managed_compliance=true', 'max_session_age_seconds=600', 'enrollment_approval=device_and_admin', 'name=Acme Corp');
    expect(r).toMatchObject({ code: 0, err: [] });
    expect(await stored()).toEqual([{ id: 'acme', name: 'Acme Corp', managed: true, settings: { require_managed_compliance: true, max_session_age_seconds: 600, enrollment_approval: 'device_and_admin' } }]);
    const [update] = await audited('org.updated', 'success');
    expect(update.details).toEqual({
      before: { name: 'Acme', settings: SETTING_DEFAULTS },
      after: { name: 'Acme Corp', settings: { ...SETTING_DEFAULTS, managed: true, require_managed_compliance: true, max_session_age_seconds: 600, enrollment_approval: 'device_and_admin' } },
      changed: ['managed', 'require_managed_compliance', 'max_session_age_seconds', 'enrollment_approval'],
    });
    await run('set', 'acme', 'max_session_age_seconds=default', 'managed=false');
    expect(await stored()).toEqual([{ id: 'acme', name: 'Acme Corp', managed: false, settings: { require_managed_compliance: true, enrollment_approval: 'device_and_admin' } }]);
  });

  it('lists organisations with their kind and counts', async () => {
    expect((await run('list')).out).toEqual(['no organisations (create one with: enigm-trust orgs create ID --name NAME)']);
    await run('create', 'beta', '--name', 'Beta');
    await run('create', 'acme', '--name', 'Acme', '--managed');
    await db.query(`INSERT INTO accounts (id, org_id, handle) VALUES ('acc_1', 'acme', 'someone')`);
    const r = await run('list');
    expect(r.out[0]).toMatch(/^ID\s+NAME\s+KIND\s+ACCOUNTS\s+ADMIN KEYS\s+CREATED$/);
    expect(r.out.slice(1).map((l) => l.split(/\s{2,}/).slice(0, 5))).toEqual([['acme', 'Acme', 'managed', '1', '0'], ['beta', 'Beta', 'unmanaged', '0', '0']]);
  });

  it.each([
    [['create', 'Bad Id!', '--name', 'x'], /an organisation id is 2 to 64 lower-case letters.*got "Bad Id!"/, 'org.created'],
    [['create', 'a', '--name', 'x'], /an organisation id is 2 to 64/, 'org.created'],
    [['create', 'acme', '--name', ' padded'], /an organisation name is 1 to 100 printable characters.*got " padded"/, 'org.created'],
    [['create', 'taken', '--name', 'Other'], /an organisation with the id "taken" already exists/, 'org.created'],
    [['create', 'other', '--name', 'Taken'], /another organisation is already named "Taken"/, 'org.created'],
    [['set', 'nope', 'managed=true'], /no organisation "nope"/, 'org.updated'],
    [['set', 'taken', 'session_age=900'], /unknown setting "session_age"; the settings are managed, /, 'org.updated'],
    [['set', 'taken', 'managed=yes'], /managed must be true or false, got "yes"/, 'org.updated'],
    [['set', 'taken', 'max_session_age_seconds=-5'], /max_session_age_seconds must be a whole number of seconds from 60 to 43200, got -5/, 'org.updated'],
    [['set', 'taken', 'max_unlock_age_seconds=999999999'], /max_unlock_age_seconds must be a whole number of seconds from 10 to 86400, got 999999999/, 'org.updated'],
    [['set', 'taken', 'max_session_age_seconds=soon'], /max_session_age_seconds must be a whole number.*got "soon"/, 'org.updated'],
    [['set', 'taken', 'enrollment_approval=anyone'], /enrollment_approval must be one of device_or_admin, device, admin, device_and_admin, got "anyone"/, 'org.updated'],
  ])('refuses %j in one line, changing nothing, and audits the refusal', async (argv, message, type) => {
    await run('create', 'taken', '--name', 'Taken');
    const before = await stored();
    const refusals = (await audited(type, 'refused')).length;
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(message);
    expect(await stored()).toEqual(before);
    expect(await audited(type, 'refused')).toHaveLength(refusals + 1);
  });

  it('refuses bad usage without touching the database', async () => {
    for (const argv of [[], ['create', 'acme'], ['create', '--name', 'x'], ['set', 'acme'], ['set', 'acme', 'managed'], ['show'], ['frobnicate'], ['create', 'acme', '--name', 'A', '--managed=yes']]) {
      const r = await run(...argv);
      expect([argv, r.code, r.err.length]).toEqual([argv, 2, 1]);
    }
    expect(await stored()).toEqual([]);
    expect((await db.query('SELECT 1 FROM audit_events')).rowCount).toBe(0);
  });
});
