import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ProtocolError } from '../../src/core/errors.js';
import { totalSupply } from '../../src/core/params.js';
import {
  accountOf,
  applyTransactions,
  checkTxAgainst,
  EMPTY_ACCOUNT,
  genesisLedger,
  stakersOf,
  supplyOf,
  type Ledger,
} from '../../src/core/state.js';
import { signTransaction, verifyTransaction } from '../../src/core/transaction.js';
import type { Account, Transaction, TxType } from '../../src/core/types.js';
import { codeOf, KEYS, key } from './fixtures.js';

const DOMAIN = 'd'.repeat(64);
const A = key(0);
const B = key(1);
const C = key(2);
const V = key(3); // the validator
const SUPPLY = totalSupply(4);

function ledgerOf(entries: Array<[string, Partial<Account>]>): Ledger {
  return new Map(entries.map(([a, acc]) => [a, { ...EMPTY_ACCOUNT, ...acc }]));
}
const send = (from = A, to = B, amount = 100, nonce = 0): Transaction =>
  signTransaction(DOMAIN, from.secret, { receiver: to.address, type: 'coins', amount, message: '', nonce });
const stake = (from = A, amount = 1000, nonce = 0): Transaction =>
  signTransaction(DOMAIN, from.secret, { receiver: '0', type: 'stake', amount, message: '', nonce });
const msg = (from = A, to = B, message = 'hi', nonce = 0): Transaction =>
  signTransaction(DOMAIN, from.secret, { receiver: to.address, type: 'message', amount: 0, message, nonce });

function snapshot(ledger: Ledger): Array<[string, Account]> {
  return [...ledger.entries()].map(([a, acc]) => [a, { ...acc }]);
}

describe('genesis ledger and helpers', () => {
  it('gives the bootstrap the whole supply', () => {
    const l = genesisLedger(A.address, SUPPLY);
    expect(accountOf(l, A.address)).toEqual({ balance: 400_000, stake: 0, nonce: 0 });
    expect(accountOf(l, B.address)).toEqual(EMPTY_ACCOUNT);
    expect(supplyOf(l)).toBe(SUPPLY);
  });

  it('stakersOf lists positive stakes by address ascending, never "0"', () => {
    const l = ledgerOf([
      [KEYS[3]!.address, { stake: 5 }],
      [KEYS[0]!.address, { stake: 7 }],
      [KEYS[1]!.address, { stake: 0, balance: 10 }],
      [KEYS[2]!.address, { stake: 1 }],
      ['0', { stake: 99 }],
    ]);
    const stakers = stakersOf(l);
    const addresses = stakers.map(([a]) => a);
    expect(addresses).toEqual([...addresses].sort());
    expect(stakers).toEqual(
      [
        [KEYS[0]!.address, 7],
        [KEYS[2]!.address, 1],
        [KEYS[3]!.address, 5],
      ].sort((x, y) => (String(x[0]) < String(y[0]) ? -1 : 1)),
    );
  });
});

