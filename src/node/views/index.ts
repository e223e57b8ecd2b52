/**
 * What the node shows (SPEC C, the read-only routes): its status, the accounts, blocks, the
 * wallet's inbox, a transaction's status, the peers and the metrics, read from the other parts
 * and never changing them.
 */
import { validatorsOfRoundsV2 } from '../../core/consensus.js';
import type { TxPool } from '../../core/pool.js';
import { accountOf } from '../../core/state.js';
import type { Block } from '../../core/types.js';
import type { AccountView, InboxEntry, PeerView, StatusView, TxStatusView } from '../../api/types.js';
import type { ChainFollower } from '../chain/index.js';
import type { ChainStore } from '../db/index.js';
import type { Membership, Readiness } from '../formation/index.js';
import type { Metrics } from '../metrics/index.js';
import type { Peers } from '../network/index.js';
import { VERSION } from '../../version.js';
import type { Cursor } from '../chain/cursor.js';

export class Views {
  constructor(
    private readonly address: string,
    private readonly members: Membership,
    private readonly readiness: Readiness,
    private readonly chain: ChainFollower,
    private readonly pool: TxPool,
    private readonly peers: Peers,
    private readonly store: ChainStore,
    private readonly metrics: Metrics,
    private readonly verifierFingerprint: string,
  ) {}

  status(): StatusView {
    const { tip, params } = this.chain;
    const members = this.members;
    return {
      id: members.id,
      address: this.address,
      n: members.n ?? 0,
      capacity: members.capacity ?? 0,
      height: tip?.block.index ?? 0,
      ready: this.readiness.ready,
      last_hash: tip?.block.current_hash ?? '',
      next_validator: tip && params ? (validatorsOfRoundsV2(params, tip, 1, this.chain.crypto)[0] ?? '') : '',
      final_height: this.chain.finalized.height,
      final_hash: this.chain.finalized.hash,
      justified_height: tip?.finality.justified.height ?? 0,
      justified_hash: tip?.finality.justified.hash ?? '',
      pool: this.pool.size,
      verifier: this.metrics.verifier,
      verifier_fingerprint: this.verifierFingerprint,
      joined: members.nodes.length,
      version: VERSION,
    };
  }

  accounts(): AccountView[] {
    const out: AccountView[] = [];
    const slashed = this.chain.tip?.slashing.slashed;
    for (const [address, acc] of this.chain.tip?.ledger ?? [])
      out.push({ id: this.members.idOf(address), address, ...acc, ...(slashed?.has(address) ? { slashed: true } : {}) });
    return out.sort((a, b) => (a.id ?? Infinity) - (b.id ?? Infinity) || (a.address < b.address ? -1 : 1));
  }

  account(address: string): AccountView {
    const tip = this.chain.tip;
    const acc = tip ? accountOf(tip.ledger, address) : { balance: 0, stake: 0, nonce: 0 };
    const slashed = tip?.slashing.slashed.has(address) === true;
    return { id: this.members.idOf(address), address, ...acc, ...(slashed ? { slashed } : {}) };
  }

  /**
   * One account by node id or address, or undefined when the id is no node's and the address
   * holds nothing in the committed state.
   */
  accountOf(idOrAddress: string): AccountView | undefined {
    const address = /^[0-9]+$/.test(idOrAddress) ? this.members.nodes.find((x) => x.id === Number(idOrAddress))?.address : idOrAddress;
    if (address === undefined) return undefined;
    if (this.members.idOf(address) === null && !this.chain.tip?.ledger.has(address)) return undefined;
    return this.account(address);
  }

  /** Where each member is reached. */
  peerList(): PeerView[] {
    return this.members.nodes.map(({ id, address, host, port }) => ({ id, address, host, port }));
  }

  /** The newest `limit` messages to this node's wallet after `before` going back, newest first. */
  inbox(limit = 100, before?: Cursor): InboxEntry[] {
    return this.chain.inbox.latest(limit, before);
  }

  latestBlockJson(): string | undefined {
    return this.chain.history.latestJson();
  }

  /** Blocks from `from` as JSON text: from memory when recent, else from the store. */
  async blocksJson(from: number, limit: number): Promise<string[]> {
    return this.chain.history.jsonFrom(from, limit) ?? this.store.blocksFrom(from, limit);
  }

  /** The index of the last block (0 before the chain exists). */
  height(): number {
    return this.chain.tip?.block.index ?? 0;
  }

  /** The JSON text of the best branch's block with this index or hash, or undefined. */
  async blockJson(indexOrHash: string): Promise<string | undefined> {
    if (/^[0-9]+$/.test(indexOrHash)) {
      const index = Number(indexOrHash);
      return index <= this.height() ? (await this.blocksJson(index, 1))[0] : undefined;
    }
    // The index says where to look; the block itself confirms (an entry may be a replaced block's).
    for (const index of this.chain.history.indexesMayHave(indexOrHash).reverse()) {
      const json = (await this.blocksJson(index, 1))[0];
      if (json !== undefined && (JSON.parse(json) as Block).current_hash === indexOrHash) return json;
    }
    return undefined;
  }

  /** Where a transaction is, or undefined when this node knows nothing of it. */
  async transactionStatus(id: string): Promise<TxStatusView | undefined> {
    if (this.pool.has(id)) return { id, status: 'pending' };
    // The index says where to look; the block itself confirms (an entry may be a replaced block's).
    for (const index of this.chain.history.blocksMayHold(id).reverse()) {
      const block = this.chain.history.blockAt(index) ?? (await this.store.blocksFrom(index, 1)).map((j) => JSON.parse(j) as Block)[0];
      if (block?.index === index && block.transactions.some((tx) => tx.id === id))
        return { id, status: index <= this.chain.finalized.height ? 'final' : 'committed', block: index };
    }
    const reason = this.chain.dropped.reasonOf(id);
    if (reason) return { id, status: 'dropped', reason };
    return undefined;
  }

  /** GET /metrics: the counters and the gauges read now. */
  metricsText(): Promise<string> {
    const peers = this.peers.ids();
    return this.metrics.render({
      pool: this.pool.size,
      ready: this.readiness.ready,
      peers: peers.length,
      peersReachable: peers.filter((id) => !this.peers.unreachable(id)).length,
      tipHeight: this.height(),
      finalHeight: this.chain.finalized.height,
      burned: this.chain.tip?.slashing.burned ?? 0,
      txIndexBytes: this.chain.history.txIndexBytes,
      hashIndexBytes: this.chain.history.hashIndexBytes,
    });
  }
}
