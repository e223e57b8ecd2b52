/**
 * Blocks of protocol version 2 (docs/protocol.md, "Encodings"): today's fields plus the
 * validator's onion `reveal`, the `votes` and the `evidence` it carries, all committed to by a
 * domain-tagged hash. The genesis block keeps its version-1 form.
 */
import { nobleCrypto, type Crypto } from './crypto.js';
import { evidenceId, type Evidence } from './evidence.js';
import { headerHash, verifyHeaderSeal, type Header } from './header.js';
import type { Block, Transaction } from './types.js';
import { voteId, type Vote } from './vote.js';

export interface BlockV2 extends Block {
  /** The round of the draw its validator proposes it in (docs/protocol.md, "Encodings"). */
  readonly round: number;
  readonly reveal: string;
  readonly votes: readonly Vote[];
  readonly evidence: readonly Evidence[];
}

/** The header of a block: its hash's fields with bodies replaced by their ids. */
export function headerOf(domain: string, b: BlockV2, crypto: Crypto = nobleCrypto): Header {
  return {
    index: b.index,
    round: b.round,
    timestamp: b.timestamp,
    validator: b.validator,
    previous_hash: b.previous_hash,
    tx_ids: b.transactions.map((t) => t.id),
    reveal: b.reveal,
    vote_ids: b.votes.map((v) => voteId(domain, v, crypto)),
    evidence_ids: b.evidence.map((e) => evidenceId(domain, e, crypto)),
    current_hash: b.current_hash,
    signature: b.signature,
  };
}

/** The contents a validator chooses for a block. */
export interface BlockContents {
  readonly transactions: readonly Transaction[];
  readonly reveal: string;
  readonly votes: readonly Vote[];
  readonly evidence: readonly Evidence[];
}

/** Builds and signs a version-2 block of `round` on top of `previous` with the validator's secret key. */
export function signBlockV2(
  domain: string,
  previous: Pick<Block, 'index' | 'current_hash'>,
  round: number,
  contents: BlockContents,
  timestamp: number,
  secretKeyHex: string,
  crypto: Crypto = nobleCrypto,
): BlockV2 {
  const unsealed: BlockV2 = {
    index: previous.index + 1,
    round,
    timestamp,
    transactions: contents.transactions,
    validator: crypto.addressOf(secretKeyHex),
    previous_hash: previous.current_hash,
    reveal: contents.reveal,
    votes: contents.votes,
    evidence: contents.evidence,
    current_hash: '',
    signature: '',
  };
  const current_hash = headerHash(domain, headerOf(domain, unsealed, crypto), crypto);
  return Object.freeze({ ...unsealed, current_hash, signature: crypto.signHash(current_hash, secretKeyHex) });
}

/** Checks the block's hash against its fields under `domain` and its validator's signature; returns its header. */
export function verifyBlockSealV2(domain: string, b: BlockV2, crypto: Crypto = nobleCrypto): Header {
  const header = headerOf(domain, b, crypto);
  verifyHeaderSeal(domain, header, crypto);
  return header;
}
