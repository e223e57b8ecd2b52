import { beforeAll, describe, expect, it } from 'vitest';
import type { BlockV2 } from '../../src/core/blockv2.js';
import { applyBlockV2, type TipV2 } from '../../src/core/consensus.js';
import { nobleCrypto } from '../../src/core/crypto.js';
import { votePreimageText, type Vote } from '../../src/core/vote.js';
import { codeOf } from './fixtures.js';
import { advance, DOMAIN, KEYS4, NET, PARAMS } from './v2-fixtures.js';
import { countingCrypto, votingWith as votingOf } from './voting-fixtures.js';

const [A, B] = KEYS4 as [(typeof KEYS4)[0], (typeof KEYS4)[0]];

/** The bootstrap's chain: A alone has weight, so each checkpoint is followed by a block carrying A's vote. */
const tips: TipV2[] = [NET.tip];
beforeAll(() => {
  for (let i = 0; i < 16; i++) tips.push(advance(tips[tips.length - 1]!, 1, [A]));
});

/** B's voting part (B has no weight on this chain: it only verifies and keeps votes). */
const votingWith = (crypto: Parameters<typeof votingOf>[0]) => votingOf(crypto, B);

const carrying = (): TipV2[] => tips.filter((t) => t.block.index > 0 && (t.block as BlockV2).votes.length > 0);
const parentOf = (t: TipV2): TipV2 => tips[tips.indexOf(t) - 1]!;
const count = (list: readonly string[], x: string): number => list.filter((y) => y === x).length;

describe('each vote is verified once per node', () => {
  it('a vote gossiped first costs neither a signature check nor a hash of its own when a block carries it', () => {
    const blocks = carrying();
    expect(blocks.length).toBeGreaterThan(1);
    const { crypto, verified, hashed } = countingCrypto();
    const { voting, verifyVote } = votingWith(crypto);
    const votes = blocks.flatMap((t) => (t.block as BlockV2).votes);
    voting.receive(votes, []);
    for (const v of votes) {
      expect(count(verified, v.signature)).toBe(1);
      expect(count(hashed, votePreimageText(DOMAIN, v))).toBe(1); // the id, once
    }
    for (const t of blocks) {
      const again = applyBlockV2(PARAMS, parentOf(t), t.block as BlockV2, { verifyVote, crypto });
      expect(again.finality).toEqual(t.finality);
    }
    for (const v of votes) {
      expect(count(verified, v.signature)).toBe(1);
      expect(count(hashed, votePreimageText(DOMAIN, v))).toBe(2); // and once in the block's header
    }
    voting.close();
  });

  it('a vote first seen in a block is verified there once, hashed once per block, and not verified again', () => {
    const [t] = carrying();
    const { crypto, verified, hashed } = countingCrypto();
    const { voting, verifyVote } = votingWith(crypto);
    const votes = (t!.block as BlockV2).votes;
    expect(votes.length).toBeGreaterThan(0);
    applyBlockV2(PARAMS, parentOf(t!), t!.block as BlockV2, { verifyVote, crypto });
    for (const v of votes) {
      expect(count(verified, v.signature)).toBe(1);
      expect(count(hashed, votePreimageText(DOMAIN, v))).toBe(1);
    }
    applyBlockV2(PARAMS, parentOf(t!), t!.block as BlockV2, { verifyVote, crypto });
    voting.receive(votes, []);
    for (const v of votes) expect(count(verified, v.signature)).toBe(1);
    voting.close();
  });

  it('a vote with the id of a verified one but another signature is checked, and refused', () => {
    const [first, second] = carrying();
    const { crypto, verified } = countingCrypto();
    const { voting, verifyVote } = votingWith(crypto);
    const vote = (first!.block as BlockV2).votes[0]!;
    voting.receive([vote], []);
    const forged = { ...vote, signature: (second!.block as BlockV2).votes[0]!.signature };
    expect(forged.signature).not.toBe(vote.signature);
    expect(codeOf(() => verifyVote(DOMAIN, forged, hashOfVote(forged)))).toBe('BAD_SIGNATURE');
    expect(count(verified, forged.signature)).toBe(1);
    voting.close();
  });
});

function hashOfVote(v: Vote): string {
  return nobleCrypto.sha256Hex(votePreimageText(DOMAIN, v));
}
