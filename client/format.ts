/**
 * How the CLI shows things: pure functions from the REST shapes (integer units) to text in BCC.
 * Nothing here talks to a node, so every line a user reads is testable on its own. Lists show
 * short ids (12 characters, which `tx` takes); a single transaction or wallet is shown with its
 * whole id and address, for copying.
 */
import type { HistoryEntry } from './chain.js';
import type { AccountView, Block, InboxEntry, Transaction, TxStatusView } from '../src/api/types.js';
import { coinFee, codePoints, feeOf, messageCost } from '../src/core/fees.js';
import { formatBcc } from '../src/core/money.js';
import { NO_ONE } from '../src/core/params.js';

/** A recipient as the user gave it, normalised: a node id, or a lower-case address. */
export type Recipient = number | string;

/** Units as "9.50 BCC". */
export function bcc(units: number): string {
  return `${formatBcc(units)} BCC`;
}

/** The first characters of a hash or address, for one-line displays. */
export function short(hex: string, chars = 10): string {
  return hex.length > chars ? `${hex.slice(0, chars)}…` : hex;
}

/** A transaction id in a list: 12 characters, a prefix `tx` takes. */
export function shortId(id: string): string {
  return id.slice(0, 12);
}

export function recipientLabel(to: Recipient): string {
  return typeof to === 'number' ? `id${to}` : short(to);
}

/** Names addresses by their node id where one is known. */
export type AddressBook = ReadonlyMap<string, number>;

export function addressBook(accounts: readonly AccountView[]): AddressBook {
  const book = new Map<string, number>();
  for (const a of accounts) if (a.id !== null) book.set(a.address, a.id);
  return book;
}

/** "id3" for a node's address, "genesis" for the no-one address, else a short address. */
export function who(address: string, book: AddressBook, noOne = 'genesis'): string {
  if (address === NO_ONE) return noOne;
  const id = book.get(address);
  return id === undefined ? short(address) : `id${id}`;
}

/** "id3 (03dd6e…the whole address)", for a single transaction's parties. */
function party(address: string, book: AddressBook): string {
  if (address === NO_ONE) return 'genesis (address "0")';
  const id = book.get(address);
  return id === undefined ? address : `id${id}  ${address}`;
}

function quote(message: string, max = 60): string {
  const chars = [...message];
  const text = chars.length > max ? `${chars.slice(0, max).join('')}…` : message;
  return JSON.stringify(text);
}

/** What the sender paid on top of the amount; the genesis coins were paid by no one. */
function feeShown(tx: Transaction): number {
  return tx.sender === NO_ONE ? 0 : feeOf(tx);
}

function what(tx: Transaction): string {
  if (tx.type === 'message') return quote(tx.message);
  if (tx.type === 'stake') return `${bcc(tx.amount)} (new total)`;
  return bcc(tx.amount);
}

/** One line per transaction: short id, from → to, type, amount or message, fee. */
export function formatTransaction(tx: Transaction, book: AddressBook): string {
  const from = who(tx.sender, book);
  const to = tx.type === 'stake' ? 'stake' : who(tx.receiver, book);
  return `  ${shortId(tx.id)}  ${from.padEnd(8)} → ${to.padEnd(8)} ${tx.type.padEnd(7)}  ${what(tx)}  fee ${bcc(feeShown(tx))}`;
}

export function formatBlock(block: Block, book: AddressBook): string {
  const count = block.transactions.length;
  const lines = [
    `block ${block.index}  validator ${who(block.validator, book, 'none (genesis)')}  ` +
      `hash ${short(block.current_hash, 16)}  ${new Date(block.timestamp).toISOString()}`,
    `${count} transaction${count === 1 ? '' : 's'}:`,
    ...block.transactions.map((tx) => formatTransaction(tx, book)),
  ];
  return lines.join('\n');
}

export function formatBalance(account: AccountView): string {
  const rows: [string, string][] = [
    ['available', bcc(account.balance)],
    ['stake', bcc(account.stake)],
    ['total', bcc(account.balance + account.stake)],
  ];
  const width = Math.max(...rows.map(([, v]) => v.length));
  const head = `${account.id === null ? 'wallet' : `node ${account.id}`}  address ${short(account.address, 16)}`;
  return [head, ...rows.map(([k, v]) => `  ${k.padEnd(10)} ${v.padStart(width)}`), `  ${'nonce'.padEnd(10)} ${account.nonce}`].join('\n');
}

export function formatInbox(entries: readonly InboxEntry[]): string {
  if (entries.length === 0) return 'no messages yet';
  const lines = entries.map((e) => {
    const from = e.from_id === null ? short(e.from) : `id${e.from_id}`;
    return `  block ${String(e.block).padEnd(5)} from ${from.padEnd(6)} ${e.message}`;
  });
  const count = entries.length;
  return [`${count} message${count === 1 ? '' : 's'}, newest first:`, ...lines].join('\n');
}

/** The second line of every "sent" answer: the whole id, to copy into `tx`. */
function pendingLine(id: string): string {
  return `  tx ${id} pending`;
}

