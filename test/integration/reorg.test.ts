/**
 * Reorgs on real nodes (SPEC B, "Validator failure"; README, "Validator failure and fork
 * choice"): nodes 0, 1 and 2 are processes, node 3 is a byzantine member in this process
 * (byzantine-member.ts) that stakes as much as each of them. Once the network has committed a
 * few blocks on a block everyone agreed on, the member mints a longer private branch on that
 * block and sends it to one node; the others learn it by catching up. The fork choice itself is
 * the core's (test/unit/reorg.test.ts); here, what a node does when it switches:
 *
 * - every node ends on the winning branch, with the winning branch's balances and nonces;
 * - the losing branch's transactions that can still execute go back to the pools and commit;
 *   one whose nonce the winning branch took is `dropped`, with a reason, for its sender;
 * - a message of a reverted block leaves the receiver's inbox (and is back once it commits again);
 * - GET /events announces the `reorg` (fork, blocks left, transactions returned), then a `block`
 *   event for every block of the new branch.
 *
 * (Blocks stamped ahead of the clock, on every path: test/integration/finality.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NodeClient } from '../../client/api.js';
import type { SubmitRequest } from '../../src/api/types.js';
import type { TipV2 } from '../../src/core/consensus.js';
import { addressOf } from '../../src/core/crypto.js';
import { FinalTree } from '../../src/node/chain/final-tree.js';
import { UNITS_PER_BCC, totalSupply } from '../../src/core/params.js';
import { accountOf } from '../../src/core/state.js';
import { ByzantineMember, type Answer } from './byzantine-member.js';
import { servedChain, supply, useNetworkWithFaultyPeer, waitAgreement, waitCommitted, waitFor, watchEvents } from './harness.js';

const N = 4;
const CAPACITY = 2;
const MEMBER = 3;

// The default round timeout (2 s): a late honest validator would make a fork of its own, and
// with it a reorg event this file does not expect.
const t = useNetworkWithFaultyPeer(N, CAPACITY, MEMBER, { mode: 'reject', stake: 10 * UNITS_PER_BCC });
let member: ByzantineMember;
beforeAll(() => {
  member = new ByzantineMember(t.peer, N, CAPACITY);
});

const port = (i: number): number => t.net.ports[i]!;
const client = (i: number): NodeClient => t.clients[i]!;
/** Node i's wallet key, from its data directory: to sign a rival of one of its transactions. */
const walletKey = (i: number): string => readFileSync(join(t.dataRoot, `node-${i}`, 'wallet.key'), 'utf8').trim();
const address = (i: number): string => addressOf(walletKey(i));
const hashes = (tips: readonly TipV2[]): string[] => tips.map((x) => x.block.current_hash);

/** Every node on one block with an empty pool; the chain node 0 serves, replayed. */
async function agreed(): Promise<TipV2[]> {
  await waitAgreement(t.clients);
  return member.chainOf(client(0));
}

/** Submits each request through its node, each committed on every node before the next. */
async function commitInTurn(requests: ReadonlyArray<readonly [number, SubmitRequest]>): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, request] of requests) {
    const { id } = await client(i).submit(request);
    await waitCommitted(t.clients, [id]);
    ids.push(id);
  }
  return ids;
}

/** The answers the core's fork choice predicts for `blocks` arriving at a node on `followed` (both on `fork`). */
function predicted(fork: TipV2, followed: readonly TipV2[], blocks: readonly TipV2[]): Answer[] {
  const tree = new FinalTree(fork);
  for (const x of followed) tree.add(x);
  return blocks.map((b) => ({ status: 200, answer: tree.add(b) ? 'committed' : 'kept' }));
}

/** The `block` event a node announces for `tip`'s block, minted by the member. */
const memberBlockEvent = ({ block }: TipV2) => ({
  event: 'block',
  data: {
    index: block.index,
    hash: block.current_hash,
    validator: member.address,
    validator_id: MEMBER,
    transactions: block.transactions.length,
    timestamp: block.timestamp,
    tx_ids: block.transactions.map((tx) => tx.id),
  },
});

