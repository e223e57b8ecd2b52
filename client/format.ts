/**
 * How the CLI shows things: pure functions from the REST shapes (integer units) to text in BCC.
 * Nothing here talks to a node, so every line a user reads is testable on its own.
 */
import type { AccountView, Block, InboxEntry, Transaction } from '../src/api/types.js';
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

function quote(message: string, max = 60): string {
  const chars = [...message];
  const text = chars.length > max ? `${chars.slice(0, max).join('')}…` : message;
  return JSON.stringify(text);
}

/** One line per transaction: from → to, type, amount or message, fee. */
export function formatTransaction(tx: Transaction, book: AddressBook): string {
  const from = who(tx.sender, book);
  const to = tx.type === 'stake' ? 'stake' : who(tx.receiver, book);
  const what =
    tx.type === 'message'
      ? quote(tx.message)
      : tx.type === 'stake'
        ? `${bcc(tx.amount)} (new total)`
        : bcc(tx.amount);
  return `  ${from.padEnd(8)} → ${to.padEnd(8)} ${tx.type.padEnd(7)}  ${what}  fee ${bcc(feeOf(tx))}`;
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
  return [
    head,
    ...rows.map(([k, v]) => `  ${k.padEnd(10)} ${v.padStart(width)}`),
    `  ${'nonce'.padEnd(10)} ${account.nonce}`,
  ].join('\n');
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

export function formatCoinsSent(to: Recipient, amount: number, id: string): string {
  const fee = coinFee(amount);
  return (
    `sent ${bcc(amount)} to ${recipientLabel(to)}: costs ${bcc(amount + fee)} ` +
    `(${formatBcc(amount)} + ${formatBcc(fee)} fee); tx ${short(id, 12)} pending`
  );
}

export function formatMessageSent(to: Recipient, message: string, id: string): string {
  const chars = codePoints(message);
  return (
    `message to ${recipientLabel(to)} sent: costs ${bcc(messageCost(message))} ` +
    `(${chars} character${chars === 1 ? '' : 's'}); tx ${short(id, 12)} pending`
  );
}

export function formatStakeSent(amount: number, id: string): string {
  const what = amount === 0 ? 'withdrawal of the whole stake' : `stake of ${bcc(amount)} (new total)`;
  return `${what} sent; tx ${short(id, 12)} pending`;
}

/** Rewrites "97850 units" and, for funds errors, a bare "balance is 50000", into BCC. */
export function unitsToBcc(reason: string): string {
  return reason
    .replace(/\b(\d+) units\b/g, (_m, u: string) => bcc(Number(u)))
    .replace(/\b(balance is|costs|stake is) (\d+)\b(?![.\d]| ?BCC)/g, (_m, lead: string, u: string) => `${lead} ${bcc(Number(u))}`);
}

const HELP_ROWS: [string, string, string][] = [
  ['t <recipient> <amount>', 'send coins; the sender also pays a 3% fee', 't 3 9.5   t id3 0.27'],
  ['m <recipient> <message>', 'send a message; costs 1 BCC per character', 'm 2 hello world'],
  ['stake <amount>', "set this node's total stake (0 withdraws it)", 'stake 20'],
  ['view', 'the last block and its transactions', ''],
  ['balance', 'available balance, stake, total and nonce', ''],
  ['inbox', 'messages received, newest first', ''],
  ['help', 'this list', ''],
  ['exit', 'leave (Ctrl-D and Ctrl-C too)', ''],
];

export const HELP = [
  'commands (amounts in BCC with up to 2 decimals; a recipient is a node id, id<k>, or an address):',
  ...HELP_ROWS.map(([cmd, what, eg]) => `  ${cmd.padEnd(25)}  ${eg ? `${what.padEnd(46)}e.g.  ${eg}` : what}`),
].join('\n');
