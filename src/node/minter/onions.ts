/**
 * This node's onions (docs/protocol.md, "The seed"): the reveal each of its blocks carries, derived
 * from its wallet key (`onionSecret`), so that nothing else needs to be stored. An onion is built
 * once (ONION_LENGTH hashes) and kept with one value every 256 layers. It is prepared ahead, a
 * slice per turn of the event loop, as soon as the node follows a chain: built at its first block
 * instead, it would hold that block (and the network waiting for it) for the whole build.
 */
import type { Crypto } from '../../core/crypto.js';
import { OnionChain, onionSecret } from '../../core/onion.js';
import { ONION_LENGTH } from '../../core/params.js';
import type { SeedState } from '../../core/seed.js';

/** Hashes of an onion's build per turn of the event loop while it is prepared ahead. */
const BUILD_SLICE = 2048;

export class Onions {
  private built: { roots: number; chain: OnionChain } | undefined;
  private preparing = false;

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

  /** Starts building, in slices, the onion that this node's next block on `seed`'s branch reveals from. */
  prepare(seed: SeedState): void {
    const entry = seed.onions.get(this.address);
    const chain = this.onion(entry !== undefined && entry.count < ONION_LENGTH ? entry.roots - 1 : (entry?.roots ?? 0));
    if (this.preparing || chain.complete) return;
    this.preparing = true;
    const slice = () => {
      if (this.built?.chain === chain && !chain.build(BUILD_SLICE)) setImmediate(slice);
      else this.preparing = false;
    };
    setImmediate(slice);
  }

  private onion(index: number): OnionChain {
    if (this.built?.roots !== index) {
      const secret = onionSecret(this.domain(), this.secretKey, index, this.crypto);
      this.built = { roots: index, chain: new OnionChain(secret, ONION_LENGTH, 256, this.crypto) };
    }
    return this.built.chain;
  }
}
