/**
 * Enigm Command in Debian's Chromium, against the real service (real PostgreSQL and Redis),
 * each administrator a browser context with its own DevTools virtual authenticator:
 *   the first owner, invited through the CLI, registers a passkey from the link and signs in
 *   (and again later, with the passkey alone); the owner invites an operator, an approver, a
 *   viewer and an auditor from the page and changes a setting (a refused value is marked beside
 *   its field); the approver approves a pending enrollment and a decision for that device then
 *   allows; the operator finds a device by account handle and revokes it, a decision for it then
 *   denies, and its fan-out shows in the device view; a viewer sees no action and a forced
 *   request gets 403; an auditor sees only the audit and verifies the chain; an administrator of
 *   another organisation sees none of these devices; a removed administrator's session ends at once.
 * On every view: no token, code, credential id or key in the DOM or in storage beyond the tab's
 * own session token; no sideways scrolling at the page's width nor at 390 px; and no script
 * error or Content-Security-Policy violation anywhere. With E2E_SCREENSHOTS=1 every view is
 * saved at both widths to reports/screenshots/. The steps run in order.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { adminsCommand } from '../../src/cli/admins.js';
import { createAdminKey, createServiceKey } from '../../src/trust/apiKeys.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { expectShown, launchChromium, openDevice, PHONE_VIEWPORT, startServiceForBrowser, type BrowserDevice, type ServiceUnderTest } from '../helpers/browser.js';
import { postgresSchema, uniqueName } from '../helpers/env.js';
import { startReceiver, type Receiver } from '../helpers/fanout.js';
import { seedOrg } from '../helpers/seed.js';
import { SoftAuthenticator } from '../helpers/softAuthenticator.js';

const STEP_MS = 90_000;
const system = { type: 'system' as const, id: 'e2e' };
/** Where E2E_SCREENSHOTS=1 puts the pictures (git-ignored; the README shows two copied to docs/). */
export const SCREENSHOT_DIR = path.join(PACKAGE_ROOT, 'reports', 'screenshots');

