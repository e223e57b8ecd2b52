/**
 * Block headers of protocol version 2 (docs/protocol.md, "Encodings"): the fields a block's hash
 * commits to, with the transactions, votes and evidence as lists of their ids, so that a header
 * alone recomputes the hash and checks the signature (what double-block evidence carries).
 */
import { isAddressOn, isHex, nobleCrypto, verifiesOn, type Crypto } from './crypto.js';
import { canonText } from './encoding.js';
import { ensure } from './errors.js';
import { MAX_ROUNDS } from './params.js';

export const BLOCK_TAG = 'blockchat/block';

export interface HeaderFields {
  readonly index: number;
  /** The round of the draw the block is proposed in: (index, round) identifies a proposal. */
  readonly round: number;
  readonly timestamp: number;
  readonly validator: string;
  readonly previous_hash: string;
  readonly tx_ids: readonly string[];
  readonly reveal: string;
  readonly vote_ids: readonly string[];
  readonly evidence_ids: readonly string[];
}

export interface Header extends HeaderFields {
  readonly current_hash: string;
  readonly signature: string;
}

/** canon(["blockchat/block", domain, index, round, timestamp, validator, previous_hash, [tx ids], reveal, [vote ids], [evidence ids]]). */
export function headerPreimageText(domain: string, h: HeaderFields): string {
  return canonText([
    BLOCK_TAG,
    domain,
    h.index,
    h.round,
    h.timestamp,
    h.validator,
    h.previous_hash,
    h.tx_ids,
    h.reveal,
    h.vote_ids,
    h.evidence_ids,
  ]);
}

/** current_hash of a version-2 block. */
export function headerHash(domain: string, h: HeaderFields, crypto: Crypto = nobleCrypto): string {
  return crypto.sha256Hex(headerPreimageText(domain, h));
}

/** A round of the draw a block may name: an integer in 0 … MAX_ROUNDS − 1. */
export function isRound(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 && x < MAX_ROUNDS;
}

function isIdList(x: unknown): x is readonly string[] {
  return Array.isArray(x) && x.every((id) => isHex(id, 32));
}

/** Form of a header's fields (BAD_HASH for what the hash cannot cover). */
export function checkHeaderShape(h: Header, crypto: Crypto = nobleCrypto): void {
  ensure(typeof h === 'object' && h !== null, 'BAD_HASH', 'a header must be an object');
  ensure(Number.isSafeInteger(h.index) && h.index >= 1, 'BAD_INDEX', 'a signed block has index 1 or more');
  ensure(isRound(h.round), 'BAD_ROUND', `round must be an integer from 0 to ${MAX_ROUNDS - 1}`);
  ensure(Number.isSafeInteger(h.timestamp) && h.timestamp >= 0, 'BAD_HASH', 'timestamp must be a non-negative integer');
  ensure(isAddressOn(crypto, h.validator), 'BAD_SIGNATURE', 'validator is not a valid address');
  ensure(isHex(h.previous_hash, 32), 'BAD_PREVIOUS_HASH', 'previous_hash must be 32 bytes of hex');
  ensure(isHex(h.reveal, 32), 'BAD_REVEAL', 'reveal must be 32 bytes of hex');
  ensure(isIdList(h.tx_ids) && isIdList(h.vote_ids) && isIdList(h.evidence_ids), 'BAD_HASH', 'id lists must hold 32-byte hex ids');
  ensure(isHex(h.current_hash, 32), 'BAD_HASH', 'current_hash must be 32 bytes of hex');
}

/** Checks that the header's hash matches its fields under `domain` and that its validator signed it. */
export function verifyHeaderSeal(domain: string, h: Header, crypto: Crypto = nobleCrypto): void {
  checkHeaderShape(h, crypto);
  ensure(headerHash(domain, h, crypto) === h.current_hash, 'BAD_HASH', 'current_hash does not match the header fields');
  ensure(verifiesOn(crypto, h.current_hash, h.signature, h.validator), 'BAD_SIGNATURE', "the block is not signed by its validator's key");
}

/** Copies exactly the protocol fields of a header. */
export function pickHeader(h: Header): Header {
  const { index, round, timestamp, validator, previous_hash, tx_ids, reveal, vote_ids, evidence_ids, current_hash, signature } = h;
  return {
    index,
    round,
    timestamp,
    validator,
    previous_hash,
    tx_ids: [...tx_ids],
    reveal,
    vote_ids: [...vote_ids],
    evidence_ids: [...evidence_ids],
    current_hash,
    signature,
  };
}
