/**
 * The finality record at its edges (src/core/finality.ts; docs/protocol.md, "Justification and
 * finality"): who weighs, which votes count, when a link finalises, what the record forgets, and
 * what an honest staker may sign. Checkpoint names are made up: the record trusts its caller for
 * signatures and hashes.
 */
import { describe, expect, it } from 'vitest';
import {
  applyVotes,
  genesisFinality,
  isFinalHeight,
  isIncludable,
  maySign,
  NO_VOTES,
  recordBlock,
  remember,
  stakeTableOf,
  voteToCast,
  weightsFrom,
  type FinalityState,
} from '../../src/core/finality.js';
import { CHECKPOINT_INTERVAL as E, CHECKPOINT_WINDOW } from '../../src/core/params.js';
import type { Ledger } from '../../src/core/state.js';
import type { VoteBody } from '../../src/core/vote.js';
import { codeOf, key } from './fixtures.js';

const [A, B, C, D] = [key(0), key(1), key(2), key(3)].map((k) => k.address) as [string, string, string, string];
const NONE = new Set<string>();
const h = (tag: string): string => Buffer.from(tag.padEnd(32, '.')).toString('hex');
const cp = (height: number) => ({ height, hash: h(height === 0 ? 'g' : `x${height}`) });
const stakes = (s: Record<string, number>): Ledger => new Map(Object.entries(s).map(([a, stake]) => [a, { balance: 5, stake, nonce: 0 }]));
const EQUAL = stakes({ [A]: 10, [B]: 10, [C]: 10, [D]: 10 });
const vote = (staker: string, s: number, t: number): VoteBody => ({
  staker,
  source_height: s,
  source_hash: cp(s).hash,
  target_height: t,
  target_hash: cp(t).hash,
});
const three = (s: number, t: number) => [vote(A, s, t), vote(B, s, t), vote(C, s, t)];

/** Blocks 1 … upTo of branch x after `st` (at `from`), each including `votesAt[height]`. */
function run(st: FinalityState, from: number, upTo: number, votesAt: Record<number, VoteBody[]> = {}): FinalityState {
  for (let height = from + 1; height <= upTo; height++) {
    st = applyVotes(st, votesAt[height] ?? [], NONE, height);
    st = recordBlock(st, height, cp(height).hash, EQUAL, A);
  }
  return st;
}
const GENESIS = genesisFinality(cp(0).hash, EQUAL, A);

describe('the stake table', () => {
  it('holds the stakers with positive stake, never the address "0", and the bootstrap alone when nobody stakes', () => {
    const t = stakeTableOf(stakes({ [A]: 0, [B]: 7, [C]: 3, '0': 50 }), D);
    expect([...t.weights]).toEqual([
      [B, 7],
      [C, 3],
    ]);
    expect(t.total).toBe(10);
    const none = stakeTableOf(stakes({ [A]: 0, '0': 50 }), D);
    expect([...none.weights]).toEqual([[D, 1]]);
    expect(none.total).toBe(1);
  });
});

