/** Why this wallet's own transactions left the pool without a block (GET /transactions/:id). */
import type { Transaction } from '../../core/types.js';

/** How many are remembered; the oldest are forgotten first. */
const MAX_DROPPED = 10_000;

export const NO_LONGER_EXECUTABLE = 'it can no longer execute (its nonce was taken or it waited too long)';
export const BRANCH_REPLACED = 'the block that held it was replaced by a better branch, and it can no longer execute';

export class DroppedTransactions {
  private readonly reasons = new Map<string, string>();

  constructor(private readonly address: string) {}

  /** Remembers the reason for those of `txs` that are this wallet's. */
  note(txs: readonly Transaction[], reason = NO_LONGER_EXECUTABLE): void {
    for (const tx of txs) {
      if (tx.sender !== this.address) continue;
      if (this.reasons.size >= MAX_DROPPED) this.reasons.delete(this.reasons.keys().next().value!);
      this.reasons.set(tx.id, reason);
    }
  }

  reasonOf(id: string): string | undefined {
    return this.reasons.get(id);
  }
}
