import { beforeAll, describe, expect, it } from 'vitest';
import { signBlockV2, type BlockV2 } from '../../src/core/blockv2.js';
import { sha256Hex } from '../../src/core/crypto.js';
import { applyBlockV2, roundForV2, roundScheduleV2, validateChainV2, validatorsOfRoundsV2, type TipV2 } from '../../src/core/consensus.js';
import { doubleBlockEvidence, doubleVoteEvidence, supplyWithBurned } from '../../src/core/evidence.js';
import { isFinalHeight, voteToCast, weightsFrom } from '../../src/core/finality.js';
import { headerOf } from '../../src/core/blockv2.js';
import { SEED_EPOCH_BLOCKS } from '../../src/core/params.js';
import { accountOf } from '../../src/core/state.js';
import { earliestTimestampV2 } from '../../src/core/time.js';
import { signVote } from '../../src/core/vote.js';
import type { Block } from '../../src/core/types.js';
import { codeOf, protocolError } from './fixtures.js';
import { advance, blockOn, coinsTx, DOMAIN, KEYS4, keyOf, mint, NET, PARAMS, revealFor, stakeTx, SUPPLY, T0 } from './v2-fixtures.js';

const [A, B, C, D] = KEYS4 as [(typeof KEYS4)[0], (typeof KEYS4)[0], (typeof KEYS4)[0], (typeof KEYS4)[0]];

/** Every tip of the main chain, built once: funding, stakes, then empty blocks with votes. */
const tips: TipV2[] = [NET.tip];
const last = (): TipV2 => tips[tips.length - 1]!;

beforeAll(() => {
  let t = NET.tip;
  // The bootstrap is every round's validator while nobody stakes; it alone finalises.
  t = advance(t, 1, [A], {
    transactions: [coinsTx(A, B.address, 100_000, 0), coinsTx(A, C.address, 100_000, 1), coinsTx(A, D.address, 100_000, 2)],
  });
  tips.push(t);
  t = advance(t, 1, [A], { transactions: [stakeTx(A, 1000, 3), stakeTx(B, 1000, 0), stakeTx(C, 1000, 0), stakeTx(D, 1000, 0)] });
  tips.push(t);
  for (let i = 0; i < 3 * SEED_EPOCH_BLOCKS; i++) {
    t = advance(t, 1, KEYS4);
    tips.push(t);
  }
});

describe('a version-2 chain', () => {
  it('is finalised by the bootstrap alone while nobody stakes, then by the stakers once their stake is final', () => {
    const early = tips[2 * 4 + 1]!; // a few checkpoints in, before any staker's table is final
    expect(early.finality.finalized.height).toBeGreaterThan(0);
    expect(weightsFrom(early.finality, early.finality.justified.height)!.weights.get(A.address)).toBe(1);
    const t = last();
    const table = weightsFrom(t.finality, t.finality.justified.height)!;
    expect(table.total).toBe(4000);
    expect([...table.weights.keys()].sort()).toEqual(KEYS4.map((k) => k.address).sort());
    expect(t.finality.finalized.height).toBeGreaterThanOrEqual(t.block.index - 12);
    expect(isFinalHeight(t.finality, 2)).toBe(true);
  });

  it('draws stakers, not only the bootstrap, once the stake snapshot of an epoch holds them', () => {
    const validators = new Set(tips.filter((t) => t.block.index >= 2 * SEED_EPOCH_BLOCKS).map((t) => t.block.validator));
    expect(validators.size).toBeGreaterThan(1);
    const before = new Set(tips.filter((t) => t.block.index > 0 && t.block.index < 2 * SEED_EPOCH_BLOCKS).map((t) => t.block.validator));
    expect([...before]).toEqual([A.address]);
  });

  it('conserves the supply at every block', () => {
    expect(tips.length).toBeGreaterThan(3);
    for (const t of tips) expect(supplyWithBurned(t.ledger, t.slashing)).toBe(SUPPLY);
  });

  it('checks carried votes with the verifier it is given (a node passes one that remembers gossiped votes)', () => {
    const withVotes = tips.filter((t) => t.block.index > 0 && (t.block as BlockV2).votes.length > 0);
    expect(withVotes.length).toBeGreaterThan(0);
    const t = withVotes[withVotes.length - 1]!;
    const parent = tips[tips.indexOf(t) - 1]!;
    const checked: string[] = [];
    const again = applyBlockV2(PARAMS, parent, t.block as BlockV2, { verifyVote: (_d, v) => (checked.push(v.staker), 'unused') });
    expect(checked).toHaveLength((t.block as BlockV2).votes.length);
    expect(again.finality).toEqual(t.finality);
  });

  it('names the validators of the next rounds and the round of each', () => {
    const t = last();
    const drawn = validatorsOfRoundsV2(PARAMS, t, 8);
    expect(drawn).toHaveLength(8);
    expect(roundForV2(PARAMS, t, drawn[0]!)).toBe(0);
    const later = drawn.findIndex((v) => v !== drawn[0]);
    expect(later).toBeGreaterThan(0);
    expect(roundForV2(PARAMS, t, drawn[later]!)).toBe(later);
  });

  it('rechecks from the blocks alone to the same record', () => {
    const blocks: Block[] = tips.map((t) => t.block);
    const { tip } = validateChainV2(blocks, 4, 5);
    expect(tip.finality.finalized).toEqual(last().finality.finalized);
    expect(tip.seed.mix).toBe(last().seed.mix);
  });
});

