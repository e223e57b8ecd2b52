/**
 * Resending what no block takes (docs/protocol.md, "Catch-up and pool repair"): a transaction
 * reaches the validators only through its first broadcast, and the peers repair their pools only
 * behind a gap, so one that only this node holds (its broadcast missed or was refused) would
 * otherwise wait for this node's own round — for ever if it has no stake.
 */
import { MAX_POOL_PAGE } from '../../api/routes.js';
import type { ChainTip } from '../../core/chain.js';
import type { TxPool } from '../../core/pool.js';
import type { Logger } from '../logger.js';
import type { Peers } from './peers.js';

/**
 * How long the tip stands, with transactions in the pool that could make a block, before the node
 * sends them to its peers again; and how often then.
 */
export const RESEND_IDLE_MS = 5_000;
/** How often the tip is looked at. */
const CHECK_INTERVAL_MS = 2_000;

export class Resend {
  /** The tip last seen, since when it stands, and when its transactions were last resent. */
  private standing = { hash: '', since: 0, resent: -Infinity };
  private timer: NodeJS.Timeout | undefined;

  private closed = false;

  constructor(
    private readonly tip: () => ChainTip | undefined,
    private readonly pool: TxPool,
    private readonly peers: Pick<Peers, 'resendTransactions'>,
    private readonly now: () => number,
    private readonly log: Logger,
  ) {}

  /** Starts looking at the tip every few seconds. */
  start(): void {
    if (this.closed) return; // the node stopped while it was still starting
    this.timer = setInterval(() => this.resendStuck(), CHECK_INTERVAL_MS);
    this.timer.unref();
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Sends to every peer again the pooled transactions that could make a block on the tip (up to a
   * pool page), once the tip has stood RESEND_IDLE_MS, and then at most every RESEND_IDLE_MS while
   * it stands (Peers.resendTransactions skips a peer to which earlier sends still wait). Returns
   * how many were sent.
   */
  resendStuck(): number {
    const tip = this.tip();
    if (!tip) return 0;
    const now = this.now();
    if (this.standing.hash !== tip.block.current_hash) {
      this.standing = { hash: tip.block.current_hash, since: now, resent: -Infinity };
      return 0;
    }
    if (now - this.standing.since < RESEND_IDLE_MS || now - this.standing.resent < RESEND_IDLE_MS) return 0;
    const txs = this.pool.select(tip.ledger, MAX_POOL_PAGE);
    if (txs.length === 0) return 0;
    this.standing.resent = now;
    const peers = this.peers.resendTransactions(txs);
    this.log.info(`no block for ${now - this.standing.since} ms: sent ${txs.length} pending transaction(s) again to ${peers} peer(s)`);
    return txs.length;
  }
}
