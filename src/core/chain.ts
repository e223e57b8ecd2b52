/**
 * Block and chain validation (SPEC A, "Blocks" and "Proof of Stake"; SPEC B, "Validator
 * failure"): a block is valid only if it links to its parent, has the next index, comes from the
 * validator the lottery names for round 0 — or for a later round r — stamped at least r rounds
 * after its parent (round 0's: not before its parent), carries its validator's signature, holds
 * 1 … capacity transactions, and every transaction is valid applied in order on the parent's
 * state. `applyBlock` returns the new tip or throws a coded error, leaving the parent untouched.
 */
import { checkGenesis, verifyBlockSeal } from './block.js';
import { nobleCrypto, type Crypto } from './crypto.js';
import { ensure, ProtocolError } from './errors.js';
import { drawValidator, roundOf, validatorsByRound } from './lottery.js';
import { MAX_ROUNDS, ROUND_MS, type NetworkParams } from './params.js';
import { applyTransactions, genesisLedger, stakersOf, type Ledger } from './state.js';
import { verifyTransaction } from './transaction.js';
import { totalSupply } from './params.js';
import type { Block, Transaction } from './types.js';

export interface ChainTip {
  readonly block: Block;
  /** The committed state after `block`. */
  readonly ledger: Ledger;
  /** The lottery round whose validator produced `block` (0 unless its validator failed). */
  readonly round: number;
}

/**
 * How a block's transactions have their id and signature checked: by default verifyTransaction
 * with the `crypto` that applyBlock is given. A node passes one that remembers what it already
 * verified (every transaction is verified once per node).
 */
export type TxVerifier = (domain: string, tx: Transaction) => void;

/**
 * Round 0's validator for the block after each tip, remembered: a node asks once to validate the
 * next block and once to decide whether to mint it, and a tip is immutable (a pure memo).
 */
const roundZero = new WeakMap<ChainTip, { bootstrap: string; address: string }>();

/** The validator the lottery names (round 0) for the block after `tip`. */
export function nextValidator(params: NetworkParams, tip: ChainTip): string {
  const known = roundZero.get(tip);
  if (known?.bootstrap === params.bootstrap) return known.address;
  const address = drawValidator(tip.block.current_hash, stakersOf(tip.ledger), params.bootstrap);
  // Stryker disable next-line ObjectLiteral: a memo; an entry that never matches only costs a fresh draw
  roundZero.set(tip, { bootstrap: params.bootstrap, address });
  return address;
}

/** The first round below MAX_ROUNDS in which `address` may produce the block after `tip`; -1 if none. */
export function roundFor(params: NetworkParams, tip: ChainTip, address: string): number {
  return roundOf(tip.block.current_hash, stakersOf(tip.ledger), params.bootstrap, address, MAX_ROUNDS);
}

/** The validators of rounds 0 … count-1 for the block after `tip`. */
export function validatorsOfRounds(params: NetworkParams, tip: ChainTip, count: number): string[] {
  const out: string[] = [];
  if (count <= 0) return out;
  for (const address of validatorsByRound(tip.block.current_hash, stakersOf(tip.ledger), params.bootstrap)) {
    out.push(address);
    if (out.length >= count) break;
  }
  return out;
}

/** The earliest timestamp a block of `round` after `parent` may carry. */
export function earliestTimestamp(parent: Block, round: number): number {
  return parent.timestamp + round * ROUND_MS;
}

