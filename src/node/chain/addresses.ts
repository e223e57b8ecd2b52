/**
 * Which blocks of the best branch hold transactions of each address (as sender or receiver), in
 * memory: a sorted list of block indexes per address, a few bytes per transaction. The blocks
 * themselves are read when asked (views/addresses.ts), from memory when recent, else from the
 * store: so the account pages, conversations and any address's inbox cost the blocks they show,
 * not a scan of the chain. Rebuilt from the chain when the node starts, like the transaction index.
 */
import type { Block } from '../../core/types.js';

export class AddressIndex {
  private readonly blocksOf = new Map<string, number[]>();

  /** Takes the next block of the best branch. */
  add(block: Block): void {
    for (const tx of block.transactions) {
      this.note(tx.sender, block.index);
      this.note(tx.receiver, block.index);
    }
  }

  private note(address: string, index: number): void {
    const list = this.blocksOf.get(address);
    if (!list) this.blocksOf.set(address, [index]);
    else if (list[list.length - 1] !== index) list.push(index);
  }

  /** Forgets the blocks above `fork` (a better branch replaces them). */
  truncateAbove(fork: number): void {
    for (const [address, list] of this.blocksOf) {
      while (list.length > 0 && list[list.length - 1]! > fork) list.pop();
      if (list.length === 0) this.blocksOf.delete(address);
    }
  }

  /** The indexes of the blocks holding transactions of `address`, oldest first (a copy-free view: do not change it). */
  blocks(address: string): readonly number[] {
    return this.blocksOf.get(address) ?? [];
  }
}
