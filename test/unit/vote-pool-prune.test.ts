/**
 * The voting part's pool of verified votes (src/node/voting/) is pruned when the finalised height
 * moves: a vote at or below it is forgotten (received again, it costs a signature check again),
 * a vote above it is kept (received again, it costs none, and the next block may carry it).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { BlockV2 } from '../../src/core/blockv2.js';
import type { TipV2 } from '../../src/core/consensus.js';
import { advance, KEYS4, NET } from './v2-fixtures.js';
import { countingCrypto, votingWith } from './voting-fixtures.js';

const [A, B] = KEYS4 as [(typeof KEYS4)[0], (typeof KEYS4)[0]];

/** The bootstrap's chain: A alone has weight, so each checkpoint is followed by a block carrying A's vote. */
const tips: TipV2[] = [NET.tip];
beforeAll(() => {
  for (let i = 0; i < 24; i++) tips.push(advance(tips[tips.length - 1]!, 1, [A]));
});

const count = (list: readonly string[], x: string): number => list.filter((y) => y === x).length;

describe('the pool of verified votes', () => {
  it('forgets the votes at or below the finalised height once it moves, and keeps those above it', () => {
    const votes = tips.flatMap((t) => (t.block as BlockV2).votes ?? []);
    // A tip with a finalised height above some of the chain's votes and below others.
    const tip = tips.find(
      (t) =>
        t.finality.finalized.height > 0 &&
        votes.some((v) => v.target_height > t.finality.finalized.height) &&
        votes.some((v) => v.target_height <= t.finality.finalized.height),
    );
    expect(tip, 'no tip with votes on both sides of its finalised height').toBeDefined();
    const final = tip!.finality.finalized.height;
    const below = votes.filter((v) => v.target_height <= final);
    const above = votes.filter((v) => v.target_height > final);
    expect(below.length).toBeGreaterThan(0);
    expect(above.length).toBeGreaterThan(0);

    const { crypto, verified } = countingCrypto();
    const { voting, events } = votingWith(crypto, B);
    voting.receive(votes, []);
    for (const v of votes) expect(count(verified, v.signature)).toBe(1);

    events.emit('head', tip!); // the finalised height moved from nothing to `final`
    voting.receive(votes, []);
    for (const v of below) expect(count(verified, v.signature), `vote for ${v.target_height} kept`).toBe(2);
    for (const v of above) expect(count(verified, v.signature), `vote for ${v.target_height} forgotten`).toBe(1);
    voting.close();
  });
});
