/**
 * The explorer when things go wrong, in a real browser (Debian's chromium through playwright-core)
 * on a real 3-node network: its node killed and restarted from its data directory. The page must
 * say what is wrong in words, keep what it last knew on screen, never throw, and recover on its
 * own, without a reload.
 *
 * Waits on what the page shows, never on fixed sleeps. Skipped only when /usr/bin/chromium is
 * missing (CI installs it).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, waitCommitted, type TestNetwork } from '../integration/harness.js';
import {
  HAVE_CHROMIUM,
  UI_TIMEOUT_MS,
  launchChromium,
  waitUntilPageMatchesNode,
  watchedPage,
  type WatchedPage,
} from './explorer-page.js';

/** The browser's own console line for a request that got no answer (the node is down). */
const LOAD_FAILED = /^Failed to load resource: net::ERR_/;
const NODES = 3;

const banner = (page: Page, kind: 'offline' | 'error') => page.locator(`#offline-banner[data-kind="${kind}"]`);
const connection = (page: Page, state: string) => page.locator(`#connection[data-state="${state}"]`);
const blockRow = (page: Page, index: number) => page.locator(`#blocks-body tr.block-row[data-index="${index}"]`);

describe.skipIf(!HAVE_CHROMIUM)('explorer resilience (browser, real network)', () => {
  let t: TestNetwork | undefined;
  let browser: Browser | undefined;
  const pages: WatchedPage[] = [];

  /** A fresh page (own context: its own routes and error log), not yet navigated. */
  async function newPage(): Promise<WatchedPage> {
    const watched = await watchedPage(browser!);
    pages.push(watched);
    return watched;
  }

  /** Sends 1 BCC from node 0 to node `to`; returns the index of the block that holds it on node `to`. */
  async function commitTransfer(to: number): Promise<number> {
    const { id } = await t!.client(0).submit({ type: 'coins', to, amount: 100 });
    await waitCommitted([t!.client(to)], [id]);
    const { block } = await t!.client(to).transaction(id);
    expect(block).toBeTypeOf('number');
    return block!;
  }

  beforeAll(async () => {
    t = await launch(NODES, 5);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    for (const { context } of pages) await context.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await t?.stop();
  }, 60_000);

  it('recovers on its own when its node is restarted from its data directory, and follows new blocks live', async () => {
    const victim = 1;
    const port = t!.ports[victim]!;
    const { page, unexpectedErrors } = await newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await waitUntilPageMatchesNode(page, port);
    await connection(page, 'live').waitFor({ timeout: UI_TIMEOUT_MS });
    // Marks this document: a reload would lose the mark.
    await page.evaluate(() => document.body.setAttribute('data-test-mark', 'before-crash'));

    await t!.net.stopNode(victim, true);
    await banner(page, 'offline').waitFor({ timeout: UI_TIMEOUT_MS });
    await connection(page, 'offline').waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await page.locator('#accounts-body tr[data-address]').count()).toBe(NODES);

    await t!.net.restartNode(victim);
    await page.locator('#offline-banner').waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
    // The event stream is open again, not only the fallback polling.
    await connection(page, 'live').waitFor({ timeout: UI_TIMEOUT_MS });

    const index = await commitTransfer(victim);
    await blockRow(page, index).waitFor({ timeout: UI_TIMEOUT_MS });
    await waitUntilPageMatchesNode(page, port);
    expect(await page.locator('body').getAttribute('data-test-mark')).toBe('before-crash');
    expect(unexpectedErrors([LOAD_FAILED])).toEqual([]);
  }, 90_000);
});
