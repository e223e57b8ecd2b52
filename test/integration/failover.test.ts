/**
 * Validator failure and fork choice (SPEC B, "Validator failure"; docs/protocol.md, "Time and
 * rounds", "Fork choice", "Liveness"), on a real network: nodes 0, 1 and 2 are processes, node 3
 * is a faulty peer in this process (faulty-peer.ts) that stakes 15 BCC — a third of all stake,
 * the most with which the others still finalise (3 · 30 ≥ 2 · 45) — and then never produces a
 * block, never votes and refuses everything it is sent.
 *
 * 1. The honest nodes keep committing and finalising: whenever the faulty node is round 0's
 *    validator, round 1's (or a later one's) produces the block one round later. Every block is
 *    checked here again by the core's rules (rounds, timestamps, signatures, votes), from the
 *    chain a node serves.
 * 2. Two valid blocks for one height above the latest justified checkpoint: the honest tip and a
 *    rival signed by the faulty node's own key in its own round, carrying the tip's votes. Every
 *    node follows the one of the earlier round (fork choice), the rival's transaction commits,
 *    and a restarted node reads the same chain.
 * 3. A validator frozen by SIGSTOP: the others take its rounds; when it resumes with its late
 *    blocks, every node converges and nothing is lost.
 * 4. Validators that crashed (SIGKILL, and the faulty node shut down): connections to them are
 *    refused, so their rounds are the short ones, and the live stake keeps committing.
 */
import { describe, expect, it } from 'vitest';
import { NodeClient } from '../../client/api.js';
import { validatorsOfRoundsV2, type TipV2 } from '../../src/core/consensus.js';
import { ROUND_MS, totalSupply, UNITS_PER_BCC } from '../../src/core/params.js';
import { accountOf } from '../../src/core/state.js';
import type { BlockV2 } from '../../src/core/blockv2.js';
import { ByzantineMember } from './byzantine-member.js';
import { metric, useNetworkWithFaultyPeer, raw, servedChain, supply, waitAgreement, waitCommitted, waitFinal, waitFor } from './harness.js';

const N = 4;
const CAPACITY = 2;
const FAULTY = 3;
const HONEST = [0, 1, 2];
const FAULTY_STAKE = 15 * UNITS_PER_BCC;

const t = useNetworkWithFaultyPeer(N, CAPACITY, FAULTY, { mode: 'reject', stake: FAULTY_STAKE });
let byzantine: ByzantineMember | undefined;
/** The faulty node's key, to sign rivals in its own name (it never signs anything on its own). */
const member = (): ByzantineMember => (byzantine ??= new ByzantineMember(t.peer, N, CAPACITY));

/**
 * The whole chain a node serves, replayed by the core's rules (throws on any rule broken, rounds
 * and votes included): each block with its parent and round 0's validator of the draw for it.
 */
async function replayedChain(c: NodeClient): Promise<Array<{ tip: TipV2; parent: TipV2; drawn: string }>> {
  const { params, tips } = await servedChain(c, N, CAPACITY);
  return tips.slice(1).map((tip, i) => ({ tip, parent: tips[i]!, drawn: validatorsOfRoundsV2(params, tips[i]!, 1)[0]! }));
}

async function expectSameAccountsAndSupply(): Promise<void> {
  const views = await Promise.all(t.clients.map((c) => c.accounts()));
  for (const v of views) {
    expect(v).toEqual(views[0]);
    expect(supply(v)).toBe(totalSupply(N));
  }
}

/** A reorg count from a node's /metrics (a missing metric throws). */
const reorgs = (c: NodeClient): Promise<number> => metric(c, 'blockchat_reorgs_total');

