import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { codePoints, coinFee, debitOf, feeOf, messageCost } from '../../src/core/fees.js';
import type { TxBody } from '../../src/core/types.js';

const body = (over: Partial<TxBody>): TxBody => ({
  sender: 'a',
  receiver: 'b',
  type: 'coins',
  amount: 0,
  message: '',
  nonce: 0,
  ...over,
});

describe('coinFee: 3 %, rounded up to the unit', () => {
  it.each([
    [1, 1],
    [2, 1],
    [33, 1],
    [34, 2],
    [66, 2],
    [67, 3],
    [99, 3],
    [100, 3],
    [101, 4],
    [200, 6],
    [950, 29],
    [100_000, 3000],
  ])('coinFee(%i) = %i', (amount, fee) => {
    expect(coinFee(amount)).toBe(fee);
  });

  it('is exact for huge safe integers (compared with BigInt)', () => {
    for (const amount of [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 1, 2 ** 52 + 1, 3_002_399_751_580_331]) {
      const a = BigInt(amount);
      const expected = (a * 3n + 99n) / 100n;
      expect(BigInt(coinFee(amount))).toBe(expected);
      expect(Number.isSafeInteger(coinFee(amount))).toBe(true);
    }
  });

  it('equals ceil(3·amount/100) in exact arithmetic for every safe amount', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (amount) => BigInt(coinFee(amount)) === (BigInt(amount) * 3n + 99n) / 100n),
      { numRuns: 2000 },
    );
  });
});

describe('messageCost: 1 BCC per Unicode code point', () => {
  it.each([
    ['a', 1],
    ['hello', 5],
    ['é', 1],
    ['😀', 1],
    ['😀😀', 2],
    ['a😀b', 3],
    ['👍🏽', 2], // thumbs up + skin tone modifier: two code points
    ['e\u0301', 2], // e + combining acute: two code points
    ['你好', 2],
  ])('%j has %i code points', (message, chars) => {
    expect(codePoints(message)).toBe(chars);
    expect(messageCost(message)).toBe(chars * 100);
  });

  it('counts a code point, not UTF-16 units, for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => codePoints(s) === Array.from(s).length),
      { numRuns: 500 },
    );
  });
});

describe('feeOf and debitOf', () => {
  it('a coin transfer debits amount + fee and pays the fee', () => {
    const tx = body({ type: 'coins', amount: 950 });
    expect(feeOf(tx)).toBe(29);
    expect(debitOf(tx, 0)).toBe(979);
    expect(debitOf(tx, 5000)).toBe(979); // stake does not matter
  });

  it('a message debits and pays its full cost', () => {
    const tx = body({ type: 'message', receiver: 'b', amount: 0, message: 'hé😀' });
    expect(feeOf(tx)).toBe(300);
    expect(debitOf(tx, 0)).toBe(300);
  });

  it('a stake debits the change of stake and pays no fee', () => {
    const tx = body({ type: 'stake', receiver: '0', amount: 1000 });
    expect(feeOf(tx)).toBe(0);
    expect(debitOf(tx, 0)).toBe(1000);
    expect(debitOf(tx, 400)).toBe(600);
    expect(debitOf(tx, 1000)).toBe(0);
    expect(debitOf(tx, 2500)).toBe(-1500);
    expect(debitOf(body({ type: 'stake', receiver: '0', amount: 0 }), 700)).toBe(-700);
  });
});
