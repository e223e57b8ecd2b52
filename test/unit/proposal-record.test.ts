/**
 * The proposal record (src/core/proposal-record.ts, src/node/minter/proposal-record.ts;
 * docs/protocol.md, "Liveness: what the node does"): a validator never signs two blocks for one
 * (height, round), across restarts, yet may sign at a height again in a later round after a
 * switch to a shorter branch; finality resets the rounds; the old on-disk format still reads.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_ROUNDS } from '../../src/core/params.js';
import {
  afterFinal,
  afterProposal,
  firstAllowedRound,
  formatProposalRecord,
  mayPropose,
  NO_PROPOSAL,
  parseProposalRecord,
  type ProposalRecord,
} from '../../src/core/proposal-record.js';
import { SignedProposals } from '../../src/node/minter/proposal-record.js';

const made: string[] = [];
const scratch = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'blockchat-proposals-'));
  made.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Signs each (height, round) in turn where the rule allows it; returns the record and what it refused. */
function signAll(rec: ProposalRecord, proposals: ReadonlyArray<readonly [number, number]>): { rec: ProposalRecord; refused: string[] } {
  const refused: string[] = [];
  for (const [h, r] of proposals) {
    if (mayPropose(rec, h, r)) rec = afterProposal(rec, h, r);
    else refused.push(`${h}/${r}`);
  }
  return { rec, refused };
}

describe('the rule', () => {
  it('signs upward heights in any round, then a height again only in a later round than any signed since the floor', () => {
    const { rec, refused } = signAll(NO_PROPOSAL, [
      [5, 0],
      [6, 2],
      [7, 0],
    ]);
    expect(refused).toEqual([]);
    expect(rec).toEqual({ height: 7, round: 2, floor: 0 });
    // after a switch to a branch whose tip is at 5: heights 6 and 7 again, in rounds above 2 only
    expect(mayPropose(rec, 6, 2)).toBe(false);
    expect(mayPropose(rec, 6, 0)).toBe(false);
    expect(mayPropose(rec, 6, 3)).toBe(true);
    expect(mayPropose(rec, 8, 0)).toBe(true);
  });

  it('never allows one (height, round) twice, whatever the order, finality included', () => {
    // every order of proposals over a few heights and rounds, with finality events in between
    const steps: Array<readonly ['sign', number, number] | readonly ['final', number]> = [];
    for (let h = 1; h <= 4; h++) for (let r = 0; r < 3; r++) steps.push(['sign', h, r]);
    for (let h = 0; h <= 4; h++) steps.push(['final', h]);
    let seed = 7;
    const next = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31);
    let trials = 0;
    for (let trial = 0; trial < 300; trial++) {
      let rec = NO_PROPOSAL;
      let finalised = 0;
      const signed = new Set<string>();
      for (let i = 0; i < 40; i++) {
        const step = steps[next() % steps.length]!;
        if (step[0] === 'final') {
          finalised = Math.max(finalised, step[1]);
          rec = afterFinal(rec, finalised);
          continue;
        }
        const [, h, r] = step;
        if (h <= finalised || !mayPropose(rec, h, r)) continue; // nobody builds at or below the finalised height
        const id = `${h}/${r}`;
        expect(signed.has(id)).toBe(false);
        signed.add(id);
        rec = afterProposal(rec, h, r);
      }
      trials += signed.size > 0 ? 1 : 0;
    }
    expect(trials).toBeGreaterThan(0);
  });

  it('on finality of the highest signed height: the floor rises to it and the rounds are forgotten', () => {
    const rec: ProposalRecord = { height: 9, round: 5, floor: 0 };
    expect(afterFinal(rec, 8)).toBe(rec);
    const reset = afterFinal(rec, 9);
    expect(reset).toEqual({ height: 9, round: -1, floor: 9 });
    expect(afterFinal(reset, 12)).toBe(reset);
    expect(mayPropose(reset, 9, 63)).toBe(false);
    expect(mayPropose(reset, 10, 0)).toBe(true);
    // the next height signed starts the rounds afresh
    expect(afterProposal(reset, 10, 0)).toEqual({ height: 10, round: 0, floor: 9 });
  });

  it('picks the first round the validator wins that the record allows', () => {
    const me = 'me';
    const rounds = ['x', me, 'y', me, 'z', me];
    expect(firstAllowedRound(NO_PROPOSAL, 4, rounds, me)).toBe(1);
    const rec: ProposalRecord = { height: 6, round: 1, floor: 0 };
    expect(firstAllowedRound(rec, 4, rounds, me)).toBe(3);
    expect(firstAllowedRound({ ...rec, round: 5 }, 4, rounds, me)).toBe(-1);
    expect(firstAllowedRound({ ...rec, round: 5 }, 7, rounds, me)).toBe(1);
  });
});

