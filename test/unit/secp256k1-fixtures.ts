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

/**
 * Strings that are not lower-case hex of `hex`'s length, among them non-ASCII letters whose low
 * byte is a hex digit: a Latin-1 read turns "ı" (U+0131) into "1" and "Ķ" (U+0136) into "6".
 */
export function hostile(hex: string): string[] {
  const at = (i: number, ch: string): string => hex.slice(0, i) + ch + hex.slice(i + 1);
  const out = [hex.toUpperCase(), hex.slice(2), hex.slice(1), hex + '00', hex + '0', 'zz' + hex.slice(2), at(5, '\0'), ''];
  for (let i = 0; i < hex.length; i += 7) out.push(at(i, '\u0131'), at(i, '\u0136'), at(i, '\u0161'), at(i, '\u0100'));
  out.push(hex + '\u0131', hex.slice(0, -1) + '\u0136', hex.slice(0, -2) + '\u0131', hex.slice(0, -1) + '\u{1f600}');
  return out;
}
