/**
 * What the chain watcher (watcher.ts) has learnt of every node's chain, without any I/O: the
 * blocks taken from each node in index order, when each transaction was first in a block on every
 * node, and (protocol version 2) when it was first final on every node. Times are given by the
 * caller (local clock, ms).
 *
 * A node that switches to a better branch is rolled back to the fork: its transactions above it
 * count as not committed (nor final) on it until the new branch has them.
 */
import type { Block } from '../api/types.js';

/** What the watcher keeps of a block. */
export interface WatchedBlock {
  index: number;
  hash: string;
  /** The validator's clock (ms). */
  timestamp: number;
  size: number;
  validator: string;
  validatorId: number | null;
  txIds: string[];
}

export function fromBlock(b: Block, idByAddress: ReadonlyMap<string, number>): WatchedBlock {
  return {
    index: b.index,
    hash: b.current_hash,
    timestamp: b.timestamp,
    size: b.transactions.length,
    validator: b.validator,
    validatorId: idByAddress.get(b.validator) ?? null,
    txIds: b.transactions.map((t) => t.id),
  };
}

export class WatchedChains {
  /** The first block index that counts as produced during the run. */
  startIndex = 0;
  /** Whether the nodes report finality (their status has `final_height`). */
  finality = false;

  /** Each node's next expected block index. */
  private readonly next: number[];
  private readonly blocksByIndex = new Map<number, WatchedBlock>();
  /** The blocks taken from each node, by index: what a rollback takes back. */
  private readonly chains: Array<Map<number, WatchedBlock>>;
  private readonly seenCount = new Map<string, number>();
  private readonly onAllAt = new Map<string, number>();
  private readonly blockOfTx = new Map<string, number>();
  /** Each node's finalised height as last learnt (-1: none yet). */
  private readonly finalHeights: number[];
  private readonly finalCount = new Map<string, number>();
  private readonly finalAt = new Map<string, number>();
  private ingested = 0;

  constructor(readonly n: number) {
    this.next = Array.from({ length: n }, () => 0);
    this.chains = Array.from({ length: n }, () => new Map<number, WatchedBlock>());
    this.finalHeights = Array.from({ length: n }, () => -1);
  }

  /**
   * The run starts at these tips (each node's last block index) and, when the nodes report
   * finality, these finalised heights (absent otherwise).
   */
  start(tips: readonly number[], finalHeights?: readonly number[]): void {
    tips.forEach((index, i) => (this.next[i] = index + 1));
    this.startIndex = Math.max(...tips) + 1;
    this.finality = finalHeights !== undefined;
    // Blocks final before the run are not watched: nothing of the run is in them.
    finalHeights?.forEach((h, i) => (this.finalHeights[i] = Math.min(h, this.next[i]! - 1)));
  }

  /** The next block index expected from node i. */
  nextOf(i: number): number {
    return this.next[i]!;
  }

  /** The hash of the block taken from node i at `index`, if any. */
  hashAt(i: number, index: number): string | undefined {
    return this.chains[i]!.get(index)?.hash;
  }

  committedOnAllAt(txId: string): number | undefined {
    return this.onAllAt.get(txId);
  }

  finalOnAllAt(txId: string): number | undefined {
    return this.finalAt.get(txId);
  }

  blockOf(txId: string): number | undefined {
    return this.blockOfTx.get(txId);
  }

  /** Grows with every block taken and every finalised height that rose, on any node. */
  progress(): number {
    return this.ingested;
  }

  heights(): number[] {
    return this.next.map((x) => x - 1);
  }

  runBlocks(upTo = Number.MAX_SAFE_INTEGER): WatchedBlock[] {
    return [...this.blocksByIndex.values()].filter((b) => b.index >= this.startIndex && b.index <= upTo).sort((a, b) => a.index - b.index);
  }

  get hashMismatch(): boolean {
    for (const [index, block] of this.blocksByIndex) {
      if (index < this.startIndex) continue;
      for (const chain of this.chains) {
        const other = chain.get(index);
        if (other && other.hash !== block.hash) return true;
      }
    }
    return false;
  }

  /** Node i holds block `b` (the next it was expected to), seen at `at`. */
  ingest(i: number, b: WatchedBlock, at: number): void {
    this.next[i] = b.index + 1;
    this.ingested++;
    this.chains[i]!.set(b.index, b);
    // The block a node holds last at an index is the one the run reports.
    if (b.index >= this.startIndex) this.blocksByIndex.set(b.index, b);
    for (const id of b.txIds) {
      const count = (this.seenCount.get(id) ?? 0) + 1;
      this.seenCount.set(id, count);
      if (count === 1) this.blockOfTx.set(id, b.index);
      if (count === this.n) this.onAllAt.set(id, at);
    }
  }

  /** Whether `height` is above what node i was last known to have finalised. */
  finalRises(i: number, height: number): boolean {
    return height > this.finalHeights[i]!;
  }

  /** Node i's blocks taken up to `height` are final on it (learnt at `at`). */
  finalise(i: number, height: number, at: number): void {
    const upTo = Math.min(height, this.next[i]! - 1);
    const chain = this.chains[i]!;
    for (let index = this.finalHeights[i]! + 1; index <= upTo; index++) {
      for (const id of chain.get(index)?.txIds ?? []) {
        const count = (this.finalCount.get(id) ?? 0) + 1;
        this.finalCount.set(id, count);
        if (count === this.n) this.finalAt.set(id, Math.max(at, this.onAllAt.get(id) ?? at));
      }
    }
    if (upTo > this.finalHeights[i]!) {
      this.finalHeights[i] = upTo;
      this.ingested++;
    }
  }

  /** Takes back node i's blocks above `fork`: the node left them for a better branch. */
  rollback(i: number, fork: number): void {
    const chain = this.chains[i]!;
    for (let index = this.next[i]! - 1; index > fork; index--) {
      const b = chain.get(index);
      chain.delete(index);
      if (!b) continue;
      // A final block is never left; if a node did, its transactions are not final there either.
      if (index <= this.finalHeights[i]!) {
        for (const id of b.txIds) {
          this.finalCount.set(id, (this.finalCount.get(id) ?? 1) - 1);
          this.finalAt.delete(id);
        }
      }
      for (const id of b.txIds) {
        const count = (this.seenCount.get(id) ?? 1) - 1;
        this.seenCount.set(id, count);
        this.onAllAt.delete(id);
        if (count === 0) this.blockOfTx.delete(id);
      }
    }
    this.next[i] = Math.min(this.next[i]!, fork + 1);
    this.finalHeights[i] = Math.min(this.finalHeights[i]!, fork);
  }
}
