/**
 * The tickets of a draw computed without BigInt (src/core/seed.ts, Tickets): the same tickets as
 * docs/protocol.md's rule — x = SHA-256(seed ‖ height ‖ c) as a big-endian integer, rejected at or
 * above the accept limit, else x mod T — on the edges of the shortcut: totals on either side of
 * the Number reduction's bound, and draws whose first 32 bits are all set (the only ones that can
 * be rejected), accepted or not.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex, nobleCrypto, type Crypto } from '../../src/core/crypto.js';
import { acceptLimit, drawInput, RoundDraw, Tickets } from '../../src/core/seed.js';

const SEED = '3c'.repeat(32);
const HEIGHT = 41;

/** A suite whose hash of counter c is `draws[c]` (32 bytes) while there is one, SHA-256 after. */
function scripted(draws: readonly Uint8Array[]): Crypto {
  return {
    ...nobleCrypto,
    sha256Bytes: (input) => {
      const c = new DataView(input.buffer, input.byteOffset, input.byteLength).getUint32(40, false);
      return input.length === 44 && c < draws.length ? draws[c]! : nobleCrypto.sha256Bytes(input);
    },
  };
}

/** The rule with BigInt, on what `crypto` hashes. */
function referenceTickets(total: number, count: number, crypto: Crypto = nobleCrypto): number[] {
  const T = BigInt(total);
  const out: number[] = [];
  for (let c = 0; out.length < count; c++) {
    const x = BigInt('0x' + bytesToHex(crypto.sha256Bytes(drawInput(SEED, HEIGHT, c))));
    if (x < acceptLimit(T)) out.push(Number(x % T));
  }
  return out;
}

function firstTickets(total: number, count: number, crypto: Crypto = nobleCrypto): number[] {
  const tickets = new Tickets(SEED, HEIGHT, total, crypto);
  return Array.from({ length: count }, () => tickets.next());
}

/** 32 bytes: `head` then `fill`. */
function bytes(head: readonly number[], fill: number): Uint8Array {
  const out = new Uint8Array(32).fill(fill);
  out.set(head, 0);
  return out;
}

describe('the tickets of a draw', () => {
  it('are those of the rule for totals around 2^37, where the reduction leaves Numbers for BigInt', () => {
    const totals = [2 ** 37 - 1, 2 ** 37, 2 ** 37 + 1, 2 ** 40 + 3, 999_999_999_989];
    for (const total of totals) expect(firstTickets(total, 12)).toEqual(referenceTickets(total, 12));
  });

  it('are those of the rule for draws with the first 32 bits set, accepted or rejected', () => {
    const draws = [
      bytes([0xff, 0xff, 0xff, 0xff], 0x00), // top bits set, far below the limit: accepted
      new Uint8Array(32).fill(0xff), // 2^256 − 1: rejected for every total that does not divide 2^256
      bytes([0xff, 0xff, 0xff, 0xfe], 0xff), // one bit short of the shortcut's test: accepted
      bytes([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 0x7b),
    ];
    const crypto = scripted(draws);
    for (const total of [3, 1000, 2 ** 37 + 1, 2 ** 53 - 1]) {
      const want = referenceTickets(total, 5, crypto);
      expect(firstTickets(total, 5, crypto)).toEqual(want);
    }
  });

  it('name the same validators through RoundDraw as through the holder of each ticket', () => {
    const stakers = [
      ['02' + 'aa'.repeat(32), 2 ** 36],
      ['02' + 'bb'.repeat(32), 2 ** 36 + 7],
    ] as const;
    const total = 2 ** 37 + 7;
    const state = { mix: SEED, seed: SEED, stakers, nextStakers: [], onions: new Map() };
    const draw = new RoundDraw(state, HEIGHT, 'fallback');
    const want = referenceTickets(total, 16).map((t) => (t < 2 ** 36 ? stakers[0][0] : stakers[1][0]));
    expect(Array.from({ length: 16 }, (_, r) => draw.validatorOf(r))).toEqual(want);
  });
});
