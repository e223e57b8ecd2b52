/**
 * Reorgs deeper than one block, in the core (SPEC B, "Validator failure"; src/core/forkchoice.ts
 * and chain.ts): real signed blocks on rival branches, each applied on its own parent's state and
 * fed to a BlockTree the way a node feeds them. What a node then does with the switch (store,
 * pool, inbox, events) is tested on real nodes in test/integration/reorg.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { genesisBlock, signBlock } from '../../src/core/block.js';
import { applyBlock, earliestTimestamp, genesisTip, validateChain, validatorsOfRounds, type ChainTip } from '../../src/core/chain.js';
import { MAX_ROUNDS } from '../../src/core/params.js';
import { BlockTree, type BranchSwitch } from '../../src/core/forkchoice.js';
import { TxPool } from '../../src/core/pool.js';
import { accountOf } from '../../src/core/state.js';
import { signTransaction } from '../../src/core/transaction.js';
import type { Transaction } from '../../src/core/types.js';
import { codeOf, key, type KeyPair } from './fixtures.js';

const [A, B, C] = [key(0), key(1), key(2)] as [KeyPair, KeyPair, KeyPair];
const T0 = 1_700_000_000_000;
const genesis = genesisBlock(A.address, 3, T0);
const { params, tip: root } = genesisTip(genesis, 3, 3);

const keyOf = (address: string): KeyPair => [A, B, C].find((k) => k.address === address)!;

const coins = (from: KeyPair, to: KeyPair, amount: number, nonce: number): Transaction =>
  signTransaction(params.domain, from.secret, { receiver: to.address, type: 'coins', amount, message: '', nonce });
const message = (from: KeyPair, to: KeyPair, text: string, nonce: number): Transaction =>
  signTransaction(params.domain, from.secret, { receiver: to.address, type: 'message', amount: 0, message: text, nonce });
const stake = (from: KeyPair, amount: number, nonce: number): Transaction =>
  signTransaction(params.domain, from.secret, { receiver: '0', type: 'stake', amount, message: '', nonce });

/**
 * A branch on `parent`, one block per entry, each by the validator the lottery names and stamped
 * a second after its parent. `late`: the first block is by the first later round's validator
 * (another staker than round 0's), so that this branch loses every tie at equal height.
 */
function branch(parent: ChainTip, contents: Transaction[][], late = false): ChainTip[] {
  const out: ChainTip[] = [];
  for (const [i, txs] of contents.entries()) {
    const validators = validatorsOfRounds(params, parent, MAX_ROUNDS);
    const round = late && i === 0 ? validators.findIndex((v) => v !== validators[0]) : 0;
    expect(round).toBeGreaterThanOrEqual(0);
    const block = signBlock(parent.block, txs, earliestTimestamp(parent.block, round) + 1_000, keyOf(validators[round]!).secret);
    parent = applyBlock(params, parent, block);
    out.push(parent);
  }
  return out;
}

/** Adds the tips in order; returns what each addition did to the best branch. */
const addAll = (tree: BlockTree, tips: readonly ChainTip[]): Array<BranchSwitch | undefined> => tips.map((t) => tree.add(t));
const hashes = (tips: readonly ChainTip[]): string[] => tips.map((t) => t.block.current_hash);

/** The trunk every branch grows from: A funds B and C, and all three stake. */
let fork: ChainTip;
let trunk: ChainTip[];
/** The nonces of A, B and C at the fork. */
let nA: number;
let nB: number;
let nC: number;

beforeAll(() => {
  trunk = branch(root, [
    [coins(A, B, 100_000, 0), coins(A, C, 100_000, 1), stake(A, 1_000, 2)],
    [stake(B, 1_000, 0), stake(C, 1_000, 0)],
  ]);
  fork = trunk[trunk.length - 1]!;
  [nA, nB, nC] = [A, B, C].map((k) => accountOf(fork.ledger, k.address).nonce) as [number, number, number];
});

