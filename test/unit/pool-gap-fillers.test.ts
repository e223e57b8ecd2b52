/**
 * What a pool repair takes from a peer's pool (docs/protocol.md, "Catch-up and pool repair";
 * TxPool.gapFillers): per sender, only what makes an unbroken run of nonces from the committed
 * nonce with what the pool holds. A transaction stranded behind a gap in both pools stays out, so
 * that two nodes repairing from each other do not keep it young for ever. Of two transactions for
 * one sender and nonce, the first offered.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_POOL_LIMITS, TxPool } from '../../src/core/pool.js';
import { EMPTY_ACCOUNT, type Ledger } from '../../src/core/state.js';
import { signTransaction } from '../../src/core/transaction.js';
import type { Transaction } from '../../src/core/types.js';
import { key, type KeyPair } from './fixtures.js';

const DOMAIN = 'c'.repeat(64);
const A = key(0);
const B = key(1);
const C = key(2);

const send = (from: KeyPair, to: KeyPair, nonce: number): Transaction =>
  signTransaction(DOMAIN, from.secret, { receiver: to.address, type: 'coins', amount: 100, message: '', nonce });
const ids = (txs: readonly Transaction[]): string[] => txs.map((t) => t.id);

// A has sent nonces 0 to 2 already; B none.
const ledger: Ledger = new Map([
  [A.address, { ...EMPTY_ACCOUNT, balance: 100_000, nonce: 3 }],
  [B.address, { ...EMPTY_ACCOUNT, balance: 100_000 }],
]);

describe('TxPool.gapFillers', () => {
  it('takes the missing nonces and what continues the run, not what waits behind a gap nobody fills', () => {
    const pool = new TxPool();
    const a4 = send(A, C, 4);
    pool.add(a4, ledger, 0); // waits for A's nonce 3
    const [a3, a5, a7] = [send(A, C, 3), send(A, C, 5), send(A, C, 7)]; // 6 is missing everywhere
    const [b1, b2] = [send(B, C, 1), send(B, C, 2)]; // B's nonce 0 is missing everywhere
    const b0 = send(B, C, 0);
    const stale = send(A, C, 2); // committed already (another transaction took nonce 2)

    expect(ids(pool.gapFillers([a7, b1, a5, a4, a3, stale, b2], ledger))).toEqual(ids([a5, a3]));
    // with B's first nonce offered, B's run is taken too, in the order offered
    expect(ids(pool.gapFillers([b2, a3, b0, b1], ledger))).toEqual(ids([b2, a3, b0, b1]));
    expect(pool.gapFillers([], ledger)).toEqual([]);
  });

  it('of two transactions for one sender and nonce, takes the first offered; a block committing the other drops it', () => {
    const toC = send(A, C, 3);
    const toB = send(A, B, 3); // the same nonce, signed again (a sender whose wallet lost track)
    // one peer's page lists both (a pool never holds both: that peer is not honest): the first
    expect(ids(new TxPool().gapFillers([toB, toC], ledger))).toEqual(ids([toB]));

    // two peers, each holding one: the repair from the first fills the gap, the second's is not taken
    const pool = new TxPool();
    for (const tx of pool.gapFillers([toC], ledger)) pool.add(tx, ledger, 0);
    expect(pool.gapFillers([toB], ledger)).toEqual([]);
    // the validators held the other: its block drops this one, and the sender's next nonce is free
    const after: Ledger = new Map([...ledger, [A.address, { ...EMPTY_ACCOUNT, balance: 99_000, nonce: 4 }]]);
    expect(ids(pool.prune([toB], after, 1))).toEqual(ids([toC]));
    expect(pool.size).toBe(0);
    expect(ids(pool.gapFillers([send(A, C, 4)], after))).toHaveLength(1);
  });

  it('two pools repairing from each other drop a stranded transaction for good', () => {
    let clock = 0;
    const limits = { ...DEFAULT_POOL_LIMITS, maxAgeMs: 60_000 };
    const first = new TxPool(limits, () => clock);
    const second = new TxPool(limits, () => clock);
    const stranded = send(A, C, 5); // A's nonces 3 and 4 never come
    first.add(stranded, ledger, 0);
    clock = 30_000;
    second.add(stranded, ledger, 0); // the second node had it later (a restart, a repair)

    // every 5 s: each evicts what is stranded too long, then repairs from the other
    for (clock = 35_000; clock <= 300_000; clock += 5_000) {
      for (const [pool, peer] of [
        [first, second],
        [second, first],
      ] as const) {
        pool.evictStranded(ledger, 0);
        for (const tx of pool.gapFillers(peer.all(), ledger)) pool.add(tx, ledger, 0);
      }
    }
    expect(first.has(stranded.id)).toBe(false);
    expect(second.has(stranded.id)).toBe(false);
  });
});
