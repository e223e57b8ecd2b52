/**
 * Catching up (SPEC B, "Validator failure" and "Durability"): fetches the blocks a node missed
 * from the peers that are ahead, and repairs the pool when a broadcast was missed (a sender's
 * next nonce missing while later ones wait). Runs every few seconds, when the chain follower
 * reports a peer ahead (`behind`), and after a restart.
 */
import { API, MAX_BLOCKS_PER_PAGE, MAX_POOL_PAGE } from '../../api/routes.js';
import type { TxPool } from '../../core/pool.js';
import type { Block, Transaction } from '../../core/types.js';
import type { ChainFollower } from '../chain/index.js';
import type { NodeEmitter } from '../events.js';
import type { Readiness } from '../formation/readiness.js';
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
/** How long a peer whose claim gave nothing is neither tried again nor counted ahead, while it makes the same claim. */
const SUSPECT_MS = 10_000;
/** How long the repair after a restart waits for one peer's pool page before it asks the next. */
const RESTART_POOL_TIMEOUT_MS = 5_000;
/** Pages of blocks fetched from one peer in one attempt at most. */
const MAX_PAGES = 8;

/** What the peers' endpoints catch-up and pool repair use (src/node/network/peers.ts). */
export type SyncPeers = Pick<Peers, 'ids' | 'call' | 'fetchBlocks' | 'fetchPool'>;

/** What a peer's GET /status claims of its chain. */
interface Claim {
  readonly id: number;
  readonly height: number;
  readonly hash: string;
  /** Its latest justified checkpoint's height; -1 if it did not say. */
  readonly justified: number;
  readonly justifiedHash: string;
}

const claimKey = (c: Claim): string => `${c.height}:${c.hash}:${c.justified}:${c.justifiedHash}`;
const NO_CLAIM = (id: number): Claim => ({ id, height: -1, hash: '', justified: -1, justifiedHash: '' });

export class ChainSync {
  /** Whether the last check found no peer ahead (false until a first check has run). */
  private upToDate = false;
  private syncing = false;
  private repairing = false;
  private lastRepair = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Peers whose claim gave nothing: that claim, and until when it is ignored. */
  private readonly suspects = new Map<number, { claim: string; until: number }>();

