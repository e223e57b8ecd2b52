/**
 * The explorer when things go wrong, in a real browser (Debian's chromium through playwright-core)
 * on a real 3-node network: its node killed and restarted from its data directory, and HTTP
 * errors from the REST API. The page must say what is wrong in words, keep what it last knew on
 * screen, never throw, and recover on its own, without a reload.
 *
 * Waits on what the page shows, never on fixed sleeps. Skipped only when /usr/bin/chromium is
 * missing (CI installs it).
 */
import type { Browser, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, waitCommitted, waitFor, type TestNetwork } from '../integration/harness.js';
import {
  HAVE_CHROMIUM,
  UI_TIMEOUT_MS,
  launchChromium,
  shownHeight,
  waitUntilPageMatchesNode,
  watchedPage,
  type WatchedPage,
} from './explorer-page.js';

/** The browser's own console line for a request that got no answer (the node is down). */
const LOAD_FAILED = /^Failed to load resource: net::ERR_/;
/** The browser's own console line for an answer with an HTTP error status. */
const LOAD_5XX = /^Failed to load resource: the server responded with a status of 5\d\d/;
/** The REST calls the page makes. */
const REST_PATHS = new Set(['/status', '/accounts', '/blocks', '/wallet/inbox']);
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

  describe('answers with an HTTP error (intercepted)', () => {
    /**
     * Answers the page's REST calls whose path is in `failing` with `status` and an error body in
     * the node's shape (server.ts), the others from the node.
     */
    async function failRest(page: Page, failing: Set<string>, status: 500 | 503): Promise<void> {
      const body = status === 503
        ? { statusCode: 503, error: 'Service Unavailable', code: 'NOT_FORMED', message: 'this node has no chain yet' }
        : { statusCode: 500, error: 'Internal Server Error', code: 'INTERNAL', message: 'the node failed to handle the request; see its log' };
      await page.route(
        (url) => REST_PATHS.has(url.pathname),
        (route: Route) => {
          const path = new URL(route.request().url()).pathname;
          return failing.has(path) ? route.fulfill({ status, json: body }) : route.continue();
        },
      );
    }

    it('opened while the node answers 503, says so in words instead of a blank page, then shows the node', async () => {
      const port = t!.ports[2]!;
      const { page, unexpectedErrors } = await newPage();
      const failing = new Set(REST_PATHS);
      await failRest(page, failing, 503);
      await page.goto(`http://127.0.0.1:${port}/`);

      await banner(page, 'error').waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await page.locator('#offline-title').textContent()).toMatch(/error/);
      expect(await page.locator('#connection').getAttribute('data-state')).toBe('offline');
      // No data yet: every table says why instead of "Loading…" or nothing.
      for (const id of ['#blocks-body', '#accounts-body']) {
        const cells = page.locator(`${id} tr.empty td`);
        expect(await cells.count()).toBe(1);
        expect(await cells.textContent()).toMatch(/error/);
      }

      failing.clear();
      await page.locator('#offline-banner').waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
      await waitUntilPageMatchesNode(page, port);
      expect(await page.locator('#blocks-body tr.block-row').count()).toBeGreaterThan(0);
      expect(unexpectedErrors([LOAD_5XX])).toEqual([]);
    }, 60_000);

    it('keeps what it knew through 500s, says the block list is failing, and catches up when answers are normal', async () => {
      const port = t!.ports[2]!;
      const { page, unexpectedErrors } = await newPage();
      const failing = new Set<string>();
      await failRest(page, failing, 500);
      await page.goto(`http://127.0.0.1:${port}/`);
      const { status } = await waitUntilPageMatchesNode(page, port);

      // Every REST call fails: the error is said, what was shown stays.
      for (const path of REST_PATHS) failing.add(path);
      await banner(page, 'error').waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await page.locator('#accounts-body tr[data-address]').count()).toBe(NODES);
      expect(await shownHeight(page)).toBe(status.height);
      expect(await blockRow(page, status.height).count()).toBe(1);

      // Only the block list fails while a block is committed: the new height shows, the error stays.
      failing.clear();
      failing.add('/blocks');
      const index = await commitTransfer(2);
      await waitFor('the page to show the new height', async () => (await shownHeight(page)) >= index, UI_TIMEOUT_MS, 100);
      expect(await banner(page, 'error').isVisible()).toBe(true);
      expect(await blockRow(page, index).count()).toBe(0);

      failing.clear();
      await page.locator('#offline-banner').waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
      await blockRow(page, index).waitFor({ timeout: UI_TIMEOUT_MS });
      await waitUntilPageMatchesNode(page, port);
      expect(unexpectedErrors([LOAD_5XX])).toEqual([]);
    }, 60_000);
  });
});
