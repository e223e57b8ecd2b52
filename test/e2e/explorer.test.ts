/**
 * The explorer end to end: a real 5-node network, a real browser (Debian's chromium through
 * playwright-core), a transaction through the real CLI. The page must show what the REST API says,
 * follow new blocks without a reload, fit a phone screen, work with a keyboard and say clearly
 * when its node is gone.
 *
 * Skipped only when /usr/bin/chromium is missing (CI installs it).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Fastify from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountView, Block, StatusView } from '../../src/api/types.js';
import { coinFee } from '../../src/core/fees.js';
import { explorerAssetDir, registerExplorer } from '../../src/node/explorer.js';
import { NodeClient } from '../../client/api.js';
import { freePortBase, repoRoot, startNetwork, waitFor, type RunningNetwork } from '../../src/tools/network.js';
import { waitFinal } from '../integration/harness.js';
import {
  HAVE_CHROMIUM,
  UI_TIMEOUT_MS,
  getJson,
  launchChromium,
  shownBalance,
  shownBcc,
  shownHeight,
  waitUntilPageMatchesNode,
} from './explorer-page.js';

const run = promisify(execFile);

describe('explorer assets (no browser)', () => {
  it('finds the assets folder from src/ and serves versioned, revalidated assets', async () => {
    expect(existsSync(join(explorerAssetDir(), 'index.html'))).toBe(true);
    const app = Fastify();
    await registerExplorer(app);
    try {
      const page = await app.inject({ method: 'GET', url: '/' });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['cache-control']).toBe('no-cache');
      expect(String(page.headers['content-security-policy'])).toContain("script-src 'self'");
      const again = await app.inject({ method: 'GET', url: '/', headers: { 'if-none-match': String(page.headers.etag) } });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');

      const script = /src="(\/explorer\/app\.js\?v=[0-9a-f]{12})"/.exec(page.body)?.[1];
      const style = /href="(\/explorer\/style\.css\?v=[0-9a-f]{12})"/.exec(page.body)?.[1];
      expect(script).toBeDefined();
      expect(style).toBeDefined();
      const js = await app.inject({ method: 'GET', url: script! });
      expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      const css = await app.inject({ method: 'GET', url: style! });
      expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
      // A stale or missing version is never cached for good.
      const stale = await app.inject({ method: 'GET', url: '/explorer/app.js?v=000000000000' });
      expect(stale.statusCode).toBe(200);
      expect(stale.headers['cache-control']).toBe('no-cache');
      const head = await app.inject({ method: 'HEAD', url: '/explorer/style.css' });
      expect(head.statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe.skipIf(!HAVE_CHROMIUM)('explorer (browser, real network)', () => {
  const resultsDir = join(repoRoot(), 'test-results');
  let net: RunningNetwork | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  /** Port of the node whose id is 1 (ids follow the order of joining, not the port order). */
  let port1 = 0;

  beforeAll(async () => {
    mkdirSync(resultsDir, { recursive: true });
    const basePort = await freePortBase(5);
    net = await startNetwork({ n: 5, capacity: 5, basePort, quiet: true });
    const statuses = await Promise.all(net.ports.map((p) => getJson<StatusView>(p, '/status')));
    const index = statuses.findIndex((s) => s.id === 1);
    expect(index).toBeGreaterThanOrEqual(0);
    port1 = net.ports[index]!;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    page = await context.newPage();
  }, 120_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await net?.stop();
  }, 60_000);

  it('serves the page and its assets from the package, with content types and caching headers', async () => {
    const html = await fetch(`http://127.0.0.1:${port1}/`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.headers.get('cache-control')).toBe('no-cache');
    const body = await html.text();
    const script = /src="(\/explorer\/app\.js\?v=[0-9a-f]+)"/.exec(body)?.[1];
    const style = /href="(\/explorer\/style\.css\?v=[0-9a-f]+)"/.exec(body)?.[1];
    expect(script).toBeDefined();
    expect(style).toBeDefined();

    const js = await fetch(`http://127.0.0.1:${port1}${script!}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.headers.get('cache-control')).toContain('immutable');
    const etag = js.headers.get('etag');
    expect(etag).toBeTruthy();
    const again = await fetch(`http://127.0.0.1:${port1}${script!}`, { headers: { 'If-None-Match': etag! } });
    expect(again.status).toBe(304);

    const css = await fetch(`http://127.0.0.1:${port1}${style!}`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    // An unversioned URL is revalidated rather than cached for good.
    const plain = await fetch(`http://127.0.0.1:${port1}/explorer/style.css`);
    expect(plain.headers.get('cache-control')).toBe('no-cache');
  });

  it("shows the node's height and every account with its balance", async () => {
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`http://127.0.0.1:${port1}/`);
    const { status, accounts } = await waitUntilPageMatchesNode(page, port1);
    expect(accounts).toHaveLength(5);
    for (const account of accounts) {
      const row = page.locator(`#accounts-body tr[data-address="${account.address}"]`);
      await expect(row.locator('td.stake').textContent()).resolves.toBe(shownBcc(account.stake));
      await expect(row.locator('td.nonce').textContent()).resolves.toBe(String(account.nonce));
    }
    // The node's own row is marked, blocks are listed, the chart is drawn.
    await expect(page.locator(`#accounts-body tr.is-me[data-address="${status.address}"]`).count()).resolves.toBe(1);
    expect(await page.locator('#blocks-body tr.block-row').count()).toBeGreaterThan(0);
    expect(await page.locator('#chart svg rect.bar-stake').count()).toBe(5);
    await expect(page.locator('#offline-banner').isHidden()).resolves.toBe(true);
    expect(errors).toEqual([]);
  }, 60_000);

  it('follows a transaction sent through the CLI without a reload', async () => {
    const before = await waitUntilPageMatchesNode(page, port1);
    const node2 = before.accounts.find((a) => a.id === 2);
    expect(node2).toBeDefined();
    const me = before.status;
    // The event stream is up.
    await waitFor(
      'the page to follow the event stream',
      async () => (await page.locator('#connection').getAttribute('data-state')) === 'live',
      UI_TIMEOUT_MS,
      100,
    );

    const root = repoRoot();
    // Rejects (and fails the test) when the CLI exits non-zero.
    await run(process.execPath, [join(root, 'dist', 'src', 'main.js'), 'cli', '-p', String(port1), '--', 't', '2', '5'], {
      cwd: root,
      timeout: 30_000,
    });

    let txId: string | undefined;
    await waitFor(
      'the transfer to be committed',
      async () => {
        const blocks = await getJson<Block[]>(port1, `/blocks?from=${before.status.height}&limit=500`);
        txId = blocks
          .flatMap((b) => b.transactions)
          .find((tx) => tx.sender === me.address && tx.receiver === node2!.address && tx.amount === 500)?.id;
        return txId !== undefined;
      },
      UI_TIMEOUT_MS,
      50,
    );
    // Once final, the block that holds it is kept for good (a switch of branch could otherwise move
    // it into a block of another validator, who gets the fee), and the chain stops growing.
    const index = await waitFinal([new NodeClient(`http://127.0.0.1:${port1}`)], txId!);
    const [block] = await getJson<Block[]>(port1, `/blocks?from=${index}&limit=1`);
    expect(block?.transactions.some((tx) => tx.id === txId)).toBe(true);
    // Node 2 gets the 5 BCC, and the fee as well if it happened to validate the block.
    const expected = node2!.balance + 500 + (block!.validator === node2!.address ? coinFee(500) : 0);
    expect((await getJson<AccountView[]>(port1, '/accounts')).find((a) => a.id === 2)?.balance).toBe(expected);
    const after = await waitUntilPageMatchesNode(page, port1);
    expect(after.status.height).toBeGreaterThan(before.status.height);
    expect(await shownBalance(page, node2!.address)).toBe(shownBcc(expected));
    // The newest block is at the top of the table, and the height above it is that block's: read
    // together with the node's tip until they agree, as a block may still come after the match.
    let shown = '';
    await waitFor(
      'the newest block at the top of the table',
      async () => {
        const latest = await getJson<{ index: number }>(port1, '/blocks/latest');
        const top = await page.locator('#blocks-body tr.block-row').first().getAttribute('data-index');
        const height = await shownHeight(page);
        shown = `top row ${top}, height shown ${height}, node's tip ${latest.index}`;
        return Number(top) === latest.index && height === latest.index;
      },
      UI_TIMEOUT_MS,
      100,
    ).catch((err: unknown) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)} (${shown})`);
    });
  }, 60_000);

  it('shows a message received, as text, live', async () => {
    const port0 = (await Promise.all(net!.ports.map(async (p) => ({ p, s: await getJson<StatusView>(p, '/status') })))).find(
      (x) => x.s.id === 0,
    )!.p;
    const text = '<b>hi</b> & <img src=x>';
    await run(process.execPath, [join(repoRoot(), 'dist', 'src', 'main.js'), 'cli', '-p', String(port0), '--', 'm', '1', text], {
      cwd: repoRoot(),
      timeout: 30_000,
    });
    const shown = page.locator('#inbox li.message .message-text').first();
    await waitFor(
      'the message in the inbox',
      async () => (await shown.count()) > 0 && (await shown.textContent()) === text,
      UI_TIMEOUT_MS,
      100,
    );
    // Shown literally: nothing in it was parsed as HTML.
    expect(await page.locator('#inbox li.message .message-text b, #inbox li.message img').count()).toBe(0);
    await waitUntilPageMatchesNode(page, port1);
    await page.screenshot({ path: join(resultsDir, 'explorer.png'), fullPage: true });
  }, 60_000);

  it('is usable with a keyboard', async () => {
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => {
      const el = document.activeElement;
      return el && el !== document.body
        ? { tag: el.tagName, visible: el.matches(':focus-visible'), outline: getComputedStyle(el).outlineStyle }
        : null;
    });
    expect(first).not.toBeNull();
    expect(first!.visible).toBe(true);
    expect(first!.outline).not.toBe('none');

    // Tab on until the toggle of a block with transactions has the focus (under protocol version
    // 2 most of the newest blocks are empty ones that carry votes); Enter opens its transactions.
    let shown = 0;
    for (let i = 0; i < 300 && shown === 0; i++) {
      await page.keyboard.press('Tab');
      shown = await page.evaluate(() => {
        const el = document.activeElement;
        if (!el?.classList.contains('row-toggle')) return 0;
        return Number(el.closest('tr')?.querySelector('td.num')?.textContent ?? 0);
      });
    }
    expect(shown, 'no toggle of a block with transactions was reached by Tab').toBeGreaterThan(0);
    await page.keyboard.press('Enter');
    await waitFor(
      "the block's transactions to open",
      async () => (await page.evaluate(() => document.activeElement?.getAttribute('aria-expanded'))) === 'true',
      UI_TIMEOUT_MS,
      50,
    );
    const detail = await page.evaluate(() => document.activeElement?.getAttribute('aria-controls'));
    expect(await page.locator(`#${detail} li.tx`).count()).toBe(shown);
  }, 60_000);

  it('fits a phone screen: no horizontal overflow of the page, tables scroll inside', async () => {
    const phone = await browser!.newContext({
      viewport: { width: 375, height: 812 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    try {
      const small = await phone.newPage();
      await small.goto(`http://127.0.0.1:${port1}/`);
      await waitUntilPageMatchesNode(small, port1);
      const widths = await small.evaluate(() => ({
        viewport: document.documentElement.clientWidth,
        document: document.documentElement.scrollWidth,
        body: document.body.scrollWidth,
      }));
      expect(widths.viewport).toBe(375);
      expect(widths.document).toBeLessThanOrEqual(widths.viewport);
      expect(widths.body).toBeLessThanOrEqual(widths.viewport);
      await small.screenshot({ path: join(resultsDir, 'explorer-phone.png'), fullPage: true });
    } finally {
      await phone.close();
    }
  }, 60_000);

  it('says clearly when its node is not reachable', async () => {
    // The node crashes (SIGKILL): its port stops answering at once.
    const index = net!.ports.indexOf(port1);
    await net!.stopNode(index, true);
    await waitFor('the offline banner', async () => page.locator('#offline-banner').isVisible(), UI_TIMEOUT_MS, 100);
    expect(await page.locator('#offline-title').textContent()).toMatch(/not reachable/);
    expect(await page.locator('#connection').getAttribute('data-state')).toBe('offline');
    // What was last known stays on screen.
    expect(await page.locator('#accounts-body tr[data-address]').count()).toBe(5);
    await page.screenshot({ path: join(resultsDir, 'explorer-offline.png') });
  }, 30_000);
});
