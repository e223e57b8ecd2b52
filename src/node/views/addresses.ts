/**
 * Any address's side of the chain (GET /accounts/:address/transactions and /nonce): its committed
 * transactions newest first, read from the blocks the address index names, and the nonce a wallet
 * that signs for itself takes next; and transactions by id prefix (GET /transactions?prefix=).
 */
import type { TxPool } from '../../core/pool.js';
import { accountOf } from '../../core/state.js';
import type { Block, Transaction, TxType } from '../../core/types.js';
import type { AddressTxView, NonceView, TxStatusView } from '../../api/types.js';
import type { ChainFollower } from '../chain/index.js';
import type { ChainStore } from '../db/index.js';
import { isBefore, type Cursor } from '../chain/cursor.js';

export interface AddressTxQuery {
  /** Only transactions with this other party. */
  with?: string;
  type?: TxType;
  /** `in`: received by the address; `out`: sent by it. */
  direction?: 'in' | 'out';
  /** Only what comes after this place, going back (paging: the last item of the previous page). */
  before?: Cursor;
  limit: number;
}

export class AddressViews {
  constructor(
    private readonly chain: ChainFollower,
    private readonly pool: TxPool,
    private readonly store: ChainStore,
    private readonly idOf: (address: string) => number | null,
  ) {}

  private async blockAt(index: number): Promise<Block | undefined> {
    const recent = this.chain.history.blockAt(index);
    if (recent?.index === index) return recent;
    const [json] = await this.store.blocksFrom(index, 1);
    return json === undefined ? undefined : (JSON.parse(json) as Block);
  }

  private matches(tx: Transaction, address: string, q: AddressTxQuery): boolean {
    if (tx.sender !== address && tx.receiver !== address) return false;
    if (q.type !== undefined && tx.type !== q.type) return false;
    if (q.direction === 'in' && tx.receiver !== address) return false;
    if (q.direction === 'out' && tx.sender !== address) return false;
    if (q.with !== undefined && (tx.sender === address ? tx.receiver : tx.sender) !== q.with) return false;
    return true;
  }

  /** The committed transactions of `address` that match `q`, newest first, at most `q.limit`. */
  async transactions(address: string, q: AddressTxQuery): Promise<AddressTxView[]> {
    const out: AddressTxView[] = [];
    const indexes = this.chain.addresses.blocks(address);
    const tip = this.chain.tip?.block.index ?? -1;
    for (let i = indexes.length - 1; i >= 0 && out.length < q.limit; i--) {
      const index = indexes[i]!;
      if (index > tip || (q.before !== undefined && index > q.before.block)) continue;
      const block = await this.blockAt(index);
      if (!block) continue;
      for (let t = block.transactions.length - 1; t >= 0 && out.length < q.limit; t--) {
        const tx = block.transactions[t]!;
        if (!isBefore(q.before, block.index, t) || !this.matches(tx, address, q)) continue;
        out.push({
          ...tx,
          block: block.index,
          position: t,
          timestamp: block.timestamp,
          sender_id: this.idOf(tx.sender),
          receiver_id: this.idOf(tx.receiver),
        });
      }
    }
    return out;
  }

  /** Transactions whose ids start with `prefix`: pending ones first, then committed or final, newest block first. */
  async byPrefix(prefix: string, limit: number): Promise<TxStatusView[]> {
    const out: TxStatusView[] = [];
    for (const tx of this.pool.all()) {
      if (out.length >= limit) return out;
      if (tx.id.startsWith(prefix)) out.push({ id: tx.id, status: 'pending' });
    }
    const tip = this.chain.tip?.block.index ?? -1;
    const seen = new Set<string>();
    // An index entry may be a replaced block's: the block itself confirms.
    const candidates = this.chain.history.blocksMayHoldPrefix(prefix, 4 * limit).sort((a, b) => b - a);
    for (const index of candidates) {
      if (index > tip) continue;
      const block = await this.blockAt(index);
      for (const tx of block?.transactions ?? []) {
        if (out.length >= limit) return out;
        if (!tx.id.startsWith(prefix) || seen.has(tx.id)) continue;
        seen.add(tx.id);
        out.push({ id: tx.id, status: index <= this.chain.finalized.height ? 'final' : 'committed', block: index });
      }
    }
    return out;
  }

  nonce(address: string): NonceView {
    const ledger = this.chain.tip?.ledger;
    if (!ledger) return { address, nonce: 0, next_nonce: 0, pending: 0 };
    const nonce = accountOf(ledger, address).nonce;
    const next = this.pool.nextNonce(ledger, address);
    return { address, nonce, next_nonce: next, pending: next - nonce };
  }
}
