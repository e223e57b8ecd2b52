import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyVotes, genesisFinality, isIncludable, recordBlock, type FinalityState } from '../../src/core/finality.js';
import { CHECKPOINT_INTERVAL as E } from '../../src/core/params.js';
import type { Ledger } from '../../src/core/state.js';
import { voteConflict, type VoteBody } from '../../src/core/vote.js';
import { KEYS4 } from './v2-fixtures.js';

/**
 * Accountable safety on random vote sets: a tree of two branches of checkpoints that share a
 * prefix; stakers follow a chain of
 * checkpoints (every one, or skipping some) on one branch, on both (byzantine), or none, plus
 * random extra votes. Each branch
 * includes every vote it can, greedily. Whenever the two records finalise conflicting
 * checkpoints, the stakers who signed two conflicting votes hold at least 1/3 of the stake.
 */
const STAKERS = KEYS4.map((k) => k.address);
const BOOTSTRAP = STAKERS[0]!;
const hashOf = (branch: string, height: number): string => {
  // 64 hex characters naming a checkpoint; the common prefix shares its names
  const text = `${branch}${height}`;
  return Buffer.from(text.padEnd(32, '.')).toString('hex');
};

interface Scenario {
  stakes: number[];
  fork: number; // checkpoints 0 … fork·E are common
  length: number; // each branch runs to height length·E
  /** Two chains of checkpoint indices per branch (masks over 1 … 6): a voter follows one of them, or none. */
  chains: { x: boolean[][]; y: boolean[][] };
  /** Per staker, which chain it follows on x and on y (−1: it does not vote there). */
  follows: Array<{ x: number; y: number }>;
  extra: Array<{ staker: number; sb: 'x' | 'y'; s: number; tb: 'x' | 'y'; t: number }>;
}

function checkpointHash(sc: Scenario, branch: 'x' | 'y', index: number): string {
  return index <= sc.fork ? hashOf('c', index * E) : hashOf(branch, index * E);
}

/** The votes of a staker that follows `mask` on `branch`: a link from each chosen checkpoint to the next, from the genesis. */
function chainVotes(sc: Scenario, staker: number, branch: 'x' | 'y', mask: readonly boolean[]): VoteBody[] {
  const out: VoteBody[] = [];
  let from = 0;
  for (let i = 1; i <= sc.length; i++) {
    if (!mask[i - 1]) continue;
    out.push({
      staker: STAKERS[staker]!,
      source_height: from * E,
      source_hash: checkpointHash(sc, branch, from),
      target_height: i * E,
      target_hash: checkpointHash(sc, branch, i),
    });
    from = i;
  }
  return out;
}

function votesOf(sc: Scenario): VoteBody[] {
  const all: VoteBody[] = [];
  sc.follows.forEach((f, i) => {
    if (f.x >= 0) all.push(...chainVotes(sc, i, 'x', sc.chains.x[f.x]!));
    if (f.y >= 0) all.push(...chainVotes(sc, i, 'y', sc.chains.y[f.y]!));
  });
  for (const e of sc.extra) {
    if (e.s >= e.t) continue;
    all.push({
      staker: STAKERS[e.staker]!,
      source_height: e.s * E,
      source_hash: checkpointHash(sc, e.sb, e.s),
      target_height: e.t * E,
      target_hash: checkpointHash(sc, e.tb, e.t),
    });
  }
  return all;
}

function ledgerOf(stakes: number[]): Ledger {
  return new Map(stakes.map((s, i) => [STAKERS[i]!, { balance: 0, stake: s, nonce: 0 }]));
}

