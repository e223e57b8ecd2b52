/**
 * Validator failure and fork choice (SPEC B, "Validator failure"), on a real network: nodes 0, 1
 * and 2 are processes, node 3 is a faulty peer in this process (faulty-peer.ts) that stakes 30
 * BCC — half of all stake, so the lottery names it for about half the blocks — and then never
 * produces a block and refuses everything it is sent.
 *
 * 1. The honest nodes keep committing: whenever the faulty node is round 0's validator, round 1's
 *    (or a later one's) produces the block one round later. Every block is checked here again by
 *    the core's own rules (rounds, timestamps, signatures), from the chain a node serves.
 * 2. Two valid blocks for one height (a rival signed by the same validator, as a late validator
 *    would make): every node follows the same one by the fork choice, the transactions of the
 *    block left go back to the pools and commit, and a restarted node reads the same chain.
 * 3. A validator frozen by SIGSTOP: the others take its rounds; when it resumes with its late
 *    blocks, every node converges and nothing is lost.
 * 4. Validators that crashed (SIGKILL, and the faulty node shut down): connections to them are
 *    refused, so their rounds are the short ones, and the live third of the stake keeps committing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NodeClient } from '../../client/api.js';
import { signBlock } from '../../src/core/block.js';
import { addressOf } from '../../src/core/crypto.js';
import { genesisTip, nextValidator, type ChainTip } from '../../src/core/chain.js';
import { ROUND_MS, totalSupply, UNITS_PER_BCC } from '../../src/core/params.js';
import { accountOf } from '../../src/core/state.js';
import { signTransaction } from '../../src/core/transaction.js';
import type { Block } from '../../src/core/types.js';
import { metric, useNetworkWithFaultyPeer, raw, servedChain, supply, waitAgreement, waitCommitted, waitFor } from './harness.js';

const N = 4;
const CAPACITY = 2;
const FAULTY = 3;
const HONEST = [0, 1, 2];
const FAULTY_STAKE = 30 * UNITS_PER_BCC;

const t = useNetworkWithFaultyPeer(N, CAPACITY, FAULTY, { mode: 'reject', stake: FAULTY_STAKE }, { roundTimeoutMs: 1_000 });

/** The whole chain a node serves, replayed by the core's rules: each block with its round. */
async function replayedChain(c: NodeClient): Promise<Array<{ tip: ChainTip; parent: ChainTip }>> {
  const { tips } = await servedChain(c, N, CAPACITY); // throws on any rule broken, rounds included
  return tips.slice(1).map((tip, i) => ({ tip, parent: tips[i]! }));
}

const paramsOf = async (c: NodeClient) => genesisTip((await c.blocks(0, 1))[0]!, N, CAPACITY).params;

async function expectSameAccountsAndSupply(): Promise<void> {
  const views = await Promise.all(t.clients.map((c) => c.accounts()));
  for (const v of views) {
    expect(v).toEqual(views[0]);
    expect(supply(v)).toBe(totalSupply(N));
  }
}

/** A reorg count from a node's /metrics (a missing metric throws). */
const reorgs = (c: NodeClient): Promise<number> => metric(c, 'blockchat_reorgs_total');

describe('a faulty validator (half of the stake, never produces a block)', () => {
  it('forms with the faulty node staked', async () => {
    const accounts = await t.clients[0]!.accounts();
    expect(accounts.find((a) => a.id === FAULTY)).toMatchObject({ stake: FAULTY_STAKE });
    for (const s of await Promise.all(t.clients.map((c) => c.status()))) expect(s.ready).toBe(true);
  });

  it("the next round's validator produces every block the faulty one was named for; nothing stalls", async () => {
    const params = await paramsOf(t.clients[0]!);
    const skipped = async () => {
      const chain = await replayedChain(t.clients[0]!);
      return chain.filter(({ parent }) => nextValidator(params, parent) === t.peer.address);
    };
    // Rounds of traffic from every honest node until the lottery has named the faulty node for
    // at least three committed blocks.
    for (let round = 0; (await skipped()).length < 3; round++) {
      expect(round, 'the lottery kept missing the faulty node').toBeLessThan(20);
      const ids = await Promise.all(
        t.clients.map(async (c, i) => (await c.submit({ type: 'coins', to: HONEST[(i + 1) % 3]!, amount: 100 + round })).id),
      );
      await waitCommitted(t.clients, ids, 30_000);
    }
    const chain = await replayedChain(t.clients[0]!);
    for (const { tip, parent } of chain) {
      expect(tip.block.validator).not.toBe(t.peer.address);
      if (nextValidator(params, parent) === t.peer.address) {
        expect(tip.round).toBeGreaterThanOrEqual(1);
        expect(tip.block.timestamp - parent.block.timestamp).toBeGreaterThanOrEqual(tip.round * ROUND_MS);
      }
    }
    await waitAgreement(t.clients);
    await expectSameAccountsAndSupply();
    expect(t.peer.served.get('POST /peer/blocks') ?? 0).toBeGreaterThan(0); // it was sent blocks, and refused them
  }, 180_000);
});

