/**
 * The pool's admission by funds (docs/protocol.md, "The pool"): a sender can only queue what its
 * committed available balance pays for, its pending transactions included, and what its funds no
 * longer cover is evicted without waiting for a block.
 */
import { describe, expect, it } from 'vitest';
import { addressOf, sha256Hex } from '../../src/core/crypto.js';
import { DEFAULT_POOL_LIMITS, TxPool, costOf } from '../../src/core/pool.js';
import { EMPTY_ACCOUNT, type Ledger } from '../../src/core/state.js';
import { signTransaction } from '../../src/core/transaction.js';
import type { Account, Transaction } from '../../src/core/types.js';
import { codeOf, key, type KeyPair } from './fixtures.js';

const DOMAIN = 'c'.repeat(64);
const A = key(0);
const B = key(1);
const C = key(2);

const send = (from: KeyPair, to: KeyPair, nonce: number, amount = 100): Transaction =>
  signTransaction(DOMAIN, from.secret, { receiver: to.address, type: 'coins', amount, message: '', nonce });
const stake = (from: KeyPair, nonce: number, amount: number): Transaction =>
  signTransaction(DOMAIN, from.secret, { receiver: '0', type: 'stake', amount, message: '', nonce });
const ledgerOf = (entries: Array<[KeyPair, Partial<Account>]>): Ledger =>
  new Map(entries.map(([k, acc]) => [k.address, { ...EMPTY_ACCOUNT, ...acc }]));
const ids = (txs: readonly Transaction[]): string[] => txs.map((t) => t.id);

/** A fixed throwaway key per index (the secret is a hash, so the same in every run). */
function throwaway(i: number): KeyPair {
  const secret = sha256Hex(`pool-admission throwaway ${i}`);
  return { secret, address: addressOf(secret) };
}

describe('pool admission by funds', () => {
  it('a sender queues transactions only while its committed balance covers all of them (vector: 206 units, 103 each)', () => {
    const ledger = ledgerOf([[A, { balance: 206 }]]);
    const p = new TxPool();
    const [a0, a1, a2] = [send(A, B, 0), send(A, B, 1), send(A, B, 2)];
    p.add(a0, ledger, 0);
    p.add(a1, ledger, 0);
    expect(p.reservedBy(A.address)).toBe(206);
    expect(codeOf(() => p.add(a2, ledger, 0))).toBe('INSUFFICIENT_FUNDS');
    expect(p.size).toBe(2);
    p.remove(a1.id);
    expect(p.reservedBy(A.address)).toBe(103);
    expect(() => p.add(a2, ledger, 0)).not.toThrow();
  });

  it('a nonce ahead of a gap reserves funds as well', () => {
    const ledger = ledgerOf([[A, { balance: 110 }]]);
    const p = new TxPool();
    p.add(send(A, B, 5), ledger, 0);
    expect(codeOf(() => p.add(send(A, B, 0), ledger, 0))).toBe('INSUFFICIENT_FUNDS');
  });

  it('admit throws what add would, and changes nothing', () => {
    const ledger = ledgerOf([[A, { balance: 1 }]]);
    const p = new TxPool();
    expect(codeOf(() => p.admit(send(A, B, 0, 1), ledger))).toBe('INSUFFICIENT_FUNDS');
    expect(codeOf(() => p.admit(send(A, B, 0, 1), ledgerOf([[A, { balance: 2, nonce: 1 }]])))).toBe('NONCE_USED');
    expect(p.size).toBe(0);
    expect(p.reservedBy(A.address)).toBe(0);
  });

  it('a stake costs its rise over the committed stake; a withdrawal frees nothing before it is committed', () => {
    const committed = { ...EMPTY_ACCOUNT, balance: 10, stake: 50 };
    expect(costOf(stake(A, 0, 60), committed)).toBe(10);
    expect(costOf(stake(A, 0, 0), committed)).toBe(0);
    expect(costOf(send(A, B, 0, 100), committed)).toBe(103);
    const p = new TxPool();
    const ledger = ledgerOf([[A, { balance: 10, stake: 50 }]]);
    p.add(stake(A, 0, 0), ledger, 0);
    expect(codeOf(() => p.add(send(A, B, 1, 20), ledger, 0))).toBe('INSUFFICIENT_FUNDS');
  });

  it('twenty senders holding one unit each pool nothing, so an honest sender still gets in (the jam of a full pool)', () => {
    const jammers = Array.from({ length: 20 }, (_, i) => throwaway(i));
    const ledger = ledgerOf([[A, { balance: 100_000 }], ...jammers.map((k): [KeyPair, Partial<Account>] => [k, { balance: 1 }])]);
    const p = new TxPool({ ...DEFAULT_POOL_LIMITS, maxSize: 100 });
    let refused = 0;
    for (const k of jammers) {
      for (let nonce = 0; nonce < 10; nonce++) {
        expect(codeOf(() => p.add(send(k, B, nonce, 1), ledger, 0))).toBe('INSUFFICIENT_FUNDS');
        refused++;
      }
    }
    expect(refused).toBe(200);
    expect(p.size).toBe(0);
    const honest = send(A, B, 0);
    p.add(honest, ledger, 0);
    expect(ids(p.select(ledger, 10))).toEqual([honest.id]);
  });

  it('evictUnaffordable drops a sender’s highest nonces until the rest fit its balance, and leaves others', () => {
    const p = new TxPool();
    const rich = ledgerOf([
      [A, { balance: 1_000 }],
      [C, { balance: 1_000 }],
    ]);
    const run = [0, 1, 2, 3].map((n) => send(A, B, n)); // 103 each
    const other = send(C, B, 0);
    for (const tx of [...run, other]) p.add(tx, rich, 0);
    const poorer = ledgerOf([
      [A, { balance: 250 }],
      [C, { balance: 1_000 }],
    ]);
    expect(ids(p.evictUnaffordable(poorer))).toEqual(ids([run[3]!, run[2]!]));
    expect(ids(p.pendingOf(poorer, A.address))).toEqual(ids(run.slice(0, 2)));
    expect(p.has(other.id)).toBe(true);
    expect(p.evictUnaffordable(poorer)).toEqual([]);
  });

  it('a block holding a transaction the pool never had evicts what the sender can no longer pay, at once', () => {
    const p = new TxPool();
    const before = ledgerOf([[A, { balance: 300 }]]);
    const pooled = [send(A, B, 0), send(A, B, 1)];
    for (const tx of pooled) p.add(tx, before, 1);
    const elsewhere = send(A, C, 0, 195); // a rival of nonce 0, committed by another validator: 201 units
    const after = ledgerOf([[A, { balance: 99, nonce: 1 }]]);
    const dropped = p.prune([elsewhere], after, 2);
    expect(ids(dropped)).toEqual(ids(pooled));
    expect(p.size).toBe(0);
    expect(p.reservedBy(A.address)).toBe(0);
  });
});