describe('Enigm Command in Chromium', () => {
  let browser: Browser;
  let svc: ServiceUnderTest;
  let dropSchema: () => Promise<void>;
  let orgId: string;
  let otherOrgId: string;
  let serviceKey: string;
  let receiver: Receiver;
  const problems: string[] = [];
  /** Every secret the system handed out: none may show up in a page beyond a tab's own session token. */
  const secrets = new Map<string, string>();
  const views: string[] = [];
  const admins: Record<string, BrowserDevice> = {};

  beforeAll(async () => {
    const schema = await postgresSchema();
    dropSchema = schema.drop;
    svc = await startServiceForBrowser(schema.schema);
    orgId = await seedOrg(svc.service.db, { id: `acme_${uniqueName('o').slice(-6).toLowerCase().replace(/[^a-z0-9]/g, '')}` });
    otherOrgId = await seedOrg(svc.service.db);
    serviceKey = (await createServiceKey(svc.service.db, { name: 'e2e-platform', scopes: ['accounts:write', 'decisions:read', 'subscribers:write'] }, system)).token;
    secrets.set('service key', serviceKey);
    secrets.set('an admin key', (await createAdminKey(svc.service.db, { orgId, role: 'viewer', name: 'unused key' }, system)).token);
    receiver = await startReceiver();
    browser = await launchChromium();
    if (process.env.E2E_SCREENSHOTS) mkdirSync(SCREENSHOT_DIR, { recursive: true });
  }, STEP_MS);

  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await svc?.stop();
    await dropSchema?.();
  }, STEP_MS);

  /** A new administrator's browser: console errors (CSP violations among them) and page errors are collected. */
  async function browserOf(name: string): Promise<BrowserDevice> {
    const d = await openDevice(browser);
    d.page.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of (400|401|403|404|409|410)/.test(m.text())) problems.push(`${name}: ${m.text()}`);
    });
    d.page.on('pageerror', (e) => problems.push(`${name}: ${e.message}`));
    admins[name] = d;
    return d;
  }

  const status = (page: Page): Locator => page.locator('#status');
  const alert = (page: Page): Locator => page.locator('#error');

  const shows = (locator: Locator, expected: string | RegExp): Promise<void> => expectShown(locator, expected);

  const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name });

  /** What the page holds that anyone could read: its DOM, every field's value, its storage and cookies. */
  async function exposed(page: Page): Promise<{ dom: string; session: Record<string, string>; local: number; cookie: string }> {
    // A string, evaluated in the page (this file is type-checked without the DOM library).
    return page.evaluate(`(() => {
      const values = [...document.querySelectorAll('input, textarea, select')].map((e) => e.value);
      const session = {};
      for (let i = 0; i < sessionStorage.length; i++) session[sessionStorage.key(i)] = sessionStorage.getItem(sessionStorage.key(i));
      return { dom: document.documentElement.outerHTML + values.join('\\n'), session, local: localStorage.length, cookie: document.cookie };
    })()`) as Promise<{ dom: string; session: Record<string, string>; local: number; cookie: string }>;
  }

  /** No secret in the page, and in storage only the tab's own session token (and its end). */
  async function noSecrets(page: Page, view: string): Promise<void> {
    const { dom, session, local, cookie } = await exposed(page);
    expect([view, local, cookie]).toEqual([view, 0, '']);
    const keys = Object.keys(session);
    expect([view, keys.every((k) => k === 'enigm-command.session')]).toEqual([view, true]);
    const own = keys.length ? (JSON.parse(session['enigm-command.session']) as { token: string }).token : null;
    if (own) expect(Object.keys(JSON.parse(session['enigm-command.session']) as object).sort()).toEqual(['expiresAt', 'token']);
    const storage = JSON.stringify(session);
    for (const [what, secret] of secrets) {
      expect([view, what, dom.includes(secret)]).toEqual([view, what, false]);
      if (secret !== own) expect([view, what, storage.includes(secret)]).toEqual([view, what, false]);
    }
    if (own) expect([view, 'own session token in the DOM', dom.includes(own)]).toEqual([view, 'own session token in the DOM', false]);
    expect([view, /\b(eak|esk|eds|eai)_[A-Za-z0-9_-]{43}\b/.test(dom)]).toEqual([view, false]);
  }

  const sidewaysScroll = (page: Page) => page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth') as Promise<number>;

  /** Every view: no secret, no sideways scrolling at its width or at 390 px; saved at both widths with E2E_SCREENSHOTS=1. */
  async function snap(page: Page, view: string): Promise<void> {
    await noSecrets(page, view);
    // Every visible control has a label; every button says what it does.
    const unlabelled = await page.evaluate(`[...document.querySelectorAll('input, select, textarea, button')]
      .filter((e) => e.offsetParent !== null && !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !(e.tagName === 'BUTTON' && e.textContent.trim()))
      .map((e) => e.outerHTML)`);
    expect([view, unlabelled]).toEqual([view, []]);
    expect([view, await sidewaysScroll(page)]).toEqual([view, 0]);
    if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${view}.png`), fullPage: true });
    const size = page.viewportSize() as { width: number; height: number };
    await page.setViewportSize(PHONE_VIEWPORT);
    expect([`${view} at 390 px`, await sidewaysScroll(page)]).toEqual([`${view} at 390 px`, 0]);
    if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${view}-390.png`), fullPage: true });
    await page.setViewportSize(size);
    views.push(view);
  }

  /** Registers the administrator's passkey from an invitation link, in their own browser. */
  async function acceptInvitation(d: BrowserDevice, link: string, name: string, view?: string): Promise<void> {
    await d.page.goto(link);
    await d.page.getByRole('heading', { name: 'You are invited' }).waitFor();
    await expect(d.page.locator('#invited-name').textContent()).resolves.toBe(name);
    // The code left the address bar before anything else happened, and is nowhere in the page.
    expect(d.page.url()).toBe(`${svc.origin}/command/`);
    if (view) await snap(d.page, view);
    await d.page.getByRole('button', { name: 'Create my passkey and sign in' }).click();
    await d.page.locator('#nav').waitFor({ state: 'visible' });
    const creds = await d.credentials();
    expect(creds).toHaveLength(1);
    secrets.set(`${name}'s credential id`, creds[0].credentialId);
    secrets.set(`${name}'s credential id (base64url)`, Buffer.from(creds[0].credentialId, 'base64').toString('base64url'));
    const token = (JSON.parse((await d.page.evaluate("sessionStorage.getItem('enigm-command.session')")) as string) as { token: string }).token;
    expect(token).toMatch(/^eas_/);
    secrets.set(`${name}'s session token`, token);
  }

  /** Calls the API as the platform would, with the test's service key. */
  async function asService(method: string, p: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(svc.origin + p, { method, headers: { authorization: `Bearer ${serviceKey}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  const links: Record<string, string> = {};
  const handle = uniqueName('alice').toLowerCase();
  let accountId: string;
  let phoneId: string;
  let tabletId: string;
  let tabletEnrollment: string;

  it('takes the first owner from a CLI invitation to a passkey, and signs them in again with the passkey alone', async () => {
    const lines: string[] = [];
    expect(await adminsCommand(['invite', '--org', orgId, '--name', 'Olive Owner'], { db: svc.service.db, origin: svc.origin, out: (l) => lines.push(l) })).toBe(0);
    const link = lines.find((l) => l.startsWith(`${svc.origin}/command/#invitation=eai_`)) as string;
    secrets.set('owner invitation code', link.split('=')[1]);
    const owner = await browserOf('owner');
    await owner.page.goto(`${svc.origin}/command/`);
    await owner.page.getByRole('heading', { name: 'Sign in with your passkey' }).waitFor();
    await expect(owner.page.title()).resolves.toBe('Enigm Command');
    await snap(owner.page, 'sign-in');
    await acceptInvitation(owner, link, 'Olive Owner', 'invitation');
    await heading(owner.page, 'Inventory').waitFor();
    await expect(owner.page.locator('#who').textContent()).resolves.toContain('Olive Owner');
    // Signed out, then in again with the passkey: a new session.
    await owner.page.getByRole('button', { name: 'Sign out' }).click();
    await shows(status(owner.page), 'Signed out.');
    await expect(owner.page.evaluate('sessionStorage.length')).resolves.toBe(0);
    await owner.page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await heading(owner.page, 'Inventory').waitFor();
    secrets.set('owner session token (second)', (JSON.parse((await owner.page.evaluate("sessionStorage.getItem('enigm-command.session')")) as string) as { token: string }).token);
    // A used invitation says so, in words.
    const late = await browserOf('latecomer');
    await late.page.goto(link);
    await shows(alert(late.page), /already used/);
    await late.context.close();
  }, STEP_MS);

  it('lets the owner invite administrators from the page; the link is shown once and each opens it in their own browser', async () => {
    const page = admins.owner.page;
    await page.getByRole('link', { name: 'Administrators' }).click();
    await heading(page, 'Administrators').waitFor();
    const form = page.getByRole('form', { name: 'Invite an administrator' });
    await form.getByRole('button', { name: 'Invite' }).click();
    await shows(page.locator('.field-error').first(), 'Give their name (up to 100 characters).');
    for (const [name, role] of [['Otto Operator', 'operator'], ['Ada Approver', 'approver'], ['Vera Viewer', 'viewer'], ['Aude Auditor', 'auditor']]) {
      await form.getByLabel('Name').fill(name);
      await form.getByLabel('Role').selectOption(role);
      await form.getByRole('button', { name: 'Invite' }).click();
      const shown = page.getByLabel('Invitation link', { exact: true });
      await shown.waitFor();
      links[role] = await shown.inputValue();
      expect(links[role]).toMatch(new RegExp(`^${svc.origin}/command/#invitation=eai_`));
      secrets.set(`${role} invitation code`, links[role].split('=')[1]);
      await shows(status(page), `Invited ${name} as ${role}.`);
      await page.getByRole('button', { name: 'Done' }).click();
      await expect(shown.count()).resolves.toBe(0);
    }
    await expect(page.getByRole('row').filter({ hasText: 'Otto Operator' }).textContent()).resolves.toContain('invited, not yet signed in');
    await snap(page, 'administrators');
    for (const [role, name] of [['operator', 'Otto Operator'], ['approver', 'Ada Approver'], ['viewer', 'Vera Viewer'], ['auditor', 'Aude Auditor']]) {
      await acceptInvitation(await browserOf(role), links[role], name);
    }
    await page.reload();
    await heading(page, 'Administrators').waitFor();
    await expect(page.getByRole('row').filter({ hasText: 'Otto Operator' }).textContent()).resolves.toContain('active');
    // The organisation's admin keys are listed (never their tokens) and the owner revokes one.
    await page.getByRole('button', { name: 'Revoke the key unused key' }).click();
    await page.getByRole('region', { name: 'Revoke the key unused key' }).getByRole('button', { name: 'Revoke unused key' }).click();
    await shows(status(page), 'The key unused key is revoked: it authenticates nothing from now on.');
    const stillWorks = await fetch(`${svc.origin}/v1/admin/devices`, { headers: { authorization: `Bearer ${secrets.get('an admin key')}` } });
    expect(stillWorks.status).toBe(401);
  }, STEP_MS * 2);

  it('lets the owner change a setting, with a refused value marked beside its field', async () => {
    const page = admins.owner.page;
    await page.getByRole('link', { name: 'Settings' }).click();
    await heading(page, 'Organisation settings').waitFor();
    const form = page.getByRole('form', { name: 'Policy settings' });
    await form.getByLabel('Fresh session, at most (seconds)').fill('5');
    await form.getByRole('button', { name: 'Save the settings' }).click();
    await shows(page.locator('#max_session_age_seconds-error'), 'Enter a whole number of seconds from 60 to 43200.');
    await expect(form.getByLabel('Fresh session, at most (seconds)').getAttribute('aria-invalid')).resolves.toBe('true');
    await form.getByLabel('Fresh session, at most (seconds)').fill('900');
    await form.getByLabel('Who approves an additional device').selectOption('admin');
    await form.getByRole('button', { name: 'Save the settings' }).click();
    await shows(status(page), 'Saved: Who approves an additional device. The next decision follows them.');
    await expect(page.locator('#max_session_age_seconds-error').textContent()).resolves.toBe('');
    const stored = await svc.service.db.query<{ settings: Record<string, unknown> }>('SELECT settings FROM organisations WHERE id = $1', [orgId]);
    expect(stored.rows[0].settings.enrollment_approval).toBe('admin');
    await snap(page, 'settings');
  }, STEP_MS);

  it('lets the approver approve a pending enrollment from the review queue; a decision for the device then allows', async () => {
    // A person enrolls a phone (trusted by its bootstrap code) and then a tablet, which now needs an approver.
    const account = await asService('POST', '/v1/accounts', { handle, org: orgId });
    accountId = account.body.accountId as string;
    secrets.set('bootstrap code', account.body.bootstrapCode as string);
    const sub = await asService('POST', '/v1/subscribers', { name: uniqueName('messaging').toLowerCase().replace(/[^a-z0-9._-]/g, ''), url: receiver.url, events: ['urn:enigm:secevent:device-lifecycle'] });
    expect(sub.status).toBe(201);
    const enroll = async (label: string, platform: string, extra: object) => {
      const auth = new SoftAuthenticator({ origin: svc.origin });
      secrets.set(`${label} credential id`, auth.id);
      const started = await asService('POST', '/v1/enrollments', { accountHandle: handle, label, platform });
      const done = await asService('POST', `/v1/enrollments/${started.body.enrollmentId}/credential`, { registrationResponse: auth.register(started.body.registrationOptions as never), ...extra });
      return { deviceId: started.body.deviceId as string, enrollmentId: started.body.enrollmentId as string, state: done.body.state };
    };
    const phone = await enroll('Alice phone', 'ios', { bootstrapCode: account.body.bootstrapCode });
    expect(phone.state).toBe('trusted');
    phoneId = phone.deviceId;
    const tablet = await enroll('Alice tablet', 'android', {});
    expect(tablet.state).toBe('pending');
    tabletId = tablet.deviceId;
    tabletEnrollment = tablet.enrollmentId;

    // A laptop whose enrollment expired before anyone looked.
    const laptop = await enroll('Alice laptop', 'macos', {});
    await svc.service.db.query("UPDATE enrollments SET expires_at = now() - interval '1 minute' WHERE id = $1", [laptop.enrollmentId]);

    const page = admins.approver.page;
    await page.getByRole('link', { name: 'Review queue' }).click();
    await heading(page, 'Review queue').waitFor();
    const expired = page.getByRole('listitem', { name: `New device: Alice laptop of ${handle}` });
    await expect(expired.textContent()).resolves.toMatch(/Expired .*: it can no longer be approved\. The person starts again\./);
    await expect(expired.getByRole('button').count()).resolves.toBe(0);
    const item = page.getByRole('listitem', { name: `New device: Alice tablet of ${handle}` });
    await expect(item.textContent()).resolves.toContain('Approval by an Enigm Command approver of your organisation');
    await snap(page, 'review-queue');
    await item.getByRole('button', { name: `Approve Alice tablet of ${handle}` }).click();
    // A reason is required before anything is sent.
    await item.getByRole('button', { name: 'Approve', exact: true }).click();
    await shows(item.locator('.field-error'), 'Give a reason: it is recorded in the audit log.');
    await item.getByLabel('Reason').fill('checked with Alice in person');
    await item.getByRole('button', { name: 'Approve', exact: true }).click();
    await shows(status(page), 'Approved: Alice tablet is now trusted.');
    await expect(page.getByRole('listitem', { name: `New device: Alice tablet of ${handle}` }).count()).resolves.toBe(0);
    const decision = await asService('POST', '/v1/decisions', { accountId, deviceId: tabletId, action: 'message.receive' });
    expect(decision.body).toMatchObject({ allow: true, deviceState: 'trusted' });
    expect(tabletEnrollment).toMatch(/^enr_/);
  }, STEP_MS);

  it('lets the operator find the phone by account handle and revoke it with a reason; a decision then denies and its fan-out shows', async () => {
    const page = admins.operator.page;
    await page.getByRole('link', { name: 'Inventory' }).click();
    await heading(page, 'Inventory').waitFor();
    const filters = page.getByRole('form', { name: 'Filter devices' });
    await filters.getByLabel('Account handle starts with').fill(handle.slice(0, 9).toUpperCase());
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await shows(page.locator('.count'), '3 devices on this page.');
    await snap(page, 'inventory');
    await page.getByRole('link', { name: 'Alice phone' }).click();
    await heading(page, 'Device: Alice phone').waitFor();
    // By keyboard: the action's button, then its reason (focus lands there), then the confirmation.
    await page.getByRole('button', { name: 'Revoke Alice phone' }).focus();
    await page.keyboard.press('Enter');
    await expect(page.evaluate('document.activeElement.name')).resolves.toBe('reason');
    await page.keyboard.type('lost on the train');
    await page.keyboard.press('Tab');
    await expect(page.evaluate('document.activeElement.textContent')).resolves.toBe('Revoke the device');
    await page.keyboard.press('Enter');
    await shows(status(page), 'Done: the device is now revoked.');
    const decision = await asService('POST', '/v1/decisions', { accountId, deviceId: phoneId, action: 'message.receive' });
    expect(decision.body).toMatchObject({ allow: false, deviceState: 'revoked' });
    await expect(page.getByRole('region', { name: 'Lifecycle history' }).textContent()).resolves.toMatch(/Revoked \(trusted → revoked\), by an administrator \(operator\) adm_\S+ — “lost on the train”/);
    // Its fan-out: the subscriber got the revocation.
    const fanout = page.getByRole('region', { name: 'Fan-out to subscribers' });
    const deadline = Date.now() + 30_000;
    while (!/trusted → revoked \(epoch \d+\): delivered/.test((await fanout.textContent()) ?? '') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      await page.reload();
      await heading(page, 'Device: Alice phone').waitFor();
    }
    await expect(fanout.textContent()).resolves.toMatch(/trusted → revoked \(epoch \d+\): delivered/);
    await expect(page.getByRole('button', { name: /^(Revoke|Restrict) / }).count()).resolves.toBe(0);
    await snap(page, 'device');
  }, STEP_MS);

  it('lets the operator start a replacement of the tablet, with a reason, and shows its code once', async () => {
    const page = admins.operator.page;
    await page.goto(`${svc.origin}/command/#/device/${tabletId}`);
    await heading(page, 'Device: Alice tablet').waitFor();
    await page.getByRole('button', { name: 'Start a replacement' }).click();
    const form = page.getByRole('form', { name: 'Start a replacement' });
    await form.getByLabel('New device name').fill('Alice new tablet');
    await form.getByRole('button', { name: 'Start the replacement' }).click();
    await shows(form.locator('.field-error').last(), 'Give a reason: it is recorded in the audit log.');
    await form.getByLabel('Reason').fill('screen broken');
    await form.getByRole('button', { name: 'Start the replacement' }).click();
    const code = page.locator('.short-code-display');
    await code.waitFor();
    expect(await code.textContent()).toMatch(/^[A-Z0-9]{5}-[A-Z0-9]{5}$/);
    secrets.set('replacement code', (await code.textContent()) as string);
    secrets.set('replacement code (bare)', ((await code.textContent()) as string).replace('-', ''));
    await page.getByRole('button', { name: 'Done' }).click();
    await expect(page.locator('.short-code-display').count()).resolves.toBe(0);
    await heading(page, 'Device: Alice tablet').waitFor();
    await page.getByRole('link', { name: 'Replacements' }).click();
    await heading(page, 'Replacements').waitFor();
    await expect(page.getByRole('table', { name: 'Replacements' }).textContent()).resolves.toMatch(/Alice tablet.*Alice new tablet.*in progress/);
    const started = await svc.service.db.query<{ details: { reason?: string } }>("SELECT details FROM audit_events WHERE type = 'enrollment.started' AND details->>'replaces' = $1", [tabletId]);
    expect(started.rows.map((r) => r.details.reason)).toEqual(['screen broken']);
    await snap(page, 'replacements');
  }, STEP_MS);

  it('keeps the view the administrator moved to while the one they left is still loading', async () => {
    const page = admins.viewer.page;
    // The device's history answers slowly, as on a poor network; the person moves on meanwhile.
    let slowed = 0;
    let deviceAsked: () => void = () => undefined;
    const asked = new Promise<void>((resolve) => { deviceAsked = resolve; });
    await page.route('**/v1/admin/devices/**', async (r) => {
      slowed++;
      deviceAsked();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await r.continue();
    });
    await page.goto(`${svc.origin}/command/#/inventory`);
    await heading(page, 'Inventory').waitFor();
    await page.evaluate(`location.hash = ${JSON.stringify(`#/device/${tabletId}`)}`);
    await asked; // the device view is loading
    await page.getByRole('link', { name: 'Replacements' }).click();
    await heading(page, 'Replacements').waitFor();
    // Long after the device's answers arrived, the page still shows the replacements alone.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    await page.unroute('**/v1/admin/devices/**');
    expect(slowed).toBeGreaterThan(0);
    await expect(page.getByRole('heading', { level: 1 }).allTextContents()).resolves.toEqual(['Replacements']);
    await expect(page.getByText('Lifecycle history').count()).resolves.toBe(0);
    await expect(page.title()).resolves.toBe('Replacements — Enigm Command');
  }, STEP_MS);

  it('shows a viewer no action, and refuses a forced request with 403', async () => {
    const page = admins.viewer.page;
    await page.goto(`${svc.origin}/command/#/device/${tabletId}`);
    await heading(page, 'Device: Alice tablet').waitFor();
    await expect(page.getByRole('main').getByRole('button').count()).resolves.toBe(0);
    await page.getByRole('link', { name: 'Review queue' }).click();
    await heading(page, 'Review queue').waitFor();
    await page.getByText('Your role reads the queue; approvers decide.').waitFor();
    // The replacement the operator started waits for its new device's passkey; a viewer can do nothing with it.
    await expect(page.getByRole('listitem', { name: `Replacement: Alice new tablet of ${handle}` }).textContent()).resolves.toContain('Waiting for the new device to register its passkey');
    await expect(page.getByRole('main').getByRole('button').count()).resolves.toBe(0);
    await expect(page.getByRole('link', { name: 'Audit' }).isVisible()).resolves.toBe(false);
    await expect(page.getByRole('link', { name: 'Administrators' }).isVisible()).resolves.toBe(false);
    const forced = await page.evaluate(`(async () => {
      const { token } = JSON.parse(sessionStorage.getItem('enigm-command.session'));
      const res = await fetch('/v1/devices/${tabletId}/revoke', { method: 'POST', headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'forced' }) });
      return [res.status, (await res.json()).code];
    })()`);
    expect(forced).toEqual([403, 'insufficient_role']);
    await page.getByRole('link', { name: 'Settings' }).click();
    await heading(page, 'Organisation settings').waitFor();
    await page.getByText('Only an owner changes these.').waitFor();
    await expect(page.getByRole('main').getByRole('button').count()).resolves.toBe(0);
  }, STEP_MS);

  it('shows the trust report with its chart', async () => {
    const page = admins.viewer.page;
    await page.getByRole('link', { name: 'Trust report' }).click();
    await heading(page, 'Trust report').waitFor();
    // Retired counts the expired enrollment's device once the minutely expiry sweep has run.
    await page.getByRole('img', { name: /^Devices per state: pending \d, trusted 1, restricted 0, revoked \d, replaced 0, retired [01]$/ }).waitFor();
    await snap(page, 'trust-report');
  }, STEP_MS);

  it('shows an auditor the audit only, each record readable, and the chain verified with its head', async () => {
    const page = admins.auditor.page;
    await heading(page, 'Audit').waitFor();
    const nav = await page.locator('#nav-list li:not([hidden])').allTextContents();
    expect(nav).toEqual(['Audit']);
    const form = page.getByRole('form', { name: 'Search the audit log' });
    await form.getByLabel('Device ID').fill(phoneId);
    await form.getByRole('button', { name: 'Search' }).click();
    await shows(page.locator('.history'), /Revoked by an administrator \(operator\) adm_\S+, about device dev_/);
    await page.getByRole('button', { name: 'Verify the chain' }).click();
    await shows(page.getByRole('region', { name: 'Chain verification' }), /The chain is intact .*Its head — keep it somewhere else, so records cut from the end would show: [0-9a-f]{64}/);
    await snap(page, 'audit');
    // The inventory is not the auditor's: the address falls back to the audit.
    await page.goto(`${svc.origin}/command/#/inventory`);
    await page.waitForURL(`${svc.origin}/command/#/audit`);
    await heading(page, 'Audit').waitFor();
  }, STEP_MS);

  it("shows an administrator of another organisation none of this organisation's devices", async () => {
    const lines: string[] = [];
    await adminsCommand(['invite', '--org', otherOrgId, '--name', 'Elsewhere Operator', '--role', 'operator'], { db: svc.service.db, origin: svc.origin, out: (l) => lines.push(l) });
    const link = lines.find((l) => l.includes('#invitation=')) as string;
    secrets.set('other org invitation code', link.split('=')[1]);
    const other = await browserOf('other');
    await acceptInvitation(other, link, 'Elsewhere Operator');
    await heading(other.page, 'Inventory').waitFor();
    await shows(other.page.locator('.count'), '0 devices on this page.');
    await other.page.goto(`${svc.origin}/command/#/device/${tabletId}`);
    await shows(alert(other.page), 'No device of your organisation has this ID. It may belong to another organisation, or the ID is mistyped.');
    await expect(other.page.getByRole('main').getByText('Alice tablet').count()).resolves.toBe(0);
  }, STEP_MS);

  it("ends a removed administrator's session at once", async () => {
    const page = admins.owner.page;
    await page.getByRole('link', { name: 'Administrators' }).click();
    await page.getByRole('button', { name: 'Remove Otto Operator' }).click();
    await page.getByRole('region', { name: 'Remove Otto Operator' }).getByRole('button', { name: 'Remove Otto Operator' }).click();
    await shows(status(page), 'Otto Operator is removed; their sessions ended.');
    const op = admins.operator.page;
    await op.getByRole('link', { name: 'Inventory', exact: true }).click();
    await shows(alert(op), 'Your session ended (it expired, or an owner removed you). Sign in again.');
    await expect(op.evaluate('sessionStorage.length')).resolves.toBe(0);
    await op.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await shows(alert(op), 'You are no longer an administrator of this organisation: an owner removed you.');
  }, STEP_MS);

  it('never exposed a secret, scrolled sideways, raised a script error or violated its Content-Security-Policy', async () => {
    for (const d of Object.values(admins)) if (!d.page.isClosed()) await noSecrets(d.page, `final ${d.page.url()}`);
    expect(views).toEqual(['sign-in', 'invitation', 'administrators', 'settings', 'review-queue', 'inventory', 'device', 'replacements', 'trust-report', 'audit']);
    expect(problems).toEqual([]);
  });
});
