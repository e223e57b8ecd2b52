/** Constants and helpers of the secp256k1 tests: the curve's orders, hex scalars, signature surgery. */
import { createHash } from 'node:crypto';

/** The group order n, the field prime p, and n / 2 (the largest low s). */
export const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
export const P = 2n ** 256n - 2n ** 32n - 977n;
export const HALF_N = N >> 1n;

/** A scalar as 64 lower-case hex characters. */
export const hex32 = (x: bigint): string => x.toString(16).padStart(64, '0');
/** SHA-256 of a string, as hex (node:crypto: independent of the code under test). */
export const h = (s: string): string => createHash('sha256').update(s).digest('hex');
export const rOf = (sig: string): bigint => BigInt('0x' + sig.slice(0, 64));
export const sOf = (sig: string): bigint => BigInt('0x' + sig.slice(64));
export const withS = (sig: string, s: bigint): string => sig.slice(0, 64) + hex32(s);
export const withR = (sig: string, r: bigint): string => hex32(r) + sig.slice(64);
