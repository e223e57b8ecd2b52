/**
 * Reorgs on real nodes (SPEC B, "Validator failure"; docs/protocol.md, "Finality, accountability
 * and the lottery seed"): nodes 0, 1 and 2 are processes, node 3 is a byzantine member in this
 * process (byzantine-member.ts) that stakes 20 of the 50 BCC staked, so that the honest nodes
 * (30) justify nothing without its vote, and it never votes unless the test signs for it. Once
 * the seed holds its stake (height 64 on), nothing is final any more and the honest nodes keep
 * making blocks on their own. On a block of that chain with a checkpoint whose honest votes are
 * counted (not enough to justify it), the network commits a few blocks; the member then mints a
 * private branch on that block whose first block carries its own vote for that checkpoint: the
 * branch justifies it (30 + 20 of 50) where the honest branch justifies nothing new, so every node
 * follows it although it is shorter (fork choice: the higher latest justified checkpoint first).
 * Each branch is sent to one node only: the others learn it by catching up from that node (a node
 * does not pass on blocks, and the better branch is the shorter one: docs/protocol.md, "Catch-up
 * and pool repair"). After each switch the honest validators make the next blocks at heights they
 * had signed on the branch they left (in a later round). The fork choice itself is the core's
 * (test/unit/reorg.test.ts); here, what a node does when it switches:
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
import { beforeAll, describe, expect, it } from 'vitest';
import type { NodeClient } from '../../client/api.js';
import type { SubmitRequest } from '../../src/api/types.js';
import { roundForV2, type TipV2 } from '../../src/core/consensus.js';
import { weightsFrom } from '../../src/core/finality.js';
import { signVote, type Checkpoint, type Vote } from '../../src/core/vote.js';
import { stampFor } from '../../src/core/time.js';
import type { Transaction } from '../../src/core/types.js';
import { addressOf } from '../../src/core/crypto.js';
import { SEED_EPOCH_BLOCKS, UNITS_PER_BCC, totalSupply } from '../../src/core/params.js';
import { accountOf } from '../../src/core/state.js';
import { ByzantineMember } from './byzantine-member.js';
import {
  servedChain,
  supply,
  useNetworkWithFaultyPeer,
  waitCommitted,
  waitFor,
  walletKey as keyOfNode,
  watchEvents,
  type NodeEvent,
} from './harness.js';

const N = 4;
const CAPACITY = 2;
const MEMBER = 3;

const HONEST = [0, 1, 2];

// 20 of the 50 BCC staked: the honest nodes' 30 justify nothing alone (3 · 30 < 2 · 50).
const MEMBER_STAKE = 20 * UNITS_PER_BCC;
const t = useNetworkWithFaultyPeer(N, CAPACITY, MEMBER, { mode: 'reject', stake: MEMBER_STAKE });
let member: ByzantineMember;
beforeAll(() => {
  member = new ByzantineMember(t.peer, N, CAPACITY);
});

const port = (i: number): number => t.net.ports[i]!;
const client = (i: number): NodeClient => t.clients[i]!;
/** Node i's wallet key, from its data directory: to sign a rival of one of its transactions. */
const walletKey = (i: number): string => keyOfNode(t, i);
const address = (i: number): string => addressOf(walletKey(i));
const hashes = (tips: readonly TipV2[]): string[] => tips.map((x) => x.block.current_hash);

/** The member's vote from the latest justified checkpoint of `on`'s branch to `target`. */
const memberVote = (on: TipV2, target: Checkpoint): Vote => signVote(member.params.domain, member.secretKey, on.finality.justified, target);

/**
 * The checkpoints of `tip`'s branch above its latest justified one that the member's vote would
 * justify (the honest votes for them counted there reach two thirds with it), lowest first.
 */
function justifiable(tip: TipV2): Checkpoint[] {
  const { justified, checkpoints, tallies } = tip.finality;
  const table = weightsFrom(tip.finality, justified.height)!;
  const own = table.weights.get(member.address) ?? 0;
  return [...checkpoints.values()]
    .filter((cp) => cp.height > justified.height)
    .filter((cp) => 3 * ((tallies.get(`${justified.hash}:${cp.hash}`)?.stake ?? 0) + own) >= 2 * table.total)
    .sort((x, y) => x.height - y.height)
    .map(({ height, hash }) => ({ height, hash }));
}

