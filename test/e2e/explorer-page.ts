/**
 * Shared fixtures of the explorer's browser tests: Debian's chromium through playwright-core, the
 * node's REST answers, what the page shows, and the errors the page reports. Waits on conditions,
 * never on fixed sleeps.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { AccountView, StatusView } from '../../src/api/types.js';
import { formatBcc } from '../../src/core/money.js';
import { waitFor } from '../../src/tools/network.js';
import { afterAll, beforeAll } from 'vitest';
import { launch, type TestNetwork } from '../integration/harness.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The browser tests are skipped only when /usr/bin/chromium is missing (CI installs it). */
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
export const UI_TIMEOUT_MS = 20_000;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** How the page writes an amount of units: BCC with two decimals and thousands separators. */
export function shownBcc(units: number): string {
  return formatBcc(units).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export async function getJson<T>(port: number, path: string): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`GET ${path} on port ${port}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** The height the page shows, as a number (it groups digits: "1,024"). */
export async function shownHeight(page: Page): Promise<number> {
  const text = (await page.locator('#height').textContent()) ?? '';
  return Number(text.replaceAll(',', '').trim());
}

/** The balance shown on the account row of `address`, or undefined when the row is missing. */
export async function shownBalance(page: Page, address: string): Promise<string | undefined> {
  const cell = page.locator(`#accounts-body tr[data-address="${address}"] td.balance`);
  if ((await cell.count()) === 0) return undefined;
  return ((await cell.textContent()) ?? '').trim();
}

/** Waits until the page agrees with the node on the height and on every account row. */
export async function waitUntilPageMatchesNode(page: Page, port: number): Promise<{ status: StatusView; accounts: AccountView[] }> {
  let last: { status: StatusView; accounts: AccountView[] } | undefined;
  let mismatch = '';
  await waitFor(
    "the page to show the node's height and accounts",
    async () => {
      const [status, accounts] = await Promise.all([getJson<StatusView>(port, '/status'), getJson<AccountView[]>(port, '/accounts')]);
      last = { status, accounts };
      const height = await shownHeight(page);
      if (height !== status.height) {
        mismatch = `height shown ${height}, node says ${status.height}`;
        return false;
      }
      const rows = await page.locator('#accounts-body tr[data-address]').count();
      if (rows !== accounts.length) {
        mismatch = `${rows} account rows shown, node has ${accounts.length}`;
        return false;
      }
      for (const account of accounts) {
        const balance = await shownBalance(page, account.address);
        if (balance !== shownBcc(account.balance)) {
          mismatch = `account ${account.id}: balance shown ${balance}, node says ${shownBcc(account.balance)}`;
          return false;
        }
      }
      return true;
    },
    UI_TIMEOUT_MS,
    100,
  ).catch((err: unknown) => {
    throw new Error(`${err instanceof Error ? err.message : String(err)} (${mismatch})`);
  });
  if (!last) throw new Error('no answer from the node');
  return last;
}

/** A page in a context of its own, recording what it reports as errors. */
export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /**
   * Uncaught exceptions and unhandled rejections of the page, then every console error that
   * matches none of `expected` (e.g. the browser's own line for a failed load).
   */
  unexpectedErrors(expected: readonly RegExp[]): string[];
}

export async function watchedPage(browser: Browser): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(`page error: ${err.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  return {
    context,
    page,
    unexpectedErrors: (expected) => [...pageErrors, ...consoleErrors.filter((text) => !expected.some((re) => re.test(text)))],
  };
}

/** A browser page over a real network, for one describe block: started before its tests, stopped after. */
export interface BrowserOnNetwork {
  t: TestNetwork;
  watched: WatchedPage;
  page: Page;
}

/** Registers beforeAll / afterAll that launch an n-node network and a watched chromium page. */
export function browserOnNetwork(n: number, capacity: number): BrowserOnNetwork {
  const env = {} as BrowserOnNetwork;
  let browser: Browser | undefined;
  beforeAll(async () => {
    env.t = await launch(n, capacity);
    browser = await launchChromium();
    env.watched = await watchedPage(browser);
    env.page = env.watched.page;
  }, 120_000);
  afterAll(async () => {
    await env.watched?.context.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await env.t?.stop();
  }, 60_000);
  return env;
}
