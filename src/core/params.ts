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
