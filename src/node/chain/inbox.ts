/** The messages this node's wallet received, in committed blocks (GET /wallet/inbox). */
import type { Block } from '../../core/types.js';
import type { InboxEntry } from '../../api/types.js';
import { isBefore, type Cursor } from './cursor.js';

export class Inbox {
  private readonly entries: InboxEntry[] = [];

  constructor(
    private readonly address: string,
    private readonly idOf: (address: string) => number | null,
  ) {}

  /** Takes the messages to this wallet from the next block of the best branch. */
  add(block: Block): void {
    for (const [position, tx] of block.transactions.entries()) {
      if (tx.type === 'message' && tx.receiver === this.address) {
        this.entries.push({
          id: tx.id,
          from: tx.sender,
          from_id: this.idOf(tx.sender),
          message: tx.message,
          block: block.index,
          position,
          timestamp: block.timestamp,
        });
      }
    }
  }

  /** Forgets the messages of blocks above `fork` (a better branch replaces them). */
  truncateAbove(fork: number): void {
    while ((this.entries[this.entries.length - 1]?.block ?? -1) > fork) this.entries.pop();
  }

  /** The newest `limit` messages after `before` going back (all when absent), newest first. */
  latest(limit: number, before?: Cursor): InboxEntry[] {
    let end = this.entries.length;
    if (before !== undefined) {
      // entries are in chain order: find the first one not before the cursor
      let lo = 0;
      while (lo < end) {
        const mid = (lo + end) >>> 1;
        const e = this.entries[mid]!;
        if (isBefore(before, e.block, e.position)) lo = mid + 1;
        else end = mid;
      }
    }
    return this.entries.slice(Math.max(0, end - limit), end).reverse();
  }
}
