/**
 * One exact rule for every hex field (lower-case, exact length), enforced by the schema and by the
 * core before any signature suite sees the string: the same hostile strings get the same answer
 * from every suite a node can choose, and from a suite that reads text as Latin-1 (what the native
 * binding once did: "ı", U+0131, read as "1").
 */
import { describe, expect, it } from 'vitest';
import { Block as BlockSchema, Transaction as TransactionSchema } from '../../src/api/schemas.js';
import { schemaCheck } from '../../src/api/validate.js';
import { signBlock, verifyBlockSeal } from '../../src/core/block.js';
import { nobleCrypto, type Crypto } from '../../src/core/crypto.js';
import { ProtocolError } from '../../src/core/errors.js';
import { signTransaction, verifyTransaction } from '../../src/core/transaction.js';
import type { Block, Transaction } from '../../src/core/types.js';
import { availableSuites } from '../../src/crypto/select.js';
import { key } from './fixtures.js';
import { hostile } from './secp256k1-fixtures.js';

const DOMAIN = 'b'.repeat(64);
const A = key(0);
const B = key(1);

/** Noble behind a Latin-1 read: each UTF-16 unit keeps its low byte, and case is ignored. */
function latin1Crypto(): Crypto {
  const low = (s: unknown): string =>
    typeof s === 'string'
      ? [...s]
          .map((c) => String.fromCharCode(c.charCodeAt(0) & 0xff))
          .join('')
          .toLowerCase()
      : (s as string);
  return {
    name: 'noble read as Latin-1',
    sha256Hex: (d) => nobleCrypto.sha256Hex(d),
    sha256Bytes: (d) => nobleCrypto.sha256Bytes(d),
    verifyHash: (hash, sig, address) => nobleCrypto.verifyHash(low(hash), low(sig), low(address)),
    signHash: (hash, secret) => nobleCrypto.signHash(low(hash), low(secret)),
    isValidAddress: (a): a is string => nobleCrypto.isValidAddress(low(a)),
    addressOf: (secret) => nobleCrypto.addressOf(low(secret)),
  };
}

const suites: Array<[string, Crypto]> = [
  ...availableSuites(process.env).suites.map((s): [string, Crypto] => [s.name, s.make()]),
  ['noble read as Latin-1', latin1Crypto()],
];

/** What the core answers: the refusal's code, or "accepted". */
function answer(fn: () => void): string {
  try {
    fn();
    return 'accepted';
  } catch (err) {
    if (err instanceof ProtocolError) return err.code;
    throw err;
  }
}

const tx: Transaction = signTransaction(DOMAIN, A.secret, { receiver: B.address, type: 'coins', amount: 5, message: '', nonce: 0 });
const block: Block = signBlock({ index: 4, current_hash: 'c'.repeat(64) }, [tx], 1_000, B.secret);

/** Each hex field of a transaction or block replaced by each hostile form of its value. */
function variants<T extends object>(value: T, fields: ReadonlyArray<keyof T & string>): Array<[string, T]> {
  return fields.flatMap((field) =>
    hostile(value[field] as string).map((bad): [string, T] => [`${field}=${JSON.stringify(bad)}`, { ...value, [field]: bad }]),
  );
}
const txVariants = variants(tx, ['sender', 'receiver', 'id', 'signature']);
const blockVariants = variants(block, ['validator', 'signature', 'current_hash']);

describe('hostile hex strings', () => {
  it('every suite, and a Latin-1 reader, answers the untouched data as noble does (accepted)', () => {
    for (const [, crypto] of suites) {
      expect(answer(() => verifyTransaction(DOMAIN, tx, crypto))).toBe('accepted');
      expect(answer(() => verifyBlockSeal(block, crypto))).toBe('accepted');
    }
  });

  it('get the same refusal from the core on every suite as on noble, never an acceptance', () => {
    expect(suites.length).toBeGreaterThan(1);
    expect(txVariants.length).toBeGreaterThan(100);
    expect(blockVariants.length).toBeGreaterThan(50);
    for (const [label, bad] of txVariants) {
      const noble = answer(() => verifyTransaction(DOMAIN, bad, nobleCrypto));
      expect(noble, label).not.toBe('accepted');
      for (const [name, crypto] of suites)
        expect(
          answer(() => verifyTransaction(DOMAIN, bad, crypto)),
          `${name}: ${label}`,
        ).toBe(noble);
    }
    for (const [label, bad] of blockVariants) {
      const noble = answer(() => verifyBlockSeal(bad, nobleCrypto));
      expect(noble, label).not.toBe('accepted');
      for (const [name, crypto] of suites)
        expect(
          answer(() => verifyBlockSeal(bad, crypto)),
          `${name}: ${label}`,
        ).toBe(noble);
    }
  });

  it('are refused by the schema of REST and the peer stream, naming the field', () => {
    const checkTx = schemaCheck(TransactionSchema);
    const checkBlock = schemaCheck(BlockSchema);
    expect(checkTx(tx)).toBeUndefined();
    expect(checkBlock(block)).toBeUndefined();
    // an empty signature is the genesis's form (the core refuses it anywhere else: above)
    const notGenesis = ([label]: [string, unknown]) => label !== 'signature=""';
    expect(txVariants.filter(notGenesis).length).toBe(txVariants.length - 1);
    for (const [label, bad] of txVariants.filter(notGenesis)) expect(checkTx(bad), label).toMatch(/lower-case hex/);
    for (const [label, bad] of blockVariants.filter(notGenesis)) expect(checkBlock(bad), label).toMatch(/lower-case hex/);
  });
});
