/**
 * The lottery seed and stake snapshot of protocol version 2 (docs/protocol.md, "The seed" and
 * "The draw"). Each block's reveal either steps down its validator's onion, and then is mixed
 * into `mix`, or commits a new onion. Epoch k (heights kL … kL+L−1) draws with seed_k = the mix
 * after the last block of epoch k−1, and with the stakers of the ledger after the last block of
 * epoch k−2. Nothing else of a block — timestamp, transactions, their order, votes, evidence,
 * signature — reaches a draw.
 *
 * The draw is the course's: tickets per unit of stake, stakers by address, rejection sampling
 * over SHA-256(seed ‖ height ‖ counter), one accepted draw per round.
 */
import { bytesToHex, hexToBytes, isHex, nobleCrypto, type Crypto } from './crypto.js';
import { ensure } from './errors.js';
import { ONION_LENGTH, SEED_EPOCH_BLOCKS } from './params.js';
import { stakersOf, type Ledger } from './state.js';

/** Stakers sorted by address ascending, each with its stake in units. */
export type Stakers = ReadonlyArray<readonly [string, number]>;

/** A validator's onion on a branch: the last value shown, reveals since its root, roots committed. */
export interface OnionEntry {
  readonly last: string;
  readonly count: number;
  readonly roots: number;
}

export interface SeedState {
  /** The running mix of every contributing reveal since the genesis. */
  readonly mix: string;
  /** The seed of the epoch of the next block. */
  readonly seed: string;
  /** The stakers of the epoch of the next block. */
  readonly stakers: Stakers;
  /** The stakers of the epoch after it (fixed at the end of the previous epoch). */
  readonly nextStakers: Stakers;
  readonly onions: ReadonlyMap<string, OnionEntry>;
}

/** The epoch of a height. */
export function epochOf(height: number): number {
  return Math.floor(height / SEED_EPOCH_BLOCKS);
}

/** The state after the genesis: seed_0 = mix = the domain; nobody stakes in epochs 0 and 1. */
export function genesisSeedState(domain: string): SeedState {
  return Object.freeze({ mix: domain, seed: domain, stakers: [], nextStakers: [], onions: new Map() });
}

/**
 * Checks a block's reveal against its validator's onion; BAD_REVEAL if it does not follow.
 * Returns the validator's new entry and whether the reveal contributes to the mix.
 */
export function checkReveal(
  onions: ReadonlyMap<string, OnionEntry>,
  validator: string,
  reveal: string,
  crypto: Crypto = nobleCrypto,
): { entry: OnionEntry; contributes: boolean } {
  ensure(isHex(reveal, 32), 'BAD_REVEAL', 'reveal must be 32 bytes of hex');
  const known = onions.get(validator);
  if (known !== undefined && known.count < ONION_LENGTH) {
    ensure(
      bytesToHex(crypto.sha256Bytes(hexToBytes(reveal))) === known.last,
      'BAD_REVEAL',
      () => `the reveal does not hash to the validator's last onion value (reveal ${known.count + 1} of its onion)`,
    );
    return { entry: { last: reveal, count: known.count + 1, roots: known.roots }, contributes: true };
  }
  // No onion on this branch yet, or the last one is used up: the reveal commits a new root.
  return { entry: { last: reveal, count: 0, roots: (known?.roots ?? 0) + 1 }, contributes: false };
}

/** mix' = hex(SHA-256(bytes(mix) ‖ bytes(reveal))). */
export function mixReveal(mix: string, reveal: string, crypto: Crypto = nobleCrypto): string {
  const input = new Uint8Array(64);
  input.set(hexToBytes(mix), 0);
  input.set(hexToBytes(reveal), 32);
  return bytesToHex(crypto.sha256Bytes(input));
}

/**
 * The seed state after the block at `height` by `validator` with `reveal`, given the ledger after
 * that block. Throws BAD_REVEAL; `state` is untouched.
 */
export function advanceSeed(
  state: SeedState,
  height: number,
  validator: string,
  reveal: string,
  ledgerAfter: Ledger,
  crypto: Crypto = nobleCrypto,
): SeedState {
  return seedAfterReveal(state, height, validator, reveal, checkReveal(state.onions, validator, reveal, crypto), ledgerAfter, crypto);
}

/**
 * advanceSeed given what checkReveal answered for this reveal on `state` (a block's validity checks
 * the reveal before its transactions, and the step down the onion is not hashed a second time).
 */
export function seedAfterReveal(
  state: SeedState,
  height: number,
  validator: string,
  reveal: string,
  checked: { entry: OnionEntry; contributes: boolean },
  ledgerAfter: Ledger,
  crypto: Crypto = nobleCrypto,
): SeedState {
  const { entry, contributes } = checked;
  const onions = new Map(state.onions);
  onions.set(validator, entry);
  const mix = contributes ? mixReveal(state.mix, reveal, crypto) : state.mix;
  // (a literal, not `{ ...state, mix, onions }`: the spread was most of this function's time)
  if ((height + 1) % SEED_EPOCH_BLOCKS !== 0)
    return { mix, seed: state.seed, stakers: state.stakers, nextStakers: state.nextStakers, onions };
  // The last block of its epoch: the next epoch draws with this mix and the stakers fixed an
  // epoch ago; this block's ledger gives the stakers of the epoch after.
  return { mix, seed: mix, stakers: state.nextStakers, nextStakers: stakersOf(ledgerAfter), onions };
}

const TWO_256 = 1n << 256n;

/** The largest multiple of T not above 2^256: draws at or above it are rejected. */
export function acceptLimit(total: bigint): bigint {
  return TWO_256 - (TWO_256 % total);
}

