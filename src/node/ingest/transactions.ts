/**
 * Transactions from peers (SPEC A, "Broadcast and validation"): each is verified once per node
 * and pooled, or refused with a coded reason. The same function serves POST /peer/transactions,
 * the peer stream's `T` frames and the pool repair.
 */
import type { NodeCrypto } from '../../crypto/suite.js';
import { ProtocolError, type ErrorCode } from '../../core/errors.js';
import { debitOf } from '../../core/fees.js';
import { totalSupply } from '../../core/params.js';
import type { TxPool } from '../../core/pool.js';
import { accountOf, checkNonceUnused } from '../../core/state.js';
import { checkTxForm, checkTxSignature } from '../../core/transaction.js';
import type { Transaction } from '../../core/types.js';
import { isPooledCopy, type ChainFollower } from '../chain/index.js';
import type { NodeEmitter } from '../events.js';

/** Transactions verified between two turns of the event loop (~2 ms of work). */
const VERIFY_SLICE = 32;

/** How often the pool drops what its senders can no longer pay, blocks or not. */
export const EVICT_EVERY_MS = 5_000;

export interface Rejection {
  id: string;
  code: ErrorCode;
  message: string;
}

export interface TransactionsResult {
  accepted: number;
  rejected: Rejection[];
}

export class TransactionIntake {
  private evictTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly chain: ChainFollower,
    private readonly pool: TxPool,
    private readonly events: NodeEmitter,
    private readonly crypto: NodeCrypto,
  ) {}

  /**
   * Starts dropping, every `everyMs`, the pooled transactions their senders can no longer pay
   * and those stranded behind a gap for too long (core/pool.ts): a commit does so too, but a
   * pool that blocks no longer drain must not depend on one.
   */
  startEviction(everyMs = EVICT_EVERY_MS): void {
    this.evictTimer ??= setInterval(() => this.evict(), everyMs);
    this.evictTimer.unref();
  }

  /** One eviction pass on the committed tip; returns how many left the pool. */
  evict(): number {
    const tip = this.chain.tip;
    if (!tip) return 0;
    const dropped = [...this.pool.evictUnaffordable(tip.ledger), ...this.pool.evictStranded(tip.ledger, tip.block.index)];
    this.chain.dropped.note(dropped);
    return dropped.length;
  }

  close(): void {
    clearInterval(this.evictTimer);
    this.evictTimer = undefined;
  }

  /**
   * Verifies and pools a batch; returns how many were accepted and why others were not. Works
   * in slices and yields between them, so that a block arriving meanwhile is applied within a
   * slice's time rather than after the whole batch.
   */
  async receive(txs: readonly Transaction[]): Promise<TransactionsResult> {
    this.chain.formed();
    let accepted = 0;
    const rejected: Rejection[] = [];
    for (let start = 0; start < txs.length; start += VERIFY_SLICE) {
      if (start > 0) await new Promise((r) => setImmediate(r));
      const { params, tip } = this.chain.formed();
      const slice = txs.slice(start, start + VERIFY_SLICE);
      let verified = 0;
      for (const tx of slice) {
        if (isPooledCopy(this.pool, tx)) {
          accepted++; // a repeat of a pending transaction: nothing to do
          continue;
        }
        try {
          // Cheap checks first, a signature check last: a replay of a committed transaction, a
          // sender with nothing, or a transaction its sender cannot pay on top of its pending
          // ones (the pool's admission) costs no verification, and adds no key to the tables.
          const sender = accountOf(tip.ledger, tx.sender);
          checkNonceUnused(sender, tx.nonce);
          checkTxForm(params.domain, tx, this.crypto);
          if (debitOf(tx, 0) > totalSupply(params.n)) {
            throw new ProtocolError('INSUFFICIENT_FUNDS', 'the transaction costs more than all the coins in the network');
          }
          // An account with nothing committed cannot pay for anything yet: keys cost nothing to
          // make, so holding their transactions would let anyone fill the pool.
          if (sender.balance === 0 && sender.stake === 0) {
            throw new ProtocolError('INSUFFICIENT_FUNDS', 'the sender has no committed funds; its transactions cannot execute');
          }
          this.pool.admit(tx, tip.ledger);
          checkTxSignature(tx, this.crypto);
          verified++;
          this.pool.add(tx, tip.ledger, tip.block.index);
          accepted++;
        } catch (err) {
          if (!(err instanceof ProtocolError)) throw err;
          this.events.emit('transactionRejected', err.code);
          rejected.push({ id: String(tx.id), code: err.code, message: err.message });
        }
      }
      this.events.emit('peerTransactions', { received: slice.length, verified });
    }
    return { accepted, rejected };
  }
}
