/**
 * The liveness hole of the first version 2 (docs/protocol.md, "Liveness: what the node does"),
 * simulated exactly over the core: four equal stakers build branch A well past a common tip P;
 * then every node switches to branch B, a rival block at P + 1 (say B gained the higher justified
 * checkpoint). With the old rule — a validator never signs at or below the highest height it
 * signed — every validator drawn in every round at P + 2 signed above it on A, and no block can
 * ever be made: the chain halts. With the proposal record (H, M, B), some validator may propose
 * in a later round at each of those heights, and B grows past A's tip with blocks the core accepts.
 */
import { describe, expect, it } from 'vitest';
import { applyBlockV2, validatorsOfRoundsV2, type TipV2 } from '../../src/core/consensus.js';
import { MAX_ROUNDS } from '../../src/core/params.js';
import { afterProposal, firstAllowedRound, mayPropose, NO_PROPOSAL, type ProposalRecord } from '../../src/core/proposal-record.js';
import { blockOn, KEYS4, PARAMS, stakedChain } from './v2-fixtures.js';

const tips = stakedChain();
const P = tips[tips.length - 1]!;
const drawAt = (tip: TipV2): string[] => validatorsOfRoundsV2(PARAMS, tip, MAX_ROUNDS);

/** Every validator's proposal record, and the highest height it signed (all the old rule kept). */
const records = new Map<string, ProposalRecord>(KEYS4.map((k) => [k.address, NO_PROPOSAL]));
const oldHeight = new Map<string, number>(KEYS4.map((k) => [k.address, 0]));

/** Applies the block of `round` on `tip` and records that its validator signed it. */
function sign(tip: TipV2, round: number): TipV2 {
  const next = applyBlockV2(PARAMS, tip, blockOn(tip, {}, { round }));
  const v = next.block.validator;
  expect(mayPropose(records.get(v)!, next.block.index, round)).toBe(true);
  records.set(v, afterProposal(records.get(v)!, next.block.index, round));
  oldHeight.set(v, Math.max(oldHeight.get(v)!, next.block.index));
  return next;
}

// Branch B's first block: the validator of a later round at P + 1, whose block came before A's round-0 block.
const roundB = drawAt(P).findIndex((v, r) => r > 0 && v !== drawAt(P)[0]);
const b1 = sign(P, roundB);
// Branch A: round 0's block at P + 1 wins the fork choice (earlier round) and grows until every
// validator signed at P + 2 or above on it.
let a = sign(P, 0);
while (KEYS4.some((k) => oldHeight.get(k.address)! < P.block.index + 2) && a.block.index < P.block.index + 200) a = sign(a, 0);
const aTip = a;

describe('after every node switches from a longer branch to a shorter one', () => {
  it('the scenario: the switch goes back below heights every validator signed on the branch it left', () => {
    expect(roundB).toBeGreaterThan(0);
    expect(b1.block.index).toBe(P.block.index + 1);
    expect(aTip.block.index).toBeGreaterThan(b1.block.index + 1);
    for (const k of KEYS4) expect(oldHeight.get(k.address)).toBeGreaterThanOrEqual(b1.block.index + 1);
  });

  it('with the old rule (never sign at or below the highest height signed), no round at the next height has a validator that may sign', () => {
    const h = b1.block.index + 1;
    const drawn = drawAt(b1);
    expect(drawn).toHaveLength(MAX_ROUNDS);
    expect(drawn.filter((v) => h > oldHeight.get(v)!)).toEqual([]);
  });

  it('with the proposal record, some later round mints at every height, and the branch grows past the old tip', () => {
    let t = b1;
    const rounds: number[] = [];
    while (t.block.index <= aTip.block.index) {
      // each validator mints in the first round it wins that its record allows (firstAllowedRound,
      // as the minter does); the earliest of those rounds makes the block
      const drawn = drawAt(t);
      const mine = [...new Set(drawn)].map((v) => firstAllowedRound(records.get(v)!, t.block.index + 1, drawn, v)).filter((r) => r >= 0);
      expect(mine.length).toBeGreaterThan(0);
      const round = Math.min(...mine);
      rounds.push(round);
      t = sign(t, round);
    }
    expect(t.block.index).toBe(aTip.block.index + 1);
    // at P + 2 every validator signed round 0 on A: the block comes from a later round
    expect(rounds.length).toBeGreaterThan(1);
    expect(rounds[0]).toBeGreaterThan(0);
  });
});
