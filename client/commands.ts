/**
 * The command interpreter of the CLI: one line in, one result out, with the node's client
 * injected. No prompt, no process, no printing, so that it runs the same in the interactive
 * loop, in one-shot mode and in tests.
 */
import { ApiError, type NodeClient } from './api.js';
import {
  HELP,
  addressBook,
  formatBalance,
  formatBlock,
  formatCoinsSent,
  formatInbox,
  formatMessageSent,
  formatStakeSent,
  unitsToBcc,
  type Recipient,
} from './format.js';
import { isValidAddress } from '../src/core/crypto.js';
import { codePoints } from '../src/core/fees.js';
import { parseBcc } from '../src/core/money.js';
import { MAX_MESSAGE_CHARS } from '../src/core/params.js';

/** The part of NodeClient the commands use (a fake can stand in for it). */
export type NodeApi = Pick<NodeClient, 'status' | 'wallet' | 'accounts' | 'inbox' | 'latestBlock' | 'submit'>;

export interface CommandContext {
  api: NodeApi;
  /** e.g. http://127.0.0.1:5001, for error lines. */
  baseUrl: string;
  /** Why commands that spend cannot run (no API token found); undefined when they can. */
  tokenProblem?: string;
}

export interface CommandResult {
  ok: boolean;
  /** What to show: the answer, or one line starting with "error: ". May be empty. */
  output: string;
  /** The user asked to leave. */
  exit?: boolean;
}

/** A failure the user can act on; its message is the whole line after "error: ". */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const ID = /^(?:id)?(\d{1,9})$/i;
const ADDRESS = /^[0-9a-f]{66}$/i;

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

/** Splits a line into the command word and the rest (its leading blanks removed). */
function splitFirst(line: string): [string, string] {
  const m = /^\s*(\S+)\s*([\s\S]*)$/.exec(line);
  return m ? [m[1] ?? '', m[2] ?? ''] : ['', ''];
}

function words(rest: string): string[] {
  return rest.split(/\s+/).filter((w) => w.length > 0);
}

function needToken(ctx: CommandContext): void {
  if (ctx.tokenProblem) throw new UsageError(ctx.tokenProblem);
}

/** Turns anything a command threw into the one line a user sees. */
export function describeError(err: unknown, baseUrl: string): string {
  if (err instanceof UsageError) return `error: ${err.message}`;
  if (err instanceof ApiError) {
    if (err.status === 0) return `error: cannot reach the node at ${baseUrl} — is it running?`;
    if (err.status === 401 || err.status === 403) {
      return `error: the node at ${baseUrl} refused the API token — pass --data-dir with this node's data directory`;
    }
    const reason = oneLine(unitsToBcc(err.message)) || err.code;
    if (err.code === 'SELF_TRANSFER') return `error: ${reason} (a node cannot send to its own wallet)`;
    if (err.status === 404) return `error: not found at the node: ${reason}`;
    if (err.status >= 500 && err.status !== 503) return `error: the node failed (${err.status}): ${reason}`;
    return `error: ${reason}`;
  }
  if (err instanceof Error) return `error: ${oneLine(err.message)}`;
  return `error: ${oneLine(String(err))}`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

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
      return { ok: true, output: formatCoinsSent(to, amount, res.id) };
    }
    case 'm': {
      const [target, message] = splitFirst(rest);
      const text = message.trim();
      if (!target || !text) throw new UsageError('usage: m <recipient> <message>   e.g. m 2 hello world');
      const to = recipientOrThrow(target);
      const chars = codePoints(text);
      if (chars > MAX_MESSAGE_CHARS) {
        throw new UsageError(`a message has at most ${MAX_MESSAGE_CHARS} characters (this one has ${chars})`);
      }
      needToken(ctx);
      const res = await api.submit({ type: 'message', to, message: text });
      return { ok: true, output: formatMessageSent(to, text, res.id) };
    }
    case 'stake': {
      const args = words(rest);
      if (args.length !== 1) throw new UsageError('usage: stake <amount>   e.g. stake 20 (the new total; 0 withdraws)');
      const amount = parseAmount(args[0] ?? '', 'amount of stake');
      needToken(ctx);
      const res = await api.submit({ type: 'stake', amount });
      return { ok: true, output: formatStakeSent(amount, res.id) };
    }
    case 'view': {
      const [block, accounts] = await Promise.all([api.latestBlock(), api.accounts()]);
      return { ok: true, output: formatBlock(block, addressBook(accounts)) };
    }
    case 'balance':
      return { ok: true, output: formatBalance(await api.wallet()) };
    case 'inbox':
      return { ok: true, output: formatInbox(await api.inbox()) };
    case 'help':
    case '?':
      return { ok: true, output: HELP };
    case 'exit':
    case 'quit':
      return { ok: true, output: '', exit: true };
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
    return { ok: false, output: describeError(err, ctx.baseUrl) };
  }
}
