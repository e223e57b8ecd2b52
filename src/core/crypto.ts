/**
 * Cryptography as the core uses it (SPEC A, "Exact encodings"): SHA-256, and ECDSA on secp256k1
 * over raw 32-byte hashes (no second hashing), 64-byte compact signatures, low-S only.
 *
 * The core takes it as a `Crypto` value from its caller: every function that hashes, signs or
 * verifies has a last parameter `crypto`, which defaults to `nobleCrypto`, the reference built
 * here from @noble/secp256k1 and @noble/hashes (pure TypeScript, slow, obviously portable). A
 * node passes a faster suite of its own (src/crypto/: node:crypto's SHA-256 and a libsecp256k1
 * binding), which it checks against this reference before it starts. Every implementation must
 * give the same answer as the reference for every input, malformed ones included: nodes that
 * disagreed would disagree on which transactions and blocks are valid.
 *
 * Key generation needs randomness and lives outside the core (src/node/wallet/keys.ts).
 */
import * as secp from '@noble/secp256k1';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';

// noble's synchronous signing takes its hashes from these slots (its documented configuration).
secp.hashes.sha256 = nobleSha256;
secp.hashes.hmacSha256 = (key: Uint8Array, msg: Uint8Array) => hmac(nobleSha256, key, msg);

export { bytesToHex, hexToBytes };

/**
 * One implementation of the protocol's cryptography. All methods are pure functions of their
 * arguments; an implementation may remember answers (parsed points, addresses), never change them.
 */
export interface Crypto {
  /** Which implementation: reported by GET /status and the benchmarks. */
  readonly name: string;
  /** SHA-256 as lower-case hex, of bytes or of a string's UTF-8 encoding (a lone surrogate as U+FFFD). */
  sha256Hex(data: Uint8Array | string): string;
  sha256Bytes(data: Uint8Array): Uint8Array;
  /**
   * True when `signatureHex` is `address`'s low-S signature of the 32-byte hash `hashHex`. False,
   * never an exception, for anything malformed: every argument must be lower-case hex of its
   * exact length (32, 64 and 33 bytes).
   */
  verifyHash(hashHex: string, signatureHex: string, address: string): boolean;
  /**
   * The RFC 6979 (deterministic, no extra entropy) low-S signature of a 32-byte hash, as 128
   * lower-case hex characters. Throws unless both arguments are lower-case hex of 32 bytes and the
   * secret key is a valid scalar (1 … n−1).
   */
  signHash(hashHex: string, secretKeyHex: string): string;
  /** True when `address` is 66 lower-case hex characters: a compressed point on the curve. */
  isValidAddress(address: unknown): address is string;
  /** The compressed public key (address) of a secret key, as 66 hex characters; throws as signHash. */
  addressOf(secretKeyHex: string): string;
}

const HEX = /^[0-9a-f]*$/;

/** True when `s` is lower-case hex of exactly `bytes` bytes. */
export function isHex(s: unknown, bytes: number): s is string {
  return typeof s === 'string' && s.length === bytes * 2 && HEX.test(s);
}

/**
 * The one rule for every hex field, applied by the core before any backend sees the string:
 * lower-case hex of the exact length. A backend that read text another way (a Latin-1 read takes
 * "ı", U+0131, for "1") would otherwise answer differently from noble on the same data.
 */
export function isAddressOn(crypto: Pick<Crypto, 'isValidAddress'>, address: unknown): address is string {
  return isHex(address, 33) && crypto.isValidAddress(address);
}

/** `crypto.verifyHash`, after the hex rule on each argument (see isAddressOn). */
export function verifiesOn(crypto: Pick<Crypto, 'verifyHash'>, hashHex: unknown, signatureHex: unknown, address: unknown): boolean {
  return isHex(hashHex, 32) && isHex(signatureHex, 64) && isHex(address, 33) && crypto.verifyHash(hashHex, signatureHex, address);
}

/** SHA-256 as lower-case hex (noble). */
export function sha256Hex(data: Uint8Array | string): string {
  return bytesToHex(nobleSha256(typeof data === 'string' ? utf8ToBytes(data) : data));
}

/** SHA-256 as bytes (noble). */
export function sha256Bytes(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

/** The reference point check (noble). */
export function isValidAddress(address: unknown): address is string {
  // Stryker disable next-line StringLiteral: noble's parser itself refuses a 33-byte key with another prefix
  if (!isHex(address, 33) || (!address.startsWith('02') && !address.startsWith('03'))) return false;
  try {
    secp.Point.fromHex(address);
    return true;
  } catch {
    return false;
  }
}

/** The reference public key of a secret key (noble). */
export function addressOf(secretKeyHex: string): string {
  if (!isHex(secretKeyHex, 32)) throw new Error('a secret key is 32 bytes of lower-case hex');
  return bytesToHex(secp.getPublicKey(hexToBytes(secretKeyHex), true));
}

/** The reference signer (noble). */
export function signHash(hashHex: string, secretKeyHex: string): string {
  if (!isHex(hashHex, 32) || !isHex(secretKeyHex, 32))
    throw new Error('cannot sign: the hash and the secret key are 32 bytes of lower-case hex');
  return bytesToHex(secp.sign(hexToBytes(hashHex), hexToBytes(secretKeyHex), { prehash: false, lowS: true }));
}

/** The reference verifier (noble), low-S enforced. */
export function verifyHash(hashHex: string, signatureHex: string, address: string): boolean {
  if (!isHex(hashHex, 32) || !isHex(signatureHex, 64) || !isHex(address, 33)) return false;
  try {
    return secp.verify(hexToBytes(signatureHex), hexToBytes(hashHex), hexToBytes(address), {
      prehash: false,
      lowS: true,
    });
  } catch {
    // Stryker disable next-line BooleanLiteral: unreachable, the isHex checks above leave noble nothing to throw on
    return false;
  }
}

/**
 * The reference implementation, and the default of every core function that takes a `Crypto`.
 * It remembers nothing: a node's suite keeps its memos itself.
 */
export const nobleCrypto: Crypto = Object.freeze({
  name: 'noble',
  sha256Hex,
  sha256Bytes,
  verifyHash,
  signHash,
  isValidAddress,
  addressOf,
});
