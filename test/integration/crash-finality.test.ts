/**
 * Finality through crashes (docs/protocol.md, "Liveness"), 5 nodes with equal stakes:
 *
 * - one staker SIGKILLed while transfers keep coming: the other four (4/5 ≥ 2/3) keep finalising;
 * - a second one SIGKILLed: the three left (3/5 < 2/3) keep making blocks, nothing new is final;
 * - both restarted: finality resumes, and every block and transaction that was final before is
 *   still there, final, in the same block on every node. How long finality took to resume is
 *   printed (a measure, not asserted).
 */
import { describe, expect, it } from 'vitest';
import type { NodeClient } from '../../client/api.js';
import { useNetwork, waitCommitted, waitFinal, waitFor } from './harness.js';

const N = 5;
const t = useNetwork(N, 5);

/** The transactions final before the second crash, with their blocks (as node 0 served them). */
const finalBefore = new Map<string, number>();

/** A few transfers between the given nodes; resolves to their ids. */
async function transfers(from: readonly NodeClient[], k: number): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, c] of from.entries()) ids.push((await c.submit({ type: 'coins', to: (i + 1) % from.length, amount: 10 + k })).id);
  return ids;
}

describe('finality with crashed stakers', () => {
  it('one of five killed under load: the others keep finalising', async () => {
    await waitFinal(t.clients, (await t.clients[0]!.submit({ type: 'coins', to: 1, amount: 1 })).id);
    await t.net.stopNode(4, true);
    const live = t.clients.slice(0, 4);
    const ids: string[] = [];
    for (let k = 0; k < 5; k++) ids.push(...(await transfers(live, k)));
    for (const id of ids) finalBefore.set(id, await waitFinal(live, id, 60_000));
  }, 180_000);

  it('two of five killed: blocks go on without finality; both restarted, finality resumes and nothing final is lost', async () => {
    const live = t.clients.slice(0, 3);
    const before = await live[0]!.status();
    const [finalBlock] = await live[0]!.blocks(before.final_height, 1);
    await t.net.stopNode(3, true);
    const ids = await transfers(live, 100);
    await waitCommitted(live, ids, 60_000);
    // three fifths of the stake cannot justify anything: committed, not final
    for (const c of live) for (const id of ids) expect((await c.transaction(id)).status).toBe('committed');
    expect((await live[0]!.status()).height).toBeGreaterThan(before.height);

    const restarted = Date.now();
    await Promise.all([t.net.restartNode(3), t.net.restartNode(4)]);
    t.clients[3] = t.client(3);
    t.clients[4] = t.client(4);
    for (const id of ids) await waitFinal(t.clients, id, 120_000);
    console.log(`finality resumed ${Date.now() - restarted} ms after the two stakers were restarted`);
    // nothing that was final is lost: every transaction final before, final in the same block everywhere
    expect(finalBefore.size).toBeGreaterThan(0);
    for (const c of t.clients) {
      for (const [id, block] of finalBefore) expect(await c.transaction(id)).toEqual({ id, status: 'final', block });
    }
    for (const c of t.clients) {
      const [atHeight] = await c.blocks(before.final_height, 1);
      expect(atHeight!.current_hash).toBe(finalBlock!.current_hash);
      expect((await c.status()).final_height).toBeGreaterThan(before.final_height);
    }
    await waitFor(
      'every node on one tip',
      async () => new Set((await Promise.all(t.clients.map((c) => c.status()))).map((s) => s.last_hash)).size === 1,
    );
  }, 360_000); // the restarts may take up to RESTART_TIMEOUT_MS (2 minutes) on a loaded machine
});