describe('block validity', () => {
  it('refuses a block from a validator the draw does not name', () => {
    const t = last();
    const outsider = { secret: sha256Hex('an outsider without stake') };
    const bad = signBlockV2(
      DOMAIN,
      t.block,
      0,
      { transactions: [], votes: [], evidence: [], reveal: '22'.repeat(32) },
      t.block.timestamp + 1000,
      outsider.secret,
    );
    expect(codeOf(() => applyBlockV2(PARAMS, t, bad))).toBe('WRONG_VALIDATOR');
  });

  it('refuses a timestamp that does not increase, or that is before its round, or too far ahead of the clock', () => {
    const t = last();
    const v = keyOf(blockOn(t).validator);
    const same = signBlockV2(
      DOMAIN,
      t.block,
      blockOn(t).round,
      { transactions: [], votes: [], evidence: [], reveal: revealFor(t, v) },
      t.block.timestamp,
      v.secret,
    );
    expect(codeOf(() => applyBlockV2(PARAMS, t, same))).toBe('TOO_EARLY');
    const ok = blockOn(t);
    expect(codeOf(() => applyBlockV2(PARAMS, t, ok, { now: ok.timestamp - 2001 }))).toBe('FUTURE_BLOCK');
    expect(applyBlockV2(PARAMS, t, ok, { now: ok.timestamp - 2000 }).block.index).toBe(t.block.index + 1);
    const r1 = blockOn(t, {}, { round: 1 });
    expect(r1.timestamp).toBe(earliestTimestampV2(t.block.timestamp, roundScheduleV2(PARAMS, t).openingOf(1)));
    const early = signBlockV2(
      DOMAIN,
      t.block,
      1,
      { transactions: [], votes: [], evidence: [], reveal: r1.reveal },
      r1.timestamp - 1,
      keyOf(r1.validator).secret,
    );
    // round 1 names its round: stamped one ms before it opens, it is early even if its validator also wins round 0
    expect(codeOf(() => applyBlockV2(PARAMS, t, early))).toBe('TOO_EARLY');
    expect(applyBlockV2(PARAMS, t, r1).round).toBe(1);
  });

  it('refuses a reveal that does not follow the onion, and a hash or signature that does not match', () => {
    const t = last();
    const good = blockOn(t);
    const v = keyOf(good.validator);
    const wrong = signBlockV2(
      DOMAIN,
      t.block,
      good.round,
      { transactions: [], votes: [], evidence: [], reveal: '11'.repeat(32) },
      good.timestamp,
      v.secret,
    );
    expect(codeOf(() => applyBlockV2(PARAMS, t, wrong))).toBe('BAD_REVEAL');
    expect(codeOf(() => applyBlockV2(PARAMS, t, { ...good, timestamp: good.timestamp + 1 }))).toBe('BAD_HASH');
    const other = KEYS4.find((k) => k.address !== v.address)!;
    const forged = signBlockV2(
      DOMAIN,
      t.block,
      good.round,
      { transactions: [], votes: [], evidence: [], reveal: good.reveal },
      good.timestamp,
      other.secret,
    );
    expect(codeOf(() => applyBlockV2(PARAMS, t, { ...good, signature: forged.signature }))).toBe('BAD_SIGNATURE');
  });

  it('refuses malformed votes, evidence and transactions with their codes, before hashing them', () => {
    const t = last();
    const good = blockOn(t);
    const junk = [
      null,
      7,
      { kind: 'double_vote', first: null, second: 1 },
      { kind: 'other' },
      { kind: 'double_block', first: {}, second: {} },
    ];
    for (const e of junk) expect(codeOf(() => applyBlockV2(PARAMS, t, { ...good, evidence: [e as never] }))).toBe('BAD_EVIDENCE');
    for (const v of [null, 'vote', { staker: A.address }])
      expect(codeOf(() => applyBlockV2(PARAMS, t, { ...good, votes: [v as never] }))).toBe('BAD_VOTE');
    expect(codeOf(() => applyBlockV2(PARAMS, t, { ...good, transactions: [null as never] }))).toBe('INVALID_TRANSACTION');
  });

  it('refuses a vote that is not includable, and one whose signature is not the staker’s', () => {
    const t = last();
    const fin = t.finality;
    const stale = signVote(DOMAIN, B.secret, { height: 0, hash: NET.tip.block.current_hash }, fin.finalized);
    expect(codeOf(() => mint(t, { votes: [stale] }))).toBe('BAD_VOTE');
    const target = { height: fin.justified.height + 4, hash: 'ab'.repeat(32) };
    const offBranch = signVote(DOMAIN, B.secret, fin.justified, target);
    expect(codeOf(() => mint(t, { votes: [offBranch] }))).toBe('BAD_VOTE');
    const e = protocolError(() => mint(t, { votes: [{ ...offBranch, staker: C.address }] }));
    expect(e.code).toBe('BAD_SIGNATURE');
  });
});