function isSafeIndex(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** Validates `block` on top of `tip` and returns the new tip. */
export function applyBlock(
  params: NetworkParams,
  tip: ChainTip,
  block: Block,
  verifyTx?: TxVerifier,
  crypto: Crypto = nobleCrypto,
): ChainTip {
  const checkTx = verifyTx ?? ((domain: string, tx: Transaction) => verifyTransaction(domain, tx, crypto));
  ensure(isSafeIndex(block.index), 'BAD_INDEX', 'index must be a non-negative integer');
  ensure(block.index === tip.block.index + 1, 'BAD_INDEX', `block ${block.index} does not follow the tip ${tip.block.index}`);
  ensure(block.previous_hash === tip.block.current_hash, 'BAD_PREVIOUS_HASH', `block ${block.index} does not link to the tip's hash`);
  ensure(isSafeIndex(block.timestamp), 'BAD_HASH', 'timestamp must be a non-negative integer');
  const round = validatorRound(params, tip, block);
  const count = block.transactions.length;
  ensure(count >= 1 && count <= params.capacity, 'BAD_BLOCK_SIZE', `a block holds 1 to ${params.capacity} transactions, this one ${count}`);
  verifyBlockSeal(block, crypto);
  const seen = new Set<string>();
  for (const tx of block.transactions) {
    ensure(!seen.has(tx.id), 'DUPLICATE', `transaction ${tx.id} appears twice in block ${block.index}`);
    seen.add(tx.id);
    asBlockError(block, tx, () => checkTx(params.domain, tx));
  }
  let ledger: Ledger | undefined;
  asBlockError(block, undefined, () => {
    ledger = applyTransactions(tip.ledger, block.transactions, block.validator);
  });
  return { block, ledger: ledger!, round };
}

/**
 * The round `block`'s validator produced it in: round 0's validator, or a later one's in time. A
 * block of round r is stamped at least r rounds after its parent: for round 0, not before it.
 */
function validatorRound(params: NetworkParams, tip: ChainTip, block: Block): number {
  const expected = nextValidator(params, tip);
  const round = block.validator === expected ? 0 : typeof block.validator === 'string' ? roundFor(params, tip, block.validator) : -1;
  ensure(
    round >= 0,
    'WRONG_VALIDATOR',
    `block ${block.index} is from ${String(block.validator).slice(0, 12)}…, but the lottery names ${expected.slice(0, 12)}… (and the validator wins none of the next ${MAX_ROUNDS - 1} rounds)`,
  );
  const earliest = earliestTimestamp(tip.block, round);
  ensure(
    block.timestamp >= earliest,
    'TOO_EARLY',
    round === 0
      ? `block ${block.index} is stamped ${tip.block.timestamp - block.timestamp} ms before its parent block`
      : `block ${block.index} is from the validator of round ${round}, which opens ${round * ROUND_MS} ms after the parent block; it is stamped ${block.timestamp - tip.block.timestamp} ms after it`,
  );
  return round;
}

/** Runs a transaction check of a block, turning its protocol error into the block's INVALID_TRANSACTION. */
export function asBlockError(block: Block, tx: Transaction | undefined, run: () => void): void {
  try {
    run();
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    const which = tx ? `transaction ${tx.id.slice(0, 12)}…` : 'a transaction';
    throw new ProtocolError('INVALID_TRANSACTION', `block ${block.index}: ${which} is invalid: ${err.message}`, err.code);
  }
}

/** The tip right after genesis, and the network parameters the genesis implies. */
export function genesisTip(
  genesis: Block,
  n: number,
  capacity: number,
  crypto: Crypto = nobleCrypto,
): { params: NetworkParams; tip: ChainTip } {
  const bootstrap = checkGenesis(genesis, n, crypto);
  const params: NetworkParams = { n, capacity, bootstrap, domain: genesis.current_hash };
  return { params, tip: { block: genesis, ledger: genesisLedger(bootstrap, totalSupply(n)), round: 0 } };
}

/** Validates a whole chain from its genesis; returns the parameters and the final tip. */
export function validateChain(
  blocks: readonly Block[],
  n: number,
  capacity: number,
  verifyTx?: TxVerifier,
  crypto: Crypto = nobleCrypto,
): { params: NetworkParams; tip: ChainTip } {
  ensure(blocks.length > 0, 'BAD_GENESIS', 'a chain has at least its genesis block');
  const { params, tip: first } = genesisTip(blocks[0]!, n, capacity, crypto);
  let tip = first;
  for (let i = 1; i < blocks.length; i++) tip = applyBlock(params, tip, blocks[i]!, verifyTx, crypto);
  return { params, tip };
}
