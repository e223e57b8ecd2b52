import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TipV2 } from '../../src/core/consensus.js';
import { nobleCrypto } from '../../src/core/crypto.js';
import { CHECKPOINT_INTERVAL, SEED_EPOCH_BLOCKS } from '../../src/core/params.js';
import { epochOf, validatorsAt } from '../../src/core/seed.js';
import type { Vote } from '../../src/core/vote.js';
import type { NodeCrypto } from '../../src/crypto/suite.js';
import type { ChainFollower } from '../../src/node/chain/index.js';
import { Emitter, type NodeEvents } from '../../src/node/events.js';
import type { Logger } from '../../src/node/logger.js';
import { Voting } from '../../src/node/voting/index.js';
import { KEYS4, mint, PARAMS, stakedChain } from './v2-fixtures.js';

// A is the bootstrap: alone in the finality table of a chain without votes, so it is the one that votes.
const A = KEYS4[0]!;
const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const crypto: NodeCrypto = { ...nobleCrypto, keyTablesMade: () => 0, prepare: () => undefined };

let tips: TipV2[] = [];
/** A checkpoint in the middle of a seed epoch with stakers in its draw, and the next one. */
let first: TipV2;
let second: TipV2;
beforeAll(() => {
  tips = stakedChain(3 * SEED_EPOCH_BLOCKS);
  const at = 2 * SEED_EPOCH_BLOCKS + CHECKPOINT_INTERVAL; // epoch 2 draws from the four stakers
  first = tips[at]!;
  second = tips[at + CHECKPOINT_INTERVAL]!;
});

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A's voting part on a stand-in chain follower, ready since block 2, and what it gossips. */
function votingOfA(): { events: Emitter<NodeEvents>; sent: Array<NodeEvents['gossip']>; voting: Voting } {
  const dir = mkdtempSync(join(tmpdir(), 'vote-recipients-'));
  dirs.push(dir);
  const chain = { params: PARAMS, verifyVote: undefined } as unknown as ChainFollower;
  const events = new Emitter<NodeEvents>();
  const sent: Array<NodeEvents['gossip']> = [];
  events.on('gossip', (g) => sent.push(g));
  const voting = new Voting({ secretKey: A.secret, address: A.address }, chain, { resuming: false }, events, quiet, crypto, dir);
  events.emit('ready', tips[2]!);
  return { events, sent, voting };
}

/** The validators of rounds 0 and 1 after `tip` and of round 0 of the two heights after, A left out. */
function expectedRecipients(tip: TipV2): string[] {
  const next = tip.block.index + 1;
  const out = new Set(validatorsAt(tip.seed, next, PARAMS.bootstrap, 2));
  for (const h of [next + 1, next + 2]) {
    expect(epochOf(h)).toBe(epochOf(next));
    out.add(validatorsAt(tip.seed, h, PARAMS.bootstrap, 1)[0]!);
  }
  out.delete(A.address);
  return [...out].sort();
}

const targets = (votes: readonly Vote[]): number[] => votes.map((v) => v.target_height);

describe('a staker sends its vote to the validators of the next blocks (docs/protocol.md, "Liveness")', () => {
  it('only to the validators of rounds 0 and 1 of the next height and round 0 of the two after it', () => {
    const { events, sent, voting } = votingOfA();
    events.emit('head', first);
    expect(sent).toHaveLength(1);
    expect(targets(sent[0]!.votes)).toEqual([first.block.index]);
    const expected = expectedRecipients(first);
    expect(expected.length).toBeGreaterThan(0);
    expect([...(sent[0]!.to ?? ['every peer'])].sort()).toEqual(expected);
    voting.close();
  });

  it('sends an earlier vote its branch did not carry, with the new one, to every peer', () => {
    const { events, sent, voting } = votingOfA();
    events.emit('head', first);
    events.emit('head', second); // no block between them carried the first vote
    expect(sent).toHaveLength(2);
    expect(targets(sent[1]!.votes)).toEqual([first.block.index, second.block.index]);
    expect(sent[1]!.to).toBeUndefined();
    voting.close();
  });

  it('sends the next vote to the next validators only once its branch carried the earlier one', () => {
    const { events, sent, voting } = votingOfA();
    events.emit('head', first);
    const [vote] = sent[0]!.votes;
    let t = mint(first, { votes: [vote!] });
    expect(t.finality.lastTarget.get(A.address)).toBe(first.block.index);
    while (t.block.index % CHECKPOINT_INTERVAL !== 0) t = mint(t);
    events.emit('head', t);
    expect(sent).toHaveLength(2);
    expect(targets(sent[1]!.votes)).toEqual([t.block.index]);
    expect([...(sent[1]!.to ?? ['every peer'])].sort()).toEqual(expectedRecipients(t));
    voting.close();
  });
});
