import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../paths.js';
import { schemas } from '../../policy/schemaRegistry.js';
import { effectiveSettings, SETTING_DEFAULTS, SETTING_NAMES, SETTINGS, SETTINGS_SCHEMA_ID } from './settings.js';

const policyInput = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'schemas/policy-input.schema.json'), 'utf8')) as {
  $defs: { account: { properties: { policy: { properties: Record<string, { type: string; enum?: string[] }> } } } };
};

describe('organisation settings', () => {
  it('cover every field the policies read under input.account.policy, with the same type and values', () => {
    const read = policyInput.$defs.account.properties.policy.properties;
    for (const [name, field] of Object.entries(read)) {
      expect([name, Object.hasOwn(SETTINGS, name)]).toEqual([name, true]);
      const setting = SETTINGS[name as keyof typeof SETTINGS];
      expect([name, setting.type === field.type || (setting.type === 'integer' && field.type === 'number')]).toEqual([name, true]);
      if (field.enum) expect(setting.enum).toEqual(field.enum);
    }
  });

  it('have a default that their own schema accepts, and a range for every age', () => {
    const validate = schemas().validator(SETTINGS_SCHEMA_ID);
    expect(validate(SETTING_DEFAULTS) ? [] : validate.errors).toEqual([]);
    for (const name of SETTING_NAMES.filter((n) => n.endsWith('_seconds'))) {
      expect([name, SETTINGS[name].minimum! > 0, SETTINGS[name].maximum! >= (SETTINGS[name].default as number)]).toEqual([name, true, true]);
    }
  });

  it('refuse what the schema does not know, wrong types and absurd ages', () => {
    const validate = schemas().validator(SETTINGS_SCHEMA_ID);
    for (const bad of [{ max_session_age_seconds: -1 }, { max_session_age_seconds: 315360000 }, { managed: 'yes' }, { max_unlock_age_seconds: 1.5 }, { enrollment_approval: 'anyone' }, { session_age: 900 }, []]) {
      expect([bad, validate(bad)]).toEqual([bad, false]);
    }
  });

  it("are an organisation's choices over the defaults, its managed flag from its column, and the defaults for no organisation", () => {
    expect(effectiveSettings(null)).toEqual(SETTING_DEFAULTS);
    expect(effectiveSettings({ managed: true, settings: { max_session_age_seconds: 600, managed: false, unknown_key: 1, require_managed_compliance: null } }))
      .toEqual({ ...SETTING_DEFAULTS, managed: true, max_session_age_seconds: 600 });
  });

  it('are the table the README shows', () => {
    const readme = readFileSync(path.join(PACKAGE_ROOT, 'README.md'), 'utf8').split('\n');
    const start = readme.findIndex((l) => l.startsWith('| setting | values | default | meaning |'));
    expect(start).toBeGreaterThan(0);
    const rows = [];
    for (let i = start + 2; readme[i]?.startsWith('|'); i++) {
      const [name, , dflt] = readme[i].split('|').slice(1, -1).map((c) => c.trim().replace(/`/g, ''));
      rows.push([name, dflt]);
    }
    expect(rows).toEqual(SETTING_NAMES.map((n) => [n, String(SETTINGS[n].default)]));
  });
});
