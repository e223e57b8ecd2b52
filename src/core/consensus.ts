/**
 * Block validity of protocol version 2 (docs/protocol.md, "Block validity (version 2)"): the
 * draw from the epoch's seed and snapshot, the time rule, the seal, the onion reveal, the
 * transactions, the evidence and the votes, in that order; and the state a block leaves — ledger,
 * seed, finality record and slashing. `applyBlockV2` returns the new tip or throws a coded error,
 * leaving the parent untouched. This is also what an independent checker runs on `GET /blocks`.
 */
import { nobleCrypto, type Crypto } from './crypto.js';
import { asBlockError, genesisTip, type ChainTip, type TxVerifier } from './chain.js';
import { ensure, ProtocolError } from './errors.js';
import { applyEvidence, checkEvidenceShape, noSlashing, verifyEvidence, type SlashingState } from './evidence.js';
import { applyVotes, genesisFinality, recordBlock, type FinalityState } from './finality.js';
import { MAX_EVIDENCE_PER_BLOCK, MAX_ROUNDS, MAX_VOTES_PER_BLOCK, type NetworkParams } from './params.js';
import { isRound } from './header.js';
import { checkReveal, genesisSeedState, roundAt, RoundDraw, seedAfterReveal, type SeedState } from './seed.js';
import { applyTransactions, type Ledger } from './state.js';
import { liveAfter, noTurns, RoundSchedule, type Live } from './rounds.js';
import { checkNotFuture, checkTimestamp } from './time.js';
import { verifyTransaction } from './transaction.js';
import type { Block, Transaction } from './types.js';
import { checkVoteShape, verifyVoteSignature, type Vote } from './vote.js';
import { verifyBlockSealV2, type BlockV2 } from './blockv2.js';

export interface TipV2 extends ChainTip {
  readonly seed: SeedState;
  readonly finality: FinalityState;
  readonly slashing: SlashingState;
  /** The validators that made the block of their last turn on this branch (src/core/rounds.ts). */
  readonly live: Live;
}

export interface ApplyOptions {
  /** The receiver's clock (ms): given on every path that accepts a block from outside; omitted only to recheck a stored chain. */
  readonly now?: number;
  readonly verifyTx?: TxVerifier;
  /**
   * How a carried vote's signature is checked (returns its id), given the vote of valid form and
   * its id (from the block's header). A node passes one that remembers the votes it already
   * verified when they were gossiped (verifyVoteSignature by default).
   */
  readonly verifyVote?: (domain: string, vote: Vote, id: string) => string;
  /** The node's suite; the reference (noble) when omitted. */
  readonly crypto?: Crypto;
}

/** The validators of rounds 0 … count−1 for the block after `tip`. */
export function validatorsOfRoundsV2(params: NetworkParams, tip: TipV2, count: number, crypto: Crypto = nobleCrypto): string[] {
  const draw = roundDrawV2(params, tip, crypto);
  return Array.from({ length: Math.max(0, count) }, (_, r) => draw.validatorOf(r));
}

/**
 * The draw and the round openings for the block after each tip, remembered: a node draws to
 * validate the next block, to find its own round, to time it and for its status, and a tip is
 * immutable (a pure memo, as chain.ts's).
 */
const roundsAfter = new WeakMap<TipV2, { bootstrap: string; draw: RoundDraw; schedule: RoundSchedule }>();

function roundsOf(params: NetworkParams, tip: TipV2, crypto: Crypto): { draw: RoundDraw; schedule: RoundSchedule } {
  const known = roundsAfter.get(tip);
  if (known?.bootstrap === params.bootstrap) return known;
  const draw = new RoundDraw(tip.seed, tip.block.index + 1, params.bootstrap, crypto);
  const rounds = { bootstrap: params.bootstrap, draw, schedule: new RoundSchedule(draw, tip.live, tip.slashing.slashed) };
  roundsAfter.set(tip, rounds);
  return rounds;
}

/** The validators of the rounds for the block after `tip`, drawn as they are asked for (once per tip). */
export function roundDrawV2(params: NetworkParams, tip: TipV2, crypto: Crypto = nobleCrypto): RoundDraw {
  return roundsOf(params, tip, crypto).draw;
}

/** When each round of the block after `tip` opens, in ms after its timestamp (docs/protocol.md, "Time and rounds"). */
export function roundScheduleV2(params: NetworkParams, tip: TipV2, crypto: Crypto = nobleCrypto): RoundSchedule {
  return roundsOf(params, tip, crypto).schedule;
}

/** The first round below MAX_ROUNDS in which `address` may make the block after `tip`; −1 if none. */
export function roundForV2(params: NetworkParams, tip: TipV2, address: string, crypto: Crypto = nobleCrypto): number {
  return roundAt(tip.seed, tip.block.index + 1, params.bootstrap, address, MAX_ROUNDS, crypto);
}

/** The tip after the genesis under version 2, and the parameters the genesis implies. */
export function genesisTipV2(
  genesis: Block,
  n: number,
  capacity: number,
  crypto: Crypto = nobleCrypto,
): { params: NetworkParams; tip: TipV2 } {
  const { params, tip } = genesisTip(genesis, n, capacity, crypto);
  return {
    params,
    tip: {
      ...tip,
      seed: genesisSeedState(params.domain),
      finality: genesisFinality(genesis.current_hash, tip.ledger, params.bootstrap),
      slashing: noSlashing(),
      live: noTurns(),
    },
  };
}

/** A list of at most `max` items; not a type guard, so the block's declared element types stay. */
function isListOfAtMost(x: unknown, max: number): boolean {
  return Array.isArray(x) && x.length <= max;
}

