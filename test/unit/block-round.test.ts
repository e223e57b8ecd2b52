/**
 * The round a version-2 block names (docs/protocol.md, "Block validity (version 2)"): its form
 * (BAD_ROUND), that its validator is the validator of that round of the draw (WRONG_VALIDATOR),
 * and that it is not stamped before that round opens (TOO_EARLY; the openings are rounds.test.ts').
 */
import { describe, expect, it } from 'vitest';
import { signBlockV2 } from '../../src/core/blockv2.js';
import { applyBlockV2, roundScheduleV2, validatorsOfRoundsV2 } from '../../src/core/consensus.js';
import { MAX_ROUNDS, ROUND_MS } from '../../src/core/params.js';
import { codeOf } from './fixtures.js';
import { blockOn, DOMAIN, keyOf, PARAMS, revealFor, stakedChain } from './v2-fixtures.js';

const tips = stakedChain();
const tip = tips[tips.length - 1]!;
const drawn = validatorsOfRoundsV2(PARAMS, tip, MAX_ROUNDS);

/** The rounds below MAX_ROUNDS that `address` wins at the next height. */
const roundsOf = (address: string): number[] => drawn.flatMap((v, r) => (v === address ? [r] : []));

/** A validator that wins at least two rounds at the next height (with four equal stakers over 64 rounds, one does). */
const twice = [...new Set(drawn)].find((v) => roundsOf(v).length >= 2)!;

describe('the round of a version-2 block', () => {
  it('is drawn among the stakers at this height', () => {
    expect(new Set(drawn).size).toBeGreaterThan(1);
    expect(twice).toBeDefined();
  });

  it('may be any round its validator wins, not only the first; the tip keeps it', () => {
    const [first, later] = roundsOf(twice) as [number, number];
    expect(later).toBeGreaterThan(first);
    const block = blockOn(tip, {}, { by: keyOf(twice), round: later });
    expect(block.round).toBe(later);
    expect(block.timestamp).toBe(tip.block.timestamp + roundScheduleV2(PARAMS, tip).openingOf(later));
    expect(applyBlockV2(PARAMS, tip, block).round).toBe(later);
    expect(applyBlockV2(PARAMS, tip, blockOn(tip, {}, { by: keyOf(twice), round: first })).round).toBe(first);
  });

  it('refuses a round whose validator is another staker (WRONG_VALIDATOR), even one its validator wins later', () => {
    const other = drawn.findIndex((v) => v !== twice);
    expect(other).toBeGreaterThanOrEqual(0);
    const block = blockOn(tip, {}, { by: keyOf(twice), round: other, timestamp: tip.block.timestamp + MAX_ROUNDS * ROUND_MS });
    expect(codeOf(() => applyBlockV2(PARAMS, tip, block))).toBe('WRONG_VALIDATOR');
  });

  it('refuses a block of round r stamped before its round opens (TOO_EARLY), accepts it at that moment', () => {
    const later = roundsOf(twice).find((r) => r > 0)!;
    expect(later).toBeGreaterThan(0);
    const by = keyOf(twice);
    const opens = tip.block.timestamp + roundScheduleV2(PARAMS, tip).openingOf(later);
    expect(opens).toBeGreaterThanOrEqual(tip.block.timestamp + later * ROUND_MS);
    expect(codeOf(() => applyBlockV2(PARAMS, tip, blockOn(tip, {}, { by, round: later, timestamp: opens - 1 })))).toBe('TOO_EARLY');
    expect(applyBlockV2(PARAMS, tip, blockOn(tip, {}, { by, round: later, timestamp: opens })).block.timestamp).toBe(opens);
  });

  it.each([
    ['64, past the last round', 64],
    ['−1', -1],
    ['a fraction', 0.5],
    ['text', '0'],
    ['missing', undefined],
  ])('refuses a round that is %s (BAD_ROUND), before its validator or time is looked at', (_what, round) => {
    const by = keyOf(drawn[0]!);
    const block = signBlockV2(
      DOMAIN,
      tip.block,
      round as number,
      { transactions: [], votes: [], evidence: [], reveal: revealFor(tip, by) },
      tip.block.timestamp + 1,
      by.secret,
    );
    expect(codeOf(() => applyBlockV2(PARAMS, tip, block))).toBe('BAD_ROUND');
  });
});
