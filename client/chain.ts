/**
 * What the CLI finds by reading a node's chain and pool through the public API: a transaction by
 * its whole id or by a prefix of it (the node itself looks up whole ids only), and the history of
 * one wallet. Blocks are read newest first, a page at a time.
 */
import { MAX_BLOCKS_PER_PAGE } from '../src/api/routes.js';
import type { Block, Transaction, TxStatusView } from '../src/api/types.js';
import type { NodeApi } from './api.js';
import { UsageError } from './errors.js';
import { short } from './format.js';

/** The shortest id prefix `tx` takes: 32 bits, so that a prefix almost never names two. */
export const MIN_PREFIX = 8;

/** A transaction and where it is: committed in block `block`, or pending (no block). */
export interface Located {
  tx: Transaction;
  block?: number;
}

/** Every block from `height` down to the genesis block. */
export async function* blocksNewestFirst(api: Pick<NodeApi, 'blocks'>, height: number): AsyncGenerator<Block> {
  for (let last = height; last >= 0; last -= MAX_BLOCKS_PER_PAGE) {
    const from = Math.max(0, last - MAX_BLOCKS_PER_PAGE + 1);
    const page = await api.blocks(from, last - from + 1);
    for (let i = page.length - 1; i >= 0; i--) yield page[i]!;
  }
}

/** Every transaction of the pool and the chain whose id starts with `prefix`, by id. */
async function findByPrefix(api: NodeApi, prefix: string): Promise<Located[]> {
  const found = new Map<string, Located>();
  const [pool, status] = await Promise.all([api.pool(), api.status()]);
  for (const tx of pool) if (tx.id.startsWith(prefix)) found.set(tx.id, { tx });
  for await (const block of blocksNewestFirst(api, status.height)) {
    for (const tx of block.transactions) {
      if (tx.id.startsWith(prefix) && found.get(tx.id)?.block === undefined) found.set(tx.id, { tx, block: block.index });
    }
  }
  return [...found.values()];
}

/** What `tx` shows: the node's status of the transaction, and the transaction when it is known. */
export interface TxLookup {
  status: TxStatusView;
  tx?: Transaction;
}

/** Reads "4877f65d…" (8 to 64 hex characters) as a whole transaction id, asking the node. */
async function resolveId(api: NodeApi, text: string): Promise<{ id: string; located?: Located }> {
  const hex = text.toLowerCase();
  if (!/^[0-9a-f]+$/.test(hex) || hex.length < MIN_PREFIX || hex.length > 64) {
    throw new UsageError(`'${text}' is not a transaction id: give the id or its first ${MIN_PREFIX} or more hex characters`);
  }
  if (hex.length === 64) return { id: hex };
  const found = await findByPrefix(api, hex);
  if (found.length === 0) throw new UsageError(`no transaction starts with ${hex} in this node's pool or chain`, 'NOT_FOUND');
  if (found.length > 1) {
    const ids = found
      .slice(0, 5)
      .map((l) => short(l.tx.id, 16))
      .join(', ');
    throw new UsageError(`${found.length} transactions start with ${hex} (${ids}): give more characters`, 'AMBIGUOUS');
  }
  return { id: found[0]!.tx.id, located: found[0] };
}

/** The status of a transaction by id or prefix, with the transaction from its block or the pool. */
export async function lookupTransaction(api: NodeApi, text: string): Promise<TxLookup> {
  const { id, located } = await resolveId(api, text);
  const status = await api.transaction(id);
  if ((status.status === 'committed' || status.status === 'final') && status.block !== undefined) {
    if (located?.block === status.block) return { status, tx: located.tx };
    const [block] = await api.blocks(status.block, 1);
    return { status, tx: block?.transactions.find((t) => t.id === id) };
  }
  if (status.status === 'pending') {
    return { status, tx: located && located.block === undefined ? located.tx : (await api.pool()).find((t) => t.id === id) };
  }
  if (status.status === 'unknown') throw new UsageError(`the node knows no transaction ${id}`, 'NOT_FOUND');
  return { status, tx: located?.tx };
}

/** A transaction of a wallet's history; `block` is absent while it is pending. */
export interface HistoryEntry extends Located {
  direction: 'sent' | 'received';
}

/** The newest `limit` transactions that `address` sent or received: the pool's first, then the chain's. */
export async function walletHistory(api: NodeApi, address: string, limit: number): Promise<HistoryEntry[]> {
  const mine = (tx: Transaction) => tx.sender === address || tx.receiver === address;
  const entry = (tx: Transaction, block?: number): HistoryEntry => ({ tx, block, direction: tx.sender === address ? 'sent' : 'received' });
  const [pool, status] = await Promise.all([api.pool(), api.status()]);
  // The pool is oldest first; each sender's queue is in nonce order.
  const out = pool
    .filter(mine)
    .reverse()
    .slice(0, limit)
    .map((tx) => entry(tx));
  const seen = new Set(out.map((e) => e.tx.id));
  if (out.length >= limit) return out;
  for await (const block of blocksNewestFirst(api, status.height)) {
    for (let i = block.transactions.length - 1; i >= 0; i--) {
      const tx = block.transactions[i]!;
      if (!mine(tx) || seen.has(tx.id)) continue;
      out.push(entry(tx, block.index));
      if (out.length >= limit) return out;
    }
  }
  return out;
}