export function formatCoinsSent(to: Recipient, amount: number, id: string): string {
  const fee = coinFee(amount);
  return `sent ${bcc(amount)} to ${recipientLabel(to)}: costs ${bcc(amount + fee)} (${formatBcc(amount)} + ${formatBcc(fee)} fee)\n${pendingLine(id)}`;
}

export function formatMessageSent(to: Recipient, message: string, id: string): string {
  const chars = codePoints(message);
  return `message to ${recipientLabel(to)} sent: costs ${bcc(messageCost(message))} (${chars} character${chars === 1 ? '' : 's'})\n${pendingLine(id)}`;
}

/** `amount` is the new total; `before` the committed stake it replaces. */
export function formatStakeSent(amount: number, before: number, id: string): string {
  const change =
    amount > before
      ? `${bcc(amount - before)} moves from the available balance to the stake`
      : amount < before
        ? `${bcc(before - amount)} goes back to the available balance`
        : 'nothing moves';
  const head =
    amount === 0
      ? `withdrawal of the whole stake sent (${change})`
      : `new stake of ${bcc(amount)} sent: a new total, not an addition (it was ${bcc(before)}, so ${change})`;
  return `${head}\n${pendingLine(id)}`;
}

/** The reason of a stake the wallet cannot pay for, saying that stake is a total. */
export function stakeShortfall(amount: number, account: AccountView): string {
  return (
    `insufficient funds: stake sets the new total, it does not add to it: from ${bcc(account.stake)} to ${bcc(amount)} ` +
    `takes ${bcc(amount - account.stake)} from the available balance of ${bcc(account.balance)}`
  );
}

function statusLine(status: TxStatusView): string {
  if (status.status === 'committed') return `committed in block ${status.block}`;
  if (status.status === 'final') return `final in block ${status.block} (it can no longer be undone)`;
  if (status.status === 'dropped') return `dropped: ${status.reason ?? 'no reason given'}`;
  return status.status === 'pending' ? 'pending (in the pool, not yet in a block)' : status.status;
}

/** The way of a transaction, pending → committed → final, with the stage it has reached in brackets. */
export const TX_STAGES = ['pending', 'committed', 'final'] as const;

function stageLine(status: TxStatusView['status']): string | undefined {
  if (!(TX_STAGES as readonly string[]).includes(status)) return undefined;
  return TX_STAGES.map((s) => (s === status ? `[${s}]` : s)).join(' → ');
}

/** `tx`: the status and, when known, every field of the transaction, with whole id and addresses. */
export function formatTxDetail(status: TxStatusView, tx: Transaction | undefined, book: AddressBook): string {
  const rows: [string, string][] = [['status', statusLine(status)]];
  const stage = stageLine(status.status);
  if (stage) rows.push(['stage', stage]);
  if (tx) {
    rows.push(['type', tx.type], ['from', party(tx.sender, book)]);
    if (tx.type !== 'stake') rows.push(['to', party(tx.receiver, book)]);
    if (tx.type === 'message') rows.push(['message', JSON.stringify(tx.message)], ['cost', bcc(messageCost(tx.message))]);
    else if (tx.type === 'stake') rows.push(['stake', `${bcc(tx.amount)} (the new total)`]);
    else rows.push(['amount', bcc(tx.amount)], ['fee', bcc(feeShown(tx))]);
    rows.push(['nonce', String(tx.nonce)]);
  }
  return [`tx ${status.id}`, ...rows.map(([k, v]) => `  ${k.padEnd(8)} ${v}`)].join('\n');
}

export function formatWhoami(id: number, address: string, url: string): string {
  return `node ${id} at ${url}\n  address ${address}`;
}

/** One line per transaction of a wallet's history, newest first. */
export function formatHistory(rows: readonly HistoryEntry[], id: number, book: AddressBook): string {
  if (rows.length === 0) return `node ${id} has sent and received nothing yet`;
  const lines = rows.map(({ tx, block, direction }) => {
    const where = block === undefined ? 'pending' : `block ${block}`;
    let text: string;
    if (tx.type === 'stake') text = `stake    ${bcc(tx.amount)} (new total)`;
    else if (direction === 'sent')
      text = `${tx.type.padEnd(8)} ${what(tx)} to ${who(tx.receiver, book)}  costs ${bcc(tx.type === 'message' ? messageCost(tx.message) : tx.amount + coinFee(tx.amount))}`;
    else text = `${tx.type.padEnd(8)} ${what(tx)} from ${who(tx.sender, book)}`;
    return `  ${where.padEnd(11)} ${shortId(tx.id)}  ${direction.padEnd(8)}  ${text}`;
  });
  const count = rows.length;
  return [`the last ${count} transaction${count === 1 ? '' : 's'} of node ${id}, newest first:`, ...lines].join('\n');
}

/** Rewrites "97850 units" and, for funds errors, a bare "balance is 50000", into BCC. */
export function unitsToBcc(reason: string): string {
  return reason
    .replace(/\b(\d+) units\b/g, (_m, u: string) => bcc(Number(u)))
    .replace(/\b(balance is|costs|stake is) (\d+)\b(?![.\d]| ?BCC)/g, (_m, lead: string, u: string) => `${lead} ${bcc(Number(u))}`);
}
