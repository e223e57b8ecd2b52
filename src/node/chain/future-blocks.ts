/**
 * Blocks received ahead of the tip, kept until the gap below them is filled (by catch-up, or by
 * the blocks arriving). Only near ones, sealed by a member, one per index: anyone can send
 * well-formed garbage, and only a block with a valid seal costs its sender a key.
 */
import { verifyBlockSeal } from '../../core/block.js';
import type { Crypto } from '../../core/crypto.js';
import type { Block } from '../../core/types.js';

/** How far ahead of the tip a block may be kept. */
const MAX_FUTURE_BLOCKS = 256;

export class FutureBlocks {
  private readonly byIndex = new Map<number, Block>();

  constructor(private readonly crypto: Crypto) {}

  /** Keeps `block` if it is near, not displacing one kept, and sealed by a member; throws if its seal is invalid. */
  keep(block: Block, tipIndex: number, isMember: boolean): void {
    if (block.index <= tipIndex + MAX_FUTURE_BLOCKS && !this.byIndex.has(block.index) && isMember) {
      verifyBlockSeal(block, this.crypto);
      this.byIndex.set(block.index, block);
    }
  }

  /** The kept block right after `tipIndex`, taken out (and those at or below it forgotten). */
  takeNext(tipIndex: number): Block | undefined {
    for (const index of this.byIndex.keys()) if (index <= tipIndex) this.byIndex.delete(index);
    const next = this.byIndex.get(tipIndex + 1);
    if (next) this.byIndex.delete(next.index);
    return next;
  }
}
