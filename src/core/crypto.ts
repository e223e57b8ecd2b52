/**
 * The one place that sets up cryptography (SPEC A, "Exact encodings"): SHA-256, and ECDSA on
 * secp256k1 over raw 32-byte hashes (no second hashing), 64-byte compact signatures, low-S only.
 *
 * @noble/secp256k1 is the reference implementation and the fallback. Verification, point checks
 * and signing are the hot path (every node checks every transaction, and each wallet signs its
 * own at thousands per second), so the fastest libsecp256k1 that loads does them: this project's
 * binding to the system's library (native/, where libsecp256k1-dev is installed), which also
 * verifies frequent signers' signatures with a precomputed table per key at over twice the
 * speed, else the secp256k1 package's prebuilt one. Each agrees with noble bit for bit — RFC 6979
 * signatures are deterministic and all emit low-S only, and all reject high-S in verification
 * (test/unit/crypto.test.ts checks every backend that loads).
 * Key generation needs randomness and lives outside the core (src/node/wallet.ts).
 */
import { hash as oneShotHash } from 'node:crypto';
import { createRequire } from 'node:module';
import * as secp from '@noble/secp256k1';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

secp.hashes.sha256 = nobleSha256;
secp.hashes.hmacSha256 = (key: Uint8Array, msg: Uint8Array) => hmac(nobleSha256, key, msg);

export { bytesToHex, hexToBytes };

/**
 * SHA-256 as lower-case hex, of bytes or of a string's UTF-8 encoding. Node's one-shot hash is a
 * pure function, several times faster than noble's here and twice as fast as a Hash object for
 * inputs this small (a transaction's preimage: ~0.5 µs instead of ~1.1).
 */
export function sha256Hex(data: Uint8Array | string): string {
  return oneShotHash('sha256', data, 'hex');
}

export function sha256Bytes(data: Uint8Array): Uint8Array {
  return oneShotHash('sha256', data, 'buffer');
}

const HEX = /^[0-9a-f]*$/;

/** True when `s` is lower-case hex of exactly `bytes` bytes. */
export function isHex(s: unknown, bytes: number): s is string {
  return typeof s === 'string' && s.length === bytes * 2 && HEX.test(s);
}

/** A bounded memo of a pure function of a string: a network has few keys, each used all the time. */
function memo<V>(limit: number, make: (key: string) => V): (key: string) => V {
  const known = new Map<string, V>();
  return (key) => {
    let value = known.get(key);
    if (value === undefined) {
      value = make(key);
      if (known.size >= limit) known.clear();
      known.set(key, value);
    }
    return value;
  };
}

/**
 * The compressed public key (address) of a secret key, as 66 hex characters. A wallet asks for
 * its own address on every signature, so answers are remembered (a pure memo of a few keys).
 */
export const addressOf: (secretKeyHex: string) => string = memo(64, (secretKeyHex) =>
  bytesToHex(secp.getPublicKey(hexToBytes(secretKeyHex), true)),
);

/** The reference point check: a 33-byte compressed point on the curve (noble). */
export function isValidAddressNoble(address: unknown): address is string {
  if (!isHex(address, 33) || (!address.startsWith('02') && !address.startsWith('03'))) return false;
  try {
    secp.Point.fromHex(address);
    return true;
  } catch {
    return false;
  }
}

/** The reference signer: RFC 6979 nonces, 64-byte compact low-S hex (noble). */
export function signHashNoble(hashHex: string, secretKeyHex: string): string {
  const sig = secp.sign(hexToBytes(hashHex), hexToBytes(secretKeyHex), { prehash: false, lowS: true });
  return bytesToHex(sig);
}

/** The reference verifier: noble, low-S enforced. */
export function verifyHashNoble(hashHex: string, signatureHex: string, address: string): boolean {
  if (!isHex(hashHex, 32) || !isHex(signatureHex, 64) || !isHex(address, 33)) return false;
  try {
    return secp.verify(hexToBytes(signatureHex), hexToBytes(hashHex), hexToBytes(address), {
      prehash: false,
      lowS: true,
    });
  } catch {
    return false;
  }
}

/** The secp256k1 npm package's libsecp256k1 addon (a 2019 release, prebuilt in the package). */
interface BundledSecp256k1 {
  ecdsaVerify(sig: Uint8Array, msg32: Uint8Array, pubkey: Uint8Array): boolean;
  ecdsaSign(msg32: Uint8Array, seckey: Uint8Array): { signature: Uint8Array; recid: number };
  publicKeyVerify(pubkey: Uint8Array): boolean;
  publicKeyConvert(pubkey: Uint8Array, compressed: boolean): Uint8Array;
}

