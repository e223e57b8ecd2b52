/**
 * Version-2 block validity at its edges (src/core/consensus.ts; docs/protocol.md, "Block
 * validity (version 2)"): the size limits at and one past their bound, fields of the wrong type,
 * a transaction twice, and what a slashed address may still do. Built on the genesis, where the
 * bootstrap validates every round.
 */
import { describe, expect, it } from 'vitest';
import { signBlockV2, type BlockV2 } from '../../src/core/blockv2.js';
import { applyBlockV2, validateChainV2 } from '../../src/core/consensus.js';
import { nobleCrypto, type Crypto } from '../../src/core/crypto.js';
import { coinFee } from '../../src/core/fees.js';
import { doubleVoteEvidence } from '../../src/core/evidence.js';
import { MAX_EVIDENCE_PER_BLOCK, MAX_VOTES_PER_BLOCK } from '../../src/core/params.js';
import { accountOf } from '../../src/core/state.js';
import { signVote } from '../../src/core/vote.js';
import { codeOf, protocolError } from './fixtures.js';
import { blockOn, CAPACITY, coinsTx, DOMAIN, GENESIS, KEYS4, mint, NET, PARAMS, stakeTx } from './v2-fixtures.js';

const [A, B] = KEYS4 as [(typeof KEYS4)[0], (typeof KEYS4)[0]];
const G = NET.tip;
const genesisCp = { height: 0, hash: GENESIS.current_hash };
const vote = signVote(DOMAIN, B.secret, genesisCp, { height: 4, hash: 'aa'.repeat(32) });
const evidence = doubleVoteEvidence(DOMAIN, vote, signVote(DOMAIN, B.secret, genesisCp, { height: 4, hash: 'bb'.repeat(32) }));
const copies = <T>(n: number, x: T): T[] => Array.from({ length: n }, () => x);
const apply = (b: BlockV2) => applyBlockV2(PARAMS, G, b);

describe('the size of a version-2 block', () => {
  it('holds up to the capacity of transactions, 256 votes and 8 pieces of evidence: at the bound the block is checked on (its seal fails here)', () => {
    const good = blockOn(G);
    const tx = coinsTx(A, B.address, 100, 0);
    expect(codeOf(() => apply({ ...good, transactions: copies(CAPACITY, tx) }))).toBe('BAD_HASH');
    expect(codeOf(() => apply({ ...good, transactions: copies(CAPACITY + 1, tx) }))).toBe('BAD_BLOCK_SIZE');
    expect(codeOf(() => apply({ ...good, votes: copies(MAX_VOTES_PER_BLOCK, vote) }))).toBe('BAD_HASH');
    expect(codeOf(() => apply({ ...good, votes: copies(MAX_VOTES_PER_BLOCK + 1, vote) }))).toBe('BAD_BLOCK_SIZE');
    expect(codeOf(() => apply({ ...good, evidence: copies(MAX_EVIDENCE_PER_BLOCK, evidence) }))).toBe('BAD_HASH');
    expect(codeOf(() => apply({ ...good, evidence: copies(MAX_EVIDENCE_PER_BLOCK + 1, evidence) }))).toBe('BAD_BLOCK_SIZE');
  });

  it('refuses lists that are not arrays, even when they have a length', () => {
    const good = blockOn(G);
    for (const field of ['transactions', 'votes', 'evidence'] as const)
      expect(codeOf(() => apply({ ...good, [field]: 'x' }))).toBe('BAD_BLOCK_SIZE');
  });
});