describe('a faulty validator (a third of the stake, never produces a block nor votes)', () => {
  it('forms with the faulty node staked', async () => {
    const accounts = await t.clients[0]!.accounts();
    expect(accounts.find((a) => a.id === FAULTY)).toMatchObject({ stake: FAULTY_STAKE });
    expect(accounts.reduce((sum, a) => sum + a.stake, 0)).toBe(3 * FAULTY_STAKE);
    for (const s of await Promise.all(t.clients.map((c) => c.status()))) expect(s.ready).toBe(true);
  });

  it("the next round's validator produces every block the faulty one was named for; transactions become final", async () => {
    const skipped = async () => (await replayedChain(t.clients[0]!)).filter(({ drawn }) => drawn === t.peer.address);
    // Rounds of traffic from every honest node, each final (the other two thirds finalise
    // alone), until the draw (from the third seed epoch on, which holds the faulty node's stake)
    // has named the faulty node for at least three blocks.
    for (let round = 0; (await skipped()).length < 3; round++) {
      expect(round, 'the draw kept missing the faulty node').toBeLessThan(60);
      const ids = await Promise.all(
        t.clients.map(async (c, i) => (await c.submit({ type: 'coins', to: HONEST[(i + 1) % 3]!, amount: 100 + round })).id),
      );
      for (const id of ids) await waitFinal(t.clients, id, 60_000);
    }
    const chain = await replayedChain(t.clients[0]!);
    for (const { tip, parent, drawn } of chain) {
      expect(tip.block.validator).not.toBe(t.peer.address);
      if (drawn === t.peer.address) {
        expect(tip.round).toBeGreaterThanOrEqual(1);
        expect(tip.block.timestamp - parent.block.timestamp).toBeGreaterThanOrEqual(tip.round * ROUND_MS);
      }
    }
    const last = chain[chain.length - 1]!.tip;
    expect(last.finality.finalized.height).toBeGreaterThan(0);
    await waitAgreement(t.clients);
    await expectSameAccountsAndSupply();
    expect(t.peer.served.get('POST /peer/blocks') ?? 0).toBeGreaterThan(0); // it was sent blocks, and refused them
  }, 300_000);
});

describe('two valid blocks for one height above the latest justified checkpoint (fork choice)', () => {
  /**
   * The tip and its parent once the network is idle and agreed, where the draw after the parent
   * names the faulty node in a round before the tip's round (`earlier`) or after it: final
   * payments until it does. The tip is above the latest justified checkpoint (the votes that
   * justify a checkpoint come in a later block), so not final; an idle tip holds no transactions
   * (every block with content is final once the network is idle), only votes.
   */
  async function idleTip(earlier: boolean): Promise<{ tip: TipV2; parent: TipV2 }> {
    for (let k = 0; ; k++) {
      expect(k, `no idle tip where the faulty node's round is ${earlier ? 'before' : 'after'} the tip's`).toBeLessThan(40);
      await waitAgreement(t.clients);
      const tips = await member().chainOf(t.clients[0]!);
      const [parent, tip] = tips.slice(-2) as [TipV2, TipV2];
      if (member().roundAt(parent) < tip.round === earlier) {
        expect(tip.finality.justified.height).toBeLessThan(tip.block.index);
        expect(tip.finality.finalized.height).toBeLessThan(tip.block.index);
        return { tip, parent };
      }
      const { id } = await t.clients[k % 3]!.submit({ type: 'coins', to: (k + 1) % 3, amount: 1 + k });
      await waitFinal(t.clients, id);
    }
  }

  /**
   * A rival of `tip`: same parent, signed by the faulty node in the first round the draw gives it
   * there, holding one transfer of its own and the tip's votes (so its branch justifies as much).
   */
  async function rivalOf(tip: TipV2, parent: TipV2): Promise<BlockV2> {
    const m = member();
    const transfer = m.coins(tip.block.validator, 7, accountOf(parent.ledger, m.address).nonce);
    const rival = m.mint(parent, [transfer], undefined, { votes: (tip.block as BlockV2).votes });
    expect(rival.finality.justified).toEqual(tip.finality.justified);
    await m.untilNotAhead([rival.block]);
    return rival.block as BlockV2;
  }

  it("a rival of a later round than the tip's is kept aside: nothing changes", async () => {
    const { tip, parent } = await idleTip(false);
    const rival = await rivalOf(tip, parent);
    for (const i of HONEST) {
      const res = await raw(t.net.ports[i]!, 'POST', '/peer/blocks', rival, await t.peer.sessionHeaders(t.net.ports[i]!));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ result: 'kept' });
    }
    for (const c of t.clients) expect((await c.latestBlock()).current_hash).toBe(tip.block.current_hash);
    expect((await t.clients[0]!.transaction(rival.transactions[0]!.id)).status).not.toBe('committed');
  });

  it('a rival of an earlier round wins: every node switches to it, its transaction commits and becomes final, a restarted node agrees', async () => {
    const { tip, parent } = await idleTip(true);
    const before = await Promise.all(t.clients.map(reorgs));
    const rival = await rivalOf(tip, parent);
    const answers = await Promise.all(
      HONEST.map(async (i) => raw(t.net.ports[i]!, 'POST', '/peer/blocks', rival, await t.peer.sessionHeaders(t.net.ports[i]!))),
    );
    for (const res of answers) {
      expect(res.status).toBe(200);
      expect(['committed', 'known']).toContain((res.body as { result: string }).result); // known: it came by catch-up first
    }
    const moved = rival.transactions[0]!.id;
    await waitFinal(t.clients, moved);
    const hash = await waitAgreement(t.clients);
    for (const c of t.clients) {
      const [atHeight] = await c.blocks(tip.block.index, 1);
      expect(atHeight!.current_hash).toBe(rival.current_hash);
      expect((await c.transaction(moved)).block).toBe(tip.block.index);
    }
    const after = await Promise.all(t.clients.map(reorgs));
    after.forEach((count, i) => expect(count).toBe(before[i]! + 1));
    await expectSameAccountsAndSupply();
    // the chain every node serves is valid by the core's rules, with the rival in it
    expect((await replayedChain(t.clients[1]!)).some(({ tip: x }) => x.block.current_hash === rival.current_hash)).toBe(true);

    // the store holds the branch the node follows: a restart reads it back
    await t.net.stopNode(2);
    await t.net.restartNode(2);
    await waitFor('node 2 back', async () => (await t.clients[2]!.status().catch(() => undefined))?.last_hash === hash, 30_000);
    const [restored] = await t.clients[2]!.blocks(tip.block.index, 1);
    expect(restored!.current_hash).toBe(rival.current_hash);
    expect((await t.clients[2]!.transaction(moved)).status).toBe('final');
    await expectSameAccountsAndSupply();
  }, 180_000);
});

