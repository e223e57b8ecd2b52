/**
 * Finality votes (src/core/vote.ts; docs/protocol.md, "Encodings" and "Slashing"): the form every
 * field must have, the signature under the network's domain, the copy of the protocol fields,
 * and which pairs of votes by one staker are evidence.
 */
import { describe, expect, it } from 'vitest';
import { checkVoteShape, pickVote, signVote, verifyVote, voteConflict, type VoteBody } from '../../src/core/vote.js';
import { codeOf, key } from './fixtures.js';

const A = key(0);
const B = key(1);
const DOMAIN = 'ab'.repeat(32);
const hash = (tag: string): string => Buffer.from(tag.padEnd(32, '.')).toString('hex');
const body = (fields: Partial<Record<keyof VoteBody, unknown>> = {}): VoteBody =>
  ({
    staker: A.address,
    source_height: 4,
    source_hash: hash('s'),
    target_height: 8,
    target_hash: hash('t'),
    ...fields,
  }) as VoteBody;

describe('the form of a vote', () => {
  it('accepts checkpoint heights from the genesis up, the source below the target', () => {
    expect(() => checkVoteShape(body())).not.toThrow();
    expect(() => checkVoteShape(body({ source_height: 0, target_height: 4 }))).not.toThrow();
    expect(() => checkVoteShape(body({ source_height: 0, target_height: 2 ** 52 }))).not.toThrow();
  });

  it.each([
    ['null', null],
    ['a string', 'vote'],
    ['a staker that is no address', body({ staker: '0' })],
    ['a staker in upper case', body({ staker: A.address.toUpperCase() })],
    ['a source height as text', body({ source_height: '4' })],
    ['a fractional source height', body({ source_height: 4.5 })],
    ['a negative source height', body({ source_height: -4 })],
    ['a source height that is no multiple of the interval', body({ source_height: 2 })],
    ['an unsafe source height', body({ source_height: 2 ** 53, target_height: 2 ** 53 + 4 })],
    ['a target height as text', body({ target_height: '8' })],
    ['a target height that is no multiple of the interval', body({ target_height: 6 })],
    ['an unsafe target height', body({ target_height: 2 ** 53 })],
    ['a NaN target height', body({ target_height: NaN })],
    ['a source equal to the target', body({ source_height: 8 })],
    ['a source above the target', body({ source_height: 12 })],
    ['a source hash too short', body({ source_hash: 'ab' })],
    ['a source hash in upper case', body({ source_hash: hash('s').toUpperCase() })],
    ['a target hash that is no hex', body({ target_hash: 'zz'.repeat(32) })],
    ['a target hash too long', body({ target_hash: hash('t') + '00' })],
  ])('refuses %s with BAD_VOTE', (_what, vote) => {
    expect(codeOf(() => checkVoteShape(vote as VoteBody))).toBe('BAD_VOTE');
  });
});

describe('the signature of a vote', () => {
  const source = { height: 4, hash: hash('s') };
  const target = { height: 8, hash: hash('t') };

  it("is the staker's over the vote id under the domain, and nothing else verifies", () => {
    const v = signVote(DOMAIN, A.secret, source, target);
    expect(v.staker).toBe(A.address);
    expect(() => verifyVote(DOMAIN, v)).not.toThrow();
    expect(codeOf(() => verifyVote('cd'.repeat(32), v))).toBe('BAD_SIGNATURE');
    expect(codeOf(() => verifyVote(DOMAIN, { ...v, staker: B.address }))).toBe('BAD_SIGNATURE');
    expect(codeOf(() => verifyVote(DOMAIN, { ...v, target_hash: hash('other') }))).toBe('BAD_SIGNATURE');
    expect(codeOf(() => verifyVote(DOMAIN, { ...v, target_height: 12 }))).toBe('BAD_SIGNATURE');
    // the form is checked before the signature
    expect(codeOf(() => verifyVote(DOMAIN, { ...v, target_height: 9 }))).toBe('BAD_VOTE');
  });

  it('is never made for a vote of the wrong form', () => {
    expect(codeOf(() => signVote(DOMAIN, A.secret, target, source))).toBe('BAD_VOTE');
  });

  it('copies exactly the protocol fields', () => {
    const v = signVote(DOMAIN, A.secret, source, target);
    const copy = pickVote({ ...v, extra: 1 } as typeof v);
    expect(copy).toStrictEqual({ ...v });
    expect(Object.keys(copy).sort()).toEqual(['signature', 'source_hash', 'source_height', 'staker', 'target_hash', 'target_height']);
  });
});

describe('conflicting votes', () => {
  // heights s → t, hashes named by a tag so that two votes can differ in one field only
  const v = (s: number, t: number, fields: Partial<VoteBody> = {}): VoteBody =>
    body({ source_height: s, source_hash: hash(`s${s}`), target_height: t, target_hash: hash(`t${t}`), ...fields });

  it.each([
    ['another target hash at one height', v(4, 8), v(4, 8, { target_hash: hash('rival') }), 'double'],
    ['another source hash, one target', v(4, 8), v(4, 8, { source_hash: hash('rival') }), 'double'],
    ['another source height, one target', v(4, 8), v(0, 8), 'double'],
    ['another source height under the same source hash, one target', v(4, 8), v(0, 8, { source_hash: hash('s4') }), 'double'],
    ['a link strictly around another', v(0, 12), v(4, 8), 'surround'],
    ['a link strictly inside another', v(4, 8), v(0, 12), 'surround'],
    ['one source, two targets', v(4, 12), v(4, 8), undefined],
    ['two targets, the second link starting at the first target', v(4, 8), v(8, 12), undefined],
    ['two links that overlap without containing each other', v(0, 8), v(4, 12), undefined],
    ['the same vote twice', v(4, 8), v(4, 8), undefined],
    ['two stakers at one target height', v(4, 8), v(4, 8, { staker: B.address, target_hash: hash('rival') }), undefined],
    ['two stakers, one around the other', v(0, 12), v(4, 8, { staker: B.address }), undefined],
  ] as const)('%s: %s', (_what, a, b, expected) => {
    expect(voteConflict(a, b)).toBe(expected);
    expect(voteConflict(b, a)).toBe(expected);
  });
});
