/**
 * Finality in the explorer, in a real browser over a real 3-node network: a transaction page
 * goes from pending or committed to final without a reload (the `final` event), blocks at or
 * below the finalised checkpoint are marked final and those above it not final (in the block list,
 * on a block page and on the overview), and a slashed account says its stake was burned.
 *
 * Where a state must be exact (which blocks lie above the checkpoint, a slashed account), the
 * page's GET /status or GET /accounts is answered from the real node's answer with that one
 * field set (playwright's request interception): the page reads nothing else of it.
 *
 * Skipped only when /usr/bin/chromium is missing (CI installs it).
 */
import { describe, expect, it } from 'vitest';
import type { AccountView, StatusView, WireBlock } from '../../src/api/types.js';
import { waitAgreement, waitCommitted, waitFor } from '../integration/harness.js';
import { HAVE_CHROMIUM, UI_TIMEOUT_MS, browserOnNetwork, getJson } from './explorer-page.js';

describe.skipIf(!HAVE_CHROMIUM)('explorer and finality (browser, real network)', () => {
  const env = browserOnNetwork(3, 2);
  const url = (hash = '') => `http://127.0.0.1:${env.t.ports[0]}/${hash}`;

  /** The `data-final` of each row of a block table's body, by block index. */
  const rowsFinal = (body: string) =>
    env.page
      .locator(`${body} tr[data-index]`)
      .evaluateAll((rows) =>
        rows.map(
          (r) => [Number((r as HTMLElement).dataset.index), r.querySelector<HTMLElement>('[data-final]')?.dataset.final ?? 'none'] as const,
        ),
      );

  it('a transaction page turns final without a reload, when the node announces a final checkpoint', async () => {
    const sent = await env.t.clients[0]!.submit({ type: 'coins', to: 1, amount: 500 });
    await waitCommitted(env.t.clients, [sent.id]);
    const { block } = await env.t.clients[0]!.transaction(sent.id);
    // The page is first told "committed" (as the node said before the checkpoint rose), then the
    // node's own answers; only a `final` event makes it ask again.
    let frozen = true;
    await env.page.route(`**/transactions/${sent.id}`, (route) =>
      frozen ? route.fulfill({ json: { id: sent.id, status: 'committed', block } }) : route.continue(),
    );
    try {
      await env.page.goto(url(`#/tx/${sent.id}`));
      await waitFor(
        'the committed transaction',
        async () => (await env.page.locator('[data-status]').getAttribute('data-status')) === 'committed',
        UI_TIMEOUT_MS,
        50,
      );
      await env.page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
      frozen = false;
      // Another transfer: blocks, votes and a higher final checkpoint, announced as `final`.
      const next = await env.t.clients[1]!.submit({ type: 'coins', to: 0, amount: 100 });
      await waitFor('the next transfer to be final', async () => (await env.t.clients[0]!.transaction(next.id)).status === 'final');
      await waitFor(
        'the page to show it final',
        async () => (await env.page.locator('[data-status]').getAttribute('data-status')) === 'final',
        UI_TIMEOUT_MS,
        50,
      );
      expect(await env.page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    } finally {
      await env.page.unroute(`**/transactions/${sent.id}`);
    }
  }, 90_000);

  it('marks the blocks at or below the finalised checkpoint final and those above it not final', async () => {
    const batch = Array.from({ length: 12 }, () => ({ type: 'coins' as const, to: 2, amount: 1 }));
    const ids = (await env.t.clients[1]!.submitBatch(batch)).map((i) => ('id' in i ? i.id : ''));
    expect(ids.every((id) => id !== '')).toBe(true);
    await waitCommitted(env.t.clients, ids);
    // Once every block with content is final no block is due: the finalised height stays put, so
    // no `final` event can move the page's marks while they are read. The votes that finalised
    // it are in blocks above it, which are not final.
    await waitAgreement(env.t.clients);
    const real = await getJson<StatusView>(env.t.ports[0]!, '/status');
    expect(real.height).toBeGreaterThan(6);
    const checkpoint = real.final_height;
    expect(checkpoint).toBeGreaterThan(0);
    expect(checkpoint).toBeLessThan(real.height);
    await env.page.route('**/status', async (route) => {
      const status = await getJson<StatusView>(env.t.ports[0]!, '/status');
      await route.fulfill({ json: { ...status, height: real.height, last_hash: real.last_hash, final_height: checkpoint } });
    });
    try {
      await env.page.goto(url('#/blocks'));
      await waitFor(
        'the block list',
        async () => (await env.page.locator('#chain-table tbody tr[data-index]').count()) > 0,
        UI_TIMEOUT_MS,
        50,
      );
      const rows = await rowsFinal('#chain-table tbody');
      expect(rows.length).toBeGreaterThan(3);
      expect(rows.filter(([i]) => i > checkpoint).length).toBeGreaterThan(0);
      for (const [index, final] of rows) expect(final, `block ${index}`).toBe(index <= checkpoint ? 'yes' : 'no');

      for (const index of [checkpoint, checkpoint + 1]) {
        await env.page.goto(url(`#/block/${index}`));
        await waitFor(
          `block ${index}'s page`,
          async () => (await env.page.locator('#page-heading').textContent()) === `Block #${index}`,
          UI_TIMEOUT_MS,
          50,
        );
        expect(await env.page.locator('#block-final [data-final]').getAttribute('data-final')).toBe(index <= checkpoint ? 'yes' : 'no');
        const served = await getJson<WireBlock>(env.t.ports[0]!, `/blocks/${index}`);
        expect(typeof served.round).toBe('number');
        expect(await env.page.locator('#block-round').textContent()).toBe(String(served.round));
      }

      await env.page.goto(url('#/'));
      await waitFor('the overview', async () => (await env.page.locator('#blocks-body tr[data-index]').count()) > 0, UI_TIMEOUT_MS, 50);
      const recent = await rowsFinal('#blocks-body').then((r) => r.filter(([i]) => i <= real.height));
      expect(recent.length).toBeGreaterThan(0);
      for (const [index, final] of recent) expect(final, `block ${index}`).toBe(index <= checkpoint ? 'yes' : 'no');
    } finally {
      await env.page.unroute('**/status');
    }
  }, 90_000);

  it('says of a slashed account that its stake was burned', async () => {
    const accounts = await env.t.clients[0]!.accounts();
    const target = accounts.find((a) => a.id === 2)!;
    const honest = accounts.find((a) => a.id === 1)!;
    await env.page.route('**/accounts', async (route) => {
      const all = await getJson<AccountView[]>(env.t.ports[0]!, '/accounts');
      await route.fulfill({ json: all.map((a) => (a.address === target.address ? { ...a, stake: 0, slashed: true } : a)) });
    });
    try {
      await env.page.goto(url(`#/account/${target.address}`));
      await waitFor(
        'the account page',
        async () => (await env.page.locator('#account-address').textContent()) === target.address,
        UI_TIMEOUT_MS,
        50,
      );
      expect(await env.page.locator('#account-slashed').textContent()).toMatch(/burned/);
      await env.page.goto(url(`#/account/${honest.address}`));
      await waitFor(
        'the other account page',
        async () => (await env.page.locator('#account-address').textContent()) === honest.address,
        UI_TIMEOUT_MS,
        50,
      );
      expect(await env.page.locator('#account-slashed').count()).toBe(0);
    } finally {
      await env.page.unroute('**/accounts');
    }
    expect(env.watched.unexpectedErrors([/status of 404/])).toEqual([]);
  }, 60_000);
});
