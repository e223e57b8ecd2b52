import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyEvidence,
  doubleBlockEvidence,
  doubleVoteEvidence,
  noSlashing,
  supplyWithBurned,
  verifyEvidence,
  type DoubleVoteEvidence,
  type SlashingState,
} from '../../src/core/evidence.js';
import { headerHash, type Header, type HeaderFields } from '../../src/core/header.js';
import { signHash } from '../../src/core/crypto.js';
import { applyTransactions, type Ledger } from '../../src/core/state.js';
import { maySign, NO_VOTES, remember } from '../../src/core/finality.js';
import { signVote, voteConflict, type Checkpoint, type Vote } from '../../src/core/vote.js';
import type { TxBody } from '../../src/core/types.js';
import { debitOf } from '../../src/core/fees.js';
import { codeOf, key, protocolError } from './fixtures.js';
import { DOMAIN } from './v2-fixtures.js';

const A = key(0);
const B = key(1);
const cp = (height: number, tag: string): Checkpoint => ({ height, hash: Buffer.from(tag.padEnd(32, '.')).toString('hex') });

function header(k: typeof A, fields: Partial<HeaderFields>, domain = DOMAIN): Header {
  const f: HeaderFields = {
    index: 7,
    round: 0,
    timestamp: 1_700_000_000_000,
    validator: k.address,
    previous_hash: '11'.repeat(32),
    tx_ids: [],
    reveal: '22'.repeat(32),
    vote_ids: [],
    evidence_ids: [],
    ...fields,
  };
  const current_hash = headerHash(domain, f);
  return { ...f, current_hash, signature: signHash(current_hash, k.secret) };
}

describe('double-block evidence', () => {
  it('convicts a validator that signed two blocks at one height, in either order', () => {
    const one = header(A, { timestamp: 1 });
    const two = header(A, { timestamp: 2 });
    const e = doubleBlockEvidence(DOMAIN, two, one);
    expect(e.first.current_hash < e.second.current_hash).toBe(true);
    expect(() => verifyEvidence(DOMAIN, e)).not.toThrow();
  });

  it('refuses two heights, two validators, one block twice, the wrong order, another network and a forged signature', () => {
    const one = header(A, { timestamp: 1 });
    expect(codeOf(() => doubleBlockEvidence(DOMAIN, one, header(A, { index: 8 })))).toBe('BAD_EVIDENCE');
    expect(codeOf(() => doubleBlockEvidence(DOMAIN, one, header(B, { timestamp: 2 })))).toBe('BAD_EVIDENCE');
    expect(codeOf(() => doubleBlockEvidence(DOMAIN, one, one))).toBe('BAD_EVIDENCE');
    const e = doubleBlockEvidence(DOMAIN, one, header(A, { timestamp: 2 }));
    expect(codeOf(() => verifyEvidence(DOMAIN, { ...e, first: e.second, second: e.first }))).toBe('BAD_EVIDENCE');
    const elsewhere = 'ee'.repeat(32);
    expect(codeOf(() => doubleBlockEvidence(DOMAIN, header(A, { timestamp: 1 }, elsewhere), header(A, { timestamp: 2 }, elsewhere)))).toBe(
      'BAD_EVIDENCE',
    );
    const forged = { ...header(A, { timestamp: 3 }), signature: header(B, { timestamp: 3 }).signature };
    expect(codeOf(() => doubleBlockEvidence(DOMAIN, one, forged))).toBe('BAD_EVIDENCE');
  });

  it('is one (height, round): two blocks at one height in different rounds convict nobody, in the same later round they do', () => {
    const r0 = header(A, { timestamp: 1, round: 0 });
    const r1 = header(A, { timestamp: 2, round: 1 });
    const r1b = header(A, { timestamp: 3, round: 1 });
    const err = protocolError(() => doubleBlockEvidence(DOMAIN, r0, r1));
    expect(err.code).toBe('BAD_EVIDENCE');
    expect(() => doubleBlockEvidence(DOMAIN, r1, r1b)).not.toThrow();
    // a round outside the draw is a form error of the statement
    const e = doubleBlockEvidence(DOMAIN, r1, r1b);
    expect(protocolError(() => verifyEvidence(DOMAIN, { ...e, first: { ...e.first, round: 64 } })).cause_code).toBe('BAD_ROUND');
  });
});

