/**
 * The best branch's recent blocks in memory, as objects and as the JSON text they are served in,
 * which block holds each committed transaction, and which index each block hash has (id-index.ts:
 * recent entries in memory, older ones on disk). Older blocks are read from the store (views/).
 */
import { join } from 'node:path';
import type { Block } from '../../core/types.js';
import { IdIndex } from './id-index.js';

/** How many recent blocks are kept in memory. */
const RECENT_BLOCKS = 256;

export class BlockHistory {
  private readonly recent: Array<{ block: Block; json: string }> = [];
  /** Which block holds each committed transaction (rebuilt from the chain on start). */
  private readonly txIndex: IdIndex;
  /** Which index each block hash has (the same kind of index, keyed by the block's hash). */
  private readonly hashIndex: IdIndex;

  /**
   * `indexDir`: where the indexes keep their older entries (none: in memory); `onError` hears of
   * a disk error, after which an index holds its new entries in memory.
   */
  constructor(indexDir?: string, onError?: (err: unknown) => void) {
    this.txIndex = new IdIndex(indexDir === undefined ? undefined : join(indexDir, 'transactions'), { onError });
    this.hashIndex = new IdIndex(indexDir === undefined ? undefined : join(indexDir, 'blocks'), { onError });
  }

  /** Adds the next block of the best branch. */
  add(block: Block, json: string): void {
    for (const tx of block.transactions) this.txIndex.add(tx.id, block.index);
    this.hashIndex.add(block.current_hash, block.index);
    this.recent.push({ block, json });
    if (this.recent.length > RECENT_BLOCKS) this.recent.shift();
  }

  /** Forgets the blocks above `fork` (a better branch replaces them). */
  truncateAbove(fork: number): void {
    while ((this.recent[this.recent.length - 1]?.block.index ?? -1) > fork) this.recent.pop();
  }

  /** The block at `index` if it is recent. */
  blockAt(index: number): Block | undefined {
    const first = this.recent[0]?.block.index ?? 0;
    return this.recent[index - first]?.block;
  }

  latestJson(): string | undefined {
    return this.recent[this.recent.length - 1]?.json;
  }

  /** Up to `limit` blocks' JSON from `from` on, or undefined when `from` is older than what is kept. */
  jsonFrom(from: number, limit: number): string[] | undefined {
    const first = this.recent[0]?.block.index;
    if (first === undefined || from < first) return undefined;
    return this.recent.slice(from - first, from - first + limit).map((r) => r.json);
  }

  /** Closes the indexes' files. */
  close(): void {
    this.txIndex.close();
    this.hashIndex.close();
  }

  /** The bytes the transaction index takes in memory. */
  get txIndexBytes(): number {
    return this.txIndex.bytes;
  }

  /** The bytes the block-hash index takes in memory. */
  get hashIndexBytes(): number {
    return this.hashIndex.bytes;
  }

  /** The indexes a block with hash `hash` may have had on the best branch, newest entry last. */
  indexesMayHave(hash: string): number[] {
    return this.hashIndex.candidates(hash);
  }

  /** The indexes of the blocks that may hold transaction `id`, newest entry last. */
  blocksMayHold(id: string): number[] {
    return this.txIndex.candidates(id);
  }

  /** The indexes of the blocks that may hold transactions whose ids start with `prefix`, at most `max`. */
  blocksMayHoldPrefix(prefix: string, max: number): number[] {
    return this.txIndex.candidatesByPrefix(prefix, max);
  }
}
