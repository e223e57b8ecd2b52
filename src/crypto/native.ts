/**
 * The node's libsecp256k1 binding (native/binding.c: the library source of the secp256k1
 * package compiled with our glue, built by npm's prepare) as `Crypto` suites: plain, and with a
 * precomputed verification table per frequent signer.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { memo, sha256Bytes, sha256Hex, type NodeCrypto } from './suite.js';

/** An opaque handle to a key's table (an N-API external, tagged as a key table). */
export type KeyTable = object & { readonly __keyTable: unique symbol };

/**
 * The binding's exports. Hex arguments must be lower-case hex of the exact length; anything else
 * gives false or null (never an exception, never a partial read).
 */
export interface Binding {
  /** A compressed point, parsed (an opaque 64-byte key), or null if it is not on the curve. */
  parsePoint(addressHex: string): Uint8Array | null;
  verify(hashHex: string, signatureHex: string, point: Uint8Array): boolean;
  /** null for a secret key that is zero or not below the group order */
  sign(hashHex: string, secretKeyHex: string): string | null;
  /** The compressed public key of a secret key; null as for sign. */
  addressOf(secretKeyHex: string): string | null;
  /** The library and the options it was compiled with. */
  library(): string;
  /** The precomputed table of a compressed point (~2.5 ms, 270 KB, freed with the handle), or null. */
  tableOf(addressHex: string): KeyTable | null;
  /** The same check as verify, about twice as fast. */
  verifyWith(table: KeyTable, hashHex: string, signatureHex: string): boolean;
  /** Makes the table of G that every key table's verification shares (~25 ms, once per process). */
  prepare(): boolean;
  /** Blinds the signing context with 32 random bytes (side channels); signatures stay the same. False for another length. */
  randomize(seed: Uint8Array): boolean;
  /** Gives the C library's free memory back to the system (glibc's malloc_trim); true if some was returned. */
  trimHeap(): boolean;
}

/** The binding, or why it cannot be loaded (not built: see npm's output, or native/build.mjs). */
export function loadBinding(): Binding | Error {
  try {
    // package.json "imports" maps this to native/build/Release/, from src/ and dist/ alike
    const lib = createRequire(import.meta.url)('#blockchat-secp256k1') as Binding;
    // libsecp256k1 signs with a context that should be blinded with fresh randomness first.
    if (!lib.randomize(randomBytes(32))) return new Error('the binding refused to randomise its signing context');
    return lib;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/** The binding's plain suite: each verification from scratch, each address parsed once. */
export function bindingCrypto(lib: Binding): NodeCrypto {
  // The parse (a square root for a compressed point) is done once per address.
  const parsed = memo<Uint8Array | false>(10_000, (address) => lib.parsePoint(address) ?? false);
  const pointOf = (address: unknown) => (typeof address === 'string' && address.length === 66 ? parsed(address) : false);
  // A wallet asks for its own address on every signature; an invalid key throws, and is not remembered.
  const addressOf = memo(64, (secretKeyHex) => {
    const address = lib.addressOf(secretKeyHex);
    if (address === null) throw new Error('a secret key is 32 bytes of lower-case hex, a scalar 1 … n−1');
    return address;
  });
  return {
    name: 'libsecp256k1 (binding)',
    sha256Hex,
    sha256Bytes,
    verifyHash(hashHex, signatureHex, address) {
      const point = pointOf(address);
      return point !== false && lib.verify(hashHex, signatureHex, point);
    },
    signHash(hashHex, secretKeyHex) {
      const sig = lib.sign(hashHex, secretKeyHex);
      if (sig === null)
        throw new Error('cannot sign: the hash and the secret key are 32 bytes of lower-case hex, the key a scalar 1 … n−1');
      return sig;
    },
    isValidAddress(address): address is string {
      return pointOf(address) !== false;
    },
    addressOf,
    keyTablesMade: () => 0,
    prepare: () => undefined,
  };
}

/** A key gets its table once it has signed this many verified signatures: one-off keys never cost one. */
export const TABLE_AFTER = 16;
/** Tables kept at once (270 KB each); a network has one sender per node, so only throwaway keys reach it. */
const MAX_TABLES = 64;

/**
 * Verification with a precomputed table per sender (native/key_tables_impl.h): a network has few
 * senders, each verified thousands of times, so the table (~2.5 ms to make) pays for itself
 * within a hundred signatures. Keys are verified the plain way until they have proven to sign
 * often; only signatures that verify count, so unsigned junk cannot make a node build tables.
 */
export function keyTablesCrypto(lib: Binding): NodeCrypto {
  const plain = bindingCrypto(lib);
  /** Each key's table and how many verifications it served, for choosing which to drop. */
  const tables = new Map<string, { table: KeyTable; uses: number }>();
  const verified = new Map<string, number>();
  let made = 0;
  /**
   * The table to drop when all are taken: the least used, the oldest of those. A key that signs
   * all the time (a member) keeps its table however many keys sign a few times each: junk keys
   * only ever push each other out.
   */
  const leastUsed = (): string => {
    let pick = '';
    let fewest = Infinity;
    for (const [address, { uses }] of tables) {
      if (uses < fewest) {
        fewest = uses;
        pick = address;
      }
    }
    return pick;
  };
  const promote = (address: string): void => {
    const table = lib.tableOf(address);
    if (table === null) return;
    if (tables.size >= MAX_TABLES) tables.delete(leastUsed());
    tables.set(address, { table, uses: 0 });
    made++;
  };
  return {
    ...plain,
    name: 'libsecp256k1 (binding) with key tables',
    verifyHash(hashHex, signatureHex, address) {
      const entry = tables.get(address);
      if (entry !== undefined) {
        entry.uses++;
        return lib.verifyWith(entry.table, hashHex, signatureHex);
      }
      if (!plain.verifyHash(hashHex, signatureHex, address)) return false;
      const count = (verified.get(address) ?? 0) + 1;
      if (count < TABLE_AFTER) {
        if (verified.size >= 10_000) verified.clear();
        verified.set(address, count);
      } else {
        verified.delete(address);
        promote(address);
      }
      return true;
    },
    keyTablesMade: () => made,
    prepare: () => void lib.prepare(),
  };
}
