import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BlockV2 } from '../../src/core/blockv2.js';
import { applyBlockV2, type TipV2 } from '../../src/core/consensus.js';
import { nobleCrypto } from '../../src/core/crypto.js';
import { votePreimageText, type Vote } from '../../src/core/vote.js';
import type { NodeCrypto } from '../../src/crypto/suite.js';
import type { ChainFollower } from '../../src/node/chain/index.js';
import { Emitter, type NodeEvents } from '../../src/node/events.js';
import type { Logger } from '../../src/node/logger.js';
import { Voting } from '../../src/node/voting/index.js';
import { codeOf } from './fixtures.js';
import { advance, DOMAIN, KEYS4, NET, PARAMS } from './v2-fixtures.js';

const [A, B] = KEYS4 as [(typeof KEYS4)[0], (typeof KEYS4)[0]];
const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** The bootstrap's chain: A alone has weight, so each checkpoint is followed by a block carrying A's vote. */
const tips: TipV2[] = [NET.tip];
beforeAll(() => {
  for (let i = 0; i < 16; i++) tips.push(advance(tips[tips.length - 1]!, 1, [A]));
});

/** The reference suite, counting signature checks by signature and SHA-256 calls by input text. */
function countingCrypto(): { crypto: NodeCrypto; verified: string[]; hashed: string[] } {
  const verified: string[] = [];
  const hashed: string[] = [];
  const crypto: NodeCrypto = {
    ...nobleCrypto,
    verifyHash: (hash, signature, address) => (verified.push(signature), nobleCrypto.verifyHash(hash, signature, address)),
    sha256Hex: (data) => (typeof data === 'string' && hashed.push(data), nobleCrypto.sha256Hex(data)),
    keyTablesMade: () => 0,
    prepare: () => undefined,
  };
  return { crypto, verified, hashed };
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A voting part on a stand-in chain follower and readiness (it reads only these), and the verifier it installs. */
function votingWith(crypto: NodeCrypto): { voting: Voting; verifyVote: (domain: string, v: Vote, id: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), 'vote-once-'));
  dirs.push(dir);
  const chain = { params: PARAMS, verifyVote: undefined } as unknown as ChainFollower;
  const readiness = { resuming: false };
  const voting = new Voting({ secretKey: B.secret, address: B.address }, chain, readiness, new Emitter<NodeEvents>(), quiet, crypto, dir);
  return { voting, verifyVote: chain.verifyVote! };
}

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
