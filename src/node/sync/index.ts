/**
 * Catching up (SPEC B, "Validator failure" and "Durability"): fetches the blocks a node missed
 * from the peers that are ahead, and repairs the pool when a broadcast was missed (a sender's
 * next nonce missing while later ones wait). Runs every few seconds, when the chain follower
 * reports a peer ahead (`behind`), and after a restart.
 */
import { API, MAX_BLOCKS_PER_PAGE, MAX_POOL_PAGE } from '../../api/routes.js';
import type { TxPool } from '../../core/pool.js';
import type { Transaction } from '../../core/types.js';
import type { ChainFollower } from '../chain/index.js';
import type { NodeEmitter } from '../events.js';
import type { TransactionIntake } from '../ingest/transactions.js';
import type { Logger } from '../logger.js';
import type { Peers } from '../network/index.js';

const SYNC_INTERVAL_MS = 2_000;
/**
 * A pass of catch-up asks every peer's height; once one has answered, it waits at most this long
 * for the others. A peer that is busy (a restarted one restoring its chain answers in seconds)
 * would otherwise hold every pass up to the request timeout; it is asked again next pass.
 */
const STRAGGLER_MS = 500;

/** The answers of `asks` that came by `graceMs` after the first one (all of them if sooner); in order. */
export async function answersSoon<T>(asks: readonly Promise<T>[], graceMs: number): Promise<T[]> {
  const answers: Array<T | undefined> = asks.map(() => undefined);
  const all = Promise.all(asks.map((p, i) => p.then((a) => (answers[i] = a))));
  let timer: NodeJS.Timeout | undefined;
  const late = Promise.race(asks).then(() => new Promise<void>((r) => (timer = setTimeout(r, graceMs))));
  await Promise.race([all, late]);
  clearTimeout(timer);
  return answers.filter((a): a is T => a !== undefined);
}
const POOL_REPAIR_INTERVAL_MS = 5_000;

export class ChainSync {
  /** Whether the last check found no peer ahead (false until a first check has run). */
  private upToDate = false;
  private syncing = false;
  private repairing = false;
  private lastRepair = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly chain: ChainFollower,
    private readonly pool: TxPool,
    private readonly intake: TransactionIntake,
    private readonly peers: Peers,
    private readonly events: NodeEmitter,
    private readonly now: () => number,
    private readonly log: Logger,
  ) {
    events.on('behind', (index) => void this.catchUp(index));
  }

  /** Starts the periodic catch-up and pool repair. */
  start(): void {
    this.timer = setInterval(() => void this.catchUp().then(() => this.repairPool()), SYNC_INTERVAL_MS);
    this.timer.unref();
  }

  /** True once a check found no peer ahead, until one finds a peer ahead again. */
  get caughtUp(): boolean {
    return this.upToDate;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
  }

  /**
   * Fetches missing blocks until no peer is ahead or holds a rival tip of the same height: from
   * the peer that claims the greatest height first, and from the next one when a peer fails to
   * answer, answers nothing, or answers blocks that do not apply — so one peer that lies about
   * its height cannot hold a node back. `hint`: a height some peer has reached.
   */
  async catchUp(hint?: number): Promise<void> {
    if (this.syncing || this.closed || !this.chain.params || !this.chain.tip) return;
    this.syncing = true;
    const from = this.chain.tip.block.index;
    try {
      for (let pass = 0; pass < 1_000; pass++) {
        const heights = await answersSoon(
          this.peers.ids().map((id) =>
            this.peers.call(id, API.status, { timeoutMs: 3_000 }).then(
              (s) => ({ id, height: s.height, hash: s.last_hash }),
              () => ({ id, height: -1, hash: '' }),
            ),
          ),
          STRAGGLER_MS,
        );
        const tip = this.chain.tip.block;
        const tree = this.chain.tree!;
        const ahead = heights
          .filter((h) => h.height > tip.index || (h.height === tip.index && h.hash !== tip.current_hash && !tree.get(h.hash)))
          .sort((a, b) => b.height - a.height);
        if (ahead.length === 0 && (hint === undefined || hint <= tip.index)) {
          this.upToDate = true;
          this.chain.resume(); // a restarted node holds the network's tip: it mints and votes again
          return;
        }
        this.upToDate = false;
        let progressed = false;
        for (const peer of ahead) {
          if (await this.fetchFrom(peer.id)) {
            progressed = true;
            break;
          }
        }
        if (!progressed) return;
        this.chain.drainFuture();
        // A restarted node that now holds what the most advanced peer held when asked mints and
        // votes again: waiting for a pass with nobody ahead could chase a busy network's tip for
        // long; the blocks made meanwhile come by the peer streams and the next pass.
        if (this.chain.tip.block.index >= ahead[0]!.height) this.chain.resume();
      }
    } finally {
      this.chain.resume();
      this.syncing = false;
      const to = this.chain.tip.block.index;
      if (to !== from) this.log.debug(`caught up from height ${from} to ${to}`);
      this.events.emit('caughtUp', to);
    }
  }

  /**
   * Takes the next page of a peer's blocks, from the tip's own height so that a branch that
   * differs shows at once; if it does, takes the peer's branch from above the final blocks.
   * True if the tip moved.
   */
  private async fetchFrom(peer: number): Promise<boolean> {
    const before = this.chain.tip!.block;
    const tree = this.chain.tree!;
    try {
      let blocks = await this.peers.fetchBlocks(peer, before.index, MAX_BLOCKS_PER_PAGE);
      if (blocks.length > 0 && blocks[0]!.current_hash !== before.current_hash) {
        blocks = await this.peers.fetchBlocks(peer, tree.rootIndex + 1, MAX_BLOCKS_PER_PAGE);
      }
      for (const block of blocks) {
        if (tree.get(block.current_hash)) continue;
        const parent = tree.get(block.previous_hash);
        if (!parent) break;
        this.chain.refuseFuture(block);
        this.chain.addBlock(block, parent);
      }
    } catch (err) {
      this.log.warn(`catching up from node ${peer} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    return this.chain.tip!.block.current_hash !== before.current_hash;
  }

  /**
   * Fetches a peer's pending transactions when this pool has a gap (a sender's next nonce is
   * missing while later ones wait): a broadcast this node missed — it was down, or a request
   * failed — would otherwise hold that sender back for good. At most once per interval, unless
   * `force`d (after a restart).
   */
  async repairPool(force = false): Promise<void> {
    const tip = this.chain.tip;
    if (this.closed || !tip || this.repairing) return;
    if (!force && (!this.pool.hasGap(tip.ledger) || this.now() - this.lastRepair < POOL_REPAIR_INTERVAL_MS)) return;
    const peers = this.peers.ids();
    if (peers.length === 0) return;
    this.repairing = true;
    this.lastRepair = this.now();
    try {
      const peer = peers[Math.floor(this.lastRepair / 7) % peers.length]!;
      const txs = await this.peers.fetchPool(peer);
      const { accepted } = await this.intake.receive(txs);
      if (accepted > 0) this.log.info(`took ${accepted} pending transaction(s) from node ${peer}'s pool`);
    } catch (err) {
      this.log.warn(`could not repair the pool: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.repairing = false;
    }
  }

  /** Pending transactions, oldest first, for a peer repairing its pool. */
  poolPage(): Transaction[] {
    return this.pool.all().slice(0, MAX_POOL_PAGE);
  }
}
