/** Protocol constants (SPEC part A). Every rule that needs a number takes it from here. */

/** Money is integers of a minor unit: 1 BCC = 100 units (SPEC A, "Money"). */
export const UNITS_PER_BCC = 100;
/** Every node starts with this many BCC; the supply is this times n. */
export const BCC_PER_NODE = 1000;
/** Coin transfers pay 3 % of the amount, rounded up to the unit. */
export const COIN_FEE_PERCENT = 3;
/** A message costs 1 BCC per Unicode code point. */
export const MESSAGE_UNITS_PER_CHAR = UNITS_PER_BCC;
export const MAX_MESSAGE_CHARS = 1024;
/** The stake each node commits once it has its coins, unless configured. */
export const DEFAULT_STAKE_BCC = 10;
/** The address that is no one's: sender of the genesis coins, receiver of stake transactions. */
export const NO_ONE = '0';
export const GENESIS_PREVIOUS_HASH = '1';

/** What every node agrees on about its network, fixed when the network forms. */
export interface NetworkParams {
  /** Number of nodes. */
  readonly n: number;
  /** Maximum transactions per block. */
  readonly capacity: number;
  /** The bootstrap's address: the validator while nobody stakes. */
  readonly bootstrap: string;
  /** Domain tag of every transaction id: the genesis block's hash. */
  readonly domain: string;
}

/** Total supply in units: 1000 · n BCC. */
export function totalSupply(n: number): number {
  return n * BCC_PER_NODE * UNITS_PER_BCC;
}

/**
 * Validator failure (SPEC B): a round lasts at least this long. The validator of round r ≥ 1
 * may produce the block only with a timestamp at least r rounds after its parent's, so that it
 * cannot pre-empt the validators before it while they are alive (docs/protocol.md, "Time and
 * rounds": the same rule decides when a node mints). Version 2: how long a round lasts whose
 * validator missed its last turn (or never had one).
 */
export const ROUND_MS = 250;
/**
 * Version 2: how long a round lasts whose validator made the block of its last turn: one that is
 * probably up, merely slow, is not pre-empted by a block that the fork choice would then drop.
 */
export const LIVE_ROUND_MS = 1_000;
/** Rounds tried before a height is given up on (a block from a later round is invalid). */
export const MAX_ROUNDS = 64;
/**
 * Fork choice: how many blocks below the best tip a competing branch may still replace. Blocks
 * deeper than this are final. Forks arise only when a validator of a later round produced a
 * block while an earlier one was alive but late, so they are a block or two deep.
 */
export const REORG_DEPTH = 16;

// ---- Protocol version 2: finality, accountability and the lottery seed (docs/protocol.md,
// "Finality, accountability and the lottery seed"). Not used by the node until it is wired.

/** Blocks at heights that are multiples of this are checkpoints: the blocks stakers vote for. */
export const CHECKPOINT_INTERVAL = 4;
/**
 * While finality stalls, a branch's record keeps the checkpoints of the last this many intervals
 * (plus its finalised and latest justified ones): votes naming older ones are not includable.
 * Bounds the record; honest votes name the latest justified checkpoint and the newest one.
 */
export const CHECKPOINT_WINDOW = 64;
/** Heights kL … kL+L−1 form seed epoch k: one seed and one stake snapshot per epoch. */
export const SEED_EPOCH_BLOCKS = 32;
/** Reveals per committed onion (hash chain) before its owner commits a new one. */
export const ONION_LENGTH = 65536;
/** A block stamped later than the receiver's clock plus this is refused on every path. */
export const MAX_FUTURE_MS = 2000;
/** Votes a block may carry. */
export const MAX_VOTES_PER_BLOCK = 256;
/** Pieces of evidence a block may carry. */
export const MAX_EVIDENCE_PER_BLOCK = 8;
