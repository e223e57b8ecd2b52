import { describe, expect, it } from 'vitest';
import { signHash } from '../../src/core/crypto.js';
import { doubleBlockEvidence, doubleVoteEvidence, evidenceId } from '../../src/core/evidence.js';
import { headerHash, headerPreimageText, verifyHeaderSeal, type Header, type HeaderFields } from '../../src/core/header.js';
import { OnionChain, onionSecret, onionValue } from '../../src/core/onion.js';
import { advanceSeed, genesisSeedState, RoundDraw, Tickets, type SeedState } from '../../src/core/seed.js';
import { liveAfter, RoundSchedule } from '../../src/core/rounds.js';
import { earliestTimestampV2, isTooFarAhead } from '../../src/core/time.js';
import { signVote, verifyVote, voteId, votePreimageText, type Vote, type VoteBody } from '../../src/core/vote.js';
import { codeOf, key, loadVectors } from './fixtures.js';
import { mixReveal } from '../../src/core/seed.js';

/** test/vectors/finality.json, made by test/vectors/finality-reference.py (an independent reference). */
interface FinalityVectors {
  domain: string;
  votes: Array<{ name: string; key: number; body: VoteBody; canon: string; id: string; signature: string }>;
  evidence: Array<{ name: string; kind: 'double_vote' | 'double_block'; first_id: string; second_id: string; id: string }>;
  headers: Array<{ name: string; key: number; fields: HeaderFields; canon: string; current_hash: string; signature: string }>;
  onion: { key: number; roots: number; length: number; secret: string; values: Record<string, string> };
  mix: Array<{ mix: string; reveal: string; next: string }>;
  draws: Array<{
    seed: string;
    height: number;
    stakers: Array<[string, number]>;
    total: number;
    rounds: Array<{ ticket: number; validator: string }>;
  }>;
  epochs: {
    epoch_blocks: number;
    onion_length: number;
    blocks: Array<{ height: number; key: number; reveal: string }>;
    seeds: Record<string, string>;
    mix_after_last: string;
  };
  rounds: {
    openings: Array<{ name: string; drawn: string[]; live: string[]; slashed: string[]; openings: number[] }>;
    live_after: Array<{ name: string; live: string[]; drawn: string[]; round: number; validator: string; after: string[] }>;
  };
  time: {
    earliest: Array<{ parent: number; opening: number; earliest: number }>;
    future: Array<{ timestamp: number; now: number; too_far: boolean }>;
  };
}

const V = loadVectors<FinalityVectors>('finality.json');
const D = V.domain;
const voteOf = (i: number): Vote => ({ ...V.votes[i]!.body, signature: V.votes[i]!.signature });
const headerOfVector = (i: number): Header => ({
  ...V.headers[i]!.fields,
  current_hash: V.headers[i]!.current_hash,
  signature: V.headers[i]!.signature,
});

describe('vote encoding (vectors)', () => {
  it.each(V.votes.map((v, i) => [v.name, i] as const))('%s: preimage, id and signature', (_name, i) => {
    const v = V.votes[i]!;
    expect(votePreimageText(D, v.body)).toBe(v.canon);
    expect(voteId(D, v.body)).toBe(v.id);
    const signed = signVote(
      D,
      key(v.key).secret,
      { height: v.body.source_height, hash: v.body.source_hash },
      { height: v.body.target_height, hash: v.body.target_hash },
    );
    expect(signed.signature).toBe(v.signature);
    expect(verifyVote(D, voteOf(i))).toBe(v.id);
  });
});

describe('block header encoding (vectors)', () => {
  it.each(V.headers.map((h, i) => [h.name, i] as const))('%s: preimage, hash and signature', (_name, i) => {
    const h = V.headers[i]!;
    expect(headerPreimageText(D, h.fields)).toBe(h.canon);
    expect(headerHash(D, h.fields)).toBe(h.current_hash);
    expect(signHash(h.current_hash, key(h.key).secret)).toBe(h.signature);
    expect(() => verifyHeaderSeal(D, headerOfVector(i))).not.toThrow();
  });
});

