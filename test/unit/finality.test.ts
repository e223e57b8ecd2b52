import { describe, expect, it } from 'vitest';
import type { ChainTip } from '../../src/core/chain.js';
import {
  applyVotes,
  genesisFinality,
  isIncludable,
  preferTip,
  recordBlock,
  voteToCast,
  weightsFrom,
  type FinalityState,
} from '../../src/core/finality.js';
import type { Ledger } from '../../src/core/state.js';
import type { Block } from '../../src/core/types.js';
import type { VoteBody } from '../../src/core/vote.js';
import { CHECKPOINT_WINDOW } from '../../src/core/params.js';
import { codeOf, key } from './fixtures.js';

const [A, B, C, D] = [key(0), key(1), key(2), key(3)].map((k) => k.address) as [string, string, string, string];
const h = (tag: string): string => Buffer.from(tag.padEnd(32, '.')).toString('hex');
const NONE = new Set<string>();
const stakes = (s: Record<string, number>): Ledger => new Map(Object.entries(s).map(([a, stake]) => [a, { balance: 0, stake, nonce: 0 }]));
const vote = (staker: string, s: number, t: number, branch = 'x'): VoteBody => ({
  staker,
  source_height: s,
  source_hash: h(s === 0 ? 'g' : `${branch}${s}`),
  target_height: t,
  target_hash: h(`${branch}${t}`),
});

/**
 * Blocks on branch `branch` up to `upTo` (after `start`'s last block, `from`, or the genesis):
 * checkpoints recorded with `ledgerAt(height)`, votes included at `votesAt[height]`.
 */
function run(
  upTo: number,
  ledgerAt: (height: number) => Ledger,
  votesAt: Record<number, VoteBody[]>,
  branch = 'x',
  start?: { st: FinalityState; from: number },
): FinalityState {
  let st = start?.st ?? genesisFinality(h('g'), ledgerAt(0), A);
  for (let height = (start?.from ?? 0) + 1; height <= upTo; height++) {
    st = applyVotes(st, votesAt[height] ?? [], NONE, height);
    st = recordBlock(st, height, h(`${branch}${height}`), ledgerAt(height), A);
  }
  return st;
}

const equal = stakes({ [A]: 10, [B]: 10, [C]: 10, [D]: 10 });

