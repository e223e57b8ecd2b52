/**
 * Version-2 block headers (src/core/header.ts; docs/protocol.md, "Encodings"): the form of each
 * field with its code, the seal (hash and signature under the domain), and the copy of the
 * protocol fields that double-block evidence carries.
 */
import { describe, expect, it } from 'vitest';
import { signHash } from '../../src/core/crypto.js';
import { checkHeaderShape, headerHash, pickHeader, verifyHeaderSeal, type Header, type HeaderFields } from '../../src/core/header.js';
import { codeOf, key } from './fixtures.js';

const A = key(0);
const B = key(1);
const DOMAIN = 'ab'.repeat(32);
const ID = '33'.repeat(32);

function sealed(fields: Partial<HeaderFields> = {}, by = A): Header {
  const f: HeaderFields = {
    index: 7,
    round: 3,
    timestamp: 1_700_000_000_000,
    validator: by.address,
    previous_hash: '11'.repeat(32),
    tx_ids: [ID],
    reveal: '22'.repeat(32),
    vote_ids: [ID],
    evidence_ids: [ID],
    ...fields,
  };
  const current_hash = headerHash(DOMAIN, f);
  return { ...f, current_hash, signature: signHash(current_hash, by.secret) };
}

/** The header with one field replaced, whatever its type. */
const withField = (name: keyof Header, value: unknown): Header => ({ ...sealed(), [name]: value });

describe('the form of a header', () => {
  it('accepts index 1 and timestamp 0, and empty id lists', () => {
    expect(() => checkHeaderShape(sealed())).not.toThrow();
    expect(() => checkHeaderShape(sealed({ index: 1, timestamp: 0, tx_ids: [], vote_ids: [], evidence_ids: [] }))).not.toThrow();
    expect(() => checkHeaderShape(sealed({ round: 0 }))).not.toThrow();
    expect(() => checkHeaderShape(sealed({ round: 63 }))).not.toThrow();
  });

  it.each([
    ['null', null, 'BAD_HASH'],
    ['a string', 'header', 'BAD_HASH'],
    ['index 0 (only the unsigned genesis has it)', withField('index', 0), 'BAD_INDEX'],
    ['a fractional index', withField('index', 1.5), 'BAD_INDEX'],
    ['an index as text', withField('index', '7'), 'BAD_INDEX'],
    ['round 64 (rounds are 0 … 63)', withField('round', 64), 'BAD_ROUND'],
    ['a negative round', withField('round', -1), 'BAD_ROUND'],
    ['a fractional round', withField('round', 1.5), 'BAD_ROUND'],
    ['a round as text', withField('round', '3'), 'BAD_ROUND'],
    ['no round (a header from before rounds were named)', withField('round', undefined), 'BAD_ROUND'],
    ['a negative timestamp', withField('timestamp', -1), 'BAD_HASH'],
    ['a fractional timestamp', withField('timestamp', 0.5), 'BAD_HASH'],
    ['a validator that is no address', withField('validator', '0'), 'BAD_SIGNATURE'],
    ['a previous hash that is no hex', withField('previous_hash', 'zz'.repeat(32)), 'BAD_PREVIOUS_HASH'],
    ['the genesis previous hash "1"', withField('previous_hash', '1'), 'BAD_PREVIOUS_HASH'],
    ['a reveal too short', withField('reveal', '22'), 'BAD_REVEAL'],
    ['transaction ids as one string', withField('tx_ids', ID), 'BAD_HASH'],
    ['a transaction id that is no hex', withField('tx_ids', [ID, 'x']), 'BAD_HASH'],
    ['vote ids missing', withField('vote_ids', undefined), 'BAD_HASH'],
    ['a vote id in upper case', withField('vote_ids', [ID.replace(/3/g, 'A')]), 'BAD_HASH'],
    ['evidence ids as an object', withField('evidence_ids', { 0: ID, length: 1 }), 'BAD_HASH'],
    ['an evidence id too short', withField('evidence_ids', ['33']), 'BAD_HASH'],
    ['a current hash that is no hex', withField('current_hash', 'current'), 'BAD_HASH'],
  ] as const)('refuses %s', (_what, header, code) => {
    expect(codeOf(() => checkHeaderShape(header as Header))).toBe(code);
  });
});

describe('the seal of a header', () => {
  it('holds for the header as signed, under its domain only', () => {
    const h = sealed();
    expect(() => verifyHeaderSeal(DOMAIN, h)).not.toThrow();
    expect(codeOf(() => verifyHeaderSeal('cd'.repeat(32), h))).toBe('BAD_HASH');
  });

  it('is broken by any field changed after signing, and by another key', () => {
    const h = sealed();
    expect(codeOf(() => verifyHeaderSeal(DOMAIN, { ...h, tx_ids: [] }))).toBe('BAD_HASH');
    expect(codeOf(() => verifyHeaderSeal(DOMAIN, { ...h, evidence_ids: [] }))).toBe('BAD_HASH');
    expect(codeOf(() => verifyHeaderSeal(DOMAIN, { ...h, timestamp: h.timestamp + 1 }))).toBe('BAD_HASH');
    expect(codeOf(() => verifyHeaderSeal(DOMAIN, { ...h, round: h.round + 1 }))).toBe('BAD_HASH');
    expect(codeOf(() => verifyHeaderSeal(DOMAIN, { ...h, signature: sealed({}, B).signature }))).toBe('BAD_SIGNATURE');
    // B's own seal on A's fields: the hash matches, the signature is not the validator's
    expect(codeOf(() => verifyHeaderSeal(DOMAIN, { ...h, signature: signHash(h.current_hash, B.secret) }))).toBe('BAD_SIGNATURE');
    // the form comes first
    expect(codeOf(() => verifyHeaderSeal(DOMAIN, { ...h, index: 0 }))).toBe('BAD_INDEX');
  });
});

describe('the copy of a header', () => {
  it('keeps exactly the protocol fields, with lists of its own', () => {
    const h = sealed({ tx_ids: [ID, '44'.repeat(32)] });
    const copy = pickHeader({ ...h, transactions: [], extra: 'x' } as Header);
    expect(copy).toStrictEqual({ ...h, tx_ids: [...h.tx_ids], vote_ids: [...h.vote_ids], evidence_ids: [...h.evidence_ids] });
    expect(copy.tx_ids).not.toBe(h.tx_ids);
    expect(copy.vote_ids).not.toBe(h.vote_ids);
    expect(copy.evidence_ids).not.toBe(h.evidence_ids);
    expect(() => verifyHeaderSeal(DOMAIN, copy)).not.toThrow();
  });
});
