/**
 * The stake-weighted lottery (SPEC A, "Proof of Stake" and "Exact encodings").
 * Tickets: each staker, by address ascending, holds `stake` consecutive tickets from 0. Draw:
 * x_c = SHA-256(previous hash bytes ‖ c as 4 bytes big-endian) as a 256-bit integer for
 * c = 0, 1, …; the first x_c below 2^256 − (2^256 mod T) gives the ticket x_c mod T (rejection
 * sampling: no modulo bias).
 */
import { bytesToHex, hexToBytes, sha256Bytes } from './crypto.js';

const TWO_256 = 1n << 256n;

/** The winning ticket in [0, total) for a seed (a block hash, hex). */
export function drawTicket(seedHashHex: string, total: number): number {
  if (!Number.isSafeInteger(total) || total <= 0) throw new RangeError('total stake must be a positive safe integer');
  const T = BigInt(total);
  const limit = TWO_256 - (TWO_256 % T);
  const seed = hexToBytes(seedHashHex);
  const input = new Uint8Array(seed.length + 4);
  input.set(seed, 0);
  const view = new DataView(input.buffer);
  for (let c = 0; c <= 0xffffffff; c++) {
    view.setUint32(seed.length, c, false);
    const x = BigInt('0x' + bytesToHex(sha256Bytes(input)));
    if (x < limit) return Number(x % T);
  }
  // Unreachable: each try fails with probability below 2^-203.
  throw new Error('lottery exhausted its counter');
}

/**
 * The validator of the block after the one whose hash is `seedHashHex`, given the stakers of the
 * committed state (sorted by address ascending), or `fallback` (the bootstrap) when none stakes.
 */
export function drawValidator(
  seedHashHex: string,
  stakers: ReadonlyArray<readonly [string, number]>,
  fallback: string,
): string {
  let total = 0;
  for (const [, stake] of stakers) total += stake;
  if (total === 0) return fallback;
  let ticket = drawTicket(seedHashHex, total);
  for (const [address, stake] of stakers) {
    if (ticket < stake) return address;
    ticket -= stake;
  }
  throw new Error('ticket outside every range'); // unreachable: ticket < total
}
