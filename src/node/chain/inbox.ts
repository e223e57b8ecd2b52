/** The messages this node's wallet received, in committed blocks (GET /wallet/inbox). */
import type { Block } from '../../core/types.js';
import type { InboxEntry } from '../../api/types.js';

export class Inbox {
  private readonly entries: InboxEntry[] = [];

  constructor(
    private readonly address: string,
    private readonly idOf: (address: string) => number | null,
  ) {}

  /** Takes the messages to this wallet from the next block of the best branch. */
  add(block: Block): void {
    for (const tx of block.transactions) {
      if (tx.type === 'message' && tx.receiver === this.address) {
        this.entries.push({
          id: tx.id,
          from: tx.sender,
          from_id: this.idOf(tx.sender),
          message: tx.message,
          block: block.index,
          timestamp: block.timestamp,
        });
      }
    }
  }

  /** Forgets the messages of blocks above `fork` (a better branch replaces them). */
  truncateAbove(fork: number): void {
    while ((this.entries[this.entries.length - 1]?.block ?? -1) > fork) this.entries.pop();
  }

  /** The newest `limit` messages, newest first. */
  latest(limit: number): InboxEntry[] {
    return this.entries.slice(-limit).reverse();
  }
}
