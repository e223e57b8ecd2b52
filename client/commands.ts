/**
 * The command interpreter of the CLI: one line in, one result out, with the node's client
 * injected. No prompt, no process, no printing, so that it runs the same in the interactive
 * loop, in one-shot mode (text or --json) and in tests.
 */
import { ApiError, type NodeApi } from './api.js';
import { lookupTransaction, walletHistory } from './chain.js';
import { UsageError } from './errors.js';
import {
  addressBook,
  formatBalance,
  formatBlock,
  formatCoinsSent,
  formatHistory,
  formatInbox,
  formatMessageSent,
  formatStakeSent,
  formatTxDetail,
  formatWhoami,
  stakeShortfall,
  unitsToBcc,
  type Recipient,
} from './format.js';
import { COMMANDS, HELP } from './help.js';
import { isValidAddress } from '../src/core/crypto.js';
import { coinFee, codePoints, messageCost } from '../src/core/fees.js';
import { parseBcc } from '../src/core/money.js';
import { MAX_MESSAGE_CHARS } from '../src/core/params.js';

export { UsageError };
export type { NodeApi };

export interface CommandContext {
  api: NodeApi;
  /** e.g. http://127.0.0.1:5001, for error lines. */
  baseUrl: string;
  /** Why commands that spend cannot run (no API token found); undefined when they can. */
  tokenProblem?: string;
}

/** Why a command failed: a stable code (the node's, or the CLI's own) and the line a user reads. */
export interface Failure {
  code: string;
  message: string;
}

export interface CommandResult {
  ok: boolean;
  /** What to show: the answer, or one line starting with "error: ". May be empty. */
  output: string;
  /** The answer as data, for --json (on success). */
  data?: unknown;
  /** On failure. */
  error?: Failure;
  /** The user asked to leave. */
  exit?: boolean;
  /** The id of the transaction this command sent. */
  sent?: string;
}

const ID = /^(?:id)?(\d{1,9})$/i;
const ADDRESS = /^[0-9a-f]{66}$/i;
const DEFAULT_HISTORY = 20;
const MAX_HISTORY = 10_000;

/** "3", "id3" → 3; a 66-hex-char address → itself in lower case; anything else → undefined. */
export function parseRecipient(text: string): Recipient | undefined {
  const t = text.trim();
  const id = ID.exec(t);
  if (id) return Number(id[1]);
  if (ADDRESS.test(t)) {
    const address = t.toLowerCase();
    return isValidAddress(address) ? address : undefined;
  }
  return undefined;
}

function recipientOrThrow(text: string): Recipient {
  const to = parseRecipient(text);
  if (to !== undefined) return to;
  if (ADDRESS.test(text)) throw new UsageError(`'${text}' is not a valid address (not a point of secp256k1)`);
  throw new UsageError(`'${text}' is not a recipient: use a node id (3 or id3) or a 66-character address`);
}

/** BCC with up to two decimals → units, or a UsageError that says what is wrong. */
export function parseAmount(text: string, what = 'amount'): number {
  const units = parseBcc(text);
  if (units === undefined) {
    throw new UsageError(`'${text}' is not an ${what}: write BCC with up to 2 decimals, e.g. 9, 9.5 or 0.27`);
  }
  return units;
}

/** An optional whole-number argument (view N, history N), `what` naming it in the error. */
function optionalWhole(args: string[], usage: string, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (args.length > 1) throw new UsageError(`usage: ${usage}`);
  const text = args[0];
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new UsageError(`'${text}' is not ${what} (usage: ${usage})`);
  return n;
}

/** Splits a line into the command word and the rest (its leading blanks removed). */
function splitFirst(line: string): [string, string] {
  const m = /^\s*(\S+)\s*([\s\S]*)$/.exec(line);
  return m ? [m[1] ?? '', m[2] ?? ''] : ['', ''];
}

function words(rest: string): string[] {
  return rest.split(/\s+/).filter((w) => w.length > 0);
}

function noArgs(command: string, rest: string): void {
  if (words(rest).length > 0) throw new UsageError(`${command} takes nothing after it (type help)`);
}

function needToken(ctx: CommandContext): void {
  if (ctx.tokenProblem) throw new UsageError(ctx.tokenProblem, 'NO_TOKEN');
}

/** Turns anything a command threw into a code and the one line a user sees (without "error: "). */
export function failureOf(err: unknown, baseUrl: string): Failure {
  if (err instanceof UsageError) return { code: err.code, message: err.message };
  if (err instanceof ApiError) {
    const code = err.code;
    if (err.status === 0) return { code, message: `cannot reach the node at ${baseUrl} — is it running?` };
    if (err.status === 401 || err.status === 403) {
      return { code, message: `the node at ${baseUrl} refused the API token — pass --data-dir with this node's data directory` };
    }
    const reason = oneLine(unitsToBcc(err.message)) || code;
    if (code === 'SELF_TRANSFER') return { code, message: `${reason} (a node cannot send to its own wallet)` };
    if (err.status === 404) return { code, message: `not found at the node: ${reason}` };
    if (err.status >= 500 && err.status !== 503) return { code, message: `the node failed (${err.status}): ${reason}` };
    return { code, message: reason };
  }
  return { code: 'INTERNAL', message: oneLine(err instanceof Error ? err.message : String(err)) };
}