describe('two valid blocks for one height (fork choice)', () => {
  /** The tip block and its parent, once the network is idle and agreed. */
  async function idleTip(): Promise<{ tip: Block; parent: Block }> {
    await waitAgreement(t.clients);
    const tip = await t.clients[0]!.latestBlock();
    const [parent] = await t.clients[0]!.blocks(tip.index - 1, 1);
    return { tip, parent: parent! };
  }

  /** The secret key of an honest node, from its data directory. */
  const keyOf = (address: string): string => {
    for (const i of HONEST) {
      const key = readFileSync(join(t.dataRoot, `node-${i}`, 'wallet.key'), 'utf8').trim();
      if (addressOf(key) === address) return key;
    }
    throw new Error(`no honest key for ${address.slice(0, 12)}…`);
  };

  /**
   * A rival of `tip`: same parent, same validator (so the same round), holding one new transfer
   * from the faulty node's funds instead of the tip's transactions, stamped so that its hash is
   * smaller (`winning`) or greater than the tip's.
   */
  async function rivalOf(tip: Block, parent: Block, winning: boolean): Promise<Block> {
    const params = await paramsOf(t.clients[0]!);
    const chain = await replayedChain(t.clients[0]!);
    const parentTip = chain.find((x) => x.tip.block.current_hash === parent.current_hash)!.tip;
    const nonce = accountOf(parentTip.ledger, t.peer.address).nonce;
    const transfer = signTransaction(params.domain, t.peer.secretKey, {
      receiver: tip.validator,
      type: 'coins',
      amount: 7,
      message: '',
      nonce,
    });
    const key = keyOf(tip.validator);
    for (let dt = 1; ; dt++) {
      const rival = signBlock(parent, [transfer], tip.timestamp + dt, key);
      if (rival.current_hash < tip.current_hash === winning) return rival;
    }
  }

  it('a rival that loses the tie-break is kept aside: nothing changes', async () => {
    const { tip, parent } = await idleTip();
    const rival = await rivalOf(tip, parent, false);
    for (const i of HONEST) {
      const res = await raw(t.net.ports[i]!, 'POST', '/peer/blocks', rival, await t.peer.sessionHeaders(t.net.ports[i]!));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ result: 'kept' });
    }
    for (const c of t.clients) expect((await c.latestBlock()).current_hash).toBe(tip.current_hash);
  });

  it("a rival that wins: every node switches to it, the left block's transactions commit again, a restarted node agrees", async () => {
    const { tip, parent } = await idleTip();
    const before = await Promise.all(t.clients.map(reorgs));
    const rival = await rivalOf(tip, parent, true);
    const answers = await Promise.all(
      HONEST.map(async (i) => raw(t.net.ports[i]!, 'POST', '/peer/blocks', rival, await t.peer.sessionHeaders(t.net.ports[i]!))),
    );
    for (const res of answers) {
      expect(res.status).toBe(200);
      expect(['committed', 'known']).toContain((res.body as { result: string }).result); // known: it came by catch-up first
    }
    // the tip's transactions were pending again, and are committed in a later block
    const left = tip.transactions.map((tx) => tx.id);
    await waitCommitted(t.clients, [rival.transactions[0]!.id, ...left]);
    const hash = await waitAgreement(t.clients);
    for (const c of t.clients) {
      const [atHeight] = await c.blocks(tip.index, 1);
      expect(atHeight!.current_hash).toBe(rival.current_hash);
      for (const id of left) expect((await c.transaction(id)).block).toBeGreaterThan(tip.index);
    }
    const after = await Promise.all(t.clients.map(reorgs));
    after.forEach((count, i) => expect(count).toBe(before[i]! + 1));
    await expectSameAccountsAndSupply();
    // the chain every node serves is valid by the core's rules, with the rival in it
    expect((await replayedChain(t.clients[1]!)).some(({ tip: t }) => t.block.current_hash === rival.current_hash)).toBe(true);

    // the store holds the branch the node follows: a restart reads it back
    await t.net.stopNode(2);
    await t.net.restartNode(2);
    await waitFor('node 2 back', async () => (await t.clients[2]!.status().catch(() => undefined))?.last_hash === hash, 30_000);
    const [restored] = await t.clients[2]!.blocks(tip.index, 1);
    expect(restored!.current_hash).toBe(rival.current_hash);
    for (const id of left) expect((await t.clients[2]!.transaction(id)).status).toBe('committed');
    await expectSameAccountsAndSupply();
  });
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
  it('the others take their rounds (after the short round: they refuse connections) and keep committing', async () => {
    const params = await paramsOf(t.clients[0]!);
    const dead = (await t.clients[2]!.status()).address;
    // Node 2 is killed (SIGKILL: it keeps its stake) and the faulty node goes down too: two
    // thirds of the stake refuse connections, so each of their rounds lasts ROUND_MS only.
    await t.net.stopNode(2, true);
    await t.peer.stop();
    const live = [t.clients[0]!, t.clients[1]!];
    const namedForDead = async () => {
      const chain = await replayedChain(t.clients[0]!);
      return chain.filter(({ parent }) => nextValidator(params, parent) === dead);
    };
    const already = (await namedForDead()).length;
    for (let round = 0; (await namedForDead()).length < already + 2; round++) {
      expect(round, 'the lottery kept missing the crashed node').toBeLessThan(30);
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
