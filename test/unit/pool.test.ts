import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/core/errors.js';
import { DEFAULT_POOL_LIMITS, TxPool, type PoolLimits } from '../../src/core/pool.js';
import { EMPTY_ACCOUNT, accountOf, applyTxToDraft, type Ledger } from '../../src/core/state.js';
import { signTransaction } from '../../src/core/transaction.js';
import type { Account, Transaction } from '../../src/core/types.js';
import { codeOf, key, type KeyPair } from './fixtures.js';

const DOMAIN = 'c'.repeat(64);
const A = key(0);
const B = key(1);
const C = key(2);
const D = key(3);

const send = (from: KeyPair, to: KeyPair, nonce: number, amount = 100): Transaction =>
  signTransaction(DOMAIN, from.secret, { receiver: to.address, type: 'coins', amount, message: '', nonce });

function ledgerOf(entries: Array<[KeyPair, Partial<Account>]>): Ledger {
  return new Map(entries.map(([k, acc]) => [k.address, { ...EMPTY_ACCOUNT, ...acc }]));
}
const rich = ledgerOf([
  [A, { balance: 100_000 }],
  [B, { balance: 100_000 }],
  [C, { balance: 100_000 }],
]);
const ids = (txs: readonly Transaction[]): string[] => txs.map((t) => t.id);
const pool = (limits: Partial<PoolLimits> = {}): TxPool => new TxPool({ ...DEFAULT_POOL_LIMITS, ...limits });

