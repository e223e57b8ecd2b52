import { describe, expect, it } from 'vitest';
import { bytesToHex, nobleCrypto, type Crypto } from '../../src/core/crypto.js';
import { MAX_ROUNDS } from '../../src/core/params.js';
import { firstAllowedRound, firstAllowedRoundOf, NO_PROPOSAL } from '../../src/core/proposal-record.js';
import { acceptLimit, drawInput, RoundDraw, Tickets, validatorsAt, type SeedState } from '../../src/core/seed.js';
import { applyBlockV2, roundDrawV2, validatorsOfRoundsV2 } from '../../src/core/consensus.js';
import { blockOn, KEYS4, PARAMS, stakedChain } from './v2-fixtures.js';

const ADDR = KEYS4.map((k) => k.address);
/** Four stakers, the first with most of the stake: the others win a round rarely. */
const STATE: SeedState = {
  mix: 'ab'.repeat(32),
  seed: 'cd'.repeat(32),
  stakers: ADDR.map((a, i) => [a, i === 0 ? 97 : 1] as const).sort((x, y) => (x[0] < y[0] ? -1 : 1)),
  nextStakers: [],
  onions: new Map(),
};
const HEIGHT = 70;

/** The reference suite, counting the SHA-256 calls of the draw (one per counter tried). */
function countingCrypto(): { crypto: Crypto; hashes: () => number } {
  let n = 0;
  const crypto: Crypto = {
    ...nobleCrypto,
    sha256Bytes: (data) => {
      n++;
      return nobleCrypto.sha256Bytes(data);
    },
  };
  return { crypto, hashes: () => n };
}

describe('RoundDraw: the validators of a height drawn as they are asked for', () => {
  it('names the validator validatorsAt names for every round', () => {
    const all = validatorsAt(STATE, HEIGHT, 'bootstrap', MAX_ROUNDS);
    const draw = new RoundDraw(STATE, HEIGHT, 'bootstrap');
    expect(all).toHaveLength(MAX_ROUNDS);
    // asked out of order: later rounds first, then the earlier ones again
    for (const r of [5, 63, 0, 17, 5]) expect(draw.validatorOf(r)).toBe(all[r]);
    expect(Array.from({ length: MAX_ROUNDS }, (_, r) => draw.validatorOf(r))).toEqual(all);
  });

  it('draws nothing until asked, then only up to the round asked for, each round once', () => {
    const { crypto, hashes } = countingCrypto();
    const draw = new RoundDraw(STATE, HEIGHT, 'bootstrap', crypto);
    expect(draw.drawnRounds).toBe(0);
    expect(hashes()).toBe(0);
    draw.validatorOf(2);
    expect(draw.drawnRounds).toBe(3);
    const afterThree = hashes();
    expect(afterThree).toBeGreaterThanOrEqual(3); // a counter per round, more when one is rejected
    draw.validatorOf(0);
    draw.validatorOf(2);
    expect(hashes()).toBe(afterThree);
  });

  it("a validator's first allowed round draws the rounds up to it and no further", () => {
    const all = validatorsAt(STATE, HEIGHT, 'bootstrap', MAX_ROUNDS);
    const first = all[0]!;
    const draw = new RoundDraw(STATE, HEIGHT, 'bootstrap');
    const mine = firstAllowedRoundOf(NO_PROPOSAL, HEIGHT, (r) => draw.validatorOf(r), MAX_ROUNDS, first);
    expect(mine).toBe(0);
    expect(draw.drawnRounds).toBe(1);
    // a record that forbids the early rounds at this height: the search goes on to a later one
    const rec = { height: HEIGHT, round: 3, floor: 0 };
    const later = firstAllowedRoundOf(rec, HEIGHT, (r) => draw.validatorOf(r), MAX_ROUNDS, first);
    expect(later).toBe(firstAllowedRound(rec, HEIGHT, all, first));
    expect(later).toBeGreaterThan(3);
    expect(draw.drawnRounds).toBe(later + 1);
  });

  it('gives the answer of the whole list, for every staker and record', () => {
    const all = validatorsAt(STATE, HEIGHT, 'bootstrap', MAX_ROUNDS);
    const records = [NO_PROPOSAL, { height: HEIGHT, round: 10, floor: 0 }, { height: HEIGHT, round: MAX_ROUNDS - 1, floor: 0 }];
    for (const address of [...ADDR, 'nobody'])
      for (const rec of records) {
        const draw = new RoundDraw(STATE, HEIGHT, 'bootstrap');
        expect(firstAllowedRoundOf(rec, HEIGHT, (r) => draw.validatorOf(r), MAX_ROUNDS, address)).toBe(
          firstAllowedRound(rec, HEIGHT, all, address),
        );
      }
  });
});

describe('the tickets of a draw', () => {
  /** The rule as docs/protocol.md writes it: x_c = SHA-256(seed ‖ height ‖ c) big-endian, rejected at or above the limit, else x mod T. */
  function referenceTickets(seed: string, height: number, total: number, count: number): number[] {
    const out: number[] = [];
    const T = BigInt(total);
    for (let c = 0; out.length < count; c++) {
      const x = BigInt('0x' + bytesToHex(nobleCrypto.sha256Bytes(drawInput(seed, height, c))));
      if (x < acceptLimit(T)) out.push(Number(x % T));
    }
    return out;
  }

  it('are those of the rule, for totals up to 2^53 − 1 and several heights', () => {
    const totals = [1, 3, 7, 1000, 4_000_000_007, 2 ** 53 - 1];
    for (const total of totals)
      for (const height of [0, 1, 70, 2 ** 40]) {
        const tickets = new Tickets(STATE.seed, height, total);
        const got = Array.from({ length: 8 }, () => tickets.next());
        expect(got).toEqual(referenceTickets(STATE.seed, height, total, 8));
      }
  });
});

describe('the draw after a tip is made once per tip', () => {
  it('validating a block, finding a round and naming the next validator share the draw after its parent', () => {
    const tips = stakedChain();
    const tip = tips[tips.length - 1]!;
    const draws: number[] = [];
    const drawHashes = (): number => draws.length;
    const crypto: Crypto = {
      ...nobleCrypto,
      sha256Bytes: (data) => (data.length === 44 && draws.push(1), nobleCrypto.sha256Bytes(data)),
    };
    const draw = roundDrawV2(PARAMS, tip, crypto);
    expect(draw.validatorOf(5)).toBe(validatorsAt(tip.seed, tip.block.index + 1, PARAMS.bootstrap, 6)[5]);
    const drawn = drawHashes();
    expect(drawn).toBeGreaterThanOrEqual(6);
    const block = blockOn(tip, {}, { round: 3 }); // stamped when round 3 opens: the schedule reads the same draw
    expect(applyBlockV2(PARAMS, tip, block, { crypto }).round).toBe(3);
    expect(validatorsOfRoundsV2(PARAMS, tip, 4, crypto)).toEqual(validatorsAt(tip.seed, tip.block.index + 1, PARAMS.bootstrap, 4));
    expect(roundDrawV2(PARAMS, tip, crypto)).toBe(draw);
    expect(drawHashes()).toBe(drawn);
  });
});