describe('double-vote evidence', () => {
  it('convicts a double vote and a surround vote, not two compatible votes', () => {
    const v48 = signVote(DOMAIN, A.secret, cp(4, 'a'), cp(8, 'b'));
    const v48r = signVote(DOMAIN, A.secret, cp(4, 'a'), cp(8, 'rival'));
    const v012 = signVote(DOMAIN, A.secret, cp(0, 'g'), cp(12, 'c'));
    const v812 = signVote(DOMAIN, A.secret, cp(8, 'b'), cp(12, 'c'));
    expect(() => doubleVoteEvidence(DOMAIN, v48, v48r)).not.toThrow();
    expect(() => doubleVoteEvidence(DOMAIN, v012, v48)).not.toThrow();
    expect(codeOf(() => doubleVoteEvidence(DOMAIN, v48, v812))).toBe('BAD_EVIDENCE');
    expect(codeOf(() => doubleVoteEvidence(DOMAIN, v48, v48))).toBe('BAD_EVIDENCE');
    const other = signVote(DOMAIN, B.secret, cp(4, 'a'), cp(8, 'rival'));
    expect(codeOf(() => doubleVoteEvidence(DOMAIN, v48, other))).toBe('BAD_EVIDENCE');
    expect(codeOf(() => doubleVoteEvidence(DOMAIN, v48, { ...v48r, signature: other.signature }))).toBe('BAD_EVIDENCE');
  });

  it('a voter that signs only what maySign allows never signs two conflicting votes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 1, max: 9 })), { minLength: 1, maxLength: 12 }),
        (candidates) => {
          const signed: Vote[] = [];
          let memory = NO_VOTES;
          for (const [s, t] of candidates) {
            const source = cp(s * 4, 's');
            const target = cp(t * 4, `t${s}`);
            if (!maySign(memory, source, target)) continue;
            memory = remember(memory, source, target);
            signed.push({
              staker: A.address,
              source_height: source.height,
              source_hash: source.hash,
              target_height: target.height,
              target_hash: target.hash,
              signature: '',
            });
          }
          for (let i = 0; i < signed.length; i++)
            for (let j = i + 1; j < signed.length; j++) expect(voteConflict(signed[i]!, signed[j]!)).toBeUndefined();
        },
      ),
    );
    const a = { staker: A.address, source_height: 8, source_hash: cp(8, 's').hash, target_height: 12, target_hash: cp(12, 't').hash };
    expect(voteConflict(a, { ...a, source_height: 4, target_height: 16 })).toBe('surround');
    expect(voteConflict({ ...a, source_height: 4, target_height: 16 }, a)).toBe('surround');
    const after = remember(NO_VOTES, cp(8, 's'), cp(12, 't'));
    expect(maySign(after, cp(4, 's'), cp(16, 't'))).toBe(false);
    expect(maySign(after, cp(8, 's'), cp(16, 't'))).toBe(true);
  });
});

describe('applying evidence', () => {
  const addresses = [key(0), key(1), key(2), key(3)].map((k) => k.address);
  const SUPPLY = 400_000;
  const fake = (offender: string): DoubleVoteEvidence => ({
    kind: 'double_vote',
    first: { staker: offender, source_height: 0, source_hash: '', target_height: 4, target_hash: '', signature: '' },
    second: { staker: offender, source_height: 0, source_hash: '', target_height: 4, target_hash: '', signature: '' },
  });

  it('conserves Σ balance + Σ stake + burned through stake changes, transfers and slashing', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({
              op: fc.constant('stake' as const),
              who: fc.integer({ min: 0, max: 3 }),
              amount: fc.integer({ min: 0, max: 60_000 }),
            }),
            fc.record({
              op: fc.constant('coins' as const),
              who: fc.integer({ min: 0, max: 3 }),
              to: fc.integer({ min: 0, max: 3 }),
              amount: fc.integer({ min: 1, max: 30_000 }),
            }),
            fc.record({ op: fc.constant('slash' as const), who: fc.integer({ min: 0, max: 3 }) }),
          ),
          { minLength: 1, maxLength: 30 },
        ),
        (ops) => {
          let ledger: Ledger = new Map(addresses.map((a) => [a, { balance: SUPPLY / 4, stake: 0, nonce: 0 }]));
          let slashing: SlashingState = noSlashing();
          for (const o of ops) {
            const who = addresses[o.who]!;
            if (o.op === 'slash') {
              if (slashing.slashed.has(who)) {
                expect(codeOf(() => applyEvidence(ledger, slashing, fake(who)))).toBe('BAD_EVIDENCE');
              } else {
                const stake = ledger.get(who)!.stake;
                const r = applyEvidence(ledger, slashing, fake(who));
                expect(r.burned).toBe(stake);
                expect(r.ledger.get(who)!.stake).toBe(0);
                expect(r.ledger.get(who)!.balance).toBe(ledger.get(who)!.balance);
                ({ ledger, slashing } = r);
              }
            } else {
              const acc = ledger.get(who)!;
              const body: TxBody =
                o.op === 'stake'
                  ? { sender: who, receiver: '0', type: 'stake', amount: o.amount, message: '', nonce: acc.nonce }
                  : { sender: who, receiver: addresses[o.to]!, type: 'coins', amount: o.amount, message: '', nonce: acc.nonce };
              if (body.receiver === who || debitOf(body, acc.stake) > acc.balance) continue; // a block would not hold it
              ledger = applyTransactions(ledger, [body], addresses[0]!);
            }
            expect(supplyWithBurned(ledger, slashing)).toBe(SUPPLY);
          }
        },
      ),
    );
  });
});
