/**
 * Browser end-to-end plumbing: Debian's Chromium driven by playwright-core, one isolated
 * browser context per "device", each with its own DevTools virtual authenticator (a CTAP2
 * platform authenticator with resident keys and user verification), and the real service
 * started on a free port so its WebAuthn origin is known before it starts.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Locator, type Page } from 'playwright-core';
import { parseConfig, resolveIdSecret } from '../../src/config.js';
import { createLogger } from '../../src/http/logger.js';
import { startService, type RunningService } from '../../src/http/server.js';
import { POSTGRES_URL, REDIS_URL, tempDir } from './env.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The flags the suite runs Chromium with: headless, no sandbox (containers), nothing fetched from the network. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

/**
 * Launches Chromium. Playwright gives each launch a fresh, empty user-data directory of its
 * own and deletes it on close, so no profile, passkey or storage leaks between runs.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium is missing at ${CHROMIUM_PATH}: install it (apt-get install chromium) or set CHROMIUM_PATH`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/** One simulated device: a browser context (its own storage), a tab, and that tab's authenticator. */
export interface BrowserDevice {
  context: BrowserContext;
  page: Page;
  cdp: CDPSession;
  authenticatorId: string;
  /** The passkeys this device's authenticator holds. */
  credentials(): Promise<Array<{ credentialId: string; rpId?: string; isResidentCredential: boolean; signCount: number }>>;
}

/** A phone's viewport (CSS pixels): the narrowest the page is made for. */
/**
 * Waits (up to `timeoutMs`) until the locator's text matches, then asserts it: what the person
 * ends up reading, however long the page took to get there.
 */
export async function expectShown(locator: Locator, expected: string | RegExp, timeoutMs = 15_000): Promise<void> {
  const matches = (t: string | null) => (typeof expected === 'string' ? t === expected : expected.test(t ?? ''));
  const deadline = Date.now() + timeoutMs;
  let text = await locator.textContent({ timeout: timeoutMs });
  while (!matches(text) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    text = await locator.textContent({ timeout: timeoutMs });
  }
  if (typeof expected === 'string') expect(text).toBe(expected);
  else expect(text).toMatch(expected);
}

export const PHONE_VIEWPORT = { width: 390, height: 844 };

/** Opens a new device: fresh context and tab (a laptop's viewport unless given) with a virtual platform authenticator attached. */
export async function openDevice(browser: Browser, viewport: { width: number; height: number } = { width: 1100, height: 900 }): Promise<BrowserDevice> {
  const context = await browser.newContext({ viewport, locale: 'en-GB', timezoneId: 'UTC' });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
  return {
    context, page, cdp, authenticatorId,
    async credentials() {
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      return credentials;
    },
  };
}

/** Finds a free TCP port on the loopback interface (the service needs its port to know its origin). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The running service and where a browser reaches it (`http://localhost:<port>`, a secure context). */
export interface ServiceUnderTest {
  service: RunningService;
  origin: string;
  stop(): Promise<void>;
}

/**
 * Starts the real service on a free port, on the real PostgreSQL in `schema` (already
 * created), with RP_ID `localhost` and RP_ORIGIN its own origin.
 */
export async function startServiceForBrowser(schema: string): Promise<ServiceUnderTest> {
  const port = await freePort();
  const data = tempDir('enigm-e2e-');
  const databaseUrl = new URL(POSTGRES_URL);
  databaseUrl.searchParams.set('options', `-c search_path="${schema}",public`);
  const config = resolveIdSecret(parseConfig({
    PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: databaseUrl.toString(), DATA_DIR: data.dir, REDIS_URL,
    RP_ID: 'localhost', LOG_LEVEL: 'silent',
  }));
  const service = await startService(config, { logger: createLogger('silent'), shutdownGraceMs: 2000 });
  return {
    service,
    origin: `http://localhost:${port}`,
    async stop() {
      await service.shutdown('e2e done');
      data.remove();
    },
  };
}
