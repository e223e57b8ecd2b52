/**
 * Version 2's round openings on a chain (docs/protocol.md, "Time and rounds"): the state keeps who
 * made the block of its last turn, a round of such a validator lasts LIVE_ROUND_MS and any other
 * ROUND_MS, and validity refuses a block stamped before its round opens. The rule's own vectors,
 * from an independent reference, are in finality-vectors.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyBlockV2, roundScheduleV2, validateChainV2, validatorsOfRoundsV2, type TipV2 } from '../../src/core/consensus.js';
import { LIVE_ROUND_MS, MAX_ROUNDS, ROUND_MS } from '../../src/core/params.js';
import { codeOf } from './fixtures.js';
import { doubleVoteEvidence } from '../../src/core/evidence.js';
import { signVote } from '../../src/core/vote.js';
import { blockOn, CAPACITY, DOMAIN, keyOf, mint, N_NODES, PARAMS, stakedChain } from './v2-fixtures.js';

const tips = stakedChain();
const last = tips[tips.length - 1]!;
const drawnAfter = (tip: TipV2): string[] => validatorsOfRoundsV2(PARAMS, tip, MAX_ROUNDS);

/** The reference model: live after each block, replayed from the chain's rounds and draws. */
function liveByReplay(chain: readonly TipV2[]): Set<string> {
  const live = new Set<string>();
  for (let i = 1; i < chain.length; i++) {
    const drawn = drawnAfter(chain[i - 1]!);
    const { round, block } = chain[i]!;
    for (let r = 0; r < round; r++) live.delete(drawn[r]!);
    live.add(block.validator);
  }
  return live;
}

/** A tip of `chain` whose round-0 validator at the next height is live and differs from round 1's. */
function tipWithLiveRoundZero(chain: readonly TipV2[]): TipV2 {
  const tip = [...chain].reverse().find((t) => {
    const [v0, v1] = drawnAfter(t);
    return t.live.has(v0!) && v0 !== v1;
  });
  if (!tip) throw new Error('no tip whose round-0 validator is live');
  return tip;
}