describe('TxPool', () => {
  it('orders a sender’s transactions by nonce, whatever their arrival order', () => {
    const p = pool();
    const [t0, t1, t2] = [send(A, B, 0), send(A, B, 1), send(A, B, 2)];
    p.add(t2, rich, 0);
    p.add(t0, rich, 0);
    p.add(t1, rich, 0);
    expect(p.size).toBe(3);
    expect(ids(p.select(rich, 10))).toEqual(ids([t0, t1, t2]));
    expect(ids(p.pendingOf(rich, A.address))).toEqual(ids([t0, t1, t2]));
  });

  it('holds a nonce-ahead transaction until the gap fills', () => {
    const p = pool();
    const t1 = send(A, B, 1);
    const t0 = send(A, B, 0);
    p.add(t1, rich, 0);
    expect(p.select(rich, 10)).toEqual([]);
    expect(p.pendingOf(rich, A.address)).toEqual([]);
    expect(p.has(t1.id)).toBe(true);
    p.add(t0, rich, 0);
    expect(ids(p.select(rich, 10))).toEqual(ids([t0, t1]));
  });

  it('select returns at most max executable transactions, in arrival order across senders', () => {
    const p = pool();
    const a0 = send(A, D, 0);
    const b0 = send(B, D, 0);
    const a1 = send(A, D, 1);
    const c0 = send(C, D, 0);
    const b2 = send(B, D, 2); // not executable: B's nonce 1 is missing
    for (const t of [a0, b0, a1, b2, c0]) p.add(t, rich, 0);
    expect(ids(p.select(rich, 3))).toEqual(ids([a0, b0, a1]));
    expect(ids(p.select(rich, 10))).toEqual(ids([a0, b0, a1, c0]));
    expect(p.select(rich, 0)).toEqual([]);
  });

  it('select does not change the pool or the ledger', () => {
    const p = pool();
    const a0 = send(A, B, 0);
    p.add(a0, rich, 0);
    const before = JSON.stringify([...rich]);
    p.select(rich, 5);
    expect(JSON.stringify([...rich])).toBe(before);
    expect(p.size).toBe(1);
    expect(ids(p.select(rich, 5))).toEqual([a0.id]);
  });

  it('passes over a sender that cannot pay, and keeps its transaction', () => {
    const ledger = ledgerOf([
      [A, { balance: 100_000 }],
      [B, { balance: 50 }],
    ]);
    const p = pool();
    const b0 = send(B, C, 0, 100); // costs 103 > 50
    const a0 = send(A, C, 0);
    const a1 = send(A, C, 1);
    // (pooled while B was rich; its funds went elsewhere since)
    p.add(b0, rich, 0);
    p.add(a0, ledger, 0);
    p.add(a1, ledger, 0);
    expect(ids(p.select(ledger, 10))).toEqual(ids([a0, a1]));
    expect(p.has(b0.id)).toBe(true);
  });

  it('checks funds on the state the previous picks leave', () => {
    const ledger = ledgerOf([[A, { balance: 206 }]]);
    const p = pool();
    const a0 = send(A, B, 0, 100); // 103
    const a1 = send(A, B, 1, 100); // 103: exactly what is left
    const a2 = send(A, B, 2, 1); // nothing left
    for (const t of [a0, a1, a2]) p.add(t, rich, 0);
    expect(ids(p.select(ledger, 10))).toEqual(ids([a0, a1]));
  });

  it('rejects a duplicate id or a second transaction for the same sender and nonce (DUPLICATE)', () => {
    const p = pool();
    const a0 = send(A, B, 0, 100);
    p.add(a0, rich, 0);
    expect(codeOf(() => p.add(a0, rich, 0))).toBe('DUPLICATE');
    expect(codeOf(() => p.add(send(A, C, 0, 100), rich, 0))).toBe('DUPLICATE');
    expect(p.size).toBe(1);
  });

  it('rejects a stale nonce (NONCE_USED) and one too far ahead (NONCE_AHEAD)', () => {
    const ledger = ledgerOf([[A, { balance: 100_000, nonce: 2 }]]);
    const p = pool({ maxNonceAhead: 3 });
    expect(codeOf(() => p.add(send(A, B, 1), ledger, 0))).toBe('NONCE_USED');
    expect(codeOf(() => p.add(send(A, B, 6), ledger, 0))).toBe('NONCE_AHEAD');
    expect(() => p.add(send(A, B, 5), ledger, 0)).not.toThrow();
    expect(p.size).toBe(1);
  });

  it('POOL_FULL with a tiny limit', () => {
    const p = pool({ maxSize: 2 });
    p.add(send(A, B, 0), rich, 0);
    p.add(send(B, A, 0), rich, 0);
    expect(codeOf(() => p.add(send(C, A, 0), rich, 0))).toBe('POOL_FULL');
    expect(p.size).toBe(2);
  });

  it('nextNonce counts the committed and the consecutive pending transactions', () => {
    const ledger = ledgerOf([[A, { balance: 100_000, nonce: 2 }]]);
    const p = pool();
    expect(p.nextNonce(ledger, A.address)).toBe(2);
    expect(p.nextNonce(ledger, D.address)).toBe(0);
    p.add(send(A, B, 2), ledger, 0);
    p.add(send(A, B, 3), ledger, 0);
    expect(p.nextNonce(ledger, A.address)).toBe(4);
    p.add(send(A, B, 5), ledger, 0);
    expect(p.nextNonce(ledger, A.address)).toBe(4); // the gap at 4 comes first
  });

  it('prune drops the included and the stale transactions, and returns only the stale ones', () => {
    const p = pool();
    const a0 = send(A, B, 0);
    const a1 = send(A, B, 1);
    const b0 = send(B, A, 0, 100);
    const b0other = send(B, C, 0, 200); // the same nonce, committed from elsewhere
    const c0 = send(C, A, 0);
    for (const t of [a0, a1, b0, c0]) p.add(t, rich, 0);
    const after = ledgerOf([
      [A, { balance: 99_897, nonce: 1 }],
      [B, { balance: 99_794, nonce: 1 }],
      [C, { balance: 100_000 }],
    ]);
    const dropped = p.prune([a0, b0other], after, 1);
    expect(ids(dropped)).toEqual([b0.id]);
    expect(p.has(a0.id)).toBe(false);
    expect(p.has(b0.id)).toBe(false);
    expect(p.has(a1.id)).toBe(true);
    expect(p.has(c0.id)).toBe(true);
    expect(p.size).toBe(2);
    expect(ids(p.select(after, 10))).toEqual(ids([a1, c0]));
    // the sender and nonce are free again for the pool (no ghost entry)
    expect(p.nextNonce(after, B.address)).toBe(1);
  });

  it('prune eventually drops a transaction that waited too long without becoming executable', () => {
    const p = pool({ maxAgeBlocks: 10 });
    const waiting = send(A, B, 5); // nonce gap that never fills
    p.add(waiting, rich, 1);
    const dropped = p.prune([], rich, 64);
    expect(ids(dropped)).toEqual([waiting.id]);
    expect(p.size).toBe(0);
  });

  it('never evicts a contiguous run from the committed nonce, however long it waits', () => {
    const p = pool({ maxAgeBlocks: 10 });
    const run = [send(A, B, 0), send(A, B, 1), send(A, B, 2)];
    for (const tx of run) p.add(tx, rich, 1);
    const stranded = send(A, B, 4); // behind a gap at nonce 3
    p.add(stranded, rich, 1);
    expect(p.hasGap(rich)).toBe(false); // A's next nonce (0) is here
    const dropped = p.prune([], rich, 640);
    expect(ids(dropped)).toEqual([stranded.id]);
    expect(ids(p.pendingOf(rich, A.address))).toEqual(ids(run));
    const b1 = send(B, A, 1);
    p.add(b1, rich, 600);
    expect(p.hasGap(rich)).toBe(true); // B's nonce 0 is missing
  });

  it('drops a sender whose next transaction has long been unaffordable, but not one merely waiting', () => {
    const p = pool({ maxAgeBlocks: 10 });
    const poor = ledgerOf([
      [A, { balance: 50 }],
      [B, { balance: 100_000 }],
    ]);
    const unaffordable = [send(A, B, 0, 1_000), send(A, B, 1, 1)];
    const waiting = [send(B, A, 0), send(B, A, 1)];
    for (const tx of [...unaffordable, ...waiting]) p.add(tx, rich, 1);
    expect(ids(p.prune([], poor, 64))).toEqual(ids(unaffordable));
    expect(ids(p.pendingOf(poor, B.address))).toEqual(ids(waiting));
  });

  it('remove, has and all', () => {
    const p = pool();
    const a0 = send(A, B, 0);
    const b0 = send(B, A, 0);
    p.add(a0, rich, 0);
    p.add(b0, rich, 0);
    expect(ids(p.all())).toEqual(ids([a0, b0]));
    p.remove(a0.id);
    p.remove('nope');
    expect(p.has(a0.id)).toBe(false);
    expect(ids(p.all())).toEqual([b0.id]);
    expect(() => p.add(a0, rich, 0)).not.toThrow(); // can come back after removal
  });
});

