/**
 * Blocks received ahead of the tip, kept until the gap below them is filled (by catch-up, or by
 * the blocks arriving). Only near ones, sealed by a member, one per index: anyone can send
 * well-formed garbage, and only a block with a valid seal costs its sender a key.
 */
import { verifyBlockSealV2, type BlockV2 } from '../../core/blockv2.js';
import type { Crypto } from '../../core/crypto.js';
import { ensure } from '../../core/errors.js';
import type { Header } from '../../core/header.js';
import type { Block } from '../../core/types.js';

/** How far ahead of the tip a block may be kept. */
const MAX_FUTURE_BLOCKS = 256;

/** Checks a version-2 block's hash and its validator's signature (BAD_HASH, BAD_SIGNATURE); returns its header. */
export function sealOf(domain: string, block: Block, crypto: Crypto): Header {
  const b = block as Partial<BlockV2> & Block;
  ensure(
    Array.isArray(b.transactions) && Array.isArray(b.votes) && Array.isArray(b.evidence) && typeof b.reveal === 'string',
    'BAD_HASH',
    'a block carries transactions, reveal, votes and evidence',
  );
  return verifyBlockSealV2(domain, b as BlockV2, crypto);
}

export class FutureBlocks {
  private readonly byIndex = new Map<number, Block>();

  constructor(private readonly crypto: Crypto) {}

  /**
   * Keeps `block` if it is near, not displacing one kept, and sealed by a member; throws if its
   * seal is invalid. Returns its header when its seal was checked.
   */
  keep(domain: string, block: Block, tipIndex: number, isMember: boolean): Header | undefined {
    if (block.index <= tipIndex + MAX_FUTURE_BLOCKS && !this.byIndex.has(block.index) && isMember) {
      const header = sealOf(domain, block, this.crypto);
      this.byIndex.set(block.index, block);
      return header;
    }
    return undefined;
  }

  /** The kept block right after `tipIndex`, taken out (and those at or below it forgotten). */
  takeNext(tipIndex: number): Block | undefined {
    for (const index of this.byIndex.keys()) if (index <= tipIndex) this.byIndex.delete(index);
    const next = this.byIndex.get(tipIndex + 1);
    if (next) this.byIndex.delete(next.index);
    return next;
  }
}
