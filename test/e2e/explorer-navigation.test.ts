/**
 * Navigating the explorer in a real browser (Debian's chromium through playwright-core) over a
 * real 3-node network: search, the routed pages of a transaction, a block and an account and
 * their links, paging back to the genesis block, a conversation in both directions, the pending
 * pool (live: a transaction appears as it arrives and leaves once in a block), and an account that
 * is no node's.
 *
 * Skipped only when /usr/bin/chromium is missing (CI installs it).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyFile, readKeyFile } from '../../client/wallet.js';
import type { StatusView } from '../../src/api/types.js';
import { signTransaction } from '../../src/core/transaction.js';
import { repoRoot } from '../../src/tools/network.js';
import { launch, raw, waitAgreement, waitCommitted, waitFinal, waitFor, type TestNetwork } from '../integration/harness.js';
import { HAVE_CHROMIUM, UI_TIMEOUT_MS, launchChromium, shownBcc, watchedPage, type WatchedPage } from './explorer-page.js';

describe.skipIf(!HAVE_CHROMIUM)('explorer navigation (browser, real network)', () => {
  let t: TestNetwork;
  let browser: Browser | undefined;
  let watched: WatchedPage;
  let page: Page;
  let statuses: StatusView[];
  /** Client index of node `id` (ids follow the order of joining). */
  const at = (id: number) => statuses.findIndex((s) => s.id === id);
  const url = (hash = '') => `http://127.0.0.1:${t.ports[at(0)]}/${hash}`;

  const resultsDir = join(repoRoot(), 'test-results');

  beforeAll(async () => {
    mkdirSync(resultsDir, { recursive: true });
    t = await launch(3, 2);
    statuses = await Promise.all(t.clients.map((c) => c.status()));
    browser = await launchChromium();
    watched = await watchedPage(browser);
    page = watched.page;
  }, 120_000);

  afterAll(async () => {
    await watched?.context.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await t?.stop();
  }, 60_000);

  /** Waits for the page's route; on a timeout, says where the page is and what it shows. */
  const hashIs = (want: string) =>
    waitFor(`the page at ${want}`, () => Promise.resolve(new URL(page.url()).hash === want), UI_TIMEOUT_MS, 50).catch(
      async (err: unknown) => {
        const shows = (await page.locator('#page').innerText()).replace(/\s+/g, ' ').slice(0, 300);
        throw new Error(`${err instanceof Error ? err.message : String(err)} (at ${new URL(page.url()).hash}: ${shows})`);
      },
    );
  const heading = () => page.locator('#page-heading').textContent();

  it('searching a transaction id prefix lands on its page; its links lead to its block and to the sender', async () => {
    const sender = statuses[at(0)]!.address;
    const sent = await t.clients[at(0)]!.submit({ type: 'coins', to: 1, amount: 1_234 });
    // Under protocol version 2 a committed transaction is final within a checkpoint or two: the
    // page is opened once it is final everywhere, so the status it shows is settled.
    await waitFinal(t.clients, sent.id);
    const where = await t.clients[at(0)]!.transaction(sent.id);
    expect(where.status).toBe('final');

    await page.goto(url());
    await page.locator('#search').fill(sent.id.slice(0, 10));
    await page.keyboard.press('Enter');
    await hashIs(`#/tx/${sent.id}`);
    await waitFor('the transaction page', async () => (await page.locator('#tx-id').textContent()) === sent.id, UI_TIMEOUT_MS, 50);
    expect(await page.locator('[data-status]').getAttribute('data-status')).toBe('final');
    await page.screenshot({ path: join(resultsDir, 'explorer-transaction.png'), fullPage: true });
    // The heading has the focus: a screen reader announces the new page.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('page-heading');

    await page.locator('#tx-block').click();
    await hashIs(`#/block/${where.block}`);
    await waitFor('the block page', async () => (await heading()) === `Block #${where.block}`, UI_TIMEOUT_MS, 50);
    await expect(page.locator(`#page-body tr[data-id="${sent.id}"]`).count()).resolves.toBe(1);

    await page.goBack();
    await hashIs(`#/tx/${sent.id}`);
    await page.locator('.facts dt:text-is("From") + dd a').click();
    await hashIs(`#/account/${sender}`);
    await waitFor('the account page', async () => (await page.locator('#account-address').textContent()) === sender, UI_TIMEOUT_MS, 50);
    const account = (await t.clients[at(0)]!.accounts()).find((a) => a.address === sender)!;
    expect(await page.locator('#account-balance').textContent()).toBe(`${shownBcc(account.balance)} BCC`);
    await expect(page.locator(`#page-body tr[data-id="${sent.id}"]`).count()).resolves.toBeGreaterThan(0);
  }, 90_000);

  it('pages back through the whole chain to block 0', async () => {
    const batch = Array.from({ length: 60 }, () => ({ type: 'coins' as const, to: 2, amount: 1 }));
    const items = await t.clients[at(1)]!.submitBatch(batch);
    const ids = items.map((i) => ('id' in i ? i.id : ''));
    expect(ids.every((id) => id !== '')).toBe(true);
    await waitCommitted([t.clients[at(0)]!], ids);
    // Blocks go on until the batch is final (protocol version 2): page once the chain is settled,
    // so that no new block shifts the pages while they are read.
    await waitAgreement(t.clients);
    const { height } = await t.clients[at(0)]!.status();
    expect(height).toBeGreaterThan(25);

    await page.goto(url('#/blocks'));
    const seen: number[] = [];
    for (let pages = 0; ; pages++) {
      expect(pages).toBeLessThanOrEqual(Math.ceil((height + 1) / 25));
      await waitFor('a page of blocks', async () => (await page.locator('#chain-table tbody tr').count()) > 0, UI_TIMEOUT_MS, 50);
      const indexes = await page
        .locator('#chain-table tbody tr')
        .evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.index)));
      expect(indexes.length).toBeGreaterThan(0);
      seen.push(...indexes);
      const older = page.locator('.pager a[rel="next"]');
      if ((await older.count()) === 0) break;
      const before = await heading();
      await older.click();
      await waitFor('the older page', async () => (await heading()) !== before, UI_TIMEOUT_MS, 50);
    }
    // Every block from the tip to the genesis, each once, newest first.
    expect(seen[seen.length - 1]).toBe(0);
    expect(seen.slice(0, 25)[0]).toBeGreaterThanOrEqual(height);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(height + 1);
  }, 120_000);

  it('shows a conversation in both directions, reached from an account page', async () => {
    const [a, b] = [statuses[at(0)]!.address, statuses[at(1)]!.address];
    const one = await t.clients[at(0)]!.submit({ type: 'message', to: 1, message: 'ping from zero' });
    const two = await t.clients[at(1)]!.submit({ type: 'message', to: 0, message: 'pong from one' });
    await waitCommitted(t.clients, [one.id, two.id]);

    await page.goto(url(`#/account/${a}`));
    await page.locator('nav[aria-label="Conversations"] a', { hasText: 'With node 1' }).click();
    await hashIs(`#/conversation/${a}/${b}`);
    const texts = page.locator('.conversation li.message .message-text');
    await waitFor('both messages', async () => (await texts.count()) === 2, UI_TIMEOUT_MS, 50);
    // Oldest first; both may share a block, in either order.
    expect((await texts.allTextContents()).sort()).toEqual(['ping from zero', 'pong from one']);
    expect(await page.locator('.conversation li.from-a').getAttribute('data-id')).toBe(one.id);
    expect(await page.locator('.conversation li.from-b').getAttribute('data-id')).toBe(two.id);
    await page.screenshot({ path: join(resultsDir, 'explorer-conversation.png'), fullPage: true });
  }, 60_000);

  /** The wallet that is no node's, and its transaction waiting in the pool for a nonce gap. */
  let outside: { keyFile: string; address: string; gapId: string } | undefined;
  /** Marks the document shown: a reload would lose the mark. */
  const markDocument = () => page.evaluate(() => document.body.setAttribute('data-test-mark', 'drawn-once'));
  const stillMarked = async () => expect(await page.locator('body').getAttribute('data-test-mark')).toBe('drawn-once');
  /** A transfer of 1 BCC signed by the wallet in `keyFile`, to node `to`. */
  const signedBy = async (keyFile: string, nonce: number, to: number) => {
    const [genesis] = await t.clients[at(0)]!.blocks(0, 1);
    return signTransaction(genesis!.current_hash, readKeyFile(keyFile), {
      receiver: statuses[at(to)]!.address,
      type: 'coins',
      amount: 100,
      message: '',
      nonce,
    });
  };

  it('shows a pending transaction in the pool as it arrives, and an account that is no node', async () => {
    // A wallet that is no node's, paid by node 0; then a transaction of it that waits for a nonce gap.
    const keyFile = `${t.dataRoot}/outside.key`;
    const address = createKeyFile(keyFile);
    const paid = await t.clients[at(0)]!.submit({ type: 'coins', to: address, amount: 3_000 });
    await waitCommitted(t.clients, [paid.id]);
    const gap = await signedBy(keyFile, 1, 2);
    outside = { keyFile, address, gapId: gap.id };

    // The pool page is drawn before the transaction exists, and shows it without a reload.
    await page.goto(url('#/pool'));
    await waitFor('the pool page', async () => (await heading()) === 'Pending transactions', UI_TIMEOUT_MS, 50);
    const row = page.locator(`#page-body tr[data-id="${gap.id}"]`);
    expect(await row.count()).toBe(0);
    await markDocument();
    const sent = await raw(t.ports[at(0)]!, 'POST', '/transactions', gap);
    expect(sent.status).toBe(202);
    await row.waitFor({ timeout: UI_TIMEOUT_MS });
    await stillMarked();
    await row.locator('th a').click();
    await hashIs(`#/tx/${gap.id}`);
    await waitFor(
      'its status',
      async () => (await page.locator('[data-status]').getAttribute('data-status')) === 'pending',
      UI_TIMEOUT_MS,
      50,
    );

    await page.locator('.facts dt:text-is("From") + dd a').click();
    await hashIs(`#/account/${address}`);
    await waitFor(
      'the account',
      async () => (await page.locator('#account-balance').textContent()) === `${shownBcc(3_000)} BCC`,
      UI_TIMEOUT_MS,
      50,
    );
    expect(await page.locator('.facts dd', { hasText: 'A wallet that is no node' }).count()).toBe(1);
    await page.screenshot({ path: join(resultsDir, 'explorer-account.png'), fullPage: true });
    // data.js asks once for GET /blocks/0, a route nodes may not have yet: its 404 is expected.
    expect(watched.unexpectedErrors([/status of 404/])).toEqual([]);
  }, 60_000);

  it('takes a transaction off the pool page, without a reload, once a block holds it', async () => {
    expect(outside).toBeDefined();
    const { keyFile, gapId } = outside!;
    await page.goto(url('#/pool'));
    const row = page.locator(`#page-body tr[data-id="${gapId}"]`);
    await row.waitFor({ timeout: UI_TIMEOUT_MS });
    await markDocument();
    // Nonce 0 fills the gap: both transactions go into blocks and leave the pool.
    const first = await signedBy(keyFile, 0, 1);
    expect((await raw(t.ports[at(0)]!, 'POST', '/transactions', first)).status).toBe(202);
    await waitCommitted([t.clients[at(0)]!], [first.id, gapId]);
    await row.waitFor({ state: 'detached', timeout: UI_TIMEOUT_MS });
    await stillMarked();
  }, 60_000);
});