/**
 * A block of node 0's chain to fork at: above two seed epochs (the draw holds the member's stake),
 * with at least `count` checkpoints the member's vote would justify (`justifiable`), and the member
 * drawn in a round after it. Once the seed holds the member's stake, the honest nodes make blocks
 * on their own while a block with content is not final, which none is without the member's vote;
 * before, a payment moves an idle chain on. Returns the chain up to it.
 */
async function forkPoint(count: number): Promise<TipV2[]> {
  let last = -1;
  for (let k = 0; ; k++) {
    expect(k, 'no block to fork at').toBeLessThan(600);
    const tips = await member.chainOf(client(0));
    const fork = tips.at(-1)!;
    if (
      fork.block.index >= 2 * SEED_EPOCH_BLOCKS &&
      justifiable(fork).length >= count &&
      roundForV2(member.params, fork, member.address) >= 0
    )
      return tips;
    if (fork.block.index === last)
      await commitInTurn([[HONEST[k % 3]!, { type: 'coins', to: HONEST[(k + 1) % 3]!, amount: 1 + (k % 50) }]]);
    last = fork.block.index;
  }
}

/**
 * The member's private branch on `fork`, one block per entry of `contents`, its first block
 * carrying `votes`; each block of the first round the draw gives the member at its height.
 */
function branchWithVotes(fork: TipV2, votes: readonly Vote[], contents: readonly (readonly Transaction[])[]): TipV2[] {
  const ts = stampFor(fork.block.timestamp, member.openingOf(fork, member.roundAt(fork)), fork.block.timestamp);
  const first = member.mint(fork, contents[0]!, ts, { votes });
  return [first, ...member.branch(first, contents.slice(1))];
}

