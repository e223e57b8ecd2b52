/**
 * The seed and the draw at their edges (src/core/seed.ts; docs/protocol.md, "The seed" and "The
 * draw"): epochs, a reveal that follows its onion, totals the draw refuses, tickets outside every
 * range, and the count and round limits of the validator lists.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex, nobleCrypto, type Crypto } from '../../src/core/crypto.js';
import { SEED_EPOCH_BLOCKS as L } from '../../src/core/params.js';
import { hashStep } from '../../src/core/onion.js';
import {
  checkReveal,
  drawInput,
  epochOf,
  genesisSeedState,
  holderOfTicket,
  roundAt,
  RoundDraw,
  ticketOf,
  Tickets,
  validatorsAt,
  type SeedState,
  type Stakers,
} from '../../src/core/seed.js';
import { codeOf, key } from './fixtures.js';

const [A, B] = [key(0).address, key(1).address] as [string, string];
const SEED = '5e'.repeat(32);
const STAKERS: Stakers = [
  [A, 3],
  [B, 5],
];
const STATE: SeedState = { ...genesisSeedState('d0'.repeat(32)), seed: SEED, stakers: STAKERS };

describe('epochs', () => {
  it('group the heights kL … kL+L−1', () => {
    expect([0, L - 1, L, 2 * L - 1, 2 * L].map(epochOf)).toEqual([0, 0, 1, 1, 2]);
  });
});

describe('a reveal on a known onion', () => {
  it('steps down the onion: the count grows by one, the roots stay, and it contributes to the mix', () => {
    const reveal = '71'.repeat(32);
    const onions = new Map([[A, { last: hashStep(reveal), count: 3, roots: 2 }]]);
    expect(checkReveal(onions, A, reveal)).toEqual({ entry: { last: reveal, count: 4, roots: 2 }, contributes: true });
    // another validator's onion does not count: A's reveal is checked against A's entry only
    expect(checkReveal(onions, B, reveal)).toEqual({ entry: { last: reveal, count: 0, roots: 1 }, contributes: false });
    expect(codeOf(() => checkReveal(onions, A, hashStep(reveal)))).toBe('BAD_REVEAL');
    expect(codeOf(() => checkReveal(onions, A, reveal.toUpperCase().replace(/1/g, 'F')))).toBe('BAD_REVEAL');
  });
});

describe('the draw', () => {
  it.each([0, -3, 1.5, NaN, 2 ** 53])('refuses a total stake of %s', (total) => {
    expect(() => new Tickets(SEED, 7, total).next()).toThrow(RangeError);
  });

  it('accepts a total of 1: every round draws ticket 0', () => {
    const tickets = new Tickets(SEED, 7, 1);
    expect([tickets.next(), tickets.next(), tickets.next()]).toEqual([0, 0, 0]);
  });

  it('skips a rejected draw: the round takes the draw of the next counter', () => {
    // a suite whose hash of counter 0 is 2^256 − 1, at or above the accept limit of a total of 3
    const counterOf = (input: Uint8Array) => new DataView(input.buffer, input.byteOffset, input.byteLength).getUint32(40, false);
    const rejectsFirst: Crypto = {
      ...nobleCrypto,
      sha256Bytes: (input) =>
        input.length === 44 && counterOf(input) === 0 ? new Uint8Array(32).fill(0xff) : nobleCrypto.sha256Bytes(input),
    };
    expect(ticketOf((1n << 256n) - 1n, 3n)).toBeUndefined();
    const second = BigInt('0x' + bytesToHex(nobleCrypto.sha256Bytes(drawInput(SEED, 7, 1))));
    expect(new Tickets(SEED, 7, 3, rejectsFirst).next()).toBe(Number(second % 3n));
  });

  it('has no holder for a ticket at or past the total', () => {
    expect(holderOfTicket(STAKERS, 7)).toBe(B);
    expect(() => holderOfTicket(STAKERS, 8)).toThrow(RangeError);
    expect(() => holderOfTicket([], 0)).toThrow(RangeError);
  });

  it('draws the fallback in every round while nobody stakes', () => {
    const none = validatorsAt({ ...STATE, stakers: [] }, 7, 'fallback', 5);
    expect(none).toEqual(['fallback', 'fallback', 'fallback', 'fallback', 'fallback']);
    expect(roundAt({ ...STATE, stakers: [[A, 0]] }, 7, 'fallback', 'fallback', 3)).toBe(0);
  });
});

describe('the validators of the next rounds', () => {
  const drawn = (n: number): string[] => {
    const draw = new RoundDraw(STATE, 9, 'fallback');
    return Array.from({ length: n }, (_, round) => draw.validatorOf(round));
  };

  it('lists exactly `count` rounds, none for a count of 0 or less', () => {
    expect(validatorsAt(STATE, 9, 'fallback', 6)).toEqual(drawn(6));
    expect(validatorsAt(STATE, 9, 'fallback', 1)).toEqual(drawn(1));
    expect(validatorsAt(STATE, 9, 'fallback', 0)).toEqual([]);
    expect(validatorsAt(STATE, 9, 'fallback', -1)).toEqual([]);
  });

  it('gives a validator its first round below the limit, and −1 at or past the limit', () => {
    const rounds = drawn(40);
    const firstB = rounds.indexOf(B);
    const firstA = rounds.indexOf(A);
    expect(firstA).toBeGreaterThanOrEqual(0);
    expect(firstB).toBeGreaterThanOrEqual(0);
    const later = Math.max(firstA, firstB);
    const who = rounds[later]!;
    expect(roundAt(STATE, 9, 'fallback', who, later + 1)).toBe(later);
    expect(roundAt(STATE, 9, 'fallback', who, later)).toBe(-1);
    expect(roundAt(STATE, 9, 'fallback', rounds[0]!, 0)).toBe(-1);
    expect(roundAt(STATE, 9, 'fallback', rounds[0]!, -2)).toBe(-1);
    expect(roundAt(STATE, 9, 'fallback', 'nobody', 40)).toBe(-1);
  });
});