  constructor(
    private readonly chain: ChainFollower,
    /** This node's wallet address: its pending transactions are asked for apart after a restart. */
    private readonly ownAddress: string,
    private readonly readiness: Pick<Readiness, 'resume'>,
    private readonly pool: TxPool,
    private readonly intake: Pick<TransactionIntake, 'receive'>,
    private readonly peers: SyncPeers,
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
   * Fetches missing blocks until no peer claims a better chain (docs/protocol.md, "Catch-up and
   * pool repair"): a higher latest justified checkpoint, whatever its height (fork choice prefers
   * it even when shorter), a greater height, or a rival tip of the same height. Tries the best
   * claim first, and the next one when a peer fails to answer, answers nothing, or answers blocks
   * that do not move the tip; such a peer is ignored for a while as long as it makes the same
   * claim, so that one that lies about its chain cannot hold a node back. `hint`: a height some
   * peer has reached.
   */
  async catchUp(hint?: number): Promise<void> {
    if (this.syncing || this.closed || !this.chain.params || !this.chain.tip) return;
    this.syncing = true;
    const from = this.chain.tip.block.index;
    try {
      for (let pass = 0; pass < 1_000; pass++) {
        const claims = await answersSoon(
          this.peers.ids().map((id) =>
            this.peers.call(id, API.status, { timeoutMs: 3_000 }).then(
              (s): Claim => ({
                id,
                height: s.height,
                hash: s.last_hash,
                justified: typeof s.justified_height === 'number' ? s.justified_height : -1,
                justifiedHash: typeof s.justified_hash === 'string' ? s.justified_hash : '',
              }),
              () => NO_CLAIM(id),
            ),
          ),
          STRAGGLER_MS,
        );
        const ahead = claims
          .filter((c) => this.isAhead(c) && !this.isSuspect(c))
          .sort((a, b) => b.justified - a.justified || b.height - a.height);
        const tip = this.chain.tip.block;
        if (ahead.length === 0 && (hint === undefined || hint <= tip.index)) {
          this.upToDate = true;
          this.readiness.resume(this.chain.tip); // a restarted node holds the network's tip: it mints and votes again
          return;
        }
        this.upToDate = false;
        let progressed = false;
        for (const peer of ahead) {
          if (await this.fetchFrom(peer)) {
            progressed = true;
            this.suspects.delete(peer.id);
            break;
          }
          this.suspects.set(peer.id, { claim: claimKey(peer), until: this.now() + SUSPECT_MS });
        }
        if (!progressed) return;
        this.chain.drainFuture();
        // A restarted node that now holds what the most advanced peer held when asked mints and
        // votes again: waiting for a pass with nobody ahead could chase a busy network's tip for
        // long; the blocks made meanwhile come by the peer streams and the next pass.
        if (this.chain.tip.block.index >= ahead[0]!.height) this.readiness.resume(this.chain.tip);
      }
    } finally {
      this.readiness.resume(this.chain.tip);
      this.syncing = false;
      const to = this.chain.tip.block.index;
      if (to !== from) this.log.debug(`caught up from height ${from} to ${to}`);
      this.events.emit('caughtUp', to);
    }
  }

  /** Whether a peer's claim is a chain this node's fork choice may prefer to its own. */
  private isAhead(c: Claim): boolean {
    const tip = this.chain.tip!;
    if (c.justified > tip.finality.justified.height) return true;
    const block = tip.block;
    return c.height > block.index || (c.height === block.index && c.hash !== block.current_hash && !this.chain.tree!.get(c.hash));
  }

  private isSuspect(c: Claim): boolean {
    const s = this.suspects.get(c.id);
    return s !== undefined && s.claim === claimKey(c) && this.now() < s.until;
  }

  /**
   * Takes a peer's blocks from the lower of the tip's height and the peer's, so that a branch that
   * differs shows at once; if it does, takes the peer's branch from above the final blocks, page
   * after page while every block links and the tip has not moved. True if the tip moved.
   */
  private async fetchFrom(peer: Claim): Promise<boolean> {
    const before = this.chain.tip!.block;
    const tree = this.chain.tree!;
    try {
      let from = Math.max(0, Math.min(before.index, peer.height));
      let blocks = await this.peers.fetchBlocks(peer.id, from, MAX_BLOCKS_PER_PAGE);
      if (blocks.length > 0 && !tree.get(blocks[0]!.current_hash)) {
        from = tree.rootIndex + 1;
        blocks = await this.peers.fetchBlocks(peer.id, from, MAX_BLOCKS_PER_PAGE);
      }
      for (let page = 1; ; page++) {
        const linked = this.applyPage(blocks);
        if (!linked || blocks.length < MAX_BLOCKS_PER_PAGE || page >= MAX_PAGES || this.chain.tip!.block !== before) break;
        from += blocks.length;
        blocks = await this.peers.fetchBlocks(peer.id, from, MAX_BLOCKS_PER_PAGE);
      }
    } catch (err) {
      this.log.warn(`catching up from node ${peer.id} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    return this.chain.tip!.block.current_hash !== before.current_hash;
  }

  /** Adds a page of fetched blocks in order; true if every block was known or added (its parent held). */
  private applyPage(blocks: readonly Block[]): boolean {
    const tree = this.chain.tree!;
    for (const block of blocks) {
      if (tree.get(block.current_hash)) continue;
      const parent = tree.get(block.previous_hash);
      if (!parent) return false;
      this.chain.refuseFuture(block);
      this.chain.addBlock(block, parent);
      if (!tree.get(block.current_hash)) return false; // a side block the tree had no room for
    }
    return true;
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
    const first = Math.floor(this.lastRepair / 7) % peers.length;
    try {
      // After a restart, every peer in turn until one answers: what this node's wallet sent before
      // the restart is in their pools only, and its wallet waits for this (Readiness.walletHeld).
      for (let k = 0; k < (force ? peers.length : 1); k++) {
        const peer = peers[(first + k) % peers.length]!;
        try {
          await this.takeFromPool(peer, force);
          return;
        } catch (err) {
          this.log.warn(`could not repair the pool from node ${peer}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    } finally {
      this.repairing = false;
    }
  }

  /**
   * Takes from `peer`'s pool page what fills a gap in this pool — or, after a restart (`all`), the
   * whole page, and this node's own pending transactions: this pool was lost with the process,
   * and the node may still be behind the blocks that make its own pending transactions fill a
   * gap. Otherwise never one stranded in the peer's pool too: its age here would count from now,
   * and two pools repairing from each other would keep it young for ever (TxPool.evictStranded).
   */
  private async takeFromPool(peer: number, all: boolean): Promise<void> {
    // after a restart the wallet waits for this: a peer that does not answer soon is passed over
    const timeoutMs = all ? RESTART_POOL_TIMEOUT_MS : undefined;
    const [page, own] = await Promise.all([
      this.peers.fetchPool(peer, timeoutMs),
      // The page is everyone's oldest: the wallet's own may lie beyond it, and a nonce the
      // wallet gave before the restart would be given again (docs/protocol.md, "Catch-up and pool repair").
      all ? this.peers.fetchPool(peer, timeoutMs, this.ownAddress) : [],
    ]);
    const ledger = this.chain.tip?.ledger;
    const inPage = new Set(page.map((tx) => tx.id));
    const txs = all ? [...page, ...own.filter((tx) => !inPage.has(tx.id))] : ledger ? this.pool.gapFillers(page, ledger) : [];
    const { accepted } = await this.intake.receive(txs);
    if (accepted > 0) this.log.info(`took ${accepted} pending transaction(s) from node ${peer}'s pool`);
  }

  /** Pending transactions, oldest first, for a peer repairing its pool. */
  poolPage(): Transaction[] {
    return this.pool.all().slice(0, MAX_POOL_PAGE);
  }

  /**
   * `sender`'s pending transactions from its committed nonce on, in nonce order, for a restarted
   * peer whose wallet it is: at most the pool's bound per sender (maxNonceAhead + 1).
   */
  poolOf(sender: string): Transaction[] {
    const tip = this.chain.tip;
    return tip ? this.pool.pendingOf(tip.ledger, sender) : [];
  }
}
