/**
 * The account state and the rules that apply a transaction to it (SPEC A, "Transactions"):
 * exact nonces and an available balance that covers the cost. A ledger is never mutated once
 * built: applying returns a new one, so a failed block leaves the tip state as it was.
 */
import { ensure, ProtocolError } from './errors.js';
import { debitOf, feeOf } from './fees.js';
import { NO_ONE } from './params.js';
import type { Account, TxBody } from './types.js';

export type Ledger = ReadonlyMap<string, Account>;

export const EMPTY_ACCOUNT: Account = Object.freeze({ balance: 0, stake: 0, nonce: 0 });

export function accountOf(ledger: Ledger, address: string): Account {
  return ledger.get(address) ?? EMPTY_ACCOUNT;
}

/**
 * Throws NONCE_USED when `nonce` is below the sender's next one: the transaction repeats one
 * already committed (a replay). The one check of this rule: the pool, the node's intake of peer
 * transactions and `checkTxAgainst` all call it.
 */
export function checkNonceUnused(sender: Account, nonce: number): void {
  // (not `ensure`: every transaction passes here, and the message is built only for a replay)
  if (nonce < sender.nonce) {
    throw new ProtocolError('NONCE_USED', `nonce ${nonce} was already used (the sender's next nonce is ${sender.nonce}): a replay`);
  }
}

/**
 * Throws unless `tx` can execute now on `ledger`: its nonce is the sender's next one and the
 * sender's available balance (stake not counted) covers its cost. The signature is checked
 * elsewhere (transaction.ts), once per node.
 */
export function checkTxAgainst(ledger: Ledger, tx: TxBody): void {
  const sender = accountOf(ledger, tx.sender);
  checkNonceUnused(sender, tx.nonce);
  ensure(tx.nonce === sender.nonce, 'NONCE_AHEAD', `nonce ${tx.nonce} is ahead of the sender's next nonce ${sender.nonce}`);
  const debit = debitOf(tx, sender.stake);
  ensure(
    debit <= sender.balance,
    'INSUFFICIENT_FUNDS',
    `insufficient funds: the transaction costs ${debit} units and the available balance is ${sender.balance}`,
  );
}

/**
 * Applies a checked transaction to a draft map in place; returns the fee it owes the validator.
 * Only for drafts the caller owns (see applyTransactions).
 */
export function applyTxToDraft(draft: Map<string, Account>, tx: TxBody): number {
  checkTxAgainst(draft, tx);
  const sender = accountOf(draft, tx.sender);
  const debit = debitOf(tx, sender.stake);
  const stake = tx.type === 'stake' ? tx.amount : sender.stake;
  draft.set(tx.sender, { balance: sender.balance - debit, stake, nonce: sender.nonce + 1 });
  if (tx.type === 'coins') {
    const receiver = accountOf(draft, tx.receiver);
    draft.set(tx.receiver, { ...receiver, balance: receiver.balance + tx.amount });
  }
  return feeOf(tx);
}

/** Credits `units` to an address in a draft. */
export function creditDraft(draft: Map<string, Account>, address: string, units: number): void {
  if (units === 0) return;
  const acc = accountOf(draft, address);
  draft.set(address, { ...acc, balance: acc.balance + units });
}

/**
 * Applies transactions in order and then credits their fees to the validator (SPEC A,
 * "Blocks": fees are credited on commit). Returns a new ledger; `ledger` is untouched. Throws
 * the first failing transaction's error.
 */
export function applyTransactions(ledger: Ledger, txs: readonly TxBody[], validator: string): Ledger {
  const draft = new Map(ledger);
  let fees = 0;
  for (const tx of txs) fees += applyTxToDraft(draft, tx);
  creditDraft(draft, validator, fees);
  return draft;
}

/** The ledger right after genesis: the bootstrap holds the whole supply. */
export function genesisLedger(bootstrap: string, supply: number): Ledger {
  return new Map([[bootstrap, { balance: supply, stake: 0, nonce: 0 }]]);
}

/** Sum of every balance and stake: equals the total supply at every block. */
export function supplyOf(ledger: Ledger): number {
  let sum = 0;
  for (const acc of ledger.values()) sum += acc.balance + acc.stake;
  return sum;
}

/** Accounts with a stake above zero, sorted by address ascending (the lottery's order). */
export function stakersOf(ledger: Ledger): Array<readonly [string, number]> {
  const out: Array<readonly [string, number]> = [];
  for (const [address, acc] of ledger) if (acc.stake > 0 && address !== NO_ONE) out.push([address, acc.stake]);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