describe('the record as text', () => {
  it('round-trips "H M B", and reads the old "H" as (H, -1, 0)', () => {
    const rec: ProposalRecord = { height: 41, round: -1, floor: 40 };
    expect(formatProposalRecord(rec)).toBe('41 -1 40');
    expect(parseProposalRecord(formatProposalRecord(rec))).toEqual(rec);
    expect(parseProposalRecord('')).toEqual(NO_PROPOSAL);
    expect(parseProposalRecord('41')).toEqual({ height: 41, round: -1, floor: 0 });
  });

  it.each(['x', '4 1', '4 1 5', '4 64 0', '4 -2 0', '4 0.5 0', '-1', '4 1 0 0', '4  1 0'])('refuses %j', (text) => {
    expect(parseProposalRecord(text)).toBeUndefined();
  });
});

describe('the record on disk', () => {
  it('survives a restart: signs h, switches to a shorter branch, signs h again in a later round; never (h, r) twice', () => {
    const dir = scratch();
    const first = new SignedProposals(dir);
    expect(first.claim(10, 0)).toBe(true);
    expect(first.claim(11, 0)).toBe(true);
    first.close();
    const again = new SignedProposals(dir);
    expect(again.value).toEqual({ height: 11, round: 0, floor: 0 });
    // the branch it built on lost to one whose tip is at 9: height 10 again, not in round 0
    expect(again.claim(10, 0)).toBe(false);
    expect(again.claim(10, 2)).toBe(true);
    expect(again.claim(10, 2)).toBe(false);
    again.close();
    const third = new SignedProposals(dir);
    expect(third.claim(10, 2)).toBe(false);
    expect(third.claim(11, 2)).toBe(false);
    expect(third.claim(11, 3)).toBe(true);
    third.close();
  });

  it('is reset on disk once the finalised height reaches the highest signed', () => {
    const dir = scratch();
    const rec = new SignedProposals(dir);
    expect(rec.claim(8, 4)).toBe(true);
    rec.finalised(7);
    expect(readFileSync(join(dir, 'signed-height'), 'utf8').trim()).toBe('8 4 0');
    rec.finalised(8);
    rec.close();
    expect(readFileSync(join(dir, 'signed-height'), 'utf8').trim()).toBe('8 -1 8');
    const after = new SignedProposals(dir);
    expect(after.claim(8, 63)).toBe(false);
    expect(after.claim(9, 0)).toBe(true);
    after.close();
  });

  it('reads the height a node of the earlier version left, whose blocks had no round: signs below it, each (h, r) once', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'signed-height'), '12\n');
    const rec = new SignedProposals(dir);
    expect(rec.value).toEqual({ height: 12, round: -1, floor: 0 });
    expect(rec.claim(11, 0)).toBe(true);
    expect(rec.claim(11, 0)).toBe(false);
    expect(rec.claim(12, 0)).toBe(false);
    expect(rec.claim(12, 1)).toBe(true);
    expect(rec.claim(13, 0)).toBe(true);
    rec.close();
  });

  it('refuses to start on a record it cannot read', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'signed-height'), 'twelve\n');
    expect(() => new SignedProposals(dir)).toThrow();
    expect(readFileSync(join(dir, 'signed-height'), 'utf8')).toBe('twelve\n');
  });
});

describe('a validator drawn in every round (the bootstrap before any stake is in the draw, a sole staker)', () => {
  const me = 'me';
  const everyRound = Array.from({ length: MAX_ROUNDS }, () => me);

  it('whose chain is below the height an old record names still signs the next height', () => {
    // the chain is at 9 and nobody else can make block 10: no round allowed there would stop it for good
    const rec = parseProposalRecord('12')!;
    expect(rec).toBeDefined();
    expect(firstAllowedRound(rec, 10, everyRound, me)).toBe(0);
    expect(afterFinal(rec, 9)).toBe(rec);
  });

  it('whose block is lost before it is stored signs that height again, one round later each time, 63 times', () => {
    let rec = afterProposal(NO_PROPOSAL, 10, 0);
    const rounds: number[] = [];
    for (let round = firstAllowedRound(rec, 10, everyRound, me); round >= 0; round = firstAllowedRound(rec, 10, everyRound, me)) {
      rounds.push(round);
      rec = afterProposal(rec, 10, round);
    }
    expect(rounds).toEqual(Array.from({ length: MAX_ROUNDS - 1 }, (_, k) => k + 1));
    // only finality at the highest signed height gives rounds back; it needs a block at 10
    expect(rec).toEqual({ height: 10, round: MAX_ROUNDS - 1, floor: 0 });
    expect(firstAllowedRound(afterFinal(rec, 10), 11, everyRound, me)).toBe(0);
  });
});
