/**
 * `blockchat wallet new|address|balance|send|message|stake|inbox --key-file F --url NODE`: a
 * wallet that is no node's. Its secret key stays in F (mode 0600, made with O_EXCL: never
 * overwritten) and every transaction is signed here, with the core's noble signing; the node
 * only gets the signed transaction (POST /transactions), which it checks as it checks a peer's.
 */
import { closeSync, constants, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import * as secp from '@noble/secp256k1';
import { addressOf, bytesToHex, isHex, isValidAddress } from '../src/core/crypto.js';
import { parseBcc } from '../src/core/money.js';
import { NO_ONE } from '../src/core/params.js';
import { signTransaction } from '../src/core/transaction.js';
import type { TxBody } from '../src/core/types.js';
import { ApiError, NodeClient, closeClients } from './api.js';
import { UsageError } from './errors.js';
import { bcc } from './format.js';

export const WALLET_COMMANDS = ['new', 'address', 'balance', 'send', 'message', 'stake', 'inbox'] as const;
export type WalletCommand = (typeof WALLET_COMMANDS)[number];

export interface WalletOptions {
  command: WalletCommand;
  args: string[];
  keyFile: string;
  url?: string;
  json?: boolean;
}

/** Makes a new key in `path`; refuses to overwrite anything there. Returns its address. */
export function createKeyFile(path: string): string {
  const secret = bytesToHex(secp.utils.randomSecretKey());
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${path} exists: refusing to overwrite a key`);
    throw new UsageError(`cannot create ${path}: ${(err as Error).message}`);
  }
  try {
    writeSync(fd, secret + '\n');
  } finally {
    closeSync(fd);
  }
  return addressOf(secret);
}

/** The secret key in `path`; refused when others may read the file. */
export function readKeyFile(path: string): string {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    throw new UsageError(`no key file ${path} (make one with: blockchat wallet new --key-file ${path})`);
  }
  if ((mode & 0o077) !== 0) throw new UsageError(`${path} may be read by others: chmod 600 ${path}`);
  const secret = readFileSync(path, 'utf8').trim();
  if (!isHex(secret, 32)) throw new UsageError(`${path} does not hold a secp256k1 secret key (64 hex digits)`);
  return secret;
}

function amountOf(text: string | undefined, what: string): number {
  const units = text === undefined ? undefined : parseBcc(text);
  if (units === undefined) throw new UsageError(`${what} must be an amount in BCC with up to two decimals, not '${text ?? ''}'`);
  return units;
}

/** A node id (3, id3) through GET /peers, or an address. */
async function recipient(api: NodeClient, to: string | undefined): Promise<string> {
  if (to === undefined) throw new UsageError('name a recipient: a node id (3 or id3) or an address');
  const m = /^(?:id)?(\d{1,6})$/.exec(to);
  if (m) {
    const peer = (await api.peers()).find((p) => p.id === Number(m[1]));
    if (!peer) throw new UsageError(`there is no node ${m[1]}`, 'NOT_FOUND');
    return peer.address;
  }
  const refusal = `'${to}' is neither a node id nor an address`;
  if (!isValidAddress(to)) throw new UsageError(refusal);
  return to;
}

/** Signs `fields` with the next nonce the node knows for this wallet and sends it. */
async function signAndSend(api: NodeClient, secret: string, fields: Omit<TxBody, 'sender' | 'nonce'>) {
  const address = addressOf(secret);
  const [genesis] = await api.blocks(0, 1);
  if (!genesis) throw new ApiError(503, 'NOT_FORMED', 'the node has no chain yet');
  const { next_nonce } = await api.nonce(address);
  // The network's domain is its genesis hash: a signature is good on this network only.
  const tx = signTransaction(genesis.current_hash, secret, { ...fields, nonce: next_nonce });
  const answer = await api.submitSigned(tx);
  return { id: answer.id, nonce: tx.nonce, status: answer.status };
}

type Out = { text: string; json: Record<string, unknown> };

async function run(opts: WalletOptions): Promise<Out> {
  const { command, args, keyFile } = opts;
  if (command === 'new') {
    const address = createKeyFile(keyFile);
    return {
      text: `new wallet ${address}\nkey in ${keyFile} (mode 0600): keep it safe, nobody can restore it`,
      json: { address, key_file: keyFile },
    };
  }
  const secret = readKeyFile(keyFile);
  const address = addressOf(secret);
  if (command === 'address') return { text: address, json: { address } };
  if (!opts.url) throw new UsageError(`wallet ${command} needs --url NODE (e.g. http://127.0.0.1:5000)`);
  const api = new NodeClient(opts.url.replace(/\/+$/, ''));
  switch (command) {
    case 'balance': {
      const [accounts, nonce] = await Promise.all([api.accounts(), api.nonce(address)]);
      const a = accounts.find((x) => x.address === address) ?? { balance: 0, stake: 0, nonce: 0 };
      return {
        text: `${address}\nbalance ${bcc(a.balance)} · stake ${bcc(a.stake)} · nonce ${a.nonce} (${nonce.pending} pending)`,
        json: { address, balance: a.balance, stake: a.stake, nonce: a.nonce, next_nonce: nonce.next_nonce },
      };
    }
    case 'send': {
      const to = await recipient(api, args[0]);
      const amount = amountOf(args[1], 'the amount');
      const sent = await signAndSend(api, secret, { receiver: to, type: 'coins', amount, message: '' });
      return { text: `sent ${bcc(amount)} to ${to}: pending, id ${sent.id}`, json: sent };
    }
    case 'message': {
      const to = await recipient(api, args[0]);
      const message = args.slice(1).join(' ');
      if (!message) throw new UsageError('write the message after the recipient: wallet message 3 hello');
      const sent = await signAndSend(api, secret, { receiver: to, type: 'message', amount: 0, message });
      return { text: `message to ${to}: pending, id ${sent.id}`, json: sent };
    }
    case 'stake': {
      const amount = amountOf(args[0], 'the new total stake');
      const sent = await signAndSend(api, secret, { receiver: NO_ONE, type: 'stake', amount, message: '' });
      return { text: `stake set to ${bcc(amount)} (a new total): pending, id ${sent.id}`, json: sent };
    }
    case 'inbox': {
      const messages = await api.addressTransactions(address, { type: 'message', direction: 'in', limit: 100 });
      const lines = messages.map((m) => `#${m.block} from ${m.sender_id === null ? m.sender : `node ${m.sender_id}`}: ${m.message}`);
      return { text: lines.length ? lines.join('\n') : 'no messages', json: { address, messages } };
    }
  }
}

/** Runs one wallet command; prints its answer or one error line; returns the exit code. */
export async function runWallet(opts: WalletOptions): Promise<number> {
  try {
    const out = await run(opts);
    console.log(opts.json ? JSON.stringify(out.json) : out.text);
    return 0;
  } catch (err) {
    if (!(err instanceof UsageError) && !(err instanceof ApiError)) throw err;
    console.error(opts.json ? JSON.stringify({ error: { code: err.code, message: err.message } }) : `error: ${err.message}`);
    return 1;
  } finally {
    await closeClients();
  }
}