/** Every node's accounts are the state after the chain it serves, replayed by the core, and the supply is whole. */
async function expectStateOfServedChains(): Promise<void> {
  for (const c of t.clients) {
    const tips = (await servedChain(c, N, CAPACITY)).tips;
    const accounts = await c.accounts();
    expect(new Map(accounts.map(({ address: a, balance, stake, nonce }) => [a, { balance, stake, nonce }]))).toEqual(
      new Map(tips[tips.length - 1]!.ledger),
    );
    expect(supply(accounts)).toBe(totalSupply(N));
  }
}

describe('a reorg of two blocks whose winning branch takes the nonce of a message on the losing one', () => {
  it('every node follows the winning branch; the message is dropped for its sender and leaves the inbox; the rest commits again; /events tells it', async () => {
    const fork = (await agreed()).at(-1)!;
    const F = fork.block.index;
    const events = await watchEvents(port(2));
    try {
      // the losing branch: node 1's message to node 2, then node 0's transfer to node 2
      const [message, transfer] = (await commitInTurn([
        [1, { type: 'message', to: 2, message: 'on a branch that loses' }],
        [0, { type: 'coins', to: 2, amount: 123 }],
      ])) as [string, string];
      const losing = (await member.chainOf(client(0))).slice(F + 1);
      expect(losing.map((x) => x.block.transactions.map((tx) => tx.id))).toEqual([[message], [transfer]]);
      expect((await client(2).inbox()).map((e) => e.id)).toContain(message);

      // the winning branch: node 1's key spends the message's nonce on a transfer, then two blocks of the member's
      const nonce1 = accountOf(fork.ledger, address(1)).nonce;
      const rival = member.coins(address(0), 77, nonce1, walletKey(1));
      const m = accountOf(fork.ledger, member.address).nonce;
      const branch = member.branch(fork, [[rival], [member.coins(address(2), 5, m)], [member.coins(address(0), 6, m + 1)]]);
      expect(
        await member.postBlocks(
          port(2),
          branch.map((x) => x.block),
        ),
      ).toEqual(predicted(fork, losing, branch));

      await waitCommitted(t.clients, [rival.id, transfer]);
      await waitAgreement(t.clients);
      for (const c of t.clients) expect((await c.blocks(F + 1, 3)).map((b) => b.current_hash)).toEqual(hashes(branch));
      // the transfer is pending again after the switch, then committed above the branch
      for (const c of t.clients) expect(await c.transaction(transfer)).toEqual({ id: transfer, status: 'committed', block: F + 4 });
      // the message can never execute: dropped, with a reason, on its sender; gone everywhere
      const dropped = await client(1).transaction(message);
      expect(dropped).toEqual({ id: message, status: 'dropped', reason: expect.any(String) });
      expect(dropped.reason!.length).toBeGreaterThan(0);
      for (const i of [0, 2]) expect((await client(i).transaction(message)).status).toBe('unknown');
      expect((await client(2).inbox()).map((e) => e.id)).not.toContain(message);
      expect((await client(1).wallet()).nonce).toBe(nonce1 + 1);
      await expectStateOfServedChains();

      // node 2's events: the losing blocks, the reorg, the branch's blocks, the transfer's block.
      // `returned_tx_ids` lists what the left blocks hold and the branch does not: the message
      // too, although it is dropped right after (it cannot execute on the branch).
      const losingEvents = losing.map(({ block }) => ({
        event: 'block',
        data: expect.objectContaining({ index: block.index, hash: block.current_hash }),
      }));
      expect(events.events.slice(0, 6)).toEqual([
        ...losingEvents,
        { event: 'reorg', data: { fork_index: F, reverted: hashes([...losing].reverse()), returned_tx_ids: [message, transfer] } },
        ...branch.map(memberBlockEvent),
      ]);
      expect(events.events[6]).toEqual({ event: 'block', data: expect.objectContaining({ index: F + 4, tx_ids: [transfer] }) });
    } finally {
      events.close();
    }
  });
});