describe('the header fields of a version-2 block', () => {
  it('refuses a block that does not follow the tip or link to it', () => {
    const good = blockOn(G);
    expect(codeOf(() => apply({ ...good, index: 2 }))).toBe('BAD_INDEX');
    expect(codeOf(() => apply({ ...good, index: 0 }))).toBe('BAD_INDEX');
    expect(codeOf(() => apply({ ...good, previous_hash: 'cc'.repeat(32) }))).toBe('BAD_PREVIOUS_HASH');
  });

  it('refuses a timestamp that is no non-negative integer before anything else about time', () => {
    const good = blockOn(G);
    for (const timestamp of [-1, good.timestamp + 0.5, String(good.timestamp), NaN])
      expect(codeOf(() => apply({ ...good, timestamp } as unknown as BlockV2))).toBe('BAD_HASH');
    // 0 is of the right form, only too early
    expect(codeOf(() => apply(blockOn(G, {}, { timestamp: 0 })))).toBe('TOO_EARLY');
    // a fraction that is also too early (the earliest is 1 ms after the parent): its form fails first
    expect(codeOf(() => apply({ ...good, timestamp: GENESIS.timestamp + 0.5 }))).toBe('BAD_HASH');
  });

  it('refuses a validator that is not a string as one that wins no round', () => {
    expect(codeOf(() => apply({ ...blockOn(G), validator: 42 } as unknown as BlockV2))).toBe('WRONG_VALIDATOR');
  });

  it('refuses a transaction that is not an object before hashing the block', () => {
    expect(codeOf(() => apply({ ...blockOn(G), transactions: ['tx' as never] }))).toBe('INVALID_TRANSACTION');
  });

  it('refuses a transaction twice in one block', () => {
    const tx = coinsTx(A, B.address, 100, 0);
    expect(codeOf(() => mint(G, { transactions: [tx, tx] }))).toBe('DUPLICATE');
    expect(mint(G, { transactions: [tx] }).ledger.get(B.address)!.balance).toBe(100);
  });

  it('refuses an empty chain', () => {
    expect(codeOf(() => validateChainV2([], 4, CAPACITY))).toBe('BAD_GENESIS');
  });
});

describe('a slashed address', () => {
  it('may not stake again, but may leave its stake at zero; others stake as before', () => {
    // B has no stake: slashing it burns nothing but marks it on the branch
    const slashed = mint(G, { transactions: [coinsTx(A, B.address, 10_000, 0)], evidence: [evidence] });
    expect(slashed.slashing.slashed.has(B.address)).toBe(true);
    expect(slashed.slashing.burned).toBe(0);
    const e = protocolError(() => mint(slashed, { transactions: [stakeTx(B, 500, 0)] }));
    expect([e.code, e.cause_code]).toEqual(['INVALID_TRANSACTION', 'SLASHED']);
    const zero = mint(slashed, { transactions: [stakeTx(B, 0, 0)] });
    expect(accountOf(zero.ledger, B.address)).toEqual({ ...accountOf(slashed.ledger, B.address), nonce: 1 });
    expect(accountOf(mint(slashed, { transactions: [stakeTx(A, 500, 1)] }).ledger, A.address).stake).toBe(500);
    // coins are not stake: a slashed address still sends them
    const coins = coinsTx(B, A.address, 100, 0);
    expect(accountOf(mint(slashed, { transactions: [coins] }).ledger, B.address).balance).toBe(10_000 - 100 - coinFee(100));
  });
});

describe('the signatures in a version-2 block', () => {
  it('are checked for each transaction when no verifier is given (INVALID_TRANSACTION, cause BAD_SIGNATURE)', () => {
    const tx = coinsTx(A, B.address, 100, 0);
    const forged = { ...tx, signature: coinsTx(A, B.address, 100, 1).signature }; // A's signature of another transaction
    const e = protocolError(() => mint(G, { transactions: [forged] }));
    expect([e.code, e.cause_code]).toEqual(['INVALID_TRANSACTION', 'BAD_SIGNATURE']);
  });

  it('are checked with the suite it is given, not the reference', () => {
    const block = blockOn(G);
    expect(applyBlockV2(PARAMS, G, block, { crypto: { ...nobleCrypto, name: 'copy' } }).block).toBe(block);
    const refusesAll: Crypto = { ...nobleCrypto, name: 'refuses every signature', verifyHash: () => false };
    expect(codeOf(() => applyBlockV2(PARAMS, G, block, { crypto: refusesAll }))).toBe('BAD_SIGNATURE');
  });
});

it('a block signed on another tip is refused by its link, not its seal', () => {
  const other = signBlockV2(
    DOMAIN,
    { index: 0, current_hash: 'dd'.repeat(32) },
    blockOn(G).round,
    blockOn(G),
    blockOn(G).timestamp,
    A.secret,
  );
  expect(codeOf(() => apply(other))).toBe('BAD_PREVIOUS_HASH');
});