describe('TxPool lookups and pruning edges', () => {
  it('get returns a pending transaction by id, and nothing for an unknown id', () => {
    const p = pool();
    const a0 = send(A, B, 0);
    p.add(a0, rich, 0);
    expect(p.get(a0.id)).toBe(a0);
    expect(p.get(send(A, B, 1).id)).toBeUndefined();
  });

  it('pendingOf is empty for a sender with nothing pending', () => {
    const p = pool();
    p.add(send(A, B, 0), rich, 0);
    expect(p.pendingOf(rich, B.address)).toEqual([]);
  });

  it('removing the last transaction of a sender leaves no gap behind', () => {
    const p = pool();
    const a0 = send(A, B, 0);
    p.add(a0, rich, 0);
    p.remove(a0.id);
    expect(p.hasGap(rich)).toBe(false);
    expect(p.select(rich, 10)).toEqual([]);
  });

  it('prune accepts a block of transactions the pool never saw', () => {
    const p = pool();
    const a0 = send(A, B, 0);
    p.add(a0, rich, 0);
    const after = ledgerOf([[C, { balance: 99_897, nonce: 1 }]]);
    expect(p.prune([send(C, B, 0)], after, 1)).toEqual([]);
    expect(p.has(a0.id)).toBe(true);
  });

  it('prune looks for stranded transactions only every 64 blocks', () => {
    const p = pool({ maxAgeBlocks: 10 });
    const waiting = send(A, B, 5);
    p.add(waiting, rich, 1);
    expect(p.prune([], rich, 65)).toEqual([]);
    expect(p.has(waiting.id)).toBe(true);
    expect(ids(p.prune([], rich, 128))).toEqual([waiting.id]);
  });

  it('drops stranded transactions once the oldest of them has waited more than maxAgeBlocks', () => {
    const p = pool({ maxAgeBlocks: 10 });
    const old = send(A, B, 2); // behind a gap at nonce 0
    const recent = send(A, B, 3);
    p.add(old, rich, 5);
    p.add(recent, rich, 14);
    expect(p.evictStranded(rich, 15)).toEqual([]); // the oldest has waited exactly 10 blocks
    expect(p.size).toBe(2);
    expect(ids(p.evictStranded(rich, 16))).toEqual(ids([old, recent]));
    expect(p.size).toBe(0);
  });

  it('drops a sender whose unaffordable next transaction has waited more than maxAgeBlocks, not before', () => {
    const poor = ledgerOf([[A, { balance: 50 }]]);
    const p = pool({ maxAgeBlocks: 10 });
    const head = send(A, B, 0, 1_000);
    p.add(head, rich, 5);
    expect(p.evictStranded(poor, 6)).toEqual([]);
    expect(p.evictStranded(poor, 15)).toEqual([]);
    expect(ids(p.evictStranded(poor, 16))).toEqual([head.id]);
  });

  it('drops stranded transactions once they have waited more than maxAgeMs, when no block comes at all', () => {
    let clock = 1_000_000;
    const p = new TxPool({ ...DEFAULT_POOL_LIMITS, maxAgeMs: 60_000 }, () => clock);
    const old = send(A, B, 2); // behind a gap at nonce 0
    p.add(old, rich, 5);
    clock += 30_000;
    const recent = send(A, B, 3);
    p.add(recent, rich, 5);
    clock += 30_000;
    expect(p.evictStranded(rich, 5)).toEqual([]); // the oldest has waited exactly 60 s, and no block
    clock += 1;
    expect(ids(p.evictStranded(rich, 5))).toEqual(ids([old, recent]));
    expect(p.size).toBe(0);
  });

  it('drops a sender whose unaffordable next transaction has waited more than maxAgeMs, with no block', () => {
    let clock = 0;
    const poor = ledgerOf([[A, { balance: 50 }]]);
    const p = new TxPool({ ...DEFAULT_POOL_LIMITS, maxAgeMs: 60_000 }, () => clock);
    const head = send(A, B, 0, 1_000);
    p.add(head, rich, 5);
    clock = 60_000;
    expect(p.evictStranded(poor, 5)).toEqual([]);
    clock = 60_001;
    expect(ids(p.evictStranded(poor, 5))).toEqual([head.id]);
  });

  it('never drops an executable run from the committed nonce for its age in time alone', () => {
    let clock = 0;
    const p = new TxPool({ ...DEFAULT_POOL_LIMITS, maxAgeMs: 60_000 }, () => clock);
    p.add(send(A, B, 0), rich, 5);
    p.add(send(A, B, 1), rich, 5);
    clock = 10 * 60_000;
    expect(p.evictStranded(rich, 5)).toEqual([]);
    expect(p.size).toBe(2);
  });
});

