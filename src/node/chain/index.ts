/**
 * The chain follower (SPEC A, "Blocks"; SPEC B, "Validator failure"): the recent blocks this node
 * validated as a tree, and the best branch among them (fork choice, src/core/forkchoice.ts). It
 * takes blocks from peers, from catch-up and from this node's minter; queues those ahead of the
 * tip; and when the best branch moves, follows it: the views (recent blocks, transaction index,
 * inbox) and the pool move with it, and `reorg`, `block` and `head` tell everything else (the
 * store, the metrics, the event stream, readiness, the wallet, the minter).
 */
import type { NodeCrypto } from '../../crypto/suite.js';
import type { BlockV2 } from '../../core/blockv2.js';
import { applyBlockV2, type TipV2 } from '../../core/consensus.js';
import { ProtocolError } from '../../core/errors.js';
import type { NetworkParams } from '../../core/params.js';
import type { TxPool } from '../../core/pool.js';
import { checkNotFuture } from '../../core/time.js';
import { verifyTransaction } from '../../core/transaction.js';
import type { Block, Transaction } from '../../core/types.js';
import type { Vote } from '../../core/vote.js';
import { NodeError } from '../errors.js';
import type { NodeEmitter, StoredBlock } from '../events.js';
import type { Membership } from '../formation/membership.js';
import type { Logger } from '../logger.js';
import { BRANCH_REPLACED, DroppedTransactions } from './dropped.js';
import type { BranchMove, FinalTree } from './final-tree.js';
import { FutureBlocks, sealOf } from './future-blocks.js';
import { AddressIndex } from './addresses.js';
import { BlockHistory } from './history.js';
import { Inbox } from './inbox.js';
import { isPooledCopy } from './pooled.js';

export { BlockHistory } from './history.js';
export { DroppedTransactions } from './dropped.js';
export { Inbox } from './inbox.js';
export { isPooledCopy } from './pooled.js';
export { FinalTree, type BranchMove } from './final-tree.js';

/** What receiveBlock did with a block. */
export type BlockResult = 'committed' | 'kept' | 'queued' | 'known';

export class ChainFollower {
  private chainParams: NetworkParams | undefined;
  private blockTree: FinalTree | undefined;
  readonly addresses = new AddressIndex();
  readonly inbox: Inbox;
  readonly dropped: DroppedTransactions;
  private readonly future: FutureBlocks;
  /** Signatures verified while validating the current block, for the metrics. */
  private verifiedInBlock = 0;
  /** The highest block of the best branch with transactions or evidence (idle finality waits for it to be final). */
  private contentHeight = 0;
  /** The finalised height last announced (`final`). */
  private announcedFinal = 0;
  /**
   * How a vote carried in a block is checked, given its id (returns it): the voting part installs
   * one that skips the signature of a vote it verified when it was gossiped.
   */
  verifyVote: ((domain: string, vote: Vote, id: string) => string) | undefined;

  constructor(
    private readonly address: string,
    private readonly members: Membership,
    private readonly pool: TxPool,
    private readonly events: NodeEmitter,
    private readonly now: () => number,
    private readonly log: Logger,
    readonly crypto: NodeCrypto,
    readonly history = new BlockHistory(),
  ) {
    this.inbox = new Inbox(address, (a) => members.idOf(a));
    this.dropped = new DroppedTransactions(address);
    this.future = new FutureBlocks(crypto);
  }

  /** The network's parameters, fixed by its genesis; undefined until this node has a chain. */
  get params(): NetworkParams | undefined {
    return this.chainParams;
  }

  /** The tip of the best branch: the committed state everything else refers to. */
  get tip(): TipV2 | undefined {
    return this.blockTree?.best;
  }

  get tree(): FinalTree | undefined {
    return this.blockTree;
  }

  /**
   * Starts from a chain validated elsewhere (the genesis, the bootstrap's announcement, or the
   * data directory). `adopted` are its blocks to store; a restored chain is stored already.
   */
  start(params: NetworkParams, tree: FinalTree, adopted: readonly StoredBlock[] = []): void {
    for (const { block, json } of adopted) this.remember(block, json);
    if (adopted.length > 0) this.events.emit('chainAdopted', adopted);
    this.chainParams = params;
    this.blockTree = tree;
    this.announcedFinal = tree.best.finality.finalized.height;
  }