/**
 * This project's binding to the system's libsecp256k1 (native/secp256k1_system.c, built by
 * npm's prepare where libsecp256k1-dev is installed). It takes the protocol's hex text itself
 * and refuses anything that is not lower-case hex of the right length; points are parsed once.
 */
interface SystemSecp256k1 {
  /** A compressed point, parsed (an opaque 64-byte key), or null if it is not on the curve. */
  parsePoint(addressHex: string): Uint8Array | null;
  verify(hashHex: string, signatureHex: string, point: Uint8Array): boolean;
  /** null for a secret key that is zero or not below the group order */
  sign(hashHex: string, secretKeyHex: string): string | null;
  /**
   * The precomputed table of a compressed point (native/verify_tables.c: ~2.5 ms and 270 KB,
   * freed with the handle), or null if it is not a point.
   */
  tableOf(addressHex: string): KeyTable | null;
  /** The same check as verify, about twice as fast. */
  verifyWith(table: KeyTable, hashHex: string, signatureHex: string): boolean;
  /** Makes the table of G that every key table's verification shares (~25 ms, once). */
  prepare(): boolean;
}

/** An opaque handle to a key's table (an N-API external). */
type KeyTable = object & { readonly __keyTable: unique symbol };

function loadBundled(): BundledSecp256k1 | undefined {
  if (process.env.BLOCKCHAT_NOBLE_ONLY === '1') return undefined;
  try {
    // `secp256k1/bindings` is the libsecp256k1 addon alone (no silent fallback to elliptic.js).
    return createRequire(import.meta.url)('secp256k1/bindings') as BundledSecp256k1;
  } catch {
    return undefined;
  }
}

function loadSystem(): SystemSecp256k1 | undefined {
  if (process.env.BLOCKCHAT_NOBLE_ONLY === '1' || process.env.BLOCKCHAT_NO_NATIVE === '1') return undefined;
  try {
    // package.json "imports" maps this to native/build/Release/, from src/ and dist/ alike
    return createRequire(import.meta.url)('#blockchat-secp256k1') as SystemSecp256k1;
  } catch {
    return undefined;
  }
}

/** One implementation of signing, verification and point checks over 32-byte hashes in hex. */
export interface Secp256k1Backend {
  readonly name: 'libsecp256k1 (system) with key tables' | 'libsecp256k1 (system)' | 'libsecp256k1 (bundled)' | 'noble';
  verify(hashHex: string, signatureHex: string, address: string): boolean;
  sign(hashHex: string, secretKeyHex: string): string;
  isPoint(address: unknown): address is string;
}

const noble: Secp256k1Backend = {
  name: 'noble',
  verify: verifyHashNoble,
  sign: signHashNoble,
  isPoint: isValidAddressNoble,
};

function bundledBackend(lib: BundledSecp256k1): Secp256k1Backend {
  // Addresses as uncompressed 65-byte keys: a compressed key costs a square root to parse on
  // every verification (~5 of its ~60 µs). Throws for a string that is not a point.
  const expanded = memo(10_000, (address) => lib.publicKeyConvert(Buffer.from(address, 'hex'), false));
  return {
    name: 'libsecp256k1 (bundled)',
    verify(hashHex, signatureHex, address) {
      if (!isHex(hashHex, 32) || !isHex(signatureHex, 64) || !isHex(address, 33)) return false;
      try {
        // libsecp256k1 rejects high-S itself (it never normalises in verify)
        return lib.ecdsaVerify(Buffer.from(signatureHex, 'hex'), Buffer.from(hashHex, 'hex'), expanded(address));
      } catch {
        return false; // r or s out of range, or a public key that is not a point
      }
    },
    sign(hashHex, secretKeyHex) {
      // RFC 6979 without extra entropy, normalised to low-S, like noble
      return Buffer.from(lib.ecdsaSign(Buffer.from(hashHex, 'hex'), Buffer.from(secretKeyHex, 'hex')).signature).toString('hex');
    },
    isPoint(address): address is string {
      if (!isHex(address, 33) || (!address.startsWith('02') && !address.startsWith('03'))) return false;
      return lib.publicKeyVerify(Buffer.from(address, 'hex'));
    },
  };
}