/** The ticket a 256-bit draw gives among `total` tickets, or undefined when it is rejected. */
export function ticketOf(x: bigint, total: bigint): bigint | undefined {
  return x < acceptLimit(total) ? x % total : undefined;
}

/** x_c = SHA-256(bytes(seed) ‖ uint64_be(height) ‖ uint32_be(c)) as a big-endian integer. */
export function drawInput(seedHex: string, height: number, counter: number): Uint8Array {
  const input = new Uint8Array(44);
  input.set(hexToBytes(seedHex), 0);
  const view = new DataView(input.buffer);
  view.setBigUint64(32, BigInt(height), false);
  view.setUint32(40, counter, false);
  return input;
}

/** 32 bytes as a big-endian integer. */
function uint256Of(bytes: Uint8Array): bigint {
  const v = new DataView(bytes.buffer, bytes.byteOffset, 32);
  return (((v.getBigUint64(0) << 64n) | v.getBigUint64(8)) << 128n) | (v.getBigUint64(16) << 64n) | v.getBigUint64(24);
}

/**
 * Totals up to this are reduced with Numbers: with r < T ≤ 2^37, r·2^16 + 65535 stays below 2^53,
 * so every step of the reduction is exact.
 */
const SMALL_TOTAL = 2 ** 37;

/** The 32 bytes of a draw as a big-endian integer mod `total` (≤ SMALL_TOTAL), 16 bits at a time. */
function modSmall(bytes: Uint8Array, total: number): number {
  let r = 0;
  for (let i = 0; i < 32; i += 2) r = (r * 65536 + ((bytes[i]! << 8) | bytes[i + 1]!)) % total;
  return r;
}

/**
 * The winning tickets of rounds 0, 1, … at one height, one per call of `next` (mostly without
 * BigInt: the draws of a loaded node are many).
 */
export class Tickets {
  private readonly input: Uint8Array;
  private readonly counterView: DataView;
  private counter = 0;
  private big: { T: bigint; limit: bigint } | undefined;

  constructor(
    seedHex: string,
    height: number,
    private readonly total: number,
    private readonly crypto: Crypto = nobleCrypto,
  ) {
    if (!Number.isSafeInteger(total) || total <= 0) throw new RangeError('total stake must be a positive safe integer');
    // One input, its counter rewritten for each try (the hash does not keep it).
    this.input = drawInput(seedHex, height, 0);
    this.counterView = new DataView(this.input.buffer, this.input.byteOffset, this.input.byteLength);
  }

  /** The ticket of the next round. */
  next(): number {
    while (this.counter <= 0xffffffff) {
      this.counterView.setUint32(40, this.counter++, false);
      const h = this.crypto.sha256Bytes(this.input);
      // The accept limit is above 2^256 − T > 2^256 − 2^53: a draw at or above it has its top 203
      // bits set, so one whose first 32 bits are not all set is accepted (all but 1 in 2^32).
      const surelyBelow = h[0]! !== 0xff || h[1]! !== 0xff || h[2]! !== 0xff || h[3]! !== 0xff;
      if (surelyBelow && this.total <= SMALL_TOTAL) return modSmall(h, this.total);
      this.big ??= { T: BigInt(this.total), limit: acceptLimit(BigInt(this.total)) };
      const x = uint256Of(h);
      if (x < this.big.limit) return Number(x % this.big.T); // ticketOf(x, T)
    }
    throw new Error('lottery exhausted its counter'); // each try fails with probability below 2^-203
  }
}

/** The holder of a ticket among stakers sorted by address. */
export function holderOfTicket(stakers: Stakers, ticket: number): string {
  for (const [address, stake] of stakers) {
    if (ticket < stake) return address;
    ticket -= stake;
  }
  throw new RangeError('ticket outside every range');
}

/**
 * The validators of rounds 0, 1, … of the block at `height` (the block after the tip whose seed
 * state this is), each drawn the first time it is asked for and kept: a validator looking for its
 * own round draws only up to it, not all MAX_ROUNDS.
 */
export class RoundDraw {
  private readonly drawn: string[] = [];
  private readonly total: number;
  private tickets: Tickets | undefined;

  constructor(
    private readonly state: SeedState,
    private readonly height: number,
    private readonly fallback: string,
    private readonly crypto: Crypto = nobleCrypto,
  ) {
    let total = 0;
    for (const [, stake] of state.stakers) total += stake;
    this.total = total;
  }

  /** The validator of `round` (the rounds up to it are drawn if they were not yet). */
  validatorOf(round: number): string {
    while (this.drawn.length <= round) this.drawn.push(this.drawNext());
    return this.drawn[round]!;
  }

  /** The validator of the next round not drawn yet: the fallback while nobody stakes. */
  private drawNext(): string {
    if (this.total === 0) return this.fallback;
    this.tickets ??= new Tickets(this.state.seed, this.height, this.total, this.crypto);
    return holderOfTicket(this.state.stakers, this.tickets.next());
  }

  /** How many rounds have been drawn so far. */
  get drawnRounds(): number {
    return this.drawn.length;
  }
}

/** The validators of rounds 0 … count−1 at `height`. */
export function validatorsAt(state: SeedState, height: number, fallback: string, count: number, crypto: Crypto = nobleCrypto): string[] {
  const draw = new RoundDraw(state, height, fallback, crypto);
  const out: string[] = [];
  for (let r = 0; r < count; r++) out.push(draw.validatorOf(r));
  return out;
}

/** The first round below `rounds` in which `address` is the validator at `height`; −1 if none. */
export function roundAt(
  state: SeedState,
  height: number,
  fallback: string,
  address: string,
  rounds: number,
  crypto: Crypto = nobleCrypto,
): number {
  const draw = new RoundDraw(state, height, fallback, crypto);
  for (let r = 0; r < rounds; r++) if (draw.validatorOf(r) === address) return r;
  return -1;
}