  /** The best branch's finalised checkpoint: no block at or below it is ever reverted. */
  get finalized(): { height: number; hash: string } {
    return this.tip?.finality.finalized ?? { height: 0, hash: '' };
  }

  /** Adds a block of the best branch to the in-memory views (not the store). */
  remember(block: Block, json: string): void {
    this.history.add(block, json);
    this.inbox.add(block);
    this.addresses.add(block);
    const evidence = (block as Partial<BlockV2>).evidence;
    if (block.transactions.length > 0 || (evidence !== undefined && evidence.length > 0)) this.contentHeight = block.index;
  }

  /**
   * True while the best branch holds a block with transactions or evidence that is not final:
   * blocks stay due, empty if need be, so that checkpoints and votes keep coming until it is.
   */
  get contentNotFinal(): boolean {
    return this.contentHeight > this.finalized.height;
  }

  /** The parameters and tip, once every member has joined; NOT_FORMED before. */
  formed(): { params: NetworkParams; tip: TipV2 } {
    const { params, tip, members } = this;
    if (!params || !tip || members.nodes.length !== params.n) {
      throw new NodeError('NOT_FORMED', `the network is not formed yet (${members.nodes.length}/${members.n ?? '?'} nodes have joined)`);
    }
    return { params, tip };
  }

  /**
   * Refuses a block stamped more than MAX_FUTURE_MS ahead of this node's clock (FUTURE_BLOCK),
   * whichever way it comes: sent, kept until its parent comes, fetched while catching up. The
   * core's applyBlockV2 checks it again with the clock of the moment it is applied.
   */
  refuseFuture(block: Block): void {
    checkNotFuture(block.timestamp, this.now());
  }

  /**
   * A block from a peer: applied if it extends the best branch or makes a rival branch the best
   * (fork choice), kept if it is a valid rival that does not win, queued if it is ahead of the
   * tip (and the gap fetched), ignored if known; refused if it is invalid, or if it conflicts
   * with a final block.
   */
  receiveBlock(block: Block): BlockResult {
    const { tip } = this.formed();
    const tree = this.blockTree!;
    if (tree.get(block.current_hash)) return 'known';
    this.refuseFuture(block);
    const parent = tree.get(block.previous_hash);
    if (parent) {
      const moved = this.addBlock(block, parent);
      this.drainFuture();
      return moved ? 'committed' : 'kept';
    }
    if (block.index <= tip.block.index) {
      const mine = this.history.blockAt(block.index);
      if (mine && mine.current_hash === block.current_hash) return 'known';
      this.behindIfSealed(block);
      if (mine)
        throw new NodeError(
          'CONFLICT',
          `block ${block.index} conflicts with the committed block at that height, and its parent is not a recent block here`,
        );
      return 'known';
    }
    if (block.index > tip.block.index + 1) {
      const header = this.future.keep(this.chainParams!.domain, block, tip.block.index, this.members.idOf(block.validator) !== null);
      if (header) this.events.emit('sealed', block);
      this.events.emit('behind', block.index);
      return 'queued';
    }
    // The next index, but its parent is not the tip: a branch this node has not seen, or a forgery.
    this.behindIfSealed(block);
    throw new ProtocolError('BAD_PREVIOUS_HASH', `block ${block.index} does not link to the tip's hash, nor to any recent block`);
  }

  /** A member's validly sealed block from an unknown branch: fetch that branch (fork choice decides). */
  private behindIfSealed(block: Block): void {
    if (this.members.idOf(block.validator) === null) return;
    try {
      sealOf(this.chainParams!.domain, block, this.crypto);
      this.events.emit('sealed', block);
    } catch {
      return;
    }
    this.events.emit('behind', block.index);
  }

