/**
 * This node's onions (docs/protocol.md, "The seed"): the reveal each of its blocks carries, derived
 * from its wallet key (`onionSecret`), so that nothing else needs to be stored. An onion is built
 * once (ONION_LENGTH hashes) and kept with one value every 256 layers.
 */
import type { Crypto } from '../../core/crypto.js';
import { OnionChain, onionSecret } from '../../core/onion.js';
import { ONION_LENGTH } from '../../core/params.js';
import type { SeedState } from '../../core/seed.js';

export class Onions {
  private built: { roots: number; chain: OnionChain } | undefined;

  constructor(
    private readonly domain: () => string,
    private readonly address: string,
    private readonly secretKey: string,
    private readonly crypto: Crypto,
  ) {}

  /** The reveal of this node's next block on a branch whose seed state is `seed`. */
  revealFor(seed: SeedState): string {
    const entry = seed.onions.get(this.address);
    // The current onion (the roots-th, counting from 1) goes on; otherwise a new one is committed.
    if (entry !== undefined && entry.count < ONION_LENGTH) return this.onion(entry.roots - 1).value(entry.count + 1);
    return this.onion(entry?.roots ?? 0).root;
  }

  private onion(index: number): OnionChain {
    if (this.built?.roots !== index) {
      const secret = onionSecret(this.domain(), this.secretKey, index, this.crypto);
      this.built = { roots: index, chain: new OnionChain(secret, ONION_LENGTH, 256, this.crypto) };
    }
    return this.built.chain;
  }
}