describe('TxPool.select against its definition', () => {
  // The definition, step by step: among the senders not passed over, the transaction that
  // arrived first of those whose nonce is the sender's next on the draft state; a sender whose
  // next transaction cannot be paid for is passed over for the rest of the block.
  function reference(arrivals: readonly Transaction[], ledger: Ledger, max: number): Transaction[] {
    const draft = new Map(ledger);
    const picked: Transaction[] = [];
    const blocked = new Set<string>();
    while (picked.length < max) {
      const next = arrivals.find((tx) => !blocked.has(tx.sender) && !picked.includes(tx) && tx.nonce === accountOf(draft, tx.sender).nonce);
      if (!next) break;
      try {
        applyTxToDraft(draft, next);
        picked.push(next);
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw err;
        blocked.add(next.sender);
      }
    }
    return picked;
  }

  const senders = [A, B, C, D];
  const amounts = [100, 20_000, 70_000];
  // signed once: [sender][nonce][amount choice]
  const signed = senders.map((from, i) =>
    [0, 1, 2, 3, 4].map((nonce) => amounts.map((amount) => send(from, senders[(i + 1) % 4]!, nonce, amount))),
  );

  it('picks what the definition picks, on random pools, balances and block sizes', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.nat(3), fc.nat(4), fc.nat(2)), { selector: ([s, n]) => `${s}/${n}`, maxLength: 20 }),
        fc.array(fc.nat(150_000), { minLength: 4, maxLength: 4 }),
        fc.array(fc.nat(2), { minLength: 4, maxLength: 4 }),
        fc.integer({ min: 0, max: 25 }),
        (choices, balances, nonces, max) => {
          const ledger = ledgerOf(senders.map((k, i) => [k, { balance: balances[i]!, nonce: nonces[i]! }]));
          const p = pool();
          const arrivals: Transaction[] = [];
          for (const [s, n, a] of choices) {
            const tx = signed[s]![n]![a]!;
            try {
              p.add(tx, ledger, 0);
              arrivals.push(tx);
            } catch (err) {
              if (!(err instanceof ProtocolError)) throw err; // a used nonce: refused, as it should be
            }
          }
          expect(ids(p.select(ledger, max))).toEqual(ids(reference(arrivals, ledger, max)));
        },
      ),
      { numRuns: 500 },
    );
  });
});
