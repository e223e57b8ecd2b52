/**
 * The first block seen per (validator, height, round), to notice a second one (equivocation,
 * docs/protocol.md "Slashing"), over the last BLOCK_WINDOW heights below the tip. The blocks are
 * the objects the chain follower holds anyway while they are recent (history.ts keeps the best
 * branch's last 256), so the window costs little; what it must not do is keep blocks past it: a
 * block of a loaded network holds its transactions (some 25 kB at capacity 50), and holding four
 * windows' worth before pruning kept up to 1,024 of them.
 */
import type { Block } from '../../core/types.js';

/** Heights below the tip whose blocks are remembered. */
export const BLOCK_WINDOW = 256;
/** Blocks remembered at most (rival blocks and rounds included), whatever the heights. */
export const MAX_SEEN_BLOCKS = 4 * BLOCK_WINDOW;

export class SeenBlocks {
  private readonly first = new Map<string, Block>();

  get size(): number {
    return this.first.size;
  }

  /**
   * The block seen first at `block`'s validator, height and `round`; `block` itself (remembered)
   * when it is the first.
   */
  firstAt(block: Block, round: number): Block {
    const key = `${block.validator}:${block.index}:${round}`;
    const known = this.first.get(key);
    if (known) return known;
    if (this.first.size >= MAX_SEEN_BLOCKS) this.first.delete(this.first.keys().next().value!);
    this.first.set(key, block);
    return block;
  }

  /**
   * Forgets the blocks more than BLOCK_WINDOW heights below `tipIndex`. Blocks come mostly in
   * height order, so the oldest are first in the map: it stops at the first one still in the
   * window (one that came late waits until those before it leave; MAX_SEEN_BLOCKS bounds it).
   */
  prune(tipIndex: number): void {
    const oldest = tipIndex - BLOCK_WINDOW;
    for (const [key, block] of this.first) {
      if (block.index >= oldest) return;
      this.first.delete(key);
    }
  }
}
