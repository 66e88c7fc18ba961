/**
 * A person manages their devices with the page at `/`, in Debian's Chromium, against the
 * real service (real PostgreSQL, real Redis), each device a browser context with its own
 * DevTools virtual authenticator:
 *   the first device mistypes its bootstrap code, retries and is trusted — and signs in again
 *   later; a phone (390 px wide) is linked by its QR code, both screens showing the same
 *   verification code; a link someone else sent is refused by comparing codes, approving
 *   nothing; a tablet is linked from the device list; the phone revokes the tablet and the
 *   laptop is told the next time it looks; the laptop is replaced with a short code; a
 *   recovery code admits a new device and revokes the lost one at once.
 * Every view is checked at 390 px for horizontal scrolling, and no script error or
 * Content-Security-Policy violation may occur. The steps share one account and run in order.
 * Set E2E_SCREENSHOTS=1 to keep a picture of each step (and its 390 px view) in /tmp/e2e-*.png.
 */
import decodeQR from '@paulmillr/qr/decode.js';
import type { Browser, Locator, Page } from 'playwright-core';
import { createServiceKey } from '../../src/trust/apiKeys.js';
import { expectShown, launchChromium, openDevice, PHONE_VIEWPORT, startServiceForBrowser, type BrowserDevice, type ServiceUnderTest } from '../helpers/browser.js';
import { postgresSchema, uniqueName } from '../helpers/env.js';
import { seedOrg } from '../helpers/seed.js';

const STEP_MS = 60_000;

const system = { type: 'system' as const, id: 'e2e' };

