/**
 * Accountability on real nodes (docs/protocol.md, "Slashing"): nodes 0, 1 and 2 are processes,
 * node 3 a byzantine member (byzantine-member.ts) holding a quarter of the stake. It signs two
 * different blocks for one height and sends one to each of two nodes; the node that sees both
 * builds the evidence, gossips it, and the next block carries it: on every node the member's
 * whole stake is burned (GET /accounts), it is marked slashed, the burned units are accounted for
 * in the supply of the chain GET /blocks serves, and its later blocks are refused (SLASHED).
 */
import { describe, expect, it } from 'vitest';
import type { NodeClient } from '../../client/api.js';
import { signBlockV2 } from '../../src/core/blockv2.js';
import { supplyWithBurned } from '../../src/core/evidence.js';
import { totalSupply, UNITS_PER_BCC } from '../../src/core/params.js';
import { ByzantineMember } from './byzantine-member.js';
import { servedChain, useNetworkWithFaultyPeer, waitAgreement, waitFor } from './harness.js';

const N = 4;
const CAPACITY = 2;
const MEMBER = 3;
const STAKE = 10 * UNITS_PER_BCC;
/** Pairs of blocks signed at most before the test fails, and how long each may take to be evidence. */
const PAIRS = 3;
const PAIR_WAIT_MS = 20_000;

const t = useNetworkWithFaultyPeer(N, CAPACITY, MEMBER, { mode: 'reject', stake: STAKE });
let byzantine: ByzantineMember | undefined;
const member = (): ByzantineMember => (byzantine ??= new ByzantineMember(t.peer, N, CAPACITY));

describe('a validator that signs two blocks at one height', () => {
  it('passes two seed epochs: the draw names the member', async () => {
    await member().passTwoEpochs(t.clients);
    const tips = await member().chainOf(t.clients[0]!);
    expect(member().roundAt(tips[tips.length - 1]!)).toBeGreaterThanOrEqual(0);
  }, 180_000);

  it('has its whole stake burned on every node; its next block is refused', async () => {
    const m = member();
    const slashedOn = async (c: NodeClient) => {
      const account = (await c.accounts()).find((a) => a.address === m.address);
      return account?.stake === 0 && account.slashed === true;
    };
    // A pair on the tip of the moment: one block to node 0, the other to node 1, then the second
    // to node 0 too (it may have it from node 1 already). Should no node burn the stake after it,
    // a new pair on the tip of then, each pair's answers said on the console and in the failure.
    const sent: string[] = [];
    for (let pair = 1; !(await slashedOn(t.clients[0]!)); pair++) {
      if (pair > PAIRS) throw new Error(`no node burned the member's stake after ${PAIRS} pairs: ${sent.join('; ')}`);
      if (pair > 1) console.warn(`equivocation-block: no evidence from the pair ${sent.at(-1)}; a new pair`);
      await waitAgreement(t.clients);
      const tips = await m.chainOf(t.clients[0]!);
      const tip = tips[tips.length - 1]!;
      const first = m.mint(tip, []);
      const second = m.mint(tip, [], first.block.timestamp + 1);
      await m.untilNotAhead([second.block]);
      expect(second.block.index).toBe(first.block.index);
      expect(second.block.current_hash).not.toBe(first.block.current_hash);
      const answers = [
        ...(await m.postBlocks(t.net.ports[0]!, [first.block])),
        ...(await m.postBlocks(t.net.ports[1]!, [second.block])),
        ...(await m.postBlocks(t.net.ports[0]!, [second.block])),
      ];
      sent.push(`at height ${first.block.index}: ${answers.map((a) => `${a.status} ${a.answer}`).join(', ')}`);
      const giveUpAt = Date.now() + PAIR_WAIT_MS;
      await waitFor('the evidence burning the stake on node 0, or the pair given up', async () => {
        return (await slashedOn(t.clients[0]!)) || Date.now() > giveUpAt;
      });
    }
    await waitFor('the member slashed on every node', async () => (await Promise.all(t.clients.map(slashedOn))).every(Boolean));
    const hash = await waitAgreement(t.clients);
    for (const c of t.clients) {
      const { tips: chain } = await servedChain(c, N, CAPACITY);
      const last = chain[chain.length - 1]!;
      expect(last.block.current_hash).toBe(hash);
      expect(last.slashing.slashed.has(m.address)).toBe(true);
      expect(last.slashing.burned).toBe(STAKE);
      expect(supplyWithBurned(last.ledger, last.slashing)).toBe(totalSupply(N));
      const carried = chain.flatMap((x) => (x.block as { evidence?: Array<{ kind: string }> }).evidence ?? []);
      expect(carried.map((e) => e.kind)).toEqual(['double_block']);
    }
    // a block of its own after that is refused on every node
    const now = (await m.chainOf(t.clients[0]!)).at(-1)!;
    const contents = { transactions: [], reveal: m.revealAfter(now), votes: [], evidence: [] };
    const late = signBlockV2(m.params.domain, now.block, 0, contents, Date.now(), m.secretKey);
    for (const port of [0, 1, 2].map((i) => t.net.ports[i]!)) {
      const [answer] = await m.postBlocks(port, [late]);
      expect(answer!.status).toBe(422);
      expect(['SLASHED', 'WRONG_VALIDATOR']).toContain(answer!.answer);
    }
  }, 180_000);
});
