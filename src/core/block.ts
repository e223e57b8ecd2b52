/**
 * Blocks: hash, validator signature and the genesis block (SPEC A, "Blocks"). Each function that
 * hashes, signs or verifies takes the caller's `Crypto` last (crypto.ts; noble's by default).
 */
import { isAddressOn, isHex, nobleCrypto, verifiesOn, type Crypto } from './crypto.js';
import { blockPreimage } from './encoding.js';
import { ensure } from './errors.js';
import { GENESIS_PREVIOUS_HASH, NO_ONE, totalSupply } from './params.js';
import { txId } from './transaction.js';
import type { Block, Transaction } from './types.js';

/** current_hash = SHA-256(canon([index, timestamp, validator, previous_hash, [tx ids…]])). */
export function blockHash(
  index: number,
  timestamp: number,
  validator: string,
  previousHash: string,
  transactions: readonly Pick<Transaction, 'id'>[],
  crypto: Crypto = nobleCrypto,
): string {
  return crypto.sha256Hex(
    blockPreimage(
      index,
      timestamp,
      validator,
      previousHash,
      transactions.map((t) => t.id),
    ),
  );
}

/** Builds and signs a block on top of `previous` with the validator's secret key. */
export function signBlock(
  previous: Pick<Block, 'index' | 'current_hash'>,
  transactions: readonly Transaction[],
  timestamp: number,
  secretKeyHex: string,
  crypto: Crypto = nobleCrypto,
): Block {
  const validator = crypto.addressOf(secretKeyHex);
  const index = previous.index + 1;
  const current_hash = blockHash(index, timestamp, validator, previous.current_hash, transactions, crypto);
  return Object.freeze({
    index,
    timestamp,
    transactions,
    validator,
    previous_hash: previous.current_hash,
    current_hash,
    signature: crypto.signHash(current_hash, secretKeyHex),
  });
}

/**
 * The genesis block: index 0, previous hash "1", validator "0", no signature, and one
 * transaction from "0" giving the bootstrap 1000 · n BCC (its id uses the empty domain).
 */
export function genesisBlock(bootstrap: string, n: number, timestamp: number, crypto: Crypto = nobleCrypto): Block {
  const body = { sender: NO_ONE, receiver: bootstrap, type: 'coins' as const, amount: totalSupply(n), message: '', nonce: 0 };
  const tx: Transaction = { ...body, id: txId('', body, crypto), signature: '' };
  const transactions = [tx];
  return Object.freeze({
    index: 0,
    timestamp,
    transactions,
    validator: NO_ONE,
    previous_hash: GENESIS_PREVIOUS_HASH,
    current_hash: blockHash(0, timestamp, NO_ONE, GENESIS_PREVIOUS_HASH, transactions, crypto),
    signature: '',
  });
}

/**
 * Checks that `block` is exactly the genesis of an n-node network and returns the bootstrap
 * address it funds. The genesis is the only block without a signature, so this is the only way
 * it is checked.
 */
export function checkGenesis(block: Block, n: number, crypto: Crypto = nobleCrypto): string {
  ensure(block.index === 0, 'BAD_GENESIS', 'the first block must have index 0');
  ensure(block.previous_hash === GENESIS_PREVIOUS_HASH, 'BAD_GENESIS', 'genesis previous_hash must be "1"');
  ensure(block.validator === NO_ONE, 'BAD_GENESIS', 'genesis validator must be "0"');
  ensure(Number.isSafeInteger(block.timestamp) && block.timestamp >= 0, 'BAD_GENESIS', 'bad genesis timestamp');
  ensure(block.signature === '', 'BAD_GENESIS', 'the genesis block has no signature');
  ensure(block.transactions.length === 1, 'BAD_GENESIS', 'genesis holds exactly one transaction');
  const tx = block.transactions[0]!;
  const bootstrap = tx.receiver;
  ensure(isAddressOn(crypto, bootstrap), 'BAD_GENESIS', 'genesis must fund a valid bootstrap address');
  const expected = genesisBlock(bootstrap, n, block.timestamp, crypto);
  const want = expected.transactions[0]!;
  ensure(
    tx.sender === want.sender &&
      tx.type === want.type &&
      tx.amount === want.amount &&
      tx.message === '' &&
      tx.nonce === 0 &&
      tx.id === want.id &&
      tx.signature === '',
    'BAD_GENESIS',
    `genesis must give the bootstrap exactly ${want.amount} units from "0"`,
  );
  ensure(block.current_hash === expected.current_hash, 'BAD_GENESIS', 'genesis hash does not match its fields');
  return bootstrap;
}

/** Checks the block's hash against its fields and the validator's signature over that hash. */
export function verifyBlockSeal(block: Block, crypto: Crypto = nobleCrypto): void {
  ensure(isHex(block.current_hash, 32), 'BAD_HASH', 'current_hash must be 32 bytes of hex');
  const expected = blockHash(block.index, block.timestamp, block.validator, block.previous_hash, block.transactions, crypto);
  ensure(expected === block.current_hash, 'BAD_HASH', 'current_hash does not match the block fields');
  ensure(
    verifiesOn(crypto, block.current_hash, block.signature, block.validator),
    'BAD_SIGNATURE',
    "the block is not signed by its validator's key",
  );
}
