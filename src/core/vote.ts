/**
 * Finality votes (docs/protocol.md, "Encodings" and "Slashing"): their form, id, signature and
 * the conflicts between two of them that are evidence (double vote, surround vote).
 */
import { isAddressOn, isHex, nobleCrypto, verifiesOn, type Crypto } from './crypto.js';
import { canonText } from './encoding.js';
import { ensure } from './errors.js';
import { CHECKPOINT_INTERVAL } from './params.js';

/** A checkpoint: a block at a height that is a multiple of CHECKPOINT_INTERVAL. */
export interface Checkpoint {
  readonly height: number;
  readonly hash: string;
}

/** The signed fields of a vote. */
export interface VoteBody {
  readonly staker: string;
  readonly source_height: number;
  readonly source_hash: string;
  readonly target_height: number;
  readonly target_hash: string;
}

export interface Vote extends VoteBody {
  readonly signature: string;
}

export const VOTE_TAG = 'blockchat/vote';

/** The canonical preimage text of a vote id. */
export function votePreimageText(domain: string, v: VoteBody): string {
  return canonText([VOTE_TAG, domain, v.staker, v.source_height, v.source_hash, v.target_height, v.target_hash]);
}

/** vote id = hex(SHA-256(canon(["blockchat/vote", domain, staker, source_height, source_hash, target_height, target_hash]))). */
export function voteId(domain: string, v: VoteBody, crypto: Crypto = nobleCrypto): string {
  return crypto.sha256Hex(votePreimageText(domain, v));
}

function isCheckpointHeight(h: unknown): h is number {
  return typeof h === 'number' && Number.isSafeInteger(h) && h >= 0 && h % CHECKPOINT_INTERVAL === 0;
}

/** Form of every field: BAD_VOTE with the reason. No signature check. */
export function checkVoteShape(v: VoteBody, crypto: Crypto = nobleCrypto): void {
  ensure(typeof v === 'object' && v !== null, 'BAD_VOTE', 'a vote must be an object');
  ensure(isAddressOn(crypto, v.staker), 'BAD_VOTE', 'staker is not a valid address');
  ensure(isCheckpointHeight(v.source_height), 'BAD_VOTE', `source_height must be a multiple of ${CHECKPOINT_INTERVAL}`);
  ensure(isCheckpointHeight(v.target_height), 'BAD_VOTE', `target_height must be a multiple of ${CHECKPOINT_INTERVAL}`);
  ensure(v.source_height < v.target_height, 'BAD_VOTE', 'the source must be below the target');
  ensure(isHex(v.source_hash, 32) && isHex(v.target_hash, 32), 'BAD_VOTE', 'source_hash and target_hash are 32 bytes of hex');
}

/** Builds and signs a vote for `target` from `source` with the staker's secret key. */
export function signVote(domain: string, secretKeyHex: string, source: Checkpoint, target: Checkpoint, crypto: Crypto = nobleCrypto): Vote {
  const body: VoteBody = {
    staker: crypto.addressOf(secretKeyHex),
    source_height: source.height,
    source_hash: source.hash,
    target_height: target.height,
    target_hash: target.hash,
  };
  checkVoteShape(body, crypto);
  return Object.freeze({ ...body, signature: crypto.signHash(voteId(domain, body, crypto), secretKeyHex) });
}

/** Checks the form and the staker's signature; returns the vote id. */
export function verifyVote(domain: string, v: Vote, crypto: Crypto = nobleCrypto): string {
  checkVoteShape(v, crypto);
  return verifyVoteSignature(v, voteId(domain, v, crypto), crypto);
}

/** Checks the staker's signature over `id`, which the caller computed as voteId(domain, v) from a vote of valid form; returns `id`. */
export function verifyVoteSignature(v: Vote, id: string, crypto: Crypto = nobleCrypto): string {
  ensure(verifiesOn(crypto, id, v.signature, v.staker), 'BAD_SIGNATURE', "the vote is not signed by its staker's key");
  return id;
}

/** Copies exactly the protocol fields of a vote. */
export function pickVote(v: Vote): Vote {
  const { staker, source_height, source_hash, target_height, target_hash, signature } = v;
  return { staker, source_height, source_hash, target_height, target_hash, signature };
}

export type VoteConflict = 'double' | 'surround' | undefined;

/**
 * Whether two votes by one staker are evidence: 'double' when they differ and name one target
 * height, 'surround' when one's (source, target) strictly contains the other's; else undefined.
 * Votes of different stakers, or the same vote twice, never conflict.
 */
export function voteConflict(a: VoteBody, b: VoteBody): VoteConflict {
  if (a.staker !== b.staker) return undefined;
  const same =
    a.source_height === b.source_height &&
    a.source_hash === b.source_hash &&
    a.target_height === b.target_height &&
    a.target_hash === b.target_hash;
  if (same) return undefined;
  if (a.target_height === b.target_height) return 'double';
  const surrounds = (x: VoteBody, y: VoteBody) => x.source_height < y.source_height && y.target_height < x.target_height;
  if (surrounds(a, b) || surrounds(b, a)) return 'surround';
  return undefined;
}