describe('counting a vote', () => {
  it('refuses a staker without weight in the source table, and a target at the block itself', () => {
    const outsider = '02' + 'ab'.repeat(32); // no stake in the table
    expect(isIncludable(run(GENESIS, 0, 4), { ...vote(A, 0, 4), staker: outsider }, NONE, 5)).toBe(false);
    const st = run(GENESIS, 0, 9, { 5: three(0, 4), 9: three(4, 8) });
    const at12 = recordBlock(st, 12, cp(12).hash, EQUAL, A);
    expect(codeOf(() => applyVotes(at12, [vote(D, 8, 12)], NONE, 12))).toBe('BAD_VOTE');
    expect(isIncludable(at12, vote(D, 8, 12), NONE, 13)).toBe(true);
  });

  it('counts stake per link: votes for one target from two sources do not add up', () => {
    // 4 and 8 justified, 8 final is not yet: A and B vote 4 → 12, C and D vote 8 → 12 (each pair 1/2)
    const st = run(GENESIS, 0, 13, { 5: three(0, 4), 9: three(4, 8) });
    const split = applyVotes(st, [vote(A, 4, 12), vote(B, 4, 12), vote(C, 8, 12), vote(D, 8, 12)], NONE, 14);
    expect(split.justified.height).toBe(8);
    expect(applyVotes(st, [vote(A, 8, 12), vote(B, 8, 12), vote(C, 8, 12)], NONE, 14).justified.height).toBe(12);
  });

  it('finalises a source only through a link to the very next checkpoint', () => {
    const st = run(GENESIS, 0, 13, { 5: three(0, 4) });
    const skip = applyVotes(st, three(4, 12), NONE, 14);
    expect(skip.justified).toEqual(cp(12));
    expect(skip.finalized).toEqual(cp(0));
    const next = applyVotes(st, three(4, 8), NONE, 14);
    expect(next.finalized).toEqual(cp(4));
  });
});

describe('the code of a refused vote', () => {
  // applyVotes, not isIncludable: these pin the code (and that the error is a ProtocolError with a message).
  // Built in each test, not at load, so that a mutation run sees the whole record built under its mutant.
  const finalAt4 = () => run(GENESIS, 0, 9, { 5: three(0, 4), 9: three(4, 8) }); // 4 final, 8 justified

  it('is BAD_VOTE for a target that is not the branch checkpoint at its height', () => {
    expect(codeOf(() => applyVotes(finalAt4(), [{ ...vote(D, 4, 8), target_hash: h('y8') }], NONE, 10))).toBe('BAD_VOTE');
    expect(codeOf(() => applyVotes(finalAt4(), [vote(D, 4, 6)], NONE, 10))).toBe('BAD_VOTE'); // no checkpoint at 6
  });

  it('is BAD_VOTE for a staker without weight, and for a staker whose vote for that height is counted', () => {
    const outsider = '02' + 'ab'.repeat(32);
    expect(codeOf(() => applyVotes(finalAt4(), [{ ...vote(A, 4, 8), staker: outsider }], NONE, 10))).toBe('BAD_VOTE');
    expect(codeOf(() => applyVotes(finalAt4(), [vote(A, 4, 8)], NONE, 10))).toBe('BAD_VOTE');
  });

  it('is BAD_VOTE for a target at the finalised height, even from a justified source above it', () => {
    // a source above its target is refused earlier by the vote's form (checkVoteShape); the record holds the rule by itself
    expect(finalAt4().finalized).toEqual(cp(4));
    expect(codeOf(() => applyVotes(finalAt4(), [vote(D, 8, 4)], NONE, 10))).toBe('BAD_VOTE');
  });
});

describe('justifying a lower checkpoint late', () => {
  it('records it as justified but keeps the higher one as the latest justified', () => {
    // A and B vote 0 → 4 first; A, B and C then justify 8; D's 0 → 4 brings 4 to 3 of 4 afterwards
    const st = run(GENESIS, 0, 9);
    const after = applyVotes(st, [vote(A, 0, 4), vote(B, 0, 4), vote(A, 0, 8), vote(B, 0, 8), vote(C, 0, 8), vote(D, 0, 4)], NONE, 10);
    expect(after.justifiedAt.get(4)).toBe(cp(4).hash);
    expect(after.justified).toEqual(cp(8));
  });
});