  /** Applies the queued blocks that now follow the tip. */
  drainFuture(): void {
    for (;;) {
      const tip = this.tip;
      if (!tip) return;
      const next = this.future.takeNext(tip.block.index);
      if (!next) return;
      const parent = this.blockTree!.get(next.previous_hash);
      if (!parent) continue;
      try {
        this.addBlock(next, parent, undefined, true);
      } catch (err) {
        this.log.warn(`dropped a queued block: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /**
   * Validates `block` on its parent (the tip, or a recent block of a rival branch) and adds it to
   * the tree; if the best branch moves, follows it. True if the tip moved. `fromOutside` (every
   * path but this node's own minting): the receiver's clock bound applies (FUTURE_BLOCK).
   */
  addBlock(block: Block, parent: TipV2, json?: string, fromOutside = true): boolean {
    const started = performance.now();
    let next: TipV2;
    try {
      next = applyBlockV2(this.chainParams!, parent, block as BlockV2, {
        now: fromOutside ? this.now() : undefined,
        verifyTx: this.verifyCached,
        verifyVote: this.verifyVote,
        crypto: this.crypto,
      });
    } finally {
      if (this.verifiedInBlock > 0) {
        this.events.emit('blockSignaturesVerified', this.verifiedInBlock);
        this.verifiedInBlock = 0;
      }
    }
    this.events.emit('sealed', block);
    const moved = this.blockTree!.add(next);
    if (!moved) return false;
    this.follow(moved, performance.now() - started, json);
    return true;
  }

  /** The block validator's transaction check: skip the signature of a pooled, identical transaction. */
  private readonly verifyCached = (domain: string, tx: Transaction): void => {
    if (isPooledCopy(this.pool, tx)) return;
    verifyTransaction(domain, tx, this.crypto);
    this.verifiedInBlock++;
  };

  /** Everything that follows a move of the best branch: views, pool, then the events. */
  private follow(moved: BranchMove, ms: number, json?: string): void {
    const returned = moved.reverted.length > 0 ? this.revert(moved) : [];
    const last = moved.applied[moved.applied.length - 1];
    for (const next of moved.applied) {
      const block = next.block;
      const text = next === last && json !== undefined ? json : JSON.stringify(block);
      this.remember(block, text);
      this.dropped.note(this.pool.prune(block.transactions, next.ledger, block.index));
      this.events.emit('block', {
        block,
        json: text,
        tip: next,
        applyMs: next === last ? ms : 0,
        minted: block.validator === this.address,
      });
    }
    const tip = this.tip!;
    for (const tx of returned) {
      try {
        this.pool.add(tx, tip.ledger, tip.block.index);
      } catch {
        this.dropped.note([tx], BRANCH_REPLACED);
      }
    }
    const final = tip.finality.finalized;
    if (final.height > this.announcedFinal) {
      this.announcedFinal = final.height;
      this.log.debug(`final up to height ${final.height} at height ${tip.block.index}`);
      this.events.emit('final', { height: final.height, hash: final.hash, tip });
    }
    this.events.emit('head', tip);
  }

  /**
   * Leaves the blocks a better branch replaces; returns their transactions that the new branch
   * does not hold, oldest first, to go back to the pool.
   */
  private revert(moved: BranchMove): Transaction[] {
    const oldest = moved.reverted[moved.reverted.length - 1]!.block;
    const fork = oldest.index - 1;
    const kept = new Set<string>();
    for (const t of moved.applied) for (const tx of t.block.transactions) kept.add(tx.id);
    const returned: Transaction[] = [];
    for (let i = moved.reverted.length - 1; i >= 0; i--) {
      for (const tx of moved.reverted[i]!.block.transactions) if (!kept.has(tx.id)) returned.push(tx);
    }
    const blocks = moved.reverted.map((t) => t.block);
    this.history.truncateAbove(fork);
    this.inbox.truncateAbove(fork);
    this.contentHeight = Math.min(this.contentHeight, fork);
    this.addresses.truncateAbove(fork);
    this.log.warn(
      `fork choice: replaced ${blocks.length} block(s) above height ${fork} with a better branch of ${moved.applied.length}; ${returned.length} transaction(s) return to the pool`,
    );
    this.events.emit('reorg', { fork, reverted: blocks, applied: moved.applied.length, returned });
    return returned;
  }
}
