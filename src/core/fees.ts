/** What each transaction costs its sender and pays its validator (SPEC A, "Transactions"). */
import { COIN_FEE_PERCENT, MESSAGE_UNITS_PER_CHAR } from './params.js';
import type { TxBody } from './types.js';

/**
 * The 3 % fee of a coin transfer, rounded up to the unit. Split into hundreds and remainder so
 * that `3 · amount` never leaves the safe-integer range.
 */
export function coinFee(amount: number): number {
  const hundreds = Math.floor(amount / 100);
  const rest = amount % 100;
  return hundreds * COIN_FEE_PERCENT + Math.ceil((rest * COIN_FEE_PERCENT) / 100);
}

/** Number of Unicode code points (not UTF-16 code units) of a message. */
export function codePoints(message: string): number {
  let count = 0;
  for (const _ of message) count++;
  return count;
}

/** 1 BCC per code point. */
export function messageCost(message: string): number {
  return codePoints(message) * MESSAGE_UNITS_PER_CHAR;
}

/** The fee the block's validator earns from this transaction. */
export function feeOf(tx: Pick<TxBody, 'type' | 'amount' | 'message'>): number {
  switch (tx.type) {
    case 'coins':
      return coinFee(tx.amount);
    case 'message':
      return messageCost(tx.message);
    case 'stake':
      return 0;
  }
}

/**
 * Units leaving the sender's available balance. For a stake, the change of stake: negative when
 * stake is withdrawn back to the balance.
 */
export function debitOf(tx: TxBody, currentStake: number): number {
  switch (tx.type) {
    case 'coins':
      return tx.amount + coinFee(tx.amount);
    case 'message':
      return messageCost(tx.message);
    case 'stake':
      return tx.amount - currentStake;
  }
}