/** The line a user sees for a failure. */
export function describeError(err: unknown, baseUrl: string): string {
  return `error: ${failureOf(err, baseUrl).message}`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

const done = (output: string, data: unknown, sent?: string): CommandResult => ({ ok: true, output, data, sent });

async function run(command: string, rest: string, ctx: CommandContext): Promise<CommandResult> {
  const api = ctx.api;
  switch (command) {
    case 't': {
      const args = words(rest);
      if (args.length !== 2) throw new UsageError('usage: t <recipient> <amount>   e.g. t 3 9.5');
      const to = recipientOrThrow(args[0] ?? '');
      const amount = parseAmount(args[1] ?? '');
      if (amount === 0) throw new UsageError('the amount must be more than 0');
      needToken(ctx);
      const res = await api.submit({ type: 'coins', to, amount });
      const fee = coinFee(amount);
      const data = { id: res.id, nonce: res.nonce, status: 'pending', type: 'coins', to, amount, fee, cost: amount + fee };
      return done(formatCoinsSent(to, amount, res.id), data, res.id);
    }
    case 'm': {
      const [target, message] = splitFirst(rest);
      if (!target) throw new UsageError('usage: m <recipient> <message>   e.g. m 2 hello world');
      const to = recipientOrThrow(target);
      const text = message.trim();
      if (!text) throw new UsageError(`the message is empty: write it after the recipient, e.g. m ${target} hello world`);
      const chars = codePoints(text);
      if (chars > MAX_MESSAGE_CHARS) {
        throw new UsageError(`a message has at most ${MAX_MESSAGE_CHARS} characters (this one has ${chars})`);
      }
      needToken(ctx);
      const res = await api.submit({ type: 'message', to, message: text });
      const data = { id: res.id, nonce: res.nonce, status: 'pending', type: 'message', to, message: text, cost: messageCost(text) };
      return done(formatMessageSent(to, text, res.id), data, res.id);
    }
    case 'stake': {
      const args = words(rest);
      if (args.length !== 1) throw new UsageError('usage: stake <amount>   e.g. stake 20 (the new total, not an addition; 0 withdraws)');
      const amount = parseAmount(args[0] ?? '', 'amount of stake');
      needToken(ctx);
      const wallet = await api.wallet();
      let res;
      try {
        res = await api.submit({ type: 'stake', amount });
      } catch (err) {
        if (err instanceof ApiError && err.code === 'INSUFFICIENT_FUNDS')
          throw new UsageError(stakeShortfall(amount, wallet), 'INSUFFICIENT_FUNDS');
        throw err;
      }
      const data = { id: res.id, nonce: res.nonce, status: 'pending', type: 'stake', amount, previous: wallet.stake };
      return done(formatStakeSent(amount, wallet.stake, res.id), data, res.id);
    }
    case 'view': {
      const index = optionalWhole(words(rest), 'view [N]   e.g. view 3 (block 3), view (the last block)', 'a block number', 0);
      const [block, accounts] = await Promise.all([
        index === undefined ? api.latestBlock() : api.blocks(index, 1).then((b) => b[0]),
        api.accounts(),
      ]);
      if (!block) throw new UsageError(`there is no block ${index}: the last block is ${(await api.status()).height}`, 'NOT_FOUND');
      return done(formatBlock(block, addressBook(accounts)), block);
    }
    case 'balance': {
      noArgs(command, rest);
      const wallet = await api.wallet();
      return done(formatBalance(wallet), wallet);
    }
    case 'inbox': {
      noArgs(command, rest);
      const messages = await api.inbox();
      return done(formatInbox(messages), { messages });
    }
    case 'tx': {
      const args = words(rest);
      if (args.length !== 1) throw new UsageError('usage: tx <id>   the whole id or its first 8 or more characters, e.g. tx 4877f65d');
      const [{ status, tx }, accounts] = await Promise.all([lookupTransaction(api, args[0]!), api.accounts()]);
      return done(formatTxDetail(status, tx, addressBook(accounts)), { ...status, transaction: tx ?? null });
    }
    case 'history': {
      const limit =
        optionalWhole(words(rest), 'history [N]   e.g. history 5 (default 20)', `a count from 1 to ${MAX_HISTORY}`, 1, MAX_HISTORY) ??
        DEFAULT_HISTORY;
      const [me, accounts] = await Promise.all([api.status(), api.accounts()]);
      const entries = await walletHistory(api, me.address, limit);
      const transactions = entries.map((e) => ({
        status: e.block === undefined ? 'pending' : 'committed',
        block: e.block ?? null,
        direction: e.direction,
        transaction: e.tx,
      }));
      return done(formatHistory(entries, me.id, addressBook(accounts)), { id: me.id, address: me.address, transactions });
    }
    case 'whoami':
    case 'address': {
      noArgs(command, rest);
      const me = await api.status();
      return done(formatWhoami(me.id, me.address, ctx.baseUrl), { id: me.id, address: me.address, url: ctx.baseUrl });
    }
    case 'help':
    case '?': {
      noArgs(command, rest);
      return done(HELP, { commands: COMMANDS });
    }
    case 'exit':
    case 'quit':
      return { ok: true, output: '', data: {}, exit: true };
    default:
      throw new UsageError(`unknown command '${command}' — type help`);
  }
}

/** Runs one command line against the node; never throws. */
export async function executeCommand(line: string, ctx: CommandContext): Promise<CommandResult> {
  const [word, rest] = splitFirst(line);
  if (!word) return { ok: true, output: '' };
  try {
    return await run(word.toLowerCase(), rest, ctx);
  } catch (err) {
    const error = failureOf(err, ctx.baseUrl);
    return { ok: false, output: `error: ${error.message}`, error };
  }
}