describe('round openings on a chain', () => {
  it('a chain made in round 0 only: every validator of it is live, and round 1 waits a live round', () => {
    expect([...last.live].sort()).toEqual([...new Set(tips.slice(1).map((t) => t.block.validator))].sort());
    expect(liveByReplay(tips)).toEqual(new Set(last.live));
    const tip = tipWithLiveRoundZero(tips);
    expect(roundScheduleV2(PARAMS, tip).openingOf(1)).toBe(LIVE_ROUND_MS);
  });

  it('refuses a round-1 block stamped before a live validator’s round has passed (TOO_EARLY), takes it at the opening', () => {
    const tip = tipWithLiveRoundZero(tips);
    const by = keyOf(drawnAfter(tip)[1]!);
    const early = blockOn(tip, {}, { by, round: 1, timestamp: tip.block.timestamp + ROUND_MS });
    expect(codeOf(() => applyBlockV2(PARAMS, tip, early))).toBe('TOO_EARLY');
    const justBefore = blockOn(tip, {}, { by, round: 1, timestamp: tip.block.timestamp + LIVE_ROUND_MS - 1 });
    expect(codeOf(() => applyBlockV2(PARAMS, tip, justBefore))).toBe('TOO_EARLY');
    const onTime = blockOn(tip, {}, { by, round: 1 });
    expect(onTime.timestamp).toBe(tip.block.timestamp + LIVE_ROUND_MS);
    expect(applyBlockV2(PARAMS, tip, onTime).round).toBe(1);
  });

  it('a validator that missed its turn leaves live, and its next round is a short one until it makes a block', () => {
    const tip = tipWithLiveRoundZero(tips);
    const [v0, v1] = drawnAfter(tip) as [string, string];
    const after = applyBlockV2(PARAMS, tip, blockOn(tip, {}, { by: keyOf(v1), round: 1 }));
    expect(after.live.has(v0)).toBe(false);
    expect(after.live.has(v1)).toBe(true);
    // the next heights: wherever v0 is drawn in a round before the block's, that round lasts ROUND_MS
    let t = after;
    let checked = 0;
    for (let i = 0; i < 200 && checked < 3; i++) {
      const drawn = drawnAfter(t);
      const schedule = roundScheduleV2(PARAMS, t);
      const at = drawn.indexOf(v0);
      if (!t.live.has(v0) && at >= 0) {
        expect(schedule.openingOf(at + 1) - schedule.openingOf(at)).toBe(ROUND_MS);
        checked++;
      }
      // v0 keeps missing: each block is made by the first validator of the height that is not v0
      const round = drawn.findIndex((v) => v !== v0);
      t = applyBlockV2(PARAMS, t, blockOn(t, {}, { by: keyOf(drawn[round]!), round }));
    }
    expect(checked).toBe(3);
    // once it makes a block, it is live again
    const again = [t];
    while (drawnAfter(again[again.length - 1]!)[0] !== v0) {
      const p = again[again.length - 1]!;
      again.push(applyBlockV2(PARAMS, p, blockOn(p, {})));
    }
    const p = again[again.length - 1]!;
    expect(applyBlockV2(PARAMS, p, blockOn(p, {}, { by: keyOf(v0), round: 0 })).live.has(v0)).toBe(true);
  });

  it('a live validator drawn in several rounds at one height has one long round, the first', () => {
    const t = tips.find((x) => {
      const drawn = drawnAfter(x);
      return x.live.has(drawn[0]!) && drawn.indexOf(drawn[0]!, 1) > 0;
    });
    expect(t, 'no tip whose live round-0 validator is drawn again').toBeDefined();
    const drawn = drawnAfter(t!);
    const again = drawn.indexOf(drawn[0]!, 1);
    const schedule = roundScheduleV2(PARAMS, t!);
    expect(schedule.openingOf(1)).toBe(LIVE_ROUND_MS);
    expect(schedule.openingOf(again + 1) - schedule.openingOf(again)).toBe(ROUND_MS);
  });

  it('a live validator slashed on the branch has a short round: nothing waits for a block it may not make', () => {
    const v = keyOf([...last.live].sort()[0]!);
    const justified = last.finality.justified;
    const w1 = signVote(DOMAIN, v.secret, justified, { height: justified.height + 4, hash: 'cc'.repeat(32) });
    const w2 = signVote(DOMAIN, v.secret, justified, { height: justified.height + 4, hash: 'dd'.repeat(32) });
    let t = mint(last, { evidence: [doubleVoteEvidence(DOMAIN, w1, w2)] });
    expect(t.slashing.slashed.has(v.address)).toBe(true);
    // on until the draw names it in round 0 (its stake stays in the draw's snapshot for a while)
    for (let i = 0; i < 200 && drawnAfter(t)[0] !== v.address; i++) t = mint(t);
    expect(drawnAfter(t)[0]).toBe(v.address);
    expect(t.live.has(v.address)).toBe(true); // it made the block of its last turn
    // the first round whose validator is not the slashed one opens after short rounds only
    const round = drawnAfter(t).findIndex((x) => x !== v.address);
    expect(roundScheduleV2(PARAMS, t).openingOf(round)).toBe(round * ROUND_MS);
    const next = applyBlockV2(PARAMS, t, blockOn(t, {}, { round, timestamp: t.block.timestamp + round * ROUND_MS }));
    expect(next.live.has(v.address)).toBe(false);
  });

  it('any chain of any rounds: live is the replay of its turns, openings lie between r short and r long rounds, and a checker agrees', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 12 }), (rounds) => {
        const chain: TipV2[] = [...tips];
        let t = last;
        for (const round of rounds) {
          const schedule = roundScheduleV2(PARAMS, t);
          for (let r = 0; r <= 3; r++) {
            expect(schedule.openingOf(r)).toBeGreaterThanOrEqual(r * ROUND_MS);
            expect(schedule.openingOf(r)).toBeLessThanOrEqual(r * LIVE_ROUND_MS);
          }
          t = applyBlockV2(PARAMS, t, blockOn(t, {}, { round }));
          chain.push(t);
        }
        expect(t.live).toEqual(liveByReplay(chain));
        const checked = validateChainV2(
          chain.map((c) => c.block),
          N_NODES,
          CAPACITY,
        );
        expect(checked.tip.block.current_hash).toBe(t.block.current_hash);
        expect(checked.tip.live).toEqual(t.live);
      }),
      { numRuns: 20 },
    );
  });
});