/** The record of one branch after every block up to its end, each block including what it can. */
function recordOf(sc: Scenario, branch: 'x' | 'y', votes: readonly VoteBody[]): FinalityState {
  const ledger = ledgerOf(sc.stakes);
  let st = genesisFinality(hashOf('c', 0), ledger, BOOTSTRAP);
  const pending = [...votes].sort((a, b) => a.target_height - b.target_height);
  const slashed = new Set<string>();
  for (let height = 1; height <= sc.length * E + 2 * E; height++) {
    // the block at `height` includes what it can, then is recorded (a checkpoint at multiples of E)
    for (let progress = true; progress;) {
      progress = false;
      for (let i = 0; i < pending.length; i++) {
        if (isIncludable(st, pending[i]!, slashed, height)) {
          st = applyVotes(st, [pending[i]!], slashed, height);
          pending.splice(i, 1);
          progress = true;
          break;
        }
      }
    }
    if (height % E === 0 && height / E <= sc.length)
      st = recordBlock(st, height, checkpointHash(sc, branch, height / E), ledger, BOOTSTRAP);
  }
  return st;
}

/** Stake of the stakers that signed two conflicting votes. */
function slashableStake(sc: Scenario, votes: readonly VoteBody[]): number {
  let stake = 0;
  STAKERS.forEach((address, i) => {
    const mine = votes.filter((v) => v.staker === address);
    const guilty = mine.some((a, j) => mine.some((b, k) => j < k && voteConflict(a, b) !== undefined));
    if (guilty) stake += sc.stakes[i]!;
  });
  return stake;
}

const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    stakes: fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 4, maxLength: 4 }),
    fork: fc.integer({ min: 0, max: 2 }),
    length: fc.integer({ min: 3, max: 6 }),
    chains: fc.record({
      x: fc.array(fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), { minLength: 2, maxLength: 2 }),
      y: fc.array(fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), { minLength: 2, maxLength: 2 }),
    }),
    // stakers mostly move together (a coalition), some on their own
    common: fc.record({ x: fc.integer({ min: -1, max: 1 }), y: fc.integer({ min: -1, max: 1 }) }),
    own: fc.array(fc.option(fc.record({ x: fc.integer({ min: -1, max: 1 }), y: fc.integer({ min: -1, max: 1 }) }), { freq: 2 }), {
      minLength: 4,
      maxLength: 4,
    }),
    extra: fc.array(
      fc.record({
        staker: fc.integer({ min: 0, max: 3 }),
        sb: fc.constantFrom('x' as const, 'y' as const),
        s: fc.integer({ min: 0, max: 6 }),
        tb: fc.constantFrom('x' as const, 'y' as const),
        t: fc.integer({ min: 1, max: 6 }),
      }),
      { maxLength: 6 },
    ),
  })
  .map(({ common, own, ...rest }) => ({ ...rest, follows: own.map((o) => o ?? common) }))
  .filter((sc) => sc.fork < sc.length);

describe('accountable safety (Casper FFG on the finality record)', () => {
  it('two conflicting final checkpoints imply at least 1/3 of the stake signed conflicting votes', () => {
    let conflicts = 0;
    fc.assert(
      fc.property(scenario, (sc) => {
        const votes = votesOf(sc);
        const x = recordOf(sc, 'x', votes);
        const y = recordOf(sc, 'y', votes);
        const forkHeight = sc.fork * E;
        const conflicting = x.finalized.height > forkHeight && y.finalized.height > forkHeight;
        if (!conflicting) return;
        conflicts++;
        const total = sc.stakes.reduce((a, b) => a + b, 0);
        expect(3 * slashableStake(sc, votes)).toBeGreaterThanOrEqual(total);
      }),
      { numRuns: 400, seed: 20261127 },
    );
    // the generator does reach conflicting finality (byzantine stakers voting on both branches)
    expect(conflicts).toBeGreaterThan(0);
  });

  it('an honest majority on one branch finalises it', () => {
    const every = [true, true, true, true, true, true];
    const sc: Scenario = {
      stakes: [1, 1, 1, 1],
      fork: 1,
      length: 4,
      chains: { x: [every, every], y: [every, every] },
      follows: [
        { x: 0, y: -1 },
        { x: 0, y: -1 },
        { x: 0, y: -1 },
        { x: -1, y: 0 },
      ],
      extra: [],
    };
    const x = recordOf(sc, 'x', votesOf(sc));
    expect(x.finalized.height).toBe(3 * E);
    expect(x.justified.height).toBe(4 * E);
    const y = recordOf(sc, 'y', votesOf(sc));
    expect(y.finalized.height).toBe(0);
  });
});
