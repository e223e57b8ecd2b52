/**
 * The one place that sets up cryptography (SPEC A, "Exact encodings"): SHA-256, and ECDSA on
 * secp256k1 over raw 32-byte hashes (no second hashing), 64-byte compact signatures, low-S only.
 *
 * @noble/secp256k1 is the reference implementation and the fallback. Verification, point checks
 * and signing are the hot path (every node checks every transaction, and each wallet signs its
 * own at thousands per second), so when libsecp256k1's prebuilt binding loads it does them: it
 * agrees with noble bit for bit — RFC 6979 signatures are deterministic and both emit low-S only,
 * and both reject high-S in verification (test/unit/crypto.test.ts).
 * Key generation needs randomness and lives outside the core (src/node/wallet.ts).
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import * as secp from '@noble/secp256k1';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

secp.hashes.sha256 = nobleSha256;
secp.hashes.hmacSha256 = (key: Uint8Array, msg: Uint8Array) => hmac(nobleSha256, key, msg);

export { bytesToHex, hexToBytes };

/**
 * SHA-256 as lower-case hex, of bytes or of a string's UTF-8 encoding. Node's hash is a pure
 * function and several times faster here.
 */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function sha256Bytes(data: Uint8Array): Uint8Array {
  return createHash('sha256').update(data).digest();
}

const HEX = /^[0-9a-f]*$/;

/** True when `s` is lower-case hex of exactly `bytes` bytes. */
export function isHex(s: unknown, bytes: number): s is string {
  return typeof s === 'string' && s.length === bytes * 2 && HEX.test(s);
}

const knownKeys = new Map<string, string>();

/**
 * The compressed public key (address) of a secret key, as 66 hex characters. A wallet asks for
 * its own address on every signature, so answers are remembered (a pure memo of a few keys).
 */
export function addressOf(secretKeyHex: string): string {
  let address = knownKeys.get(secretKeyHex);
  if (address === undefined) {
    address = bytesToHex(secp.getPublicKey(hexToBytes(secretKeyHex), true));
    if (knownKeys.size >= 64) knownKeys.clear();
    knownKeys.set(secretKeyHex, address);
  }
  return address;
}

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

interface NativeSecp256k1 {
  ecdsaVerify(sig: Uint8Array, msg32: Uint8Array, pubkey: Uint8Array): boolean;
  ecdsaSign(msg32: Uint8Array, seckey: Uint8Array): { signature: Uint8Array; recid: number };
  publicKeyVerify(pubkey: Uint8Array): boolean;
  publicKeyConvert(pubkey: Uint8Array, compressed: boolean): Uint8Array;
}

function loadNative(): NativeSecp256k1 | undefined {
  if (process.env.BLOCKCHAT_NOBLE_ONLY === '1') return undefined;
  try {
    // `secp256k1/bindings` is the libsecp256k1 addon alone (no silent fallback to elliptic.js).
    return createRequire(import.meta.url)('secp256k1/bindings') as NativeSecp256k1;
  } catch {
    return undefined;
  }
}

const native = loadNative();

/** Which verifier is in use: reported by /metrics and the benchmarks. */
export const verifierName: 'libsecp256k1' | 'noble' = native ? 'libsecp256k1' : 'noble';

/**
 * Addresses as uncompressed 65-byte keys, for libsecp256k1: a compressed key costs a square root
 * to parse on every verification (~5 of its ~60 µs), and a network has few senders (a pure memo).
 */
const expandedKeys = new Map<string, Uint8Array>();

function expandedKey(address: string): Uint8Array {
  let key = expandedKeys.get(address);
  if (key === undefined) {
    // throws for a string that is not a point, like ecdsaVerify itself
    key = native!.publicKeyConvert(Buffer.from(address, 'hex'), false);
    if (expandedKeys.size >= 10_000) expandedKeys.clear();
    expandedKeys.set(address, key);
  }
  return key;
}

/** The native verifier; libsecp256k1 rejects high-S itself (it never normalises in verify). */
export function verifyHashNative(hashHex: string, signatureHex: string, address: string): boolean {
  if (!native) return verifyHashNoble(hashHex, signatureHex, address);
  if (!isHex(hashHex, 32) || !isHex(signatureHex, 64) || !isHex(address, 33)) return false;
  try {
    return native.ecdsaVerify(Buffer.from(signatureHex, 'hex'), Buffer.from(hashHex, 'hex'), expandedKey(address));
  } catch {
    // unparsable signature (r or s out of range) or public key
    return false;
  }
}

/** libsecp256k1's point check (only compressed points are addresses). */
export function isValidAddressNative(address: unknown): address is string {
  if (!native) return isValidAddressNoble(address);
  if (!isHex(address, 33) || (!address.startsWith('02') && !address.startsWith('03'))) return false;
  return native.publicKeyVerify(Buffer.from(address, 'hex'));
}

/** libsecp256k1's signer: RFC 6979 without extra entropy, normalised to low-S, like noble. */
export function signHashNative(hashHex: string, secretKeyHex: string): string {
  if (!native) return signHashNoble(hashHex, secretKeyHex);
  return Buffer.from(native.ecdsaSign(Buffer.from(hashHex, 'hex'), Buffer.from(secretKeyHex, 'hex')).signature).toString('hex');
}

/** Verifies a signature over a 32-byte hash by `address`, with the fastest agreeing verifier. */
export const verifyHash: (hashHex: string, signatureHex: string, address: string) => boolean =
  native ? verifyHashNative : verifyHashNoble;

const checkPoint = native ? isValidAddressNative : isValidAddressNoble;
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
export const signHash: (hashHex: string, secretKeyHex: string) => string = native ? signHashNative : signHashNoble;