function isSafeIndex(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** Validates a version-2 block on top of `tip` and returns the new tip. */
export function applyBlockV2(params: NetworkParams, tip: TipV2, block: BlockV2, opts: ApplyOptions = {}): TipV2 {
  const crypto = opts.crypto ?? nobleCrypto;
  const verifyTx = opts.verifyTx ?? ((domain: string, tx: Transaction) => verifyTransaction(domain, tx, crypto));
  ensure(
    isSafeIndex(block.index) && block.index === tip.block.index + 1,
    'BAD_INDEX',
    `block ${block.index} does not follow the tip ${tip.block.index}`,
  );
  ensure(block.previous_hash === tip.block.current_hash, 'BAD_PREVIOUS_HASH', `block ${block.index} does not link to the tip's hash`);
  ensure(isSafeIndex(block.timestamp), 'BAD_HASH', 'timestamp must be a non-negative integer');
  const round = block.round;
  ensure(isRound(round), 'BAD_ROUND', `block ${block.index}: round must be an integer from 0 to ${MAX_ROUNDS - 1}`);
  if (opts.now !== undefined) checkNotFuture(block.timestamp, opts.now);

  const { draw, schedule } = roundsOf(params, tip, crypto);
  ensure(
    draw.validatorOf(round) === block.validator,
    'WRONG_VALIDATOR',
    `block ${block.index}: its validator is not the validator of round ${round} at this height`,
  );
  ensure(!tip.slashing.slashed.has(block.validator), 'SLASHED', `block ${block.index}: its validator is slashed on this branch`);
  checkTimestamp(tip.block.timestamp, round, schedule.openingOf(round), block.timestamp);

  const txs = block.transactions;
  ensure(isListOfAtMost(txs, params.capacity), 'BAD_BLOCK_SIZE', `a block holds 0 to ${params.capacity} transactions`);
  ensure(isListOfAtMost(block.votes, MAX_VOTES_PER_BLOCK), 'BAD_BLOCK_SIZE', `a block holds at most ${MAX_VOTES_PER_BLOCK} votes`);
  ensure(
    isListOfAtMost(block.evidence, MAX_EVIDENCE_PER_BLOCK),
    'BAD_BLOCK_SIZE',
    `a block holds at most ${MAX_EVIDENCE_PER_BLOCK} pieces of evidence`,
  );
  // the form of what the hash covers, before anything is hashed from it
  ensure(
    txs.every((t) => typeof t === 'object' && t !== null),
    'INVALID_TRANSACTION',
    `block ${block.index} holds a transaction that is not an object`,
  );
  for (const v of block.votes) checkVoteShape(v, crypto);
  for (const e of block.evidence) checkEvidenceShape(e, crypto);
  const { vote_ids } = verifyBlockSealV2(params.domain, block, crypto);
  const revealed = checkReveal(tip.seed.onions, block.validator, block.reveal, crypto);

  // Transactions: as in version 1, and a slashed address may not stake again.
  const seen = new Set<string>();
  for (const tx of txs) {
    ensure(!seen.has(tx.id), 'DUPLICATE', () => `transaction ${tx.id} appears twice in block ${block.index}`);
    seen.add(tx.id);
    asBlockError(block, tx, () => verifyTx(params.domain, tx));
    if (tx.type === 'stake' && tx.amount > 0 && tip.slashing.slashed.has(tx.sender)) {
      throw new ProtocolError(
        'INVALID_TRANSACTION',
        `block ${block.index}: transaction ${tx.id.slice(0, 12)}… stakes from a slashed address`,
        'SLASHED',
      );
    }
  }
  let ledger: Ledger = tip.ledger;
  asBlockError(block, undefined, () => {
    ledger = applyTransactions(tip.ledger, txs, block.validator);
  });

  // Evidence: each verified, then applied in order (a second piece against one offender fails).
  let slashing = tip.slashing;
  for (const e of block.evidence) {
    verifyEvidence(params.domain, e, crypto);
    ({ ledger, slashing } = applyEvidence(ledger, slashing, e));
  }

  // Votes: each signed, then counted in order on the parent's record.
  const checkVote = opts.verifyVote ?? ((_domain: string, v: Vote, id: string) => verifyVoteSignature(v, id, crypto));
  block.votes.forEach((v, i) => checkVote(params.domain, v, vote_ids[i]!));
  let finality = applyVotes(tip.finality, block.votes, slashing.slashed, block.index);
  finality = recordBlock(finality, block.index, block.current_hash, ledger, params.bootstrap);
  const seed = seedAfterReveal(tip.seed, block.index, block.validator, block.reveal, revealed, ledger, crypto);
  const live = liveAfter(tip.live, draw, round, block.validator);
  return { block, ledger, round, seed, finality, slashing, live };
}

/** Validates a whole version-2 chain from its genesis (no clock: a stored chain); returns the parameters and the tip. */
export function validateChainV2(
  blocks: readonly Block[],
  n: number,
  capacity: number,
  opts: Omit<ApplyOptions, 'now'> = {},
): { params: NetworkParams; tip: TipV2 } {
  ensure(blocks.length > 0, 'BAD_GENESIS', 'a chain has at least its genesis block');
  const { params, tip: first } = genesisTipV2(blocks[0]!, n, capacity, opts.crypto);
  let tip = first;
  for (let i = 1; i < blocks.length; i++) tip = applyBlockV2(params, tip, blocks[i] as BlockV2, opts);
  return { params, tip };
}
