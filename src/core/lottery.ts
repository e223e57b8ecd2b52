/**
 * The stake-weighted lottery (SPEC A, "Proof of Stake" and "Exact encodings"), and its rounds
 * (SPEC B, "Validator failure").
 * Tickets: each staker, by address ascending, holds `stake` consecutive tickets from 0. Draw:
 * x_c = SHA-256(previous hash bytes ‖ c as 4 bytes big-endian) as a 256-bit integer for
 * c = 0, 1, …; the first x_c below 2^256 − (2^256 mod T) gives the ticket x_c mod T (rejection
 * sampling: no modulo bias). That ticket's holder is the validator of round 0, the one SPEC A
 * names. If it does not produce the block in time, the network moves to round 1, whose ticket is
 * the next accepted draw of the same sequence (the counter goes on), and so on.
 */
import { bytesToHex, hexToBytes, sha256Bytes } from './crypto.js';

const TWO_256 = 1n << 256n;

/** The winning tickets in [0, total) of rounds 0, 1, …, one at a time, for a seed (a block hash, hex). */
export function* ticketsOf(seedHashHex: string, total: number): Generator<number, never> {
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
    if (x < limit) yield Number(x % T);
  }
  // Unreachable in practice: each try fails with probability below 2^-203.
  // Stryker disable next-line StringLiteral: unreachable
  throw new Error('lottery exhausted its counter');
}

/** The winning ticket of round 0 in [0, total) for a seed (a block hash, hex). */
export function drawTicket(seedHashHex: string, total: number): number {
  return ticketsOf(seedHashHex, total).next().value;
}

/** The holder of `ticket` among stakers sorted by address ascending. */
function holderOf(stakers: ReadonlyArray<readonly [string, number]>, ticket: number): string {
  for (const [address, stake] of stakers) {
    if (ticket < stake) return address;
    ticket -= stake;
  }
  // Stryker disable next-line StringLiteral: unreachable
  throw new Error('ticket outside every range'); // unreachable: ticket < total
}

function totalOf(stakers: ReadonlyArray<readonly [string, number]>): number {
  let total = 0;
  for (const [, stake] of stakers) total += stake;
  return total;
}

/**
 * The validators of rounds 0, 1, … for the block after the one whose hash is `seedHashHex`,
 * given the stakers of the committed state (sorted by address ascending); every round's is
 * `fallback` (the bootstrap) when nobody stakes.
 */
export function* validatorsByRound(
  seedHashHex: string,
  stakers: ReadonlyArray<readonly [string, number]>,
  fallback: string,
): Generator<string, never> {
  const total = totalOf(stakers);
  if (total === 0) for (;;) yield fallback;
  for (const ticket of ticketsOf(seedHashHex, total)) yield holderOf(stakers, ticket);
  // Stryker disable next-line StringLiteral: unreachable
  throw new Error('unreachable');
}

/** The validator of round 0: the one SPEC A's lottery names. */
export function drawValidator(seedHashHex: string, stakers: ReadonlyArray<readonly [string, number]>, fallback: string): string {
  return validatorsByRound(seedHashHex, stakers, fallback).next().value;
}

/**
 * The first round, below `rounds`, in which `address` is the validator; -1 if none. Lazy: the
 * usual answer (round 0) costs one draw.
 */
export function roundOf(
  seedHashHex: string,
  stakers: ReadonlyArray<readonly [string, number]>,
  fallback: string,
  address: string,
  rounds: number,
): number {
  if (rounds <= 0) return -1;
  let round = 0;
  for (const winner of validatorsByRound(seedHashHex, stakers, fallback)) {
    if (winner === address) return round;
    if (++round >= rounds) return -1;
  }
  // Stryker disable next-line UnaryOperator: unreachable, the loop above never ends
  return -1;
}