describe('a validator that freezes and comes back late', () => {
  it('the others take over while it is frozen; once it resumes, with its late blocks, every node converges and nothing is lost', async () => {
    const frozen = t.net.processes[1]!;
    const live = [t.clients[0]!, t.clients[2]!];
    const before = (await t.clients[0]!.status()).height;
    const ids: string[] = [];
    frozen.kill('SIGSTOP');
    try {
      // traffic from the live nodes, to the frozen one too, for several rounds' time
      for (let k = 0; k < 3; k++) {
        for (const [j, c] of live.entries()) ids.push((await c.submit({ type: 'coins', to: k % 2 ? 1 : 2 - 2 * j, amount: 10 + k })).id);
        await waitCommitted(live, ids.slice(-2), 30_000);
      }
      expect((await t.clients[0]!.status()).height).toBeGreaterThan(before);
    } finally {
      frozen.kill('SIGCONT');
    }
    // it resumes with whatever it had pending, and takes part again
    ids.push((await t.clients[1]!.submit({ type: 'message', to: 0, message: 'back' })).id);
    await waitCommitted(t.clients, ids, 60_000);
    await waitAgreement(t.clients, 60_000);
    await expectSameAccountsAndSupply();
    const chain = await replayedChain(t.clients[1]!); // valid by the core's rules from genesis
    expect(chain.length).toBe((await t.clients[1]!.status()).height);
  }, 180_000);
});

describe('validators that crashed', () => {
  it('the others take their rounds (one long round each, then short ones: they make no block) and keep committing', async () => {
    const dead = (await t.clients[2]!.status()).address;
    // Node 2 is killed (SIGKILL: it keeps its stake) and the faulty node goes down too: 25 of the
    // 45 BCC staked make no block, so each of their rounds lasts ROUND_MS once they have missed a
    // turn; the live stake cannot finalise, blocks go on.
    await t.net.stopNode(2, true);
    await t.peer.stop();
    const live = [t.clients[0]!, t.clients[1]!];
    const namedForDead = async () => {
      const chain = await replayedChain(t.clients[0]!);
      return chain.filter(({ drawn }) => drawn === dead);
    };
    const already = (await namedForDead()).length;
    for (let round = 0; (await namedForDead()).length < already + 2; round++) {
      expect(round, 'the draw kept missing the crashed node').toBeLessThan(30);
      const ids: string[] = [];
      for (const [i, c] of live.entries()) {
        for (const item of await c.submitBatch([1, 2, 3].map((k) => ({ type: 'coins' as const, to: 1 - i, amount: k })))) {
          if ('id' in item) ids.push(item.id);
        }
      }
      await waitCommitted(live, ids, 60_000);
    }
    for (const { tip } of (await namedForDead()).slice(already)) {
      expect(tip.block.validator).not.toBe(dead);
      expect(tip.round).toBeGreaterThanOrEqual(1);
    }
    const views = await Promise.all(live.map((c) => c.accounts()));
    expect(views[1]).toEqual(views[0]);
    expect(supply(views[0]!)).toBe(totalSupply(N));
  }, 180_000);
});
