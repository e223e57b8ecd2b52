/**
 * Many submissions to one wallet at the same instant (SPEC A, "nonce"; SPEC C, POST
 * /wallet/transactions): 50 requests in flight at once, coins and messages mixed, some of them
 * identical, on one node of a real network. The node must give each its own nonce, so that every
 * one gets a distinct id, the sender's committed nonces run 0 … k without a gap or a repeat, all
 * 50 commit on every node, and the supply stays whole.
 */
import { describe, expect, it } from 'vitest';
import { MAX_BLOCKS_PER_PAGE } from '../../src/api/routes.js';
import type { SubmitRequest } from '../../src/api/types.js';
import { totalSupply } from '../../src/core/params.js';
import type { Transaction } from '../../src/core/types.js';
import { useNetwork, supply, waitAgreement, waitCommitted } from './harness.js';

const N = 3;
const SENDER = 1;
const COUNT = 50;
const t = useNetwork(N, 5);

/** The k-th request: coins and messages in turn, to both other nodes; many are the same request. */
function request(k: number): SubmitRequest {
  const to = k % 4 < 2 ? 0 : 2;
  if (k % 3 === 0) return { type: 'message', to, message: k % 2 === 0 ? 'same text' : `note ${k} ✓` };
  return { type: 'coins', to, amount: k % 5 === 0 ? 100 : 1 + k };
}

describe('50 submissions to one node at once', () => {
  it('get distinct ids and contiguous nonces, and all commit on every node with the supply whole', async () => {
    const sender = t.clients[SENDER]!;
    const { address } = await sender.wallet();

    const answers = await Promise.all(Array.from({ length: COUNT }, (_, k) => sender.submit(request(k))));
    const ids = answers.map((a) => a.id);
    expect(new Set(ids).size).toBe(COUNT);

    await waitCommitted(t.clients, ids);
    const hash = await waitAgreement(t.clients);

    // The sender's transactions as the chain holds them, on every node (one chain, same blocks).
    const chains = await Promise.all(t.clients.map((c) => c.blocks(0, MAX_BLOCKS_PER_PAGE)));
    for (const chain of chains) {
      expect(chain.length).toBeGreaterThan(1);
      expect(chain.length).toBeLessThan(MAX_BLOCKS_PER_PAGE);
      expect(chain[chain.length - 1]!.current_hash).toBe(hash);
      expect(chain.map((b) => b.current_hash)).toEqual(chains[0]!.map((b) => b.current_hash));
    }
    const sent: Transaction[] = chains[0]!.flatMap((b) => b.transactions).filter((tx) => tx.sender === address);
    expect(sent.length).toBeGreaterThan(COUNT); // its initial stake, then the 50

    // Nonces 0 … k, each once, in chain order.
    expect(sent.map((tx) => tx.nonce)).toEqual(sent.map((_, i) => i));
    // The 50 are exactly the last 50 of them, each committed once, as it was asked for.
    const ours = sent.slice(-COUNT);
    expect(new Set(ours.map((tx) => tx.id))).toEqual(new Set(ids));
    const byId = new Map(ours.map((tx) => [tx.id, tx]));
    answers.forEach((a, k) => {
      const tx = byId.get(a.id)!;
      expect(tx.nonce).toBe(a.nonce);
      const req = request(k);
      expect({ type: tx.type, amount: tx.amount, message: tx.message }).toEqual({
        type: req.type,
        amount: req.amount ?? 0,
        message: req.message ?? '',
      });
    });

    // Every node: the sender's next nonce follows the last one used; one state; the supply whole.
    const views = await Promise.all(t.clients.map((c) => c.accounts()));
    for (const v of views) {
      expect(v).toEqual(views[0]);
      expect(supply(v)).toBe(totalSupply(N));
      expect(v.find((a) => a.address === address)!.nonce).toBe(sent.length);
    }
  }, 60_000);
});
