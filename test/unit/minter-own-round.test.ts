/**
 * The minter's search for its own round (src/node/minter/round-search.ts): one answer — the round,
 * `later` (not round 0, the later rounds not searched yet) or `none` — with the draw made once per
 * tip and only as far as the round found or asked for.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { roundDrawV2, type TipV2 } from '../../src/core/consensus.js';
import { MAX_ROUNDS, SEED_EPOCH_BLOCKS } from '../../src/core/params.js';
import { afterProposal, NO_PROPOSAL } from '../../src/core/proposal-record.js';
import { validatorsAt } from '../../src/core/seed.js';
import { nobleNodeCrypto } from '../../src/crypto/fallbacks.js';
import { RoundSearch } from '../../src/node/minter/round-search.js';
import { KEYS4, PARAMS, stakedChain } from './v2-fixtures.js';

const K = KEYS4[1]!;

/** The validators of the rounds for the block after `tip`, in order. */
const drawOn = (tip: TipV2): string[] => validatorsAt(tip.seed, tip.block.index + 1, PARAMS.bootstrap, MAX_ROUNDS);

/** Tips whose draw names the stakers; built again for each test, so that no draw is made yet. */
let tips: TipV2[] = [];
beforeEach(() => {
  tips = stakedChain(3 * SEED_EPOCH_BLOCKS).filter((t) => t.block.index >= 2 * SEED_EPOCH_BLOCKS);
});

describe('RoundSearch: this node’s round on a tip', () => {
  it('round 0’s validator: round 0, drawing round 0 alone, whether asked for round 0 or every round', () => {
    const tip = tips.find((t) => drawOn(t)[0] === K.address);
    expect(tip, 'no tip where K is drawn first').toBeDefined();
    const search = new RoundSearch(K.address, nobleNodeCrypto());
    expect(search.find(PARAMS, tip!, NO_PROPOSAL, false)).toEqual({ round: 0 });
    expect(search.find(PARAMS, tip!, NO_PROPOSAL, true)).toEqual({ round: 0 });
    expect(roundDrawV2(PARAMS, tip!).drawnRounds).toBe(1);
  });

  it('a later round’s validator: later from round 0 alone, its round from every round, and that again without drawing more', () => {
    const tip = tips.find((t) => drawOn(t).indexOf(K.address) >= 2);
    expect(tip, 'no tip where K is drawn first in round 2 or later').toBeDefined();
    const round = drawOn(tip!).indexOf(K.address);
    const search = new RoundSearch(K.address, nobleNodeCrypto());
    const draw = roundDrawV2(PARAMS, tip!);
    expect(search.find(PARAMS, tip!, NO_PROPOSAL, false)).toBe('later');
    expect(draw.drawnRounds).toBe(1);
    expect(search.find(PARAMS, tip!, NO_PROPOSAL, true)).toEqual({ round });
    expect(draw.drawnRounds).toBe(round + 1);
    expect(search.find(PARAMS, tip!, NO_PROPOSAL, false)).toEqual({ round });
    expect(draw.drawnRounds).toBe(round + 1);
  });

  it('an address drawn in no round: later from round 0 alone, none once every round is drawn, and none again', () => {
    const tip = tips[0]!;
    const nobody = 'f'.repeat(K.address.length);
    expect(drawOn(tip)).not.toContain(nobody);
    const search = new RoundSearch(nobody, nobleNodeCrypto());
    expect(search.find(PARAMS, tip, NO_PROPOSAL, false)).toBe('later');
    expect(search.find(PARAMS, tip, NO_PROPOSAL, true)).toBe('none');
    expect(search.find(PARAMS, tip, NO_PROPOSAL, false)).toBe('none');
    expect(roundDrawV2(PARAMS, tip).drawnRounds).toBe(MAX_ROUNDS);
  });

  it('a new proposal record on the same tip (round 0 signed there): later, then its next round of the same draw', () => {
    const tip = tips.find((t) => drawOn(t)[0] === K.address && drawOn(t).indexOf(K.address, 1) > 0);
    expect(tip, 'no tip where K is drawn first and again later').toBeDefined();
    const next = drawOn(tip!).indexOf(K.address, 1);
    const search = new RoundSearch(K.address, nobleNodeCrypto());
    expect(search.find(PARAMS, tip!, NO_PROPOSAL, false)).toEqual({ round: 0 });
    const signed = afterProposal(NO_PROPOSAL, tip!.block.index + 1, 0);
    expect(search.find(PARAMS, tip!, signed, false)).toBe('later');
    expect(search.find(PARAMS, tip!, signed, true)).toEqual({ round: next });
    expect(roundDrawV2(PARAMS, tip!).drawnRounds).toBe(next + 1);
  });

  it('a new tip: its own answer, not the last tip’s', () => {
    const first = tips.find((t) => drawOn(t)[0] === K.address);
    const later = tips.find((t) => drawOn(t).indexOf(K.address) > 0);
    expect(first, 'no tip where K is drawn first').toBeDefined();
    expect(later, 'no tip where K is drawn in a later round').toBeDefined();
    const search = new RoundSearch(K.address, nobleNodeCrypto());
    expect(search.find(PARAMS, first!, NO_PROPOSAL, false)).toEqual({ round: 0 });
    expect(search.find(PARAMS, later!, NO_PROPOSAL, false)).toBe('later');
    expect(search.find(PARAMS, first!, NO_PROPOSAL, false)).toEqual({ round: 0 });
  });
});
