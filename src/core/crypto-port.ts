/**
 * The cryptography the finality, evidence and seed rules use, in one place. Each of those
 * modules takes a `HashSign` as its last parameter, defaulting to the functions of crypto.ts;
 * the method names match crypto.ts's, so that an injected implementation (one object with these
 * methods) re-routes every call at once.
 */
import { addressOf, isValidAddress, sha256Bytes, sha256Hex, signHash, verifyHash } from './crypto.js';

export interface HashSign {
  /** SHA-256 as lower-case hex, of bytes or of a string's UTF-8 encoding. */
  sha256Hex(data: Uint8Array | string): string;
  /** SHA-256 as bytes. */
  sha256Bytes(data: Uint8Array): Uint8Array;
  /** RFC 6979 low-S signature of a 32-byte hash (hex), as 128 hex characters. */
  signHash(hashHex: string, secretKeyHex: string): string;
  /** True when `signatureHex` is `address`'s low-S signature of `hashHex`; never throws. */
  verifyHash(hashHex: string, signatureHex: string, address: string): boolean;
  /** True when `address` is a compressed point on the curve, as 66 lower-case hex characters. */
  isValidAddress(address: unknown): address is string;
  /** The address of a secret key. */
  addressOf(secretKeyHex: string): string;
}

export const defaultHashSign: HashSign = { sha256Hex, sha256Bytes, signHash, verifyHash, isValidAddress, addressOf };