describe('evidence ids (vectors)', () => {
  it('double vote, surround vote and double block', () => {
    const [dv, sv, db] = V.evidence as [FinalityVectors['evidence'][0], FinalityVectors['evidence'][0], FinalityVectors['evidence'][0]];
    const e1 = doubleVoteEvidence(D, voteOf(2), voteOf(1));
    expect([voteId(D, e1.first), voteId(D, e1.second)]).toEqual([dv.first_id, dv.second_id]);
    expect(evidenceId(D, e1)).toBe(dv.id);
    const e2 = doubleVoteEvidence(D, voteOf(3), voteOf(1));
    expect(evidenceId(D, e2)).toBe(sv.id);
    const e3 = doubleBlockEvidence(D, headerOfVector(2), headerOfVector(1));
    expect([e3.first.current_hash, e3.second.current_hash]).toEqual([db.first_id, db.second_id]);
    expect(evidenceId(D, e3)).toBe(db.id);
  });

  it('two blocks of one validator at one height in different rounds are not a double block', () => {
    const [r1, r63] = [V.headers[1]!, V.headers[3]!];
    expect([r1.fields.index, r1.fields.round, r63.fields.index, r63.fields.round]).toEqual([2, 1, 2, 63]);
    expect(codeOf(() => doubleBlockEvidence(D, headerOfVector(1), headerOfVector(3)))).toBe('BAD_EVIDENCE');
  });
});

describe('onions, mix and draws (vectors)', () => {
  it('derives the onion secret and its values', () => {
    const o = V.onion;
    expect(onionSecret(D, key(o.key).secret, o.roots)).toBe(o.secret);
    const chain = new OnionChain(o.secret, o.length);
    const entries = Object.entries(o.values);
    expect(entries.length).toBeGreaterThan(0);
    for (const [j, value] of entries) expect(chain.value(Number(j))).toBe(value);
    expect(onionValue(o.secret, o.length - 1, o.length)).toBe(o.values[String(o.length - 1)]);
  });

  it('mixes reveals', () => {
    expect(V.mix.length).toBeGreaterThan(0);
    for (const m of V.mix) expect(mixReveal(m.mix, m.reveal)).toBe(m.next);
  });

  it.each(V.draws.map((d) => [d.height, d] as const))('draws the validators of rounds 0-3 at height %i', (_h, d) => {
    const tickets = new Tickets(d.seed, d.height, d.total);
    const state: SeedState = { ...genesisSeedState(D), seed: d.seed, stakers: d.stakers };
    const validators = new RoundDraw(state, d.height, 'nobody');
    d.rounds.forEach((r, round) => {
      expect(tickets.next()).toBe(r.ticket);
      expect(validators.validatorOf(round)).toBe(r.validator);
    });
  });

  it('gives each epoch the mix after the last block of the previous one', () => {
    const e = V.epochs;
    const onions = [0, 1].map((k) => new OnionChain(onionSecret(D, key(k).secret, 0), e.onion_length));
    let s = genesisSeedState(D);
    const seeds: Record<string, string> = { '0': s.seed };
    for (const b of e.blocks) {
      const entry = s.onions.get(key(b.key).address);
      const mine = onions[b.key]!;
      expect(entry === undefined ? mine.root : mine.value(entry.count + 1)).toBe(b.reveal);
      s = advanceSeed(s, b.height, key(b.key).address, b.reveal, new Map());
      if ((b.height + 1) % e.epoch_blocks === 0) seeds[String((b.height + 1) / e.epoch_blocks)] = s.seed;
    }
    expect(seeds).toEqual(e.seeds);
    expect(s.mix).toBe(e.mix_after_last);
  });
});

/** A draw that names `drawn[r]` in round r. */
const drawOf = (drawn: readonly string[]) => ({ validatorOf: (r: number) => drawn[r]! });

describe('rounds (vectors)', () => {
  it.each(V.rounds.openings.map((c) => [c.name, c] as const))('openings: %s', (_name, c) => {
    const schedule = new RoundSchedule(drawOf(c.drawn), new Set(c.live), new Set(c.slashed));
    expect(c.openings.map((_, r) => schedule.openingOf(r))).toEqual(c.openings);
  });

  it.each(V.rounds.live_after.map((c) => [c.name, c] as const))('live after a block: %s', (_name, c) => {
    expect([...liveAfter(new Set(c.live), drawOf(c.drawn), c.round, c.validator)].sort()).toEqual(c.after);
  });
});

describe('time (vectors)', () => {
  it('the earliest timestamp of each round and the future bound', () => {
    for (const t of V.time.earliest) expect(earliestTimestampV2(t.parent, t.opening)).toBe(t.earliest);
    for (const f of V.time.future) expect(isTooFarAhead(f.timestamp, f.now)).toBe(f.too_far);
  });
});
