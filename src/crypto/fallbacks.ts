/**
 * The suites a node falls back to: the secp256k1 package's prebuilt addon (the same libsecp256k1
 * source as the binding, without key tables), and noble (the core's reference) with node:crypto's
 * SHA-256 and remembered answers.
 */
import { createRequire } from 'node:module';
import { isHex, nobleCrypto } from '../core/crypto.js';
import { memo, rememberValid, sha256Bytes, sha256Hex, type NodeCrypto } from './suite.js';

/** The secp256k1 npm package's libsecp256k1 addon (prebuilt in the package for common platforms). */
export interface PackageAddon {
  ecdsaVerify(sig: Uint8Array, msg32: Uint8Array, pubkey: Uint8Array): boolean;
  ecdsaSign(msg32: Uint8Array, seckey: Uint8Array): { signature: Uint8Array; recid: number };
  publicKeyVerify(pubkey: Uint8Array): boolean;
  publicKeyConvert(pubkey: Uint8Array, compressed: boolean): Uint8Array;
  publicKeyCreate(seckey: Uint8Array, compressed: boolean): Uint8Array;
}

/** The addon, or why it cannot be loaded. */
export function loadPackageAddon(): PackageAddon | Error {
  try {
    // `secp256k1/bindings` is the libsecp256k1 addon alone (no silent fallback to elliptic.js).
    return createRequire(import.meta.url)('secp256k1/bindings') as PackageAddon;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

export function bundledCrypto(lib: PackageAddon): NodeCrypto {
  // Addresses as uncompressed 65-byte keys: a compressed key costs a square root to parse on
  // every verification (~5 of its ~60 µs). Throws for a string that is not a point.
  const expanded = memo(10_000, (address) => lib.publicKeyConvert(Buffer.from(address, 'hex'), false));
  const isPoint = (address: unknown): boolean =>
    isHex(address, 33) && (address.startsWith('02') || address.startsWith('03')) && lib.publicKeyVerify(Buffer.from(address, 'hex'));
  const toBytes = (hex: string, bytes: number, what: string): Buffer => {
    if (!isHex(hex, bytes)) throw new Error(`${what} is ${bytes} bytes of lower-case hex`);
    return Buffer.from(hex, 'hex');
  };
  return {
    name: 'libsecp256k1 (bundled)',
    sha256Hex,
    sha256Bytes,
    verifyHash(hashHex, signatureHex, address) {
      if (!isHex(hashHex, 32) || !isHex(signatureHex, 64) || !isHex(address, 33)) return false;
      try {
        // libsecp256k1 rejects high-S itself (it never normalises in verify)
        return lib.ecdsaVerify(Buffer.from(signatureHex, 'hex'), Buffer.from(hashHex, 'hex'), expanded(address));
      } catch {
        return false; // r or s out of range, or a public key that is not a point
      }
    },
    signHash(hashHex, secretKeyHex) {
      // RFC 6979 without extra entropy, normalised to low-S, like noble; throws for an invalid key
      const sig = lib.ecdsaSign(toBytes(hashHex, 32, 'a hash'), toBytes(secretKeyHex, 32, 'a secret key'));
      return Buffer.from(sig.signature).toString('hex');
    },
    isValidAddress: rememberValid(isPoint),
    addressOf: memo(64, (secretKeyHex) =>
      Buffer.from(lib.publicKeyCreate(toBytes(secretKeyHex, 32, 'a secret key'), true)).toString('hex'),
    ),
    keyTablesMade: () => 0,
    prepare: () => undefined,
  };
}

/** noble's signatures, node:crypto's SHA-256, and memos of points and addresses. */
export function nobleNodeCrypto(): NodeCrypto {
  return {
    ...nobleCrypto,
    sha256Hex,
    sha256Bytes,
    isValidAddress: rememberValid((a) => nobleCrypto.isValidAddress(a)),
    addressOf: memo(64, (k) => nobleCrypto.addressOf(k)),
    keyTablesMade: () => 0,
    prepare: () => undefined,
  };
}