describe('slashing in a block', () => {
  it('burns a double voter’s stake, keeps the supply with the burned total, ignores its later votes and refuses its stake', () => {
    const t = last();
    const j = t.finality.justified;
    const v1 = signVote(DOMAIN, B.secret, j, { height: j.height + 4, hash: 'aa'.repeat(32) });
    const v2 = signVote(DOMAIN, B.secret, j, { height: j.height + 4, hash: 'bb'.repeat(32) });
    const after = mint(t, { evidence: [doubleVoteEvidence(DOMAIN, v1, v2)] });
    expect(accountOf(after.ledger, B.address).stake).toBe(0);
    expect(after.slashing.burned).toBe(1000);
    expect(supplyWithBurned(after.ledger, after.slashing)).toBe(SUPPLY);
    expect(after.slashing.slashed.has(B.address)).toBe(true);
    expect(codeOf(() => mint(after, { evidence: [doubleVoteEvidence(DOMAIN, v1, v2)] }))).toBe('BAD_EVIDENCE');
    let later = after;
    while (!voteToCast(later.finality)) later = mint(later);
    const cast = voteToCast(later.finality)!;
    expect(codeOf(() => mint(later, { votes: [signVote(DOMAIN, B.secret, cast.source, cast.target)] }))).toBe('BAD_VOTE');
    expect(mint(later, { votes: [signVote(DOMAIN, C.secret, cast.source, cast.target)] }).finality.lastTarget.get(C.address)).toBe(
      cast.target.height,
    );
    const nonce = accountOf(after.ledger, B.address).nonce;
    const e = protocolError(() => mint(after, { transactions: [stakeTx(B, 500, nonce)] }));
    expect([e.code, e.cause_code]).toEqual(['INVALID_TRANSACTION', 'SLASHED']);
  });

  it('burns the stake of a validator that signed two blocks at one height and round', () => {
    const t = last();
    const one = blockOn(t);
    const v = keyOf(one.validator);
    const two = signBlockV2(
      DOMAIN,
      t.block,
      one.round,
      { transactions: [], votes: [], evidence: [], reveal: one.reveal },
      one.timestamp + 1,
      v.secret,
    );
    const evidence = doubleBlockEvidence(DOMAIN, headerOf(DOMAIN, one), headerOf(DOMAIN, two));
    const after = mint(applyBlockV2(PARAMS, t, one), { evidence: [evidence] });
    expect(accountOf(after.ledger, v.address).stake).toBe(0);
    expect(supplyWithBurned(after.ledger, after.slashing)).toBe(SUPPLY);
    expect((after.block as BlockV2).evidence).toHaveLength(1);
  });

  it('refuses a block whose validator is slashed on its branch', () => {
    const t = last();
    const one = blockOn(t);
    const v = keyOf(one.validator);
    const w1 = signVote(DOMAIN, v.secret, t.finality.justified, { height: t.finality.justified.height + 4, hash: 'cc'.repeat(32) });
    const w2 = signVote(DOMAIN, v.secret, t.finality.justified, { height: t.finality.justified.height + 4, hash: 'dd'.repeat(32) });
    // Another validator carries the evidence if the slashed one is drawn first.
    let after = t;
    let carried = false;
    for (let i = 0; i < 64 && !carried; i++) {
      const next = blockOn(after, {}, { round: 0 });
      if (next.validator === v.address) after = applyBlockV2(PARAMS, after, next);
      else {
        after = mint(after, { evidence: [doubleVoteEvidence(DOMAIN, w1, w2)] });
        carried = true;
      }
    }
    expect(carried).toBe(true);
    let refused = false;
    for (let i = 0; i < 200 && !refused; i++) {
      const next = blockOn(after, {}, { round: 0 });
      if (next.validator === v.address) {
        expect(codeOf(() => applyBlockV2(PARAMS, after, next))).toBe('SLASHED');
        refused = true;
      } else after = applyBlockV2(PARAMS, after, next);
    }
    expect(refused).toBe(true);
  });
});

it('starts from the genesis at T0', () => {
  expect(NET.tip.block.timestamp).toBe(T0);
});
