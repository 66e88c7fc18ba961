import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../paths.js';
import { ADMIN_ROLES, may, ROLE_MATRIX } from './roles.js';

/** The README's role table: one row per permission, one ✓/– column per role. */
function readmeMatrix(): { roles: string[]; rows: Array<{ permission: string; covers: string; marks: string[] }> } {
  const lines = readFileSync(path.join(PACKAGE_ROOT, 'README.md'), 'utf8').split('\n');
  const start = lines.findIndex((l) => l.startsWith('| permission | covers |'));
  if (start < 0) throw new Error('the README has no role table (| permission | covers | …)');
  const cells = (l: string) => l.split('|').slice(1, -1).map((c) => c.trim());
  const roles = cells(lines[start]).slice(2);
  const rows = [];
  for (let i = start + 2; i < lines.length && lines[i].startsWith('|'); i++) {
    const [permission, covers, ...marks] = cells(lines[i]);
    rows.push({ permission: permission.replace(/`/g, ''), covers, marks });
  }
  return { roles, rows };
}

describe('the role matrix', () => {
  it('is the table the README shows, permission by permission and role by role', () => {
    const readme = readmeMatrix();
    expect(readme.roles).toEqual([...ADMIN_ROLES]);
    const fromCode = Object.entries(ROLE_MATRIX).map(([permission, p]) => ({
      permission, covers: p.what, marks: ADMIN_ROLES.map((r) => ((p.roles as readonly string[]).includes(r) ? '✓' : '–')),
    }));
    expect(readme.rows).toEqual(fromCode);
  });

  it('gives the auditor the audit log and nothing else, and the audit log to nobody else', () => {
    const auditorMay = Object.keys(ROLE_MATRIX).filter((p) => may('auditor', p as keyof typeof ROLE_MATRIX));
    expect(auditorMay).toEqual(['audit.read']);
    expect(ROLE_MATRIX['audit.read'].roles).toEqual(['auditor']);
  });

  it("gives the approver the viewer's reads", () => {
    for (const [name, p] of Object.entries(ROLE_MATRIX)) {
      if ((p.roles as readonly string[]).includes('viewer')) expect([name, may('approver', name as keyof typeof ROLE_MATRIX)]).toEqual([name, true]);
    }
  });

  it('refuses a role it does not know', () => {
    expect(may('root', 'inventory.read')).toBe(false);
  });
});
