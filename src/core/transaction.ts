/**
 * Transactions: their form, id and signature (SPEC A, "Transactions" and "Exact encodings").
 * Checks against an account state (nonce, funds) live in state.ts. Each function that hashes,
 * signs or verifies takes the caller's `Crypto` last (crypto.ts; noble's by default).
 */
import { isAddressOn, isHex, nobleCrypto, verifiesOn, type Crypto } from './crypto.js';
import { txPreimageText } from './encoding.js';
import { ensure } from './errors.js';
import { codePoints } from './fees.js';
import { MAX_MESSAGE_CHARS, NO_ONE } from './params.js';
import type { Transaction, TxBody, TxType } from './types.js';

const TX_TYPES: readonly TxType[] = ['coins', 'message', 'stake'];
/** With the u flag, a surrogate class matches only a surrogate that is not half of a pair. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** The id of a transaction: SHA-256 of its canonical preimage under the network's domain. */
export function txId(domain: string, body: TxBody, crypto: Crypto = nobleCrypto): string {
  return crypto.sha256Hex(txPreimageText(domain, body));
}

/** Builds, hashes and signs a transaction from the sender's secret key. */
export function signTransaction(
  domain: string,
  secretKeyHex: string,
  fields: Omit<TxBody, 'sender'>,
  crypto: Crypto = nobleCrypto,
): Transaction {
  const body: TxBody = { sender: crypto.addressOf(secretKeyHex), ...fields };
  checkTxShape(body, crypto);
  const id = txId(domain, body, crypto);
  return Object.freeze({ ...body, id, signature: crypto.signHash(id, secretKeyHex) });
}

function isUnits(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/**
 * Form of every field and the agreement of type with fields: the checks that need no state and
 * no signature verification. Throws MALFORMED or SELF_TRANSFER with the reason.
 */
export function checkTxShape(tx: TxBody, crypto: Crypto = nobleCrypto): void {
  ensure(typeof tx === 'object' && tx !== null, 'MALFORMED', 'a transaction must be an object');
  ensure(TX_TYPES.includes(tx.type), 'MALFORMED', `type must be one of ${TX_TYPES.join(', ')}`);
  ensure(isAddressOn(crypto, tx.sender), 'MALFORMED', 'sender is not a valid address');
  ensure(isUnits(tx.amount), 'MALFORMED', 'amount must be a non-negative safe integer of units');
  ensure(isUnits(tx.nonce), 'MALFORMED', 'nonce must be a non-negative safe integer');
  ensure(typeof tx.message === 'string', 'MALFORMED', 'message must be a string');
  switch (tx.type) {
    case 'coins':
      ensure(isAddressOn(crypto, tx.receiver), 'MALFORMED', 'receiver is not a valid address');
      ensure(tx.amount > 0, 'MALFORMED', 'a coin transfer must move a positive amount');
      ensure(tx.message === '', 'MALFORMED', 'a coin transfer carries no message');
      break;
    case 'message': {
      ensure(isAddressOn(crypto, tx.receiver), 'MALFORMED', 'receiver is not a valid address');
      ensure(tx.amount === 0, 'MALFORMED', 'a message has amount 0');
      // A lone surrogate has no UTF-8 form: JSON libraries outside JavaScript refuse or replace
      // it, and then cannot recompute the id (docs/protocol.md, "Form").
      ensure(!LONE_SURROGATE.test(tx.message), 'MALFORMED', 'a message must be well-formed Unicode text (it holds a lone surrogate)');
      const chars = codePoints(tx.message);
      ensure(
        chars >= 1 && chars <= MAX_MESSAGE_CHARS,
        'MALFORMED',
        `a message has 1 to ${MAX_MESSAGE_CHARS} characters (this one has ${chars})`,
      );
      break;
    }
    case 'stake':
      ensure(tx.receiver === NO_ONE, 'MALFORMED', `a stake transaction's receiver is "${NO_ONE}"`);
      ensure(tx.message === '', 'MALFORMED', 'a stake transaction carries no message');
      break;
  }
  ensure(tx.receiver !== tx.sender, 'SELF_TRANSFER', 'sender and receiver must differ');
}

/** The checks of verifyTransaction that need no signature check: form and id (MALFORMED, SELF_TRANSFER, BAD_ID). */
export function checkTxForm(domain: string, tx: Transaction, crypto: Crypto = nobleCrypto): void {
  checkTxShape(tx, crypto);
  ensure(isHex(tx.id, 32), 'BAD_ID', 'id must be 32 bytes of lower-case hex');
  ensure(txId(domain, tx, crypto) === tx.id, 'BAD_ID', 'id does not match the transaction fields');
}

/** Checks the form, that `id` is the hash of the fields, and that the sender signed it. */
export function verifyTransaction(domain: string, tx: Transaction, crypto: Crypto = nobleCrypto): void {
  checkTxForm(domain, tx, crypto);
  checkTxSignature(tx, crypto);
}

/** The signature check alone (BAD_SIGNATURE), for a transaction whose form and id passed checkTxForm. */
export function checkTxSignature(tx: Transaction, crypto: Crypto = nobleCrypto): void {
  ensure(verifiesOn(crypto, tx.id, tx.signature, tx.sender), 'BAD_SIGNATURE', "signature is not the sender's low-S signature of the id");
}

/** Copies exactly the protocol fields, dropping anything else a peer attached. */
export function pickTransaction(tx: Transaction): Transaction {
  const { sender, receiver, type, amount, message, nonce, id, signature } = tx;
  return { sender, receiver, type, amount, message, nonce, id, signature };
}