/** Sends `branch` to node `i`'s POST /peer/blocks once its last block is no longer ahead of the clock; resolves to the answers. */
async function postBranch(i: number, branch: readonly TipV2[]) {
  await waitFor('the branch due', async () => Date.now() >= branch.at(-1)!.block.timestamp);
  return member.postBlocks(
    port(i),
    branch.map((x) => x.block),
  );
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

/** Waits until every node holds `branch` right above the fork at `F` (as sent to one, or learnt by catching up). */
async function waitOnBranch(branch: readonly TipV2[], F: number): Promise<void> {
  const want = JSON.stringify(hashes(branch));
  await waitFor(`every node on the branch of ${branch.length} blocks above ${F}`, async () =>
    (await Promise.all(t.clients.map((c) => c.blocks(F + 1, branch.length)))).every(
      (page) => JSON.stringify(page.map((blk) => blk.current_hash)) === want,
    ),
  );
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

/** Every node's accounts are the state after the chain it serves, replayed by the core, and the supply is whole but for `burnt`. */
async function expectStateOfServedChains(burnt = 0): Promise<void> {
  for (const c of t.clients) {
    const tips = (await servedChain(c, N, CAPACITY)).tips;
    const accounts = await c.accounts();
    expect(new Map(accounts.map(({ address: a, balance, stake, nonce }) => [a, { balance, stake, nonce }]))).toEqual(
      new Map(tips[tips.length - 1]!.ledger),
    );
    expect(supply(accounts)).toBe(totalSupply(N) - burnt);
  }
}

/** The hashes of the `block` events of `events`. */
const blockHashes = (events: readonly NodeEvent[]): string[] =>
  events.filter((e) => e.event === 'block').map((e) => (e.data as { hash: string }).hash);

/** The indexes of the `reorg` events of `events`. */
const reorgsIn = (events: readonly NodeEvent[]): number[] => events.flatMap((e, k) => (e.event === 'reorg' ? [k] : []));

describe('a reorg of two blocks whose winning branch takes the nonce of a message on the losing one', () => {
  it('every node follows the winning branch; the message is dropped for its sender and leaves the inbox; the rest commits again; /events tells it', async () => {
    const events = await watchEvents(port(2));
    try {
      const tips = await forkPoint(1);
      const fork = tips.at(-1)!;
      const F = fork.block.index;
      const C = justifiable(fork).at(-1)!;
      // the losing branch: node 1's message to node 2, then node 0's transfer to node 2
      const [message, transfer] = (await commitInTurn([
        [1, { type: 'message', to: 2, message: 'on a branch that loses' }],
        [0, { type: 'coins', to: 2, amount: 123 }],
      ])) as [string, string];
      const losing = (await member.chainOf(client(0))).slice(F + 1);
      expect(losing.flatMap((x) => x.block.transactions.map((tx) => tx.id))).toEqual([message, transfer]);
      expect(losing.length).toBeGreaterThanOrEqual(2);
      expect(losing.at(-1)!.finality.justified.height).toBeLessThan(C.height);
      expect((await client(2).inbox()).map((e) => e.id)).toContain(message);

      // the winning branch, with the member's vote that justifies C: node 1's key spends the
      // message's nonce on a transfer, then two blocks of the member's
      const nonce1 = accountOf(fork.ledger, address(1)).nonce;
      const rival = member.coins(address(0), 77, nonce1, walletKey(1));
      const m = accountOf(fork.ledger, member.address).nonce;
      const branch = branchWithVotes(
        fork,
        [memberVote(fork, C)],
        [[rival], [member.coins(address(2), 5, m)], [member.coins(address(0), 6, m + 1)]],
      );
      expect(branch[0]!.finality.justified).toEqual(C);
      expect(await postBranch(2, branch)).toEqual(branch.map(() => ({ status: 200, answer: 'committed' })));

      // nodes 0 and 1 were not sent the branch: they learn it from node 2 by catching up (node 2's
      // chain is shorter than theirs, its justified checkpoint higher)
      await waitOnBranch(branch, F);
      await waitCommitted(t.clients, [rival.id, transfer]);
      for (const c of t.clients) expect((await c.blocks(F + 1, 3)).map((b) => b.current_hash)).toEqual(hashes(branch));
      // the transfer is pending again after the switch, then committed above the branch
      const again = (await client(0).transaction(transfer)).block!;
      expect(again).toBeGreaterThan(F + 3);
      for (const c of t.clients) expect(await c.transaction(transfer)).toEqual({ id: transfer, status: 'committed', block: again });
      // the message can never execute: dropped, with a reason, on its sender; gone everywhere
      const dropped = await client(1).transaction(message);
      expect(dropped).toEqual({ id: message, status: 'dropped', reason: expect.any(String) });
      expect(dropped.reason!.length).toBeGreaterThan(0);
      for (const i of [0, 2]) expect((await client(i).transaction(message)).status).toBe('unknown');
      expect((await client(2).inbox()).map((e) => e.id)).not.toContain(message);
      expect((await client(1).wallet()).nonce).toBe(nonce1 + 1);
      await expectStateOfServedChains();

      // node 2's events: the losing blocks (and the empty ones the honest nodes made on them),
      // the reorg that leaves them all, the branch's blocks, then the transfer's block.
      // `returned_tx_ids` lists what the left blocks hold and the branch does not: the message
      // too, although it is dropped right after (it cannot execute on the branch).
      await waitFor('the transfer block announced', async () =>
        events.events.some((e) => e.event === 'block' && (e.data as { index: number }).index === again),
      );
      const [r] = reorgsIn(events.events);
      expect(r).toBeDefined();
      const left = blockHashes(events.events.slice(0, r)).filter((h) => !hashes(tips).includes(h));
      expect(left.slice(0, losing.length)).toEqual(hashes(losing));
      expect(left.length).toBeGreaterThanOrEqual(2); // a reorg of at least two blocks
      expect(events.events[r!]).toEqual({
        event: 'reorg',
        data: { fork_index: F, reverted: [...left].reverse(), returned_tx_ids: [message, transfer] },
      });
      expect(events.events.slice(r! + 1, r! + 4)).toEqual(branch.map(memberBlockEvent));
      expect(events.events.slice(r! + 4)).toContainEqual({
        event: 'block',
        data: expect.objectContaining({ index: again, tx_ids: [transfer] }),
      });
    } finally {
      events.close();
    }
  }, 300_000);
});

describe('reorgs of three and four blocks, one after the other', () => {
  it('a branch justifying a higher checkpoint wins on every node; a longer one justifying higher still wins after it; what can still execute commits again', async () => {
    const events = await watchEvents(port(1)); // node 1 learns the first branch by catching up, and is sent the second
    try {
      // the fork: two checkpoints above the latest justified one, C1 and C2, neither justified
      const tips = await forkPoint(2);
      const fork = tips.at(-1)!;
      const F = fork.block.index;
      const [C1, C2] = justifiable(fork).slice(-2) as [Checkpoint, Checkpoint];
      // the losing branch: three transactions, the last node 1's message to node 2
      const [x1, x2, x3] = (await commitInTurn([
        [0, { type: 'coins', to: 1, amount: 31 }],
        [2, { type: 'coins', to: 0, amount: 32 }],
        [1, { type: 'message', to: 2, message: 'across two reorgs' }],
      ])) as [string, string, string];
      const losing = (await member.chainOf(client(0))).slice(F + 1);
      const txs = losing.flatMap((x) => x.block.transactions);
      expect(txs.map((tx) => tx.id)).toEqual([x1, x2, x3]);
      expect(losing.length).toBeGreaterThanOrEqual(3);
      expect(losing.at(-1)!.finality.justified.height).toBeLessThan(C1.height);

      // branch A: the same three transactions and one of the member's, its vote justifying C1; sent to node 0 only
      const m = accountOf(fork.ledger, member.address).nonce;
      const a = branchWithVotes(fork, [memberVote(fork, C1)], [[txs[0]!], [txs[1]!], [txs[2]!], [member.coins(address(1), 7, m)]]);
      expect(a[0]!.finality.justified).toEqual(C1);
      expect(await postBranch(0, a)).toEqual(a.map(() => ({ status: 200, answer: 'committed' })));
      // nodes 1 and 2 learn it from node 0 by catching up
      await waitOnBranch(a, F);

      // branch B: node 2's key takes x2's nonce; x1 and x3 are not in it; its vote justifies C2,
      // above A's C1. Five blocks, sent to node 1 only; nodes 0 and 2 learn it by catching up
      const rival = member.coins(address(1), 9, accountOf(fork.ledger, address(2)).nonce, walletKey(2));
      const b = branchWithVotes(
        fork,
        [memberVote(fork, C2)],
        [[rival], ...[0, 1, 2, 3].map((k) => [member.coins(address(0), 10 + k, m + k)])],
      );
      expect(b[0]!.finality.justified).toEqual(C2);
      expect(await postBranch(1, b)).toEqual(b.map(() => ({ status: 200, answer: 'committed' })));
      await waitOnBranch(b, F);

      await waitCommitted(t.clients, [rival.id, x1, x3]);
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
      // the member signed two blocks at each of heights F + 1 … F + 4 (A's and B's): the evidence
      // burns its stake
      await waitFor('the member slashed on every node', async () =>
        (await Promise.all(t.clients.map((c) => c.accounts()))).every((v) => v.find((x) => x.address === member.address)?.stake === 0),
      );
      await expectStateOfServedChains(MEMBER_STAKE);

      // node 1's events: the losing blocks, then each switch (leaving every block above the
      // fork it followed: the honest nodes make empty ones on a branch whose content is not
      // final) and the blocks of its branch. A node switches at a branch's first block (it carries
      // the justifying vote): what the blocks it leaves hold and that block does not goes back to
      // the pool, and leaves it again as the branch's next blocks commit it
      await waitFor('two reorgs announced and B after the second', async () => {
        const rs = reorgsIn(events.events);
        return rs.length >= 2 && events.events.length >= rs[1]! + 1 + b.length;
      });
      const [r1, r2] = reorgsIn(events.events) as [number, number];
      const left = blockHashes(events.events.slice(0, r1)).filter((h) => !hashes(tips).includes(h));
      expect(left.slice(0, losing.length)).toEqual(hashes(losing));
      expect(left.length).toBeGreaterThanOrEqual(3); // a reorg of at least three blocks
      expect(events.events[r1]).toEqual({
        event: 'reorg',
        data: { fork_index: F, reverted: [...left].reverse(), returned_tx_ids: [x2, x3] },
      });
      expect(events.events.slice(r1 + 1, r1 + 1 + a.length)).toEqual(a.map(memberBlockEvent));
      const onA = blockHashes(events.events.slice(r1 + 1, r2));
      expect(onA.length).toBeGreaterThanOrEqual(4); // then of at least four
      expect(events.events[r2]).toEqual({
        event: 'reorg',
        data: { fork_index: F, reverted: [...onA].reverse(), returned_tx_ids: a.map((x) => x.block.transactions[0]!.id) },
      });
      expect(events.events.slice(r2 + 1, r2 + 1 + b.length)).toEqual(b.map(memberBlockEvent));
    } finally {
      events.close();
    }
  }, 300_000);
});