describe('reorgs of three and four blocks, learnt by catching up', () => {
  it('a branch sent to node 0 reaches the others; a longer one sent to node 1 after it wins everywhere; what can still execute commits again', async () => {
    const fork = (await agreed()).at(-1)!;
    const F = fork.block.index;
    const events = await watchEvents(port(1)); // node 1 is sent the second branch only
    try {
      // the losing branch: three blocks, the last with node 1's message to node 2
      const [x1, x2, x3] = (await commitInTurn([
        [0, { type: 'coins', to: 1, amount: 31 }],
        [2, { type: 'coins', to: 0, amount: 32 }],
        [1, { type: 'message', to: 2, message: 'across two reorgs' }],
      ])) as [string, string, string];
      const losing = (await member.chainOf(client(0))).slice(F + 1);
      const txs = losing.map((x) => x.block.transactions[0]!);
      expect(txs.map((tx) => tx.id)).toEqual([x1, x2, x3]);

      // branch A: the same three transactions and one of the member's; sent to node 0 only
      const m = accountOf(fork.ledger, member.address).nonce;
      const a = member.branch(fork, [[txs[0]!], [txs[1]!], [txs[2]!], [member.coins(address(1), 7, m)]]);
      expect(
        await member.postBlocks(
          port(0),
          a.map((x) => x.block),
        ),
      ).toEqual(predicted(fork, losing, a));
      const tipA = a.at(-1)!.block.current_hash;
      await waitFor('every node on branch A', async () =>
        (await Promise.all(t.clients.map((c) => c.status()))).every((s) => s.last_hash === tipA),
      );
      for (const c of t.clients) expect((await c.blocks(F + 1, 4)).map((b) => b.current_hash)).toEqual(hashes(a));

      // branch B: node 2's key takes x2's nonce; x1 and x3 are not in it. Five blocks, sent to node 1 only
      const rival = member.coins(address(1), 9, accountOf(fork.ledger, address(2)).nonce, walletKey(2));
      const b = member.branch(fork, [[rival], ...[0, 1, 2, 3].map((k) => [member.coins(address(0), 10 + k, m + k)])]);
      expect(
        await member.postBlocks(
          port(1),
          b.map((x) => x.block),
        ),
      ).toEqual(predicted(fork, a, b));

      await waitCommitted(t.clients, [rival.id, x1, x3]);
      await waitAgreement(t.clients);
      for (const c of t.clients) {
        expect((await c.blocks(F + 1, 5)).map((blk) => blk.current_hash)).toEqual(hashes(b));
        for (const id of [x1, x3]) expect((await c.transaction(id)).block).toBeGreaterThan(F + 5);
      }
      const dropped = await client(2).transaction(x2);
      expect(dropped).toEqual({ id: x2, status: 'dropped', reason: expect.any(String) });
      expect(dropped.reason!.length).toBeGreaterThan(0);
      // the message left node 2's inbox twice and is back once, at the block that holds it now
      const inbox = (await client(2).inbox()).filter((e) => e.id === x3);
      expect(inbox).toEqual([expect.objectContaining({ id: x3, from_id: 1, block: (await client(2).transaction(x3)).block })]);
      await expectStateOfServedChains();

      // node 1's events: the losing blocks, then each switch and the blocks of its branch
      expect(events.events.slice(0, 3 + 1 + 4 + 1 + 5)).toEqual([
        ...losing.map(({ block }) => ({ event: 'block', data: expect.objectContaining({ hash: block.current_hash }) })),
        { event: 'reorg', data: { fork_index: F, reverted: hashes([...losing].reverse()), returned_tx_ids: [] } },
        ...a.map(memberBlockEvent),
        {
          event: 'reorg',
          data: { fork_index: F, reverted: hashes([...a].reverse()), returned_tx_ids: a.map((x) => x.block.transactions[0]!.id) },
        },
        ...b.map(memberBlockEvent),
      ]);
    } finally {
      events.close();
    }
  });
});
