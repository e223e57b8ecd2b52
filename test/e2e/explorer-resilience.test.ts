/**
 * The explorer when things go wrong, in a real browser (Debian's chromium through playwright-core)
 * on a real 3-node network: its node killed and restarted from its data directory, a reorg, and
 * HTTP errors from the REST API. The page must say what is wrong in words, keep what it last
 * knew on screen, never throw, and recover on its own, without a reload.
 *
 * Waits on what the page shows, never on fixed sleeps. Skipped only when /usr/bin/chromium is
 * missing (CI installs it).
 */
import type { Browser, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountView, Block, StatusView } from '../../src/api/types.js';
import { launch, waitCommitted, waitFor, type TestNetwork } from '../integration/harness.js';
import {
  HAVE_CHROMIUM,
  UI_TIMEOUT_MS,
  getJson,
  launchChromium,
  shownHeight,
  waitUntilPageMatchesNode,
  watchedPage,
  type WatchedPage,
} from './explorer-page.js';
import { ScriptedChain, type CountedEvents } from './scripted-chain.js';

/** The browser's own console line for a request that got no answer (the node is down). */
const LOAD_FAILED = /^Failed to load resource: net::ERR_/;
/** The browser's own console line for an answer with an HTTP error status. */
const LOAD_5XX = /^Failed to load resource: the server responded with a status of 5\d\d/;
/** The REST calls the page makes. */
const REST_PATHS = new Set(['/status', '/accounts', '/blocks', '/wallet/inbox']);
/** The page's table shows at most this many blocks (RECENT in app.js). */
const RECENT = 20;
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
      const body =
        status === 503
          ? { statusCode: 503, error: 'Service Unavailable', code: 'NOT_FORMED', message: 'this node has no chain yet' }
          : {
              statusCode: 500,
              error: 'Internal Server Error',
              code: 'INTERNAL',
              message: 'the node failed to handle the request; see its log',
            };
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

  // A real reorg needs a validator failover that leaves a rival branch behind, machinery the
  // failover tests build. The page only reads the REST API and the events, so it is shown one
  // through request interception instead: GET /status, /blocks and /events come from a chain the
  // test scripts (scripted-chain.ts), in the shapes the node sends.
  describe('a reorg (scripted chain)', () => {
    /** Why the blocks table does not show exactly the last RECENT blocks of `chain`, or '' when it does. */
    async function branchMismatch(page: Page, chain: readonly Block[]): Promise<string> {
      const shown = await page.$$eval('#blocks-body tr.block-row', (rows) =>
        rows.map((row) => `${(row as HTMLElement).dataset.index}:${row.querySelector('td.mono')?.getAttribute('title')}`),
      );
      const expected = chain
        .slice(-RECENT)
        .reverse()
        .map((b) => `${b.index}:${b.current_hash}`);
      if (shown.join() !== expected.join()) return `blocks shown ${shown.join(' ')}; expected ${expected.join(' ')}`;
      const height = await shownHeight(page);
      if (height !== chain[chain.length - 1]!.index) return `height shown ${height}`;
      // Validator counts start again from the new branch: the reverted blocks no longer count.
      const counts = await page.$$eval('#share-body tr td:first-of-type', (cells) => cells.map((c) => Number(c.textContent)));
      const counted = counts.reduce((a, b) => a + b, 0);
      const validated = chain.filter((b) => b.validator !== '0').length;
      return counted === validated ? '' : `${counted} blocks counted in the validator share, ${validated} validated`;
    }

    async function waitForBranch(page: Page, chain: readonly Block[], what: string): Promise<void> {
      let mismatch = '';
      await waitFor(what, async () => (mismatch = await branchMismatch(page, chain)) === '', UI_TIMEOUT_MS, 100).catch((err: unknown) => {
        throw new Error(`${err instanceof Error ? err.message : String(err)} (${mismatch})`);
      });
    }

    /** A page on node 2 showing a scripted chain: node 2's blocks and `above` made-up ones on top. */
    async function scriptedPage(
      above: number,
    ): Promise<{ watched: WatchedPage; chain: ScriptedChain; forkIndex: number; validators: string[] }> {
      const port = t!.ports[2]!;
      const [status, blocks, accounts] = await Promise.all([
        getJson<StatusView>(port, '/status'),
        getJson<Block[]>(port, '/blocks?from=0&limit=500'),
        getJson<AccountView[]>(port, '/accounts'),
      ]);
      const validators = accounts.map((a) => a.address);
      expect(validators).toHaveLength(NODES);
      const chain = new ScriptedChain(status, blocks);
      const forkIndex = chain.tip.index;
      chain.extend(validators[0]!, above);
      const watched = await newPage();
      await chain.install(watched.page);
      await watched.page.goto(`http://127.0.0.1:${port}/`);
      await waitForBranch(watched.page, chain.chain, 'the page to show the first branch');
      await waitFor('the page to open its event stream', async () => chain.streamOpen, UI_TIMEOUT_MS, 50);
      return { watched, chain, forkIndex, validators };
    }

    const reorgsSeen = (page: Page) => page.evaluate(() => ((window as CountedEvents).sseSeen ?? []).filter((e) => e === 'reorg').length);

    it('drops the reverted blocks and shows the new branch', async () => {
      const { watched, chain, forkIndex, validators } = await scriptedPage(2);
      const { page } = watched;
      const { reverted, events } = chain.switchBranch(forkIndex, validators[1]!, 3);
      expect(reverted).toHaveLength(2);
      await chain.sendEvents(events);

      await waitForBranch(page, chain.chain, 'the page to show the new branch');
      expect(await reorgsSeen(page)).toBe(1);
      for (const block of reverted) expect(await page.locator(`#blocks-body td[title="${block.current_hash}"]`).count()).toBe(0);
      expect(await page.locator('#last-hash').getAttribute('title')).toBe(chain.tip.current_hash);
      expect(watched.unexpectedErrors([])).toEqual([]);
    }, 60_000);

    it('does not show blocks of the old branch whose answer arrives after the reorg', async () => {
      const { watched, chain, forkIndex, validators } = await scriptedPage(2);
      const { page } = watched;
      // A new block on the old branch: the page's next poll asks for it, and the answer is held.
      const held = chain.holdNextBlocks();
      chain.extend(validators[0]!, 1);
      await waitFor('the page to ask for the new block', async () => held.arrived(), UI_TIMEOUT_MS, 50);

      // The reorg reaches the page while that answer (the old branch's block) is on its way.
      const { reverted, events } = chain.switchBranch(forkIndex, validators[1]!, 4);
      expect(reverted).toHaveLength(3);
      await chain.sendEvents(events);
      await waitFor('the page to handle the reorg', async () => (await reorgsSeen(page)) === 1, UI_TIMEOUT_MS, 50);
      held.release();

      await waitForBranch(page, chain.chain, 'the page to show the new branch only');
      expect(watched.unexpectedErrors([])).toEqual([]);
    }, 60_000);
  });
});
