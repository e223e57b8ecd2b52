/**
 * Onions (docs/protocol.md, "The seed"): a validator's hash chain o_j = SHA-256^(N−j)(s), j = 0 … N,
 * SHA-256 applied to the 32 raw bytes each time. The root o_0 is committed by a block's `reveal`;
 * each later block of that validator reveals the next value, which the previous one's hash
 * checks. Given the root, every reveal is fixed: its owner can publish it or not, nothing else.
 */
import { bytesToHex, hexToBytes, nobleCrypto, type Crypto } from './crypto.js';
import { canonText } from './encoding.js';
import { ONION_LENGTH } from './params.js';

export const ONION_TAG = 'blockchat/onion';

/** SHA-256 of the 32 bytes a 64-hex value encodes, as hex: one step down an onion. */
export function hashStep(valueHex: string, crypto: Crypto = nobleCrypto): string {
  return bytesToHex(crypto.sha256Bytes(hexToBytes(valueHex)));
}

/**
 * The secret of a node's `roots`-th onion (0 for its first), derived from its wallet key so that
 * nothing else needs to be stored: hex(SHA-256(canon(["blockchat/onion", domain, secret key, roots]))).
 * Validity does not depend on how a validator picks its secret.
 */
export function onionSecret(domain: string, secretKeyHex: string, roots: number, crypto: Crypto = nobleCrypto): string {
  return crypto.sha256Hex(canonText([ONION_TAG, domain, secretKeyHex, roots]));
}

/** o_j of the onion of `secret`, by hashing N − j times (for tests and one-off use). */
export function onionValue(secretHex: string, j: number, length: number = ONION_LENGTH, crypto: Crypto = nobleCrypto): string {
  if (!Number.isSafeInteger(j) || j < 0 || j > length) throw new RangeError(`onion index ${j} outside 0 … ${length}`);
  let v = secretHex;
  for (let i = 0; i < length - j; i++) v = hashStep(v, crypto);
  return v;
}

/**
 * An onion with every `stride`-th layer kept, so that a value costs at most `stride` hashes: what a
 * validator keeps in memory (N / stride values), built from its secret in N hashes. The build can
 * go in slices (`build(steps)`), so that a node prepares its onion without holding up its work;
 * `value` finishes it if need be. The stride of layers the last value came from is kept too, so
 * that a validator's successive reveals cost one lookup each rather than up to `stride` hashes.
 */
export class OnionChain {
  /** layers[m] = SHA-256^(m · stride)(secret), for the m built so far */
  private readonly layers: string[];
  /** The layer reached by the build (SHA-256^depth(secret), as bytes) and its depth. */
  private current: Uint8Array;
  private depth = 0;
  /** segment.values[i] = SHA-256^(segment.m · stride + i)(secret) */
  private segment: { m: number; values: string[] } | undefined;

  constructor(
    readonly secretHex: string,
    readonly length: number = ONION_LENGTH,
    private readonly stride: number = 256,
    private readonly crypto: Crypto = nobleCrypto,
  ) {
    this.layers = [secretHex];
    this.current = hexToBytes(secretHex);
  }

  /** True once every kept layer is built. */
  get complete(): boolean {
    return this.depth >= this.length;
  }

  /** Hashes up to `steps` more layers of the build; returns whether it is complete. */
  build(steps: number = Infinity): boolean {
    const end = Math.min(this.length, this.depth + steps);
    let v = this.current;
    for (let depth = this.depth + 1; depth <= end; depth++) {
      v = this.crypto.sha256Bytes(v);
      if (depth % this.stride === 0) this.layers.push(bytesToHex(v));
    }
    this.current = v;
    this.depth = Math.max(this.depth, end);
    return this.complete;
  }

  /** o_0: what the block that commits this onion carries as its reveal. */
  get root(): string {
    return this.value(0);
  }

  /** o_j, the value to reveal after j − 1 earlier reveals of this onion. */
  value(j: number): string {
    if (!Number.isSafeInteger(j) || j < 0 || j > this.length) throw new RangeError(`onion index ${j} outside 0 … ${this.length}`);
    this.build();
    const depth = this.length - j;
    const m = Math.floor(depth / this.stride);
    if (this.segment?.m !== m) {
      const values = [this.layers[m]!];
      const count = Math.min(this.stride, this.length - m * this.stride + 1);
      for (let i = 1; i < count; i++) values.push(hashStep(values[i - 1]!, this.crypto));
      this.segment = { m, values };
    }
    return this.segment.values[depth - m * this.stride]!;
  }
}