describe('a reorg deeper than one block', () => {
  it("3 blocks replaced by 4: the switch lists the blocks left (tip first) and joined (in order), and the state is the winning branch's", () => {
    const losing = branch(fork, [[coins(A, B, 500, nA)], [message(B, C, 'lost', nB)], [coins(C, A, 70, nC)]]);
    // A's and B's nonces of the losing branch are taken by other transactions; C's is not.
    const winning = branch(fork, [[coins(A, C, 900, nA)], [coins(B, A, 40, nB)], [coins(A, B, 1, nA + 1)], [coins(A, C, 2, nA + 2)]], true);
    const tree = new BlockTree(fork);
    expect(addAll(tree, losing)).toEqual(losing.map((t) => ({ reverted: [], applied: [t] })));
    const moves = addAll(tree, winning);
    // shorter, then as long but from a later round: kept aside; longer: followed
    expect(moves.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    expect(hashes(moves[3]!.reverted)).toEqual(hashes([...losing].reverse()));
    expect(hashes(moves[3]!.applied)).toEqual(hashes(winning));
    expect(tree.best).toBe(winning[3]);
    // balances and nonces are those of the winning branch replayed alone from the genesis
    const replayed = validateChain([genesis, ...[...trunk, ...winning].map((t) => t.block)], 3, 3).tip.ledger;
    expect([...tree.best.ledger]).toEqual([...replayed]);
    expect(accountOf(tree.best.ledger, A.address).nonce).toBe(nA + 3);
    expect(accountOf(tree.best.ledger, B.address).nonce).toBe(nB + 1);
    expect(accountOf(tree.best.ledger, C.address).nonce).toBe(nC);
  });

  it("of the left blocks' transactions, one whose nonce the winning branch took can never execute again; the others go back to a pool and are picked", () => {
    const losing = branch(fork, [[coins(A, B, 500, nA), message(B, C, 'lost', nB)], [coins(C, A, 70, nC)]]);
    const winning = branch(fork, [[coins(A, C, 900, nA)], [coins(A, B, 1, nA + 1)], [coins(A, C, 2, nA + 2)]], true);
    const tree = new BlockTree(fork);
    addAll(tree, losing);
    const moved = addAll(tree, winning)[2]!;
    const kept = new Set(moved.applied.flatMap((t) => t.block.transactions.map((tx) => tx.id)));
    const returned = [...moved.reverted]
      .reverse()
      .flatMap((t) => t.block.transactions)
      .filter((tx) => !kept.has(tx.id));
    expect(returned.map((tx) => tx.sender)).toEqual([A.address, B.address, C.address]);
    const tip = tree.best;
    const pool = new TxPool();
    expect(codeOf(() => pool.add(returned[0]!, tip.ledger, tip.block.index))).toBe('NONCE_USED');
    pool.add(returned[1]!, tip.ledger, tip.block.index);
    pool.add(returned[2]!, tip.ledger, tip.block.index);
    expect(pool.select(tip.ledger, 3)).toEqual([returned[1], returned[2]]);
    // and a block holding them is valid on the new tip
    expect(branch(tip, [[returned[1]!, returned[2]!]])[0]!.block.index).toBe(tip.block.index + 1);
  });

  it("from a branch forked above the fork to one forked below it: the switch goes back to the blocks' true common ancestor", () => {
    const main = branch(fork, [[coins(A, B, 11, nA)], [coins(B, C, 12, nB)]]);
    const side = branch(main[0]!, [[coins(C, A, 13, nC)], [coins(B, A, 14, nB)]], true);
    const other = branch(
      fork,
      [[coins(C, B, 15, nC)], [coins(C, A, 16, nC + 1)], [coins(C, B, 17, nC + 2)], [coins(C, A, 18, nC + 3)]],
      true,
    );
    const tree = new BlockTree(fork);
    addAll(tree, main);
    const toSide = addAll(tree, side);
    expect(toSide[0]).toBeUndefined();
    expect(hashes(toSide[1]!.reverted)).toEqual(hashes([main[1]!]));
    expect(hashes(toSide[1]!.applied)).toEqual(hashes(side));
    const toOther = addAll(tree, other);
    expect(toOther.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    expect(hashes(toOther[3]!.reverted)).toEqual(hashes([side[1]!, side[0]!, main[0]!]));
    expect(hashes(toOther[3]!.applied)).toEqual(hashes(other));
  });

  it('a branch forked at the final block replaces exactly `depth` blocks; one forked below it cannot be added', () => {
    const depth = 3;
    const main = branch(
      fork,
      [0, 1, 2, 3, 4].map((i) => [coins(A, B, 20 + i, nA + i)]),
    );
    const tree = new BlockTree(fork, depth);
    addAll(tree, main);
    const final = main[1]!; // main[4] is the tip: main[2], main[3] and main[4] may still be replaced
    expect(tree.rootIndex).toBe(final.block.index);
    const rival = branch(
      final,
      [0, 1, 2, 3].map((i) => [coins(B, C, 30 + i, nB + i)]),
      true,
    );
    const moves = addAll(tree, rival);
    expect(hashes(moves[3]!.reverted)).toEqual(hashes(main.slice(2).reverse()));
    expect(hashes(moves[3]!.applied)).toEqual(hashes(rival));
    // below the final block: the core still validates it, but the tree no longer holds its parent
    const tooDeep = branch(main[0]!, [[coins(C, A, 40, nC)]]);
    expect(() => tree.add(tooDeep[0]!)).toThrow(/parent is not in the tree/);
  });
});
