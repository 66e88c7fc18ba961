/**
 * A person manages their devices with the page at `/`, in Debian's Chromium, against the
 * real service (real PostgreSQL, real Redis), each device a browser context with its own
 * DevTools virtual authenticator:
 *   the first device enrolls with the bootstrap code; a second enrolls and the first
 *   approves it; the second is revoked and a decision for it is denied; a replacement of
 *   the first is approved and the old device shows `replaced`; a recovery code then admits
 *   a new device and revokes the lost one at once.
 * The steps share one account and run in order. Set E2E_SCREENSHOTS=1 to keep a picture
 * of each step in /tmp/e2e-*.png.
 */
import { randomBytes } from 'node:crypto';
import type { Browser, Locator, Page } from 'playwright-core';
import { createServiceKey } from '../../src/trust/apiKeys.js';
import { launchChromium, openDevice, startServiceForBrowser, type BrowserDevice, type ServiceUnderTest } from '../helpers/browser.js';
import { postgresSchema, uniqueName } from '../helpers/env.js';
import { seedOrg } from '../helpers/seed.js';

const STEP_MS = 45_000;

const system = { type: 'system' as const, id: 'e2e' };

describe('the device page in Chromium', () => {
  let browser: Browser;
  let svc: ServiceUnderTest;
  let dropSchema: () => Promise<void>;
  let serviceKey: string;
  let orgId: string;
  const problems: string[] = [];
  const devices: BrowserDevice[] = [];

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

  /** A new device with the page open; console errors, page errors and CSP reports are collected. */
  async function device(name: string): Promise<BrowserDevice> {
    const d = await openDevice(browser);
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
  const alert = (page: Page): Locator => page.getByRole('alert');

  /** Waits (up to 10 s) until the locator's text matches, then asserts it: what the person ends up reading. */
  async function shows(locator: Locator, expected: string | RegExp): Promise<void> {
    const matches = (t: string | null) => (typeof expected === 'string' ? t === expected : expected.test(t ?? ''));
    const deadline = Date.now() + 10_000;
    let text = await locator.textContent({ timeout: 10_000 });
    while (!matches(text) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      text = await locator.textContent({ timeout: 10_000 });
    }
    if (typeof expected === 'string') expect(text).toBe(expected);
    else expect(text).toMatch(expected);
  }

  async function snap(page: Page, step: string): Promise<void> {
    if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: `/tmp/e2e-${step}.png`, fullPage: true });
  }

  /** Calls the API as the messaging service would, with the test's service key. */
  async function asService(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(svc.origin + path, {
      method, headers: { authorization: `Bearer ${serviceKey}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  /** The state word shown in the device list for the device named `label`. */
  function stateOf(page: Page, label: string): Locator {
    return page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: label }) }).locator('.state');
  }

  const handle = uniqueName('alice').toLowerCase();
  let accountId: string;
  let first: BrowserDevice;
  let second: BrowserDevice;
  let secondDeviceId: string;
  let successor: BrowserDevice;

  it('serves an accessible page that works under its Content-Security-Policy', async () => {
    first = await device('first');
    const page = first.page;
    await expect(page.title()).resolves.toBe('Enigm Trust — your devices');
    await page.getByRole('heading', { name: 'Sign in with this device' }).waitFor();
    for (const name of ['Sign in with this device', 'Enroll this browser', 'Finish a replacement']) {
      await expect(page.getByRole('region', { name }).isVisible()).resolves.toBe(true);
    }
    await expect(page.getByRole('main').count()).resolves.toBe(1);
    await expect(page.getByRole('banner').count()).resolves.toBe(1);
    await expect(page.getByRole('contentinfo').count()).resolves.toBe(1);
    // The code field appears only when a code is chosen, and is labelled.
    const enroll = page.getByRole('region', { name: 'Enroll this browser' });
    await expect(enroll.getByLabel('Code', { exact: true }).isVisible()).resolves.toBe(false);
    await enroll.getByLabel('Bootstrap code (the first device of a new account)').check();
    await expect(enroll.getByLabel('Code', { exact: true }).isVisible()).resolves.toBe(true);
    // A form sent empty says what is missing, and sends nothing.
    await enroll.getByRole('button', { name: 'Enroll this browser' }).click();
    await shows(alert(page), 'Account handle is required.');
    await expect(first.credentials()).resolves.toEqual([]);
    await snap(page, '0-start');
    expect(problems).toEqual([]);
  }, STEP_MS);

  it('enrolls the first device with the bootstrap code; a wrong code shows why and trusts nothing', async () => {
    const created = await asService('POST', '/v1/accounts', { handle, org: orgId });
    expect(created.status).toBe(201);
    accountId = created.body.accountId as string;

    const guesser = await device('guesser');
    const guess = guesser.page.getByRole('region', { name: 'Enroll this browser' });
    await guess.getByLabel('Account handle').fill(handle);
    await guess.getByLabel('Device name').fill('Guesser');
    await guess.getByLabel('Bootstrap code (the first device of a new account)').check();
    await guess.getByLabel('Code', { exact: true }).fill(`ebc_${randomBytes(32).toString('base64url')}`); // well-formed, not issued
    await guess.getByRole('button', { name: 'Enroll this browser' }).click();
    await shows(alert(guesser.page), 'the bootstrap code is not valid for this account');
    await expect(guesser.page.getByRole('heading', { name: 'Enroll this browser' }).isVisible()).resolves.toBe(true);
    await snap(guesser.page, '1a-wrong-code');
    await guesser.context.close();

    const page = first.page;
    const enroll = page.getByRole('region', { name: 'Enroll this browser' });
    await enroll.getByLabel('Account handle').fill(handle);
    await enroll.getByLabel('Device name').fill('Alice laptop');
    await enroll.getByLabel('Bootstrap code (the first device of a new account)').check();
    await enroll.getByLabel('Code', { exact: true }).fill(created.body.bootstrapCode as string);
    await enroll.getByRole('button', { name: 'Enroll this browser' }).click();
    await page.getByRole('heading', { name: 'Devices of this account' }).waitFor();
    await shows(status(page), `Signed in as ${handle} with this device.`);
    await shows(stateOf(page, 'Alice laptop (this device)'), 'trusted');
    // The refused guess closed its enrollment: nothing is left pending for anyone to approve.
    await shows(stateOf(page, 'Guesser'), 'revoked');
    await expect(page.getByRole('button', { name: 'Approve Guesser' }).count()).resolves.toBe(0);
    // The passkey lives in this browser's authenticator; the session only in this tab's sessionStorage.
    const passkeys = await first.credentials();
    expect(passkeys).toHaveLength(1);
    expect(passkeys[0]).toMatchObject({ rpId: 'localhost', isResidentCredential: true });
    // Evaluated in the page (a string: this file is compiled without the DOM's types).
    const stored = (await page.evaluate("({ session: sessionStorage.getItem('enigm-trust.session'), cookies: document.cookie, local: localStorage.length, url: location.href })")) as
      { session: string | null; cookies: string; local: number; url: string };
    expect(JSON.parse(stored.session as string)).toMatchObject({ token: expect.stringMatching(/^eds_/), accountId });
    expect(stored).toMatchObject({ cookies: '', local: 0, url: `${svc.origin}/` });
    // A reload keeps the tab signed in; another tab of the same browser does not share the session.
    await page.reload();
    await page.getByRole('heading', { name: 'Devices of this account' }).waitFor();
    const otherTab = await first.context.newPage();
    await otherTab.goto(svc.origin + '/');
    await otherTab.getByRole('heading', { name: 'Sign in with this device' }).waitFor();
    await expect(otherTab.getByRole('heading', { name: 'Devices of this account' }).isVisible()).resolves.toBe(false);
    await otherTab.close();
    await snap(page, '1-first-device');
  }, STEP_MS);

  it('enrolls a second browser context, which the first approves', async () => {
    second = await device('second');
    const page = second.page;
    const enroll = page.getByRole('region', { name: 'Enroll this browser' });
    await enroll.getByLabel('Account handle').fill(handle);
    await enroll.getByLabel('Device name').fill('Alice phone');
    await enroll.getByLabel('Platform').selectOption('android');
    await enroll.getByRole('button', { name: 'Enroll this browser' }).click();
    await page.getByRole('heading', { name: 'Waiting for approval' }).waitFor();
    const enrollmentId = (await page.locator('#pending-enrollment-id').textContent()) as string;
    expect(enrollmentId).toMatch(/^enr_/);
    await expect(page.getByRole('listitem').allTextContents()).resolves.toContain('Approval by one of your trusted devices');
    await snap(page, '2a-second-waiting');

    // Not approved yet: signing in is refused and the page says why.
    await page.getByRole('button', { name: 'Sign in now' }).click();
    await shows(alert(page), /^Not signed in: .*approve it first\.$/);

    // On the first device, by keyboard: type the enrollment ID the new device shows, press Enter.
    const approver = first.page;
    await approver.getByLabel('Enrollment ID shown on the new device').fill(enrollmentId);
    await approver.getByLabel('Enrollment ID shown on the new device').press('Enter');
    await shows(status(approver), 'Approved: the new device is now trusted.');
    await shows(stateOf(approver, 'Alice phone'), 'trusted');
    await snap(approver, '2b-first-approved');

    await page.getByRole('button', { name: 'Sign in now' }).click();
    await page.getByRole('heading', { name: 'Devices of this account' }).waitFor();
    await shows(stateOf(page, 'Alice phone (this device)'), 'trusted');
    await shows(stateOf(page, 'Alice laptop'), 'trusted');
    secondDeviceId = (await page.locator('#me-device-id').textContent()) as string;
    expect(secondDeviceId).toMatch(/^dev_/);
    await snap(page, '2c-second-signed-in');
  }, STEP_MS);

  it('revokes the second device from the first, after which every decision for it is denied', async () => {
    const allowedBefore = await asService('POST', '/v1/decisions', { accountId, deviceId: secondDeviceId, action: 'message.receive' });
    expect(allowedBefore.body).toMatchObject({ allow: true, deviceState: 'trusted' });
    const page = first.page;
    await page.getByRole('button', { name: 'Revoke Alice phone' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke Alice phone?' });
    // Confirming without a reason is refused inside the dialog, and revokes nothing.
    await dialog.getByRole('button', { name: 'Revoke the device' }).click();
    await shows(dialog.getByRole('alert'), 'Reason is required.');
    await expect(dialog.isVisible()).resolves.toBe(true);
    await dialog.getByLabel('Reason').fill('left in a taxi');
    await snap(page, '3a-revoke-dialog');
    await dialog.getByRole('button', { name: 'Revoke the device' }).click();
    await shows(status(page), 'Alice phone is revoked.');
    await shows(stateOf(page, 'Alice phone'), 'revoked');
    await expect(page.getByRole('button', { name: 'Revoke Alice phone' }).count()).resolves.toBe(0);
    await snap(page, '3b-revoked');

    const denied = await asService('POST', '/v1/decisions', { accountId, deviceId: secondDeviceId, action: 'message.receive' });
    expect(denied.status).toBe(200);
    expect(denied.body).toMatchObject({ allow: false, deviceState: 'revoked' });
    // The revoked browser's session ended with its trust: its next call signs it out.
    await second.page.getByRole('button', { name: 'Refresh the list' }).click();
    await shows(alert(second.page), /^Your session has ended/);
    await second.page.getByRole('heading', { name: 'Sign in with this device' }).waitFor();
    // Its passkey opens nothing any more.
    const signIn = second.page.getByRole('region', { name: 'Sign in with this device' });
    await signIn.getByLabel('Account handle').fill(handle);
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await shows(alert(second.page), /revoked|not trusted|not allowed|refused/i);
    await expect(second.page.getByRole('heading', { name: 'Devices of this account' }).isVisible()).resolves.toBe(false);
    await snap(second.page, '3c-revoked-device');
  }, STEP_MS);

  it('replaces the first device: the new one is approved and the old one shows replaced', async () => {
    const old = first.page;
    await old.getByRole('button', { name: 'Replace Alice laptop' }).click();
    const replace = old.getByRole('region', { name: 'Replace a device' });
    await replace.getByLabel('New device name').fill('Alice new laptop');
    await replace.getByRole('button', { name: 'Start the replacement' }).click();
    await replace.getByLabel('Replacement code').waitFor({ state: 'visible' });
    const code = await replace.getByLabel('Replacement code').inputValue();
    expect(code).toMatch(/^enigm-replacement\./);
    expect(code).not.toMatch(/eds_/);
    await snap(old, '4a-replacement-code');

    successor = await device('replacement');
    const page = successor.page;
    const finish = page.getByRole('region', { name: 'Finish a replacement' });
    // A code cut short in copying is caught before anything is created.
    await finish.getByLabel('Replacement code').fill(code.slice(0, -10));
    await finish.getByRole('button', { name: 'Enroll this browser as the replacement' }).click();
    await shows(alert(page), 'the replacement code is damaged: copy it again, completely');
    await expect(successor.credentials()).resolves.toEqual([]);
    await finish.getByLabel('Replacement code').fill(code);
    await finish.getByRole('button', { name: 'Enroll this browser as the replacement' }).click();
    await page.getByRole('heading', { name: 'Waiting for approval' }).waitFor();
    const enrollmentId = (await page.locator('#pending-enrollment-id').textContent()) as string;
    await snap(page, '4b-replacement-waiting');

    // The old device approves its successor, and loses its trust and its session in the same step.
    await old.getByRole('button', { name: 'Refresh the list' }).click();
    await shows(stateOf(old, 'Alice new laptop'), 'pending');
    // Approving from the list shows the enrollment ID to compare with the new device's screen first.
    await old.getByRole('button', { name: 'Approve Alice new laptop' }).click();
    const confirm = old.getByRole('dialog', { name: 'Approve Alice new laptop?' });
    await shows(confirm.locator('code'), enrollmentId);
    await snap(old, '4c-approve-dialog');
    await confirm.getByRole('button', { name: 'It matches: approve' }).click();
    await old.getByRole('heading', { name: 'Sign in with this device' }).waitFor();
    await shows(status(old), 'Approved: the new device is now trusted. This device was replaced and is signed out.');
    await expect(alert(old).count()).resolves.toBe(0); // no problem shown: an empty alert region is not displayed
    await expect(old.getByRole('region', { name: 'Enroll this browser' }).getByLabel('Account handle').inputValue()).resolves.toBe('');
    await snap(old, '4d-old-device-signed-out');

    await page.getByRole('button', { name: 'Sign in now' }).click();
    await page.getByRole('heading', { name: 'Devices of this account' }).waitFor();
    await shows(stateOf(page, 'Alice new laptop (this device)'), 'trusted');
    await shows(stateOf(page, 'Alice laptop'), 'replaced');
    await shows(stateOf(page, 'Alice phone'), 'revoked');
    await snap(page, '4e-replaced');
    const oldDeviceId = (await page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Alice laptop' }) }).locator('.device-id').textContent()) as string;
    expect((await asService('POST', '/v1/decisions', { accountId, deviceId: oldDeviceId, action: 'message.receive' })).body).toMatchObject({ allow: false, deviceState: 'replaced' });
  }, STEP_MS);

  it('recovers with a recovery code on a new device, which revokes the lost one at once', async () => {
    const lostDeviceId = (await successor.page.locator('#me-device-id').textContent()) as string;
    const recovery = await asService('POST', `/v1/accounts/${accountId}/recovery`, {});
    expect(recovery.status).toBe(200);

    const fresh = await device('recovered');
    const page = fresh.page;
    const enroll = page.getByRole('region', { name: 'Enroll this browser' });
    await enroll.getByLabel('Account handle').fill(handle);
    await enroll.getByLabel('Device name').fill('Alice recovered phone');
    await enroll.getByLabel('Recovery code (the account is in recovery)').check();
    await enroll.getByLabel('Code', { exact: true }).fill(recovery.body.recoveryCode as string);
    await enroll.getByLabel('Lost device to replace (optional)').fill(lostDeviceId);
    await snap(page, '5a-recovery-form');
    await enroll.getByRole('button', { name: 'Enroll this browser' }).click();
    await page.getByRole('heading', { name: 'Devices of this account' }).waitFor();
    await shows(stateOf(page, 'Alice recovered phone (this device)'), 'trusted');
    await shows(stateOf(page, 'Alice new laptop'), 'revoked');
    await snap(page, '5b-recovered');
    expect((await asService('POST', '/v1/decisions', { accountId, deviceId: lostDeviceId, action: 'message.receive' })).body).toMatchObject({ allow: false, deviceState: 'revoked' });
  }, STEP_MS);

  it('showed no script error and no security-policy violation on any device', () => {
    expect(devices.length).toBe(5);
    expect(problems).toEqual([]);
  });
});

// The page reports refused API calls itself; Chromium also logs each non-2xx fetch as a console error.
function isExpectedHttpError(text: string): boolean {
  return /Failed to load resource: the server responded with a status of (401|403|404|409)/.test(text);
}
