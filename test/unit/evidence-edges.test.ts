/**
 * Evidence at its edges (src/core/evidence.ts; docs/protocol.md, "Slashing"): an offender the
 * ledger does not know, the inputs left as they were, the code of the statement that failed, and
 * the order of the two statements.
 */
import { describe, expect, it } from 'vitest';
import {
  applyEvidence,
  checkEvidenceShape,
  doubleVoteEvidence,
  noSlashing,
  offenderOf,
  verifyEvidence,
  type Evidence,
} from '../../src/core/evidence.js';
import { signHash } from '../../src/core/crypto.js';
import { headerHash, type Header } from '../../src/core/header.js';
import type { Ledger } from '../../src/core/state.js';
import { signVote, voteId, type Vote } from '../../src/core/vote.js';
import { key, protocolError } from './fixtures.js';

const [A, B] = [key(0), key(1)];
const DOMAIN = 'ab'.repeat(32);
const cp = (height: number, tag: string) => ({ height, hash: Buffer.from(tag.padEnd(32, '.')).toString('hex') });
const v1 = signVote(DOMAIN, B.secret, cp(4, 'a'), cp(8, 'b'));
const v2 = signVote(DOMAIN, B.secret, cp(4, 'a'), cp(8, 'rival'));
const LEDGER: Ledger = new Map([
  [A.address, { balance: 100, stake: 40, nonce: 3 }],
  [B.address, { balance: 7, stake: 0, nonce: 1 }],
]);
const against = (staker: string): Evidence => ({
  kind: 'double_vote',
  first: { ...v1, staker },
  second: { ...v2, staker },
});

describe('applying evidence', () => {
  it('burns the whole stake of a known offender and keeps its balance and nonce', () => {
    const r = applyEvidence(LEDGER, noSlashing(), against(A.address));
    expect(r.ledger.get(A.address)).toEqual({ balance: 100, stake: 0, nonce: 3 });
    expect(r.burned).toBe(40);
    expect(r.slashing).toEqual({ slashed: new Set([A.address]), burned: 40 });
    // the inputs are untouched
    expect(LEDGER.get(A.address)!.stake).toBe(40);
  });

  it('adds no account for an offender the ledger does not hold, and leaves one without stake as it was', () => {
    const stranger = key(2).address;
    const r = applyEvidence(LEDGER, noSlashing(), against(stranger));
    expect([...r.ledger.keys()]).toEqual([...LEDGER.keys()]);
    expect(r.burned).toBe(0);
    expect(r.slashing.slashed.has(stranger)).toBe(true);
    const b = applyEvidence(LEDGER, r.slashing, against(B.address));
    expect(b.ledger.get(B.address)).toEqual({ balance: 7, stake: 0, nonce: 1 });
    expect([...b.slashing.slashed].sort()).toEqual([stranger, B.address].sort());
    expect(r.slashing.slashed.has(B.address)).toBe(false);
  });

  it('convicts the first statement’s author', () => {
    expect(offenderOf(against(A.address))).toBe(A.address);
  });
});

describe('checking evidence', () => {
  it('puts the two votes in id order whichever comes first, and refuses the other order', () => {
    const e = doubleVoteEvidence(DOMAIN, v2, v1);
    expect(voteId(DOMAIN, e.first) < voteId(DOMAIN, e.second)).toBe(true);
    expect(doubleVoteEvidence(DOMAIN, v1, v2)).toEqual(e);
    const err = protocolError(() => verifyEvidence(DOMAIN, { ...e, first: e.second, second: e.first }));
    expect(err.code).toBe('BAD_EVIDENCE');
  });

  it('refuses an unknown kind even when its two statements are conflicting votes', () => {
    const e = doubleVoteEvidence(DOMAIN, v1, v2);
    expect(protocolError(() => verifyEvidence(DOMAIN, { ...e, kind: 'double_votes' } as unknown as Evidence)).code).toBe('BAD_EVIDENCE');
  });

  it('checks the seal of both headers, the forged one first or second', () => {
    const header = (timestamp: number, by = A): Header => {
      const f = {
        index: 7,
        round: 0,
        timestamp,
        validator: A.address,
        previous_hash: '11'.repeat(32),
        tx_ids: [],
        reveal: '22'.repeat(32),
        vote_ids: [],
        evidence_ids: [],
      };
      const current_hash = headerHash(DOMAIN, f);
      return { ...f, current_hash, signature: signHash(current_hash, by.secret) };
    };
    const [x, y] = [header(1), header(2)].sort((p, q) => (p.current_hash < q.current_hash ? -1 : 1)) as [Header, Header];
    expect(() => verifyEvidence(DOMAIN, { kind: 'double_block', first: x, second: y })).not.toThrow();
    const forged = (h: Header): Header => ({ ...h, signature: signHash(h.current_hash, B.secret) });
    for (const e of [
      { kind: 'double_block' as const, first: forged(x), second: y },
      { kind: 'double_block' as const, first: x, second: forged(y) },
    ]) {
      const err = protocolError(() => verifyEvidence(DOMAIN, e));
      expect([err.code, err.cause_code]).toEqual(['BAD_EVIDENCE', 'BAD_SIGNATURE']);
    }
  });

  it('names the code of the statement that failed', () => {
    const e = doubleVoteEvidence(DOMAIN, v1, v2);
    const forged: Vote = { ...e.second, signature: signVote(DOMAIN, A.secret, cp(4, 'a'), cp(8, 'rival')).signature };
    const bad = protocolError(() => verifyEvidence(DOMAIN, { ...e, second: forged }));
    expect([bad.code, bad.cause_code]).toEqual(['BAD_EVIDENCE', 'BAD_SIGNATURE']);
    const shape = protocolError(() => checkEvidenceShape({ ...e, first: { ...e.first, target_height: 7 } }));
    expect([shape.code, shape.cause_code]).toEqual(['BAD_EVIDENCE', 'BAD_VOTE']);
    const asBlocks = protocolError(() => checkEvidenceShape({ ...e, kind: 'double_block' } as unknown as Evidence));
    expect([asBlocks.code, asBlocks.cause_code]).toEqual(['BAD_EVIDENCE', 'BAD_INDEX']); // a vote has no index
  });
});