function systemBackend(lib: SystemSecp256k1): Secp256k1Backend {
  // The parse (a square root for a compressed point) is done once per address.
  const parsed = memo<Uint8Array | false>(10_000, (address) => lib.parsePoint(address) ?? false);
  const pointOf = (address: unknown) => (typeof address === 'string' && address.length === 66 ? parsed(address) : false);
  return {
    name: 'libsecp256k1 (system)',
    verify(hashHex, signatureHex, address) {
      const point = pointOf(address);
      return point !== false && lib.verify(hashHex, signatureHex, point);
    },
    sign(hashHex, secretKeyHex) {
      const sig = lib.sign(hashHex, secretKeyHex);
      if (sig === null) throw new Error('cannot sign: the secret key is not a valid scalar, or the hash is not 32 bytes of hex');
      return sig;
    },
    isPoint(address): address is string {
      return pointOf(address) !== false;
    },
  };
}

/** A key gets its table once it has signed this many verified signatures: one-off keys never cost one. */
const TABLE_AFTER = 16;
/** Tables kept at once (270 KB each); a network has one sender per node, so this is never reached in use. */
const MAX_TABLES = 64;

let tablesMade = 0;

/**
 * Makes, now, what verification with key tables shares (G's table, ~25 ms), rather than when the
 * first key earns its table, which in a new network is the same busy moment on every node.
 */
export function prepareKeyTables(): void {
  system?.prepare();
}

/** How many key tables this process has made (a key whose table was dropped counts again). */
export function keyTablesMade(): number {
  return tablesMade;
}

/**
 * Verification with a precomputed table per sender (native/verify_tables.c): a network has few
 * senders, each verified thousands of times, so the table (~2.5 ms to make) pays for itself
 * within a hundred signatures. Keys are verified the plain way until they have proven to sign
 * often; only signatures that verify count, so unsigned junk cannot make a node build tables.
 */
function keyTablesBackend(lib: SystemSecp256k1, plain: Secp256k1Backend): Secp256k1Backend {
  const tables = new Map<string, KeyTable>();
  const verified = new Map<string, number>();
  const promote = (address: string): void => {
    const table = lib.tableOf(address);
    if (table === null) return;
    if (tables.size >= MAX_TABLES) tables.delete(tables.keys().next().value!); // the oldest
    tables.set(address, table);
    tablesMade++;
  };
  return {
    name: 'libsecp256k1 (system) with key tables',
    verify(hashHex, signatureHex, address) {
      const table = tables.get(address);
      if (table !== undefined) return lib.verifyWith(table, hashHex, signatureHex);
      if (!plain.verify(hashHex, signatureHex, address)) return false;
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
    sign: plain.sign,
    isPoint: plain.isPoint,
  };
}

const system = loadSystem();
const bundled = loadBundled();
const systemPlain = system ? systemBackend(system) : undefined;

/**
 * Every implementation that loaded, fastest first; each agrees with noble bit for bit
 * (test/unit/crypto.test.ts checks them all).
 */
export const backends: readonly Secp256k1Backend[] = [
  ...(system && systemPlain ? [keyTablesBackend(system, systemPlain), systemPlain] : []),
  ...(bundled ? [bundledBackend(bundled)] : []),
  noble,
];

const fastest = backends[0]!;

/** Which implementation is in use: reported by /status, /metrics and the benchmarks. */
export const verifierName: Secp256k1Backend['name'] = fastest.name;

/** Verifies a signature over a 32-byte hash by `address`, with the fastest agreeing verifier. */
export const verifyHash: (hashHex: string, signatureHex: string, address: string) => boolean = fastest.verify;

const checkPoint = fastest.isPoint;
/** Addresses known to be valid points: a network has few, and each appears in every transaction. */
const knownPoints = new Set<string>();

/** True when `address` is a 33-byte compressed point on the curve (a pure, memoised check). */
export function isValidAddress(address: unknown): address is string {
  if (typeof address === 'string' && knownPoints.has(address)) return true;
  if (!checkPoint(address)) return false;
  if (knownPoints.size >= 100_000) knownPoints.clear();
  knownPoints.add(address);
  return true;
}

/** Signs a 32-byte hash (hex) with RFC 6979 nonces; 64-byte compact low-S hex. */
export const signHash: (hashHex: string, secretKeyHex: string) => string = fastest.sign;