describe('the device page in Chromium', () => {
  let browser: Browser;
  let svc: ServiceUnderTest;
  let dropSchema: () => Promise<void>;
  let serviceKey: string;
  let orgId: string;
  const problems: string[] = [];
  const devices: BrowserDevice[] = [];
  const narrowChecks: string[] = [];

  beforeAll(async () => {
    const schema = await postgresSchema();
    dropSchema = schema.drop;
    svc = await startServiceForBrowser(schema.schema);
    orgId = await seedOrg(svc.service.db);
    serviceKey = (await createServiceKey(svc.service.db, { name: 'e2e-messaging', scopes: ['accounts:write', 'decisions:read'] }, system)).token;
    browser = await launchChromium();
  }, STEP_MS);

  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
    await dropSchema?.();
  }, STEP_MS);

  /** A new device with the page open; console errors (CSP violations among them) and page errors are collected. */
  async function device(name: string, viewport?: { width: number; height: number }): Promise<BrowserDevice> {
    const d = await openDevice(browser, viewport);
    d.page.on('console', (m) => {
      if (m.type() === 'error' && !isExpectedHttpError(m.text())) problems.push(`${name}: ${m.text()}`);
    });
    d.page.on('pageerror', (e) => problems.push(`${name}: ${e.message}`));
    devices.push(d);
    await d.page.goto(svc.origin + '/');
    return d;
  }

  /** A page the person reads: its status and alert regions. */
  const status = (page: Page): Locator => page.getByRole('status');
  const alert = (page: Page): Locator => page.locator('#error');

  const shows = (locator: Locator, expected: string | RegExp): Promise<void> => expectShown(locator, expected, 10_000);

  /** How far the page scrolls sideways at its current width (0: not at all). */
  const sidewaysScroll = (page: Page) => page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth') as Promise<number>;

  /**
   * Every view a step ends in: it must not scroll sideways at its own width, nor at 390 px (the
   * page is looked at there too, then restored). With E2E_SCREENSHOTS=1 both are saved.
   */
  async function snap(page: Page, step: string): Promise<void> {
    expect([step, await sidewaysScroll(page)]).toEqual([step, 0]);
    if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: `/tmp/e2e-${step}.png`, fullPage: true });
    const size = page.viewportSize();
    if (size && size.width !== PHONE_VIEWPORT.width) {
      await page.setViewportSize(PHONE_VIEWPORT);
      expect([`${step} at 390 px`, await sidewaysScroll(page)]).toEqual([`${step} at 390 px`, 0]);
      if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: `/tmp/e2e-${step}-390.png`, fullPage: true });
      await page.setViewportSize(size);
    }
    narrowChecks.push(step);
  }

  /** Calls the API as the messaging service would, with the test's service key. */
  async function asService(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(svc.origin + path, {
      method, headers: { authorization: `Bearer ${serviceKey}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  /** The row of the device named `label` (this device's own row when `current`). */
  function rowOf(page: Page, label: string, current = false): Locator {
    const name = new RegExp(`^${escape(label)}${current ? ' \\(this device\\)' : ''}\\s*dev_`);
    return page.getByRole('row').filter({ has: page.getByRole('rowheader', { name }) });
  }

  /** The state word shown in the device list for the device named `label`. */
  const stateOf = (page: Page, label: string, current = false): Locator => rowOf(page, label, current).locator('.state');

  /** What the new device's "Link this device" view shows: its code, its link, and the link its QR code carries. */
  async function linkView(page: Page): Promise<{ code: string; link: string; qr: string }> {
    await page.getByRole('heading', { name: 'Link this device' }).waitFor();
    const code = (await page.locator('#pending-code').textContent()) as string;
    const link = await page.getByLabel('Link to approve this device').inputValue();
    return { code, link, qr: await qrText(page.locator('#pending-qr')) };
  }

  /** Reads the QR code drawn in `container` as a camera would: its modules rendered to pixels, then decoded. */
  async function qrText(container: Locator): Promise<string> {
    const svg = container.locator('svg');
    const size = Number(((await svg.getAttribute('viewBox')) as string).split(' ')[2]);
    const d = (await svg.locator('path').getAttribute('d')) as string;
    const scale = 6;
    const width = size * scale;
    const data = new Uint8Array(width * width * 4).fill(255);
    for (const [, x, y] of d.matchAll(/M(\d+) (\d+)h1v1h-1z/g)) {
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const i = ((Number(y) * scale + dy) * width + Number(x) * scale + dx) * 4;
          data[i] = data[i + 1] = data[i + 2] = 0;
        }
      }
    }
    return decodeQR({ width, height: width, data });
  }

  /** Fills the enroll form of `page` and submits it. */
  async function enroll(page: Page, fields: { handle: string; label: string; platform?: string; bootstrapCode?: string; recoveryCode?: string; lost?: string }): Promise<void> {
    const form = page.getByRole('region', { name: 'Enroll this browser' });
    await form.getByLabel('Account handle').fill(fields.handle);
    await form.getByLabel('Device name').fill(fields.label);
    if (fields.platform) await form.getByLabel('Platform').selectOption(fields.platform);
    if (fields.bootstrapCode !== undefined) {
      await form.getByLabel('Bootstrap code (the first device of a new account)').check();
      await form.getByLabel('Code', { exact: true }).fill(fields.bootstrapCode);
    }
    if (fields.recoveryCode !== undefined) {
      await form.getByLabel('Recovery code (the account is in recovery)').check();
      await form.getByLabel('Code', { exact: true }).fill(fields.recoveryCode);
      if (fields.lost) await form.getByLabel('Lost device to replace (optional)').fill(fields.lost);
    }
    await form.getByRole('button', { name: 'Enroll this browser' }).click();
  }

  async function signInWith(page: Page, handle: string): Promise<void> {
    const form = page.getByRole('region', { name: 'Sign in with this device' });
    await form.getByLabel('Account handle').fill(handle);
    await form.getByRole('button', { name: 'Sign in' }).click();
  }

  const handle = uniqueName('alice').toLowerCase();
  let accountId: string;
  let laptop: BrowserDevice;
  let phone: BrowserDevice;
  let tablet: BrowserDevice;
  let tabletDeviceId: string;
  let successor: BrowserDevice;

  it('serves an accessible page that works under its Content-Security-Policy', async () => {
    laptop = await device('laptop');
    const page = laptop.page;
    await expect(page.title()).resolves.toBe('Enigm Trust — your devices');
    await page.getByRole('heading', { name: 'Sign in with this device' }).waitFor();
    for (const name of ['Sign in with this device', 'Enroll this browser', 'Finish a replacement']) {
      await expect(page.getByRole('region', { name }).isVisible()).resolves.toBe(true);
    }
    await expect(page.getByRole('main').count()).resolves.toBe(1);
    await expect(page.getByRole('banner').count()).resolves.toBe(1);
    await expect(page.getByRole('contentinfo').count()).resolves.toBe(1);
    const form = page.getByRole('region', { name: 'Enroll this browser' });
    await expect(form.getByLabel('Code', { exact: true }).isVisible()).resolves.toBe(false);
    await form.getByLabel('Bootstrap code (the first device of a new account)').check();
    await expect(form.getByLabel('Code', { exact: true }).isVisible()).resolves.toBe(true);
    // A form sent empty says what is missing, and sends nothing.
    await form.getByRole('button', { name: 'Enroll this browser' }).click();
    await shows(alert(page), 'Account handle is required.');
    await expect(laptop.credentials()).resolves.toEqual([]);
    // A replacement code of the wrong form is caught before anything is sent.
    const finish = page.getByRole('region', { name: 'Finish a replacement' });
    await finish.getByLabel('Replacement code').fill('ABC');
    await finish.getByRole('button', { name: 'Enroll this browser as the replacement' }).click();
    await shows(alert(page), /^A replacement code has ten letters and digits/);
    await finish.getByLabel('Replacement code').fill('');
    await snap(page, '0-start');
    expect(problems).toEqual([]);
  }, STEP_MS);

  it('after a mistyped bootstrap code, a retry trusts the laptop, and it can sign in again later', async () => {
    const created = await asService('POST', '/v1/accounts', { handle, org: orgId });
    expect(created.status).toBe(201);
    accountId = created.body.accountId as string;
    const code = created.body.bootstrapCode as string;
    const page = laptop.page;

    // One character wrong: refused in words that say what to do, and nothing is left to trip over.
    const typo = code.slice(0, -1) + (code.endsWith('A') ? 'B' : 'A');
    await enroll(page, { handle, label: 'Alice laptop', bootstrapCode: typo });
    await shows(alert(page), /^That bootstrap code is not right for this account\. Check it .*start the enrollment again: nothing of the failed attempt is left behind\.$/);
    await expect(page.getByRole('heading', { name: 'Enroll this browser' }).isVisible()).resolves.toBe(true);
    const leftover = await laptop.credentials();
    expect(leftover).toHaveLength(1);
    await snap(page, '1a-typo');

    // The retry: the same form, the code corrected.
    await page.getByRole('region', { name: 'Enroll this browser' }).getByLabel('Code', { exact: true }).fill(code);
    await page.getByRole('region', { name: 'Enroll this browser' }).getByRole('button', { name: 'Enroll this browser' }).click();
    await page.getByRole('heading', { name: 'Devices of this account' }).waitFor();
    await shows(status(page), `Signed in as ${handle} with this device.`);
    await shows(stateOf(page, 'Alice laptop', true), 'trusted');
    await shows(stateOf(page, 'Alice laptop'), 'revoked');
    // The new passkey replaced the refused one in this browser: one account, one passkey.
    const passkeys = await laptop.credentials();
    expect(passkeys).toHaveLength(1);
    expect(passkeys[0]).toMatchObject({ rpId: 'localhost', isResidentCredential: true });
    expect(passkeys[0].credentialId).not.toBe(leftover[0].credentialId);
    await shows(page.getByRole('region', { name: 'Account activity' }).getByRole('listitem').first(), /This device joined, approved by the account’s bootstrap code\.$/);
    await expect(page.getByRole('region', { name: 'Account activity' }).getByRole('listitem').allTextContents())
      .resolves.toEqual(expect.arrayContaining([expect.stringMatching(/Alice laptop did not join: a step of its enrollment was refused/)]));

    // Signing out and in again works: the sign-in offers this browser's only passkey, the right one.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await shows(status(page), 'Signed out: this tab forgot its session.');
    await signInWith(page, handle);
    await page.getByRole('heading', { name: 'Devices of this account' }).waitFor();
    await shows(status(page), `Signed in as ${handle} with this device.`);
    // The session lives in this tab's sessionStorage only.
    const stored = (await page.evaluate("({ session: sessionStorage.getItem('enigm-trust.session'), cookies: document.cookie, local: localStorage.length, url: location.href })")) as
      { session: string | null; cookies: string; local: number; url: string };
    expect(JSON.parse(stored.session as string)).toMatchObject({ token: expect.stringMatching(/^eds_/), accountId });
    expect(stored).toMatchObject({ cookies: '', local: 0, url: `${svc.origin}/` });
    await snap(page, '1b-laptop-trusted');
  }, STEP_MS);

  it('links a phone by its QR code: both screens show the same verification code', async () => {
    phone = await device('phone', PHONE_VIEWPORT);
    await enroll(phone.page, { handle, label: 'Alice phone', platform: 'android' });
    const shown = await linkView(phone.page);
    expect(shown.code).toMatch(/^[0-9]{3} [0-9]{3}$/);
    expect(shown.link).toMatch(new RegExp(`^${escape(svc.origin)}/#link=enr_`));
    expect(shown.qr).toBe(shown.link);
    await snap(phone.page, '2a-phone-link-view');

    // Not approved yet: signing in is refused, and the page says what to do.
    await phone.page.getByRole('button', { name: 'It is approved: sign in' }).click();
    await shows(alert(phone.page), /^This browser is not approved yet\. On one of your trusted devices, approve it after comparing the verification codes/);

    // The laptop's camera opens the link the QR code carries.
    const approver = laptop.page;
    await approver.goto(shown.qr);
    const dialog = approver.getByRole('dialog', { name: 'Approve Alice phone?' });
    await dialog.waitFor();
    await shows(dialog.locator('#approve-code'), shown.code);
    expect(approver.url()).toBe(`${svc.origin}/`);
    // The dialog opens on its question, not on a button: a stray Enter approves nothing.
    await expect(approver.evaluate('document.activeElement.id')).resolves.toBe('approve-dialog-title');
    await snap(approver, '2b-compare-codes');
    // By keyboard: Tab to the first button, Enter.
    await approver.keyboard.press('Tab');
    await expect(approver.evaluate('document.activeElement.textContent')).resolves.toBe('Yes, the codes match: approve');
    await approver.keyboard.press('Enter');
    await shows(status(approver), 'Approved: Alice phone is now trusted.');
    await shows(stateOf(approver, 'Alice phone'), 'trusted');

    await phone.page.getByRole('button', { name: 'It is approved: sign in' }).click();
    await phone.page.getByRole('heading', { name: 'Devices of this account' }).waitFor();
    await shows(stateOf(phone.page, 'Alice phone', true), 'trusted');
    await snap(phone.page, '2c-phone-signed-in');
  }, STEP_MS);

  it('refuses a link someone else sent: the codes differ, nothing is approved, and the stranger is rejected', async () => {
    // Someone who knows the handle enrolls their own browser and talks the person into opening its link.
    const stranger = await device('stranger');
    await enroll(stranger.page, { handle, label: 'Alice tablet' });
    const theirs = await linkView(stranger.page);
    tablet = await device('tablet');
    await enroll(tablet.page, { handle, label: 'Alice tablet', platform: 'ios' });
    const mine = await linkView(tablet.page);
    expect(mine.code).not.toBe(theirs.code);

    const page = laptop.page;
    await page.getByLabel('Link shown on the new device').fill('not a link');
    await page.getByRole('button', { name: 'Compare codes' }).click();
    await shows(alert(page), /^That is not a link to approve a device\./);
    await page.getByLabel('Link shown on the new device').fill(theirs.link);
    await page.getByRole('button', { name: 'Compare codes' }).click();
    const dialog = page.getByRole('dialog', { name: 'Approve Alice tablet?' });
    await dialog.waitFor();
    await shows(dialog.locator('#approve-code'), theirs.code);
    // The person compares with the tablet in their hand: they differ.
    expect(await dialog.locator('#approve-code').textContent()).not.toBe(mine.code);
    await dialog.getByRole('button', { name: 'No, the codes differ' }).click();
    await shows(alert(page), /^The codes differ, so nothing was approved\. The device waiting as “Alice tablet” is not the one in your hand/);
    await snap(page, '3a-codes-differ');
    const approvals = await svc.service.db.query(`SELECT count(*)::int AS n FROM approvals a JOIN enrollments e ON e.id = a.enrollment_id JOIN devices d ON d.id = e.device_id
      WHERE e.account_id = $1 AND d.state = 'pending'`, [accountId]);
    expect(approvals.rows[0].n).toBe(0);
    await stranger.page.getByRole('button', { name: 'It is approved: sign in' }).click();
    await shows(alert(stranger.page), /^This browser is not approved yet/);

    // Rejected by keyboard: the Reject button of the stranger's row has the focus.
    const strangerId = new URL(theirs.link).hash.slice('#link='.length);
    const strangerDevice = (await svc.service.db.query('SELECT device_id FROM enrollments WHERE id = $1', [strangerId])).rows[0].device_id as string;
    await expect(page.evaluate('document.activeElement.getAttribute("aria-label")')).resolves.toBe('Reject Alice tablet');
    await expect(page.evaluate(`document.activeElement.closest('tr').dataset.deviceId`)).resolves.toBe(strangerDevice);
    await page.keyboard.press('Enter');
    const reject = page.getByRole('dialog', { name: 'Reject Alice tablet?' });
    await reject.getByLabel('Reason').fill('codes did not match');
    await reject.getByLabel('Reason').press('Enter');
    await shows(status(page), 'Alice tablet is rejected.');
    await expect(page.locator(`tr[data-device-id="${strangerDevice}"] .state`).textContent()).resolves.toBe('revoked');
  }, STEP_MS);

  it('links the real tablet from the device list, after comparing codes', async () => {
    const page = laptop.page;
    const mine = await linkView(tablet.page);
    await page.getByRole('button', { name: 'Refresh the list' }).click();
    const row = page.locator('tr').filter({ has: page.locator('.state-pending') });
    await expect(row.count()).resolves.toBe(1);
    await row.getByRole('button', { name: 'Approve Alice tablet' }).click();
    const dialog = page.getByRole('dialog', { name: 'Approve Alice tablet?' });
    await shows(dialog.locator('#approve-code'), mine.code);
    await dialog.getByRole('button', { name: 'Yes, the codes match: approve' }).click();
    await shows(status(page), 'Approved: Alice tablet is now trusted.');
    await tablet.page.getByRole('button', { name: 'It is approved: sign in' }).click();
    await tablet.page.getByRole('heading', { name: 'Devices of this account' }).waitFor();
    tabletDeviceId = (await tablet.page.locator('#me-device-id').textContent()) as string;
    await snap(tablet.page, '4-tablet-signed-in');
  }, STEP_MS);

  it('shows the laptop, next time it looks, that the phone revoked the tablet', async () => {
    const page = phone.page;
    await page.getByRole('button', { name: 'Refresh the list' }).click();
    await page.getByRole('button', { name: 'Revoke Alice tablet' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke Alice tablet?' });
    await dialog.getByRole('button', { name: 'Revoke the device' }).click();
    await shows(dialog.getByRole('alert'), 'Reason is required.');
    await dialog.getByLabel('Reason').fill('left in a taxi');
    await snap(page, '5a-revoke-dialog');
    await dialog.getByRole('button', { name: 'Revoke the device' }).click();
    await shows(status(page), 'Alice tablet is revoked.');
    expect((await asService('POST', '/v1/decisions', { accountId, deviceId: tabletDeviceId, action: 'message.receive' })).body).toMatchObject({ allow: false, deviceState: 'revoked' });

    // The tablet's next call finds its session ended, and it is told why in words that do not send it round in circles.
    await tablet.page.getByRole('button', { name: 'Refresh the list' }).click();
    await shows(alert(tablet.page), /^This device is no longer trusted: it was revoked or replaced from another device/);
    await signInWith(tablet.page, handle);
    await shows(alert(tablet.page), /^This browser’s device was revoked or rejected, so it can no longer sign in\. Enroll this browser again/);
    await snap(tablet.page, '5b-revoked-tablet');

    // The laptop opens the page again: the news first, then the activity, newest first.
    await laptop.page.reload();
    const news = laptop.page.getByRole('region', { name: 'Since you last looked' });
    await news.waitFor();
    await shows(news.getByRole('listitem').first(), 'Alice tablet left: revoked by Alice phone: “left in a taxi”.');
    const activity = laptop.page.getByRole('region', { name: 'Account activity' }).getByRole('listitem');
    await shows(activity.first(), /New Alice tablet left: revoked by Alice phone: “left in a taxi”\.$/);
    await snap(laptop.page, '5c-laptop-news');
    // Seen once, it is no longer news.
    await laptop.page.reload();
    await laptop.page.getByRole('heading', { name: 'Devices of this account' }).waitFor();
    await shows(laptop.page.getByRole('region', { name: 'Account activity' }).getByRole('listitem').first(), /Alice tablet left/);
    await expect(laptop.page.locator('#news').isHidden()).resolves.toBe(true);
  }, STEP_MS);

  it('replaces the laptop with a short code: the new one is linked and the old one shows replaced', async () => {
    const old = laptop.page;
    await old.getByRole('button', { name: 'Replace Alice laptop' }).click();
    const replace = old.getByRole('region', { name: 'Replace a device' });
    await replace.getByLabel('New device name').fill('Alice new laptop');
    await replace.getByRole('button', { name: 'Start the replacement' }).click();
    const output = replace.locator('#replacement-code-output');
    await shows(output, /^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    const code = (await output.textContent()) as string;
    expect(code.length).toBeLessThanOrEqual(12);
    expect(await qrText(replace.locator('#replace-qr'))).toBe(`${svc.origin}/#replace=${code}`);
    await snap(old, '6a-replacement-code');

    successor = await device('replacement');
    const page = successor.page;
    // Its camera opens the QR code's link: the code is filled in, the person only confirms.
    await page.goto(`${svc.origin}/#replace=${code}`);
    const finish = page.getByRole('region', { name: 'Finish a replacement' });
    await expect(finish.getByLabel('Replacement code').inputValue()).resolves.toBe(code);
    await finish.getByRole('button', { name: 'Enroll this browser as the replacement' }).click();
    const shown = await linkView(page);
    await snap(page, '6b-replacement-link-view');

    // Typing the code again on another browser finds it used.
    const late = await device('late');
    const lateForm = late.page.getByRole('region', { name: 'Finish a replacement' });
    await lateForm.getByLabel('Replacement code').fill(code.toLowerCase());
    await lateForm.getByRole('button', { name: 'Enroll this browser as the replacement' }).click();
    await shows(alert(late.page), 'That replacement code was already used. On your old device, start the replacement again for a new code.');
    await expect(late.credentials()).resolves.toEqual([]);

    // The old device approves its successor after comparing codes, and loses its trust and session in the same step.
    await old.getByRole('button', { name: 'Done' }).click();
    await old.getByRole('button', { name: 'Approve Alice new laptop' }).click();
    const dialog = old.getByRole('dialog', { name: 'Approve Alice new laptop?' });
    await shows(dialog.locator('#approve-code'), shown.code);
    await dialog.getByRole('button', { name: 'Yes, the codes match: approve' }).click();
    await old.getByRole('heading', { name: 'Sign in with this device' }).waitFor();
    await shows(status(old), 'Approved: Alice new laptop is now trusted. This device was replaced and is signed out.');
    await snap(old, '6c-old-device-signed-out');

    await page.getByRole('button', { name: 'It is approved: sign in' }).click();
    await page.getByRole('heading', { name: 'Devices of this account' }).waitFor();
    await shows(stateOf(page, 'Alice new laptop', true), 'trusted');
    // Oldest first: the laptop's refused first attempt, then the laptop itself, now replaced.
    await expect(rowOf(page, 'Alice laptop').locator('.state').allTextContents()).resolves.toEqual(['revoked', 'replaced']);
    await snap(page, '6d-replaced');
  }, STEP_MS);

  it('recovers with a recovery code on a new device, which revokes the lost one at once', async () => {
    const lostDeviceId = (await successor.page.locator('#me-device-id').textContent()) as string;
    const recovery = await asService('POST', `/v1/accounts/${accountId}/recovery`, {});
    expect(recovery.status).toBe(200);
    const fresh = await device('recovered', PHONE_VIEWPORT);
    await enroll(fresh.page, { handle, label: 'Alice recovered phone', recoveryCode: recovery.body.recoveryCode as string, lost: lostDeviceId });
    await fresh.page.getByRole('heading', { name: 'Devices of this account' }).waitFor();
    await shows(stateOf(fresh.page, 'Alice recovered phone', true), 'trusted');
    await shows(stateOf(fresh.page, 'Alice new laptop'), 'revoked');
    await snap(fresh.page, '7-recovered');
    expect((await asService('POST', '/v1/decisions', { accountId, deviceId: lostDeviceId, action: 'message.receive' })).body).toMatchObject({ allow: false, deviceState: 'revoked' });
  }, STEP_MS);

  it('showed no script error and no security-policy violation on any device, and checked every view at 390 px', () => {
    expect(devices.length).toBe(7);
    expect(narrowChecks.length).toBeGreaterThanOrEqual(15);
    expect(problems).toEqual([]);
  });
});

// The page reports refused API calls itself; Chromium also logs each non-2xx fetch as a console error.
function isExpectedHttpError(text: string): boolean {
  return /Failed to load resource: the server responded with a status of (400|401|403|404|409)/.test(text);
}
