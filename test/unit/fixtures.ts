import type { Block, TxBody } from '../../src/core/types.js';
/** Shared fixtures of the unit tests: fixed keys, vector files, and coded-error helpers. */
import { readFileSync } from 'node:fs';
import { ProtocolError, type ErrorCode } from '../../src/core/errors.js';

/** Reads a JSON file of test/vectors, typed by the caller. */
export function loadVectors<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../vectors/${name}`, import.meta.url), 'utf8')) as T;
}

export interface KeyPair {
  readonly secret: string;
  readonly address: string;
}

/** Four fixed key pairs whose addresses were derived independently (test/vectors/keys.json). */
export const KEYS: readonly KeyPair[] = loadVectors<{ keys: KeyPair[] }>('keys.json').keys;

export function key(i: number): KeyPair {
  const k = KEYS[i];
  if (!k) throw new Error(`no fixture key ${i}`);
  return k;
}

/**
 * The ProtocolError thrown by `fn`; fails the test when it returns or throws something else, or
 * when the error gives no reason (tests branch on the code, but a user reads the message, so
 * every rejection must have one; its wording is not tested).
 */
export function protocolError(fn: () => unknown): ProtocolError {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw new Error(`expected a ProtocolError, got ${String(err)}`, { cause: err });
    if (err.message.trim() === '') throw new Error(`the ${err.code} error has no message`, { cause: err });
    return err;
  }
  throw new Error('expected a ProtocolError, but nothing was thrown');
}

/** The code of the ProtocolError thrown by `fn`. */
export function codeOf(fn: () => unknown): ErrorCode {
  return protocolError(fn).code;
}

/** test/vectors/tx-ids.json: a transaction body, its canonical preimage and its id. */
export interface TxVector {
  name: string;
  domain: string;
  body: TxBody;
  canon: string;
  id: string;
}

/** test/vectors/block-hashes.json: header fields, the canonical preimage and the hash. */
export interface BlockVector {
  name: string;
  index: number;
  timestamp: number;
  validator: string;
  previous_hash: string;
  tx_ids: string[];
  canon: string;
  current_hash: string;
}

export interface BlockVectors {
  genesis: { bootstrap: string; n: number; timestamp: number; tx_id: string; current_hash: string };
  cases: BlockVector[];
}

export const TX_VECTORS: readonly TxVector[] = loadVectors<{ cases: TxVector[] }>('tx-ids.json').cases;
export const BLOCK_VECTORS: BlockVectors = loadVectors<BlockVectors>('block-hashes.json');

/**
 * A hand-made block on `parent` (the first of a chain when absent) named by its hash: enough for
 * the block trees, which look only at index and hashes (validation is applyBlock's).
 */
export function handBlock(parent: { readonly block: Block } | undefined, name: string): Block {
  return {
    index: parent ? parent.block.index + 1 : 0,
    current_hash: name,
    previous_hash: parent ? parent.block.current_hash : '1',
    timestamp: 0,
    transactions: [],
    validator: 'v',
    signature: '',
  };
}