describe('what the record keeps', () => {
  it('forgets the tallies of links that end at or below the finalised height', () => {
    // D's 0 → 8 is counted before the others' 4 → 8 finalises 4
    const st = run(GENESIS, 0, 10, { 5: three(0, 4), 9: [vote(D, 0, 8), ...three(4, 8)] });
    expect(st.finalized.height).toBe(4);
    expect(st.tallies.size).toBeGreaterThan(0);
    for (const t of st.tallies.values()) expect(t.targetHeight).toBeGreaterThan(st.finalized.height);
    expect([...st.tallies.keys()].sort()).toEqual([`${cp(0).hash}:${cp(8).hash}`, `${cp(4).hash}:${cp(8).hash}`].sort());
  });

  it('forgets the checkpoints below the finalised one', () => {
    const st = run(GENESIS, 0, 10, { 5: three(0, 4), 9: three(4, 8) });
    expect(st.finalized.height).toBe(4);
    expect([...st.checkpoints.keys()].sort((a, b) => a - b)).toEqual([4, 8]);
    expect(weightsFrom(st, 0)).toBeUndefined();
  });

  it('while finality stalls, forgets a justified checkpoint that is neither the finalised nor the latest justified', () => {
    // 4 and then 8 justified from the genesis: nothing final past it; 4 falls out of the window
    const top = (CHECKPOINT_WINDOW + 3) * E;
    const st = run(GENESIS, 0, top, { 5: three(0, 4), 9: three(0, 8) });
    expect(st.finalized.height).toBe(0);
    expect(st.justified.height).toBe(8);
    expect([...st.justifiedAt.keys()].sort((a, b) => a - b)).toEqual([0, 8]);
    expect(codeOf(() => applyVotes(st, [vote(D, 4, top)], NONE, top + 1))).toBe('BAD_VOTE');
  });

  it('while finality stalls, keeps exactly the last window of checkpoints, the finalised and the latest justified', () => {
    const top = (CHECKPOINT_WINDOW + 3) * E;
    const st = run(GENESIS, 0, top, { 5: three(0, 4), 9: [vote(D, 0, 8)] });
    const cutoff = top - CHECKPOINT_WINDOW * E;
    const expected = [0, 4];
    for (let height = cutoff; height <= top; height += E) expected.push(height);
    expect([...st.checkpoints.keys()].sort((a, b) => a - b)).toEqual(expected);
    expect([...st.justifiedAt.keys()].sort((a, b) => a - b)).toEqual([0, 4]);
    // D's vote for 8 named a checkpoint now forgotten: its tally is gone, the one that justified 4 is kept
    expect([...st.tallies.keys()]).toEqual([`${cp(0).hash}:${cp(4).hash}`]);
    expect(weightsFrom(st, cutoff)).toBeDefined();
    expect(weightsFrom(st, cutoff - E)).toBeUndefined();
    expect(weightsFrom(st, 5)).toBeUndefined();
  });

  it('says which heights are final, the finalised one included', () => {
    const st = run(GENESIS, 0, 10, { 5: three(0, 4), 9: three(4, 8) });
    expect(isFinalHeight(st, 4)).toBe(true);
    expect(isFinalHeight(st, 5)).toBe(false);
  });
});

describe('the vote to cast', () => {
  it('is none while the highest checkpoint is already justified', () => {
    const st = run(GENESIS, 0, 9, { 5: three(0, 4), 9: three(4, 8) });
    expect(st.justified.height).toBe(8);
    expect(voteToCast(st)).toBeUndefined();
    expect(voteToCast(recordBlock(st, 12, cp(12).hash, EQUAL, A))).toEqual({ source: cp(8), target: cp(12) });
  });
});

describe('what a staker may sign', () => {
  it('never a target twice, never a lower source, never a source at or above its target', () => {
    expect(maySign(NO_VOTES, cp(4), cp(4))).toBe(false);
    expect(maySign(NO_VOTES, cp(0), cp(4))).toBe(true);
    const m = remember(NO_VOTES, cp(8), cp(12));
    expect(m).toEqual({ maxSource: 8, maxTarget: 12 });
    expect(maySign(m, cp(8), cp(12))).toBe(false);
    expect(maySign(m, cp(4), cp(16))).toBe(false);
    expect(maySign(m, cp(8), cp(16))).toBe(true);
    expect(maySign(m, cp(12), cp(16))).toBe(true);
    expect(remember(m, cp(4), cp(8))).toEqual({ maxSource: 8, maxTarget: 12 });
  });
});
