/**
 * Accountability for votes on real nodes (docs/protocol.md, "Slashing"): nodes 0, 1 and 2 are
 * processes, node 3 a byzantine member (byzantine-member.ts) holding a quarter of the stake. It
 * signs two votes for one target height (a double vote) and sends them to one node; that node
 * builds the evidence, gossips it, the next block carries it, and on every node the member's whole
 * stake is burned (GET /accounts) while finality goes on with the rest.
 */
import { describe, expect, it } from 'vitest';
import { supplyWithBurned } from '../../src/core/evidence.js';
import { totalSupply, UNITS_PER_BCC } from '../../src/core/params.js';
import { signVote } from '../../src/core/vote.js';
import { ByzantineMember } from './byzantine-member.js';
import { servedChain, useNetworkWithFaultyPeer, waitAgreement, waitFinal, waitFor } from './harness.js';

const N = 4;
const CAPACITY = 2;
const MEMBER = 3;
const STAKE = 10 * UNITS_PER_BCC;

const t = useNetworkWithFaultyPeer(N, CAPACITY, MEMBER, { mode: 'reject', stake: STAKE });

describe('a staker that signs two votes for one target height', () => {
  it('has its whole stake burned on every node, and finality goes on', async () => {
    const m = new ByzantineMember(t.peer, N, CAPACITY);
    await waitFinal(t.clients, (await t.clients[0]!.submit({ type: 'coins', to: 1, amount: 5 })).id);
    await waitAgreement(t.clients);
    const tips = await m.chainOf(t.clients[0]!);
    const genesis = { height: 0, hash: tips[0]!.block.current_hash };
    const target = { height: 4, hash: tips[4]!.block.current_hash };
    const one = signVote(m.params.domain, m.secretKey, genesis, target);
    const other = signVote(m.params.domain, m.secretKey, genesis, { height: 4, hash: 'ab'.repeat(32) });
    expect(await m.postVotes(t.net.ports[1]!, [one, other])).toBe(200);

    await waitFor('the member slashed on every node', async () => {
      const views = await Promise.all(t.clients.map(async (c) => (await c.accounts()).find((a) => a.address === m.address)));
      return views.every((a) => a?.stake === 0 && a.slashed === true);
    });
    await waitAgreement(t.clients);
    for (const c of t.clients) {
      const { tips: chain } = await servedChain(c, N, CAPACITY);
      const last = chain[chain.length - 1]!;
      expect(last.slashing.burned).toBe(STAKE);
      expect(supplyWithBurned(last.ledger, last.slashing)).toBe(totalSupply(N));
      const carried = chain.flatMap((x) => (x.block as { evidence?: Array<{ kind: string }> }).evidence ?? []);
      expect(carried.map((e) => e.kind)).toEqual(['double_vote']);
    }
    // the three honest stakers still finalise
    const { id } = await t.clients[2]!.submit({ type: 'coins', to: 0, amount: 7 });
    expect(await waitFinal(t.clients, id)).toBeGreaterThan(0);
  }, 120_000);
});