describe('the finality record', () => {
  it('justifies with at least 2/3 and finalises the source of a link to the next checkpoint', () => {
    const half = run(9, () => equal, { 5: [vote(A, 0, 4), vote(B, 0, 4)] });
    expect(half.justified.height).toBe(0); // 20 of 40: below 2/3
    // exactly 2/3 justifies: a third of the stake crashed does not stop finality
    const three = stakes({ [A]: 10, [B]: 10, [C]: 10 });
    const twoOfThree = run(9, () => three, { 5: [vote(A, 0, 4), vote(B, 0, 4)], 9: [vote(A, 4, 8), vote(B, 4, 8)] });
    expect(twoOfThree.finalized.height).toBe(4);
    const justBelow = run(5, () => stakes({ [A]: 1, [B]: 1 }), { 5: [vote(A, 0, 4)] });
    expect(justBelow.justified.height).toBe(0); // 1 of 2: 3 · 1 < 2 · 2
    const st = run(9, () => equal, { 5: [vote(A, 0, 4), vote(B, 0, 4), vote(C, 0, 4)], 9: [vote(A, 4, 8), vote(B, 4, 8), vote(C, 4, 8)] });
    expect(st.justified).toEqual({ height: 8, hash: h('x8') });
    expect(st.finalized).toEqual({ height: 4, hash: h('x4') });
  });

  it('refuses votes whose target is not on the branch, not above the finalised height, or repeated, and sources not justified', () => {
    const st = run(9, () => equal, { 5: [vote(A, 0, 4), vote(B, 0, 4), vote(C, 0, 4)], 9: [vote(A, 4, 8), vote(B, 4, 8), vote(C, 4, 8)] });
    expect(isIncludable(st, vote(D, 4, 8), NONE, 10)).toBe(true);
    expect(isIncludable(st, vote(D, 4, 8, 'y'), NONE, 10)).toBe(false); // y8 is not this branch's
    expect(isIncludable(st, vote(D, 0, 4), NONE, 10)).toBe(false); // 4 is final
    expect(isIncludable(st, vote(A, 4, 8), NONE, 10)).toBe(false); // A already counted for 8
    expect(isIncludable(st, vote(D, 4, 8), new Set([D]), 10)).toBe(false); // slashed
    expect(codeOf(() => applyVotes(st, [vote(D, 4, 12)], NONE, 12))).toBe('BAD_VOTE'); // 12 is not below the block
    const st12 = recordBlock(st, 12, h('x12'), equal, A);
    expect(isIncludable(st12, { ...vote(D, 8, 12), source_hash: h('x9') }, NONE, 13)).toBe(false); // source hash wrong
  });

  it('weighs votes with the table of the last final checkpoint: staked stake counts only once its block is final', () => {
    // D stakes 1000 at height 6; until a checkpoint at or after 6 is final, D weighs nothing and A, B, C decide
    const ledgerAt = (height: number): Ledger => (height >= 6 ? stakes({ [A]: 10, [B]: 10, [C]: 10, [D]: 1000 }) : equal);
    const abc = (s: number, t: number) => [vote(A, s, t), vote(B, s, t), vote(C, s, t)];
    let st = run(13, ledgerAt, { 5: abc(0, 4), 9: abc(4, 8), 13: abc(8, 12) });
    expect(st.finalized.height).toBe(8);
    expect(weightsFrom(st, 12)!.total).toBe(40); // 12 was processed while 4 was final
    // once 8 (which holds D's stake) is final, checkpoints recorded afterwards weigh with it
    st = run(17, ledgerAt, {}, 'x', { st, from: 13 });
    expect(weightsFrom(st, 16)!.weights.get(D)).toBe(1000);
    expect(codeOf(() => applyVotes(st, [vote(D, 4, 16)], NONE, 17))).toBe('BAD_VOTE'); // 4 is below the finalised height
  });

  it('names the vote an honest staker casts: latest justified to the highest checkpoint', () => {
    const st = run(9, () => equal, { 5: [vote(A, 0, 4), vote(B, 0, 4), vote(C, 0, 4)] });
    expect(voteToCast(st)).toEqual({ source: { height: 4, hash: h('x4') }, target: { height: 8, hash: h('x8') } });
  });
});

describe('fork choice', () => {
  const tip = (index: number, hash: string, round = 0): ChainTip => ({
    block: { index, current_hash: hash, previous_hash: h('p') } as unknown as Block,
    ledger: new Map(),
    round,
  });
  const parentOf = (): ChainTip | undefined => undefined;
  it('prefers the higher justified checkpoint over the longer branch, then the course rule', () => {
    const high = run(9, () => equal, { 5: [vote(A, 0, 4), vote(B, 0, 4), vote(C, 0, 4)] });
    const low = run(9, () => equal, {});
    expect(preferTip({ tip: tip(10, h('a')), finality: high }, { tip: tip(30, h('b')), finality: low }, parentOf)).toBe(true);
    expect(preferTip({ tip: tip(30, h('b')), finality: low }, { tip: tip(10, h('a')), finality: high }, parentOf)).toBe(false);
    expect(preferTip({ tip: tip(30, h('b')), finality: low }, { tip: tip(10, h('a')), finality: low }, parentOf)).toBe(true);
  });
});

describe('a stalled record', () => {
  it('stays bounded while finality stalls, and finalises again when enough stake votes from the latest justified to the newest', () => {
    const blocks = (CHECKPOINT_WINDOW + 40) * 4;
    const stalled = run(blocks, () => equal, { 5: [vote(A, 0, 4), vote(B, 0, 4), vote(C, 0, 4)] }); // then nobody votes
    expect(stalled.finalized.height).toBe(0);
    expect(stalled.justified.height).toBe(4);
    expect(stalled.checkpoints.size).toBeLessThanOrEqual(CHECKPOINT_WINDOW + 3);
    expect(isIncludable(stalled, vote(D, 4, 8), NONE, blocks + 1)).toBe(false); // 8 is forgotten
    const top = blocks;
    const next = top + 4;
    let st = applyVotes(stalled, [vote(A, 4, top), vote(B, 4, top), vote(C, 4, top)], NONE, top + 1);
    expect(st.justified.height).toBe(top);
    st = run(next + 1, () => equal, { [next + 1]: [vote(A, top, next), vote(B, top, next), vote(C, top, next)] }, 'x', { st, from: top });
    expect(st.finalized.height).toBe(top);
  });
});
