import type { TxPool } from '../../core/pool.js';
import type { Transaction } from '../../core/types.js';

/**
 * Whether the pool holds this very transaction, field for field: then its signature was verified
 * when it arrived, and need not be again (every transaction is verified once per node).
 */
export function isPooledCopy(pool: TxPool, tx: Transaction): boolean {
  const a = pool.get(tx.id);
  return (
    a !== undefined &&
    a.id === tx.id &&
    a.signature === tx.signature &&
    a.sender === tx.sender &&
    a.receiver === tx.receiver &&
    a.type === tx.type &&
    a.amount === tx.amount &&
    a.message === tx.message &&
    a.nonce === tx.nonce
  );
}