describe('stakersOf orders by address whatever the ledger order', () => {
  it('sorts any insertion order ascending', () => {
    const addresses = [...KEYS.map((k) => k.address), 'a'.repeat(66), 'b'.repeat(66), 'f'.repeat(66)];
    fc.assert(
      fc.property(fc.shuffledSubarray(addresses, { minLength: 2 }), (order) => {
        const l = ledgerOf(order.map((a, i) => [a, { stake: i + 1 }]));
        expect(stakersOf(l).map(([a]) => a)).toEqual([...order].sort());
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});

describe('checkTxAgainst', () => {
  const l = ledgerOf([[A.address, { balance: 1000, stake: 500, nonce: 2 }]]);

  it('accepts the next nonce with enough funds', () => {
    expect(() => checkTxAgainst(l, send(A, B, 100, 2))).not.toThrow();
  });

  it('NONCE_USED for a replayed nonce', () => {
    expect(codeOf(() => checkTxAgainst(l, send(A, B, 100, 1)))).toBe('NONCE_USED');
    expect(codeOf(() => checkTxAgainst(l, send(A, B, 100, 0)))).toBe('NONCE_USED');
  });

  it('NONCE_AHEAD for a nonce beyond the next one', () => {
    expect(codeOf(() => checkTxAgainst(l, send(A, B, 100, 3)))).toBe('NONCE_AHEAD');
  });

  it('INSUFFICIENT_FUNDS counts the fee and not the stake', () => {
    // 970 + fee 30 = 1000: exactly the available balance
    expect(() => checkTxAgainst(l, send(A, B, 970, 2))).not.toThrow();
    // 971 + 30 = 1001 > 1000, although balance + stake = 1500
    expect(codeOf(() => checkTxAgainst(l, send(A, B, 971, 2)))).toBe('INSUFFICIENT_FUNDS');
    expect(codeOf(() => checkTxAgainst(l, msg(A, B, 'x'.repeat(11), 2)))).toBe('INSUFFICIENT_FUNDS');
    expect(() => checkTxAgainst(l, msg(A, B, 'x'.repeat(10), 2))).not.toThrow();
  });

  it('a stake may raise the stake by at most the available balance, and lower it freely', () => {
    expect(() => checkTxAgainst(l, stake(A, 1500, 2))).not.toThrow();
    expect(codeOf(() => checkTxAgainst(l, stake(A, 1501, 2)))).toBe('INSUFFICIENT_FUNDS');
    expect(() => checkTxAgainst(l, stake(A, 0, 2))).not.toThrow();
  });

  it('an unknown sender has nonce 0 and nothing to spend', () => {
    expect(codeOf(() => checkTxAgainst(l, send(B, A, 1, 0)))).toBe('INSUFFICIENT_FUNDS');
    expect(codeOf(() => checkTxAgainst(l, send(B, A, 1, 1)))).toBe('NONCE_AHEAD');
  });
});

describe('applyTransactions', () => {
  const start = ledgerOf([
    [A.address, { balance: 10_000 }],
    [B.address, { balance: 500 }],
  ]);

  it('moves coins, charges the fee, bumps the nonce and credits the fee to the validator', () => {
    const l = applyTransactions(start, [send(A, B, 950, 0)], V.address);
    expect(accountOf(l, A.address)).toEqual({ balance: 10_000 - 950 - 29, stake: 0, nonce: 1 });
    expect(accountOf(l, B.address)).toEqual({ balance: 500 + 950, stake: 0, nonce: 0 });
    expect(accountOf(l, V.address)).toEqual({ balance: 29, stake: 0, nonce: 0 });
    expect(supplyOf(l)).toBe(supplyOf(start));
  });

  it('credits the full cost of a message to the validator and nothing to the receiver', () => {
    const l = applyTransactions(start, [msg(A, B, 'héllo 😀', 0)], V.address);
    expect(accountOf(l, A.address).balance).toBe(10_000 - 700);
    expect(accountOf(l, B.address).balance).toBe(500);
    expect(accountOf(l, V.address).balance).toBe(700);
  });

  it('sums every fee of the block for the validator, credited after the transactions', () => {
    const txs = [send(A, B, 100, 0), msg(A, C, 'abc', 1), send(B, C, 34, 0)];
    const l = applyTransactions(start, txs, V.address);
    expect(accountOf(l, V.address).balance).toBe(3 + 300 + 2);
    expect(accountOf(l, C.address).balance).toBe(34);
    expect(supplyOf(l)).toBe(supplyOf(start));
  });

  it('a validator that is also a sender gets its fees after paying', () => {
    const l = applyTransactions(start, [send(A, B, 100, 0)], A.address);
    expect(accountOf(l, A.address).balance).toBe(10_000 - 100 - 3 + 3);
  });

  it('stake moves between balance and stake, and 0 withdraws it', () => {
    const l1 = applyTransactions(start, [stake(A, 1000, 0)], V.address);
    expect(accountOf(l1, A.address)).toEqual({ balance: 9000, stake: 1000, nonce: 1 });
    expect(accountOf(l1, V.address)).toEqual(EMPTY_ACCOUNT); // no fee
    expect(l1.has(V.address)).toBe(false);
    const l2 = applyTransactions(l1, [stake(A, 400, 1)], V.address);
    expect(accountOf(l2, A.address)).toEqual({ balance: 9600, stake: 400, nonce: 2 });
    const l3 = applyTransactions(l2, [stake(A, 0, 2)], V.address);
    expect(accountOf(l3, A.address)).toEqual({ balance: 10_000, stake: 0, nonce: 3 });
    expect(supplyOf(l3)).toBe(supplyOf(start));
  });

  it('staked coins cannot be spent', () => {
    const l = applyTransactions(start, [stake(A, 9_900, 0)], V.address);
    expect(codeOf(() => applyTransactions(l, [send(A, B, 98, 1)], V.address))).toBe('INSUFFICIENT_FUNDS');
    expect(() => applyTransactions(l, [send(A, B, 97, 1)], V.address)).not.toThrow(); // 97 + 3 = 100
  });

  it('applies in order: a transfer funds a later spend in the same batch', () => {
    const txs = [send(A, C, 1000, 0), send(C, B, 500, 0)];
    const l = applyTransactions(start, txs, V.address);
    expect(accountOf(l, C.address).balance).toBe(1000 - 500 - 15);
    expect(codeOf(() => applyTransactions(start, [txs[1]!, txs[0]!], V.address))).toBe('INSUFFICIENT_FUNDS');
  });

  it('a replay within the batch is NONCE_USED', () => {
    const tx = send(A, B, 100, 0);
    expect(codeOf(() => applyTransactions(start, [tx, tx], V.address))).toBe('NONCE_USED');
  });

  it('never mutates its input ledger, on success or failure', () => {
    const before = snapshot(start);
    applyTransactions(start, [send(A, B, 100, 0), stake(A, 500, 1)], V.address);
    expect(snapshot(start)).toEqual(before);
    expect(() => applyTransactions(start, [send(A, B, 100, 0), send(B, A, 10_000, 0)], V.address)).toThrow(ProtocolError);
    expect(snapshot(start)).toEqual(before);
  });
});

describe('supply is conserved under random transaction sequences', () => {
  // Signing is slow, so sign a fixed pool of candidate transactions once and draw from it.
  const keys = KEYS.slice(0, 4);
  const initial = ledgerOf([
    [keys[0]!.address, { balance: 2_000 }],
    [keys[1]!.address, { balance: 1_000, stake: 300 }],
    [keys[2]!.address, { balance: 50 }],
  ]);
  const supply = supplyOf(initial);
  const candidates: Transaction[] = [];
  const types: TxType[] = ['coins', 'message', 'stake'];
  for (let s = 0; s < keys.length; s++) {
    for (let nonce = 0; nonce < 4; nonce++) {
      for (const type of types) {
        for (const amount of type === 'message' ? [0] : [0, 1, 33, 400, 1_900]) {
          if (type === 'coins' && amount === 0) continue;
          const r = (s + 1 + nonce + amount) % keys.length;
          const receiver = type === 'stake' ? '0' : keys[r === s ? (r + 1) % keys.length : r]!.address;
          const message = type === 'message' ? [...'é😀x'].slice(0, 1 + (nonce % 3)).join('') : ''; // 1 to 3 code points
          candidates.push(signTransaction(DOMAIN, keys[s]!.secret, { receiver, type, amount, message, nonce }));
        }
      }
    }
  }

  it('every candidate is well signed', () => {
    for (const tx of candidates) verifyTransaction(DOMAIN, tx);
    expect(candidates.length).toBeGreaterThan(100);
  });

  it('applying only the transactions that pass keeps supplyOf equal to the initial supply', () => {
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: candidates.length - 1 }), { minLength: 1, maxLength: 25 }),
        fc.nat({ max: keys.length - 1 }),
        (picks, v) => {
          let ledger = initial;
          const validator = keys[v]!.address;
          for (const i of picks) {
            const tx = candidates[i]!;
            let ok = true;
            try {
              checkTxAgainst(ledger, tx);
            } catch (err) {
              expect(err).toBeInstanceOf(ProtocolError);
              ok = false;
            }
            if (ok) {
              const before = snapshot(ledger);
              const next = applyTransactions(ledger, [tx], validator);
              expect(snapshot(ledger)).toEqual(before);
              ledger = next;
              accepted++;
            } else {
              expect(() => applyTransactions(ledger, [tx], validator)).toThrow(ProtocolError);
              rejected++;
            }
            expect(supplyOf(ledger)).toBe(supply);
            for (const acc of ledger.values()) {
              expect(acc.balance).toBeGreaterThanOrEqual(0);
              expect(acc.stake).toBeGreaterThanOrEqual(0);
            }
          }
        },
      ),
      { numRuns: 200, seed: 20240521 },
    );
    // the generator must exercise both branches for the property to mean something
    expect(accepted).toBeGreaterThan(50);
    expect(rejected).toBeGreaterThan(50);
  });
});
