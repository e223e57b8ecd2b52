/**
 * The one canonical encoding (SPEC A, "Exact encodings"): canon(x) is JSON.stringify of an
 * array, as UTF-8. Fixed field order and JSON string escaping keep two different inputs from
 * sharing an encoding (unlike joining fields with no separator).
 */
import type { TxBody } from './types.js';

const utf8 = new TextEncoder();

export type CanonValue = string | number | readonly CanonValue[];

export function canon(fields: readonly CanonValue[]): Uint8Array {
  return utf8.encode(canonText(fields));
}

/**
 * canon(x) before UTF-8 encoding. JSON.stringify escapes lone surrogates, so the text has exactly
 * one UTF-8 encoding, and a hash can take the text without an intermediate byte array.
 */
export function canonText(fields: readonly CanonValue[]): string {
  return JSON.stringify(fields);
}

/** The preimage of a transaction id: [domain, sender, receiver, type, amount, message, nonce]. */
export function txPreimage(domain: string, tx: TxBody): Uint8Array {
  return utf8.encode(txPreimageText(domain, tx));
}

/** txPreimage before UTF-8 encoding (what txId hashes, encoded by the hash itself). */
export function txPreimageText(domain: string, tx: TxBody): string {
  return canonText([domain, tx.sender, tx.receiver, tx.type, tx.amount, tx.message, tx.nonce]);
}

/** The preimage of a block hash: [index, timestamp, validator, previous_hash, [tx ids…]]. */
export function blockPreimage(
  index: number,
  timestamp: number,
  validator: string,
  previousHash: string,
  txIds: readonly string[],
): Uint8Array {
  return canon([index, timestamp, validator, previousHash, txIds]);
}
