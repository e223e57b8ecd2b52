/**
 * Blocks from peers: POST /peer/blocks and the peer stream's `B` frames both come here, and then
 * go to the chain follower (chain/, which validates them and applies fork choice).
 */
import { ProtocolError } from '../../core/errors.js';
import type { Block } from '../../core/types.js';
import type { BlockResult, ChainFollower } from '../chain/index.js';
import type { NodeEmitter } from '../events.js';

/**
 * Blocks from different validators come on different streams, so a block often arrives just
 * before its parent. Handled at once, it would be kept as ahead of the tip and start a catch-up
 * (a status request to every peer) that the parent, a moment later, makes useless, and under
 * load that happened all the time. A block one or two ahead waits this long for its parent
 * instead; a block whose parent does not come is then handled as before.
 */
const PARENT_WAIT_MS = 250;
const PARENT_WAIT_GAP = 2;

export class BlockIntake {
  constructor(
    private readonly chain: ChainFollower,
    private readonly events: NodeEmitter,
  ) {}

  /**
   * Takes a block a peer sent. `waitForParent`: the sender expects no answer (the peer stream),
   * so a block just ahead of the tip may wait a moment for its parent; a REST caller is answered
   * at once.
   */
  async receive(block: Block, waitForParent: boolean): Promise<BlockResult> {
    this.checkSize(block);
    const tip = this.chain.tip?.block.index;
    if (waitForParent && tip !== undefined && block.index > tip + 1 && block.index <= tip + PARENT_WAIT_GAP) {
      await this.parentCommitted(block.index);
    }
    return this.chain.receiveBlock(block);
  }

  /**
   * A block over capacity is never valid: refuse it before the node keeps it (e.g. queued as ahead
   * of the tip), so that garbage cannot make the node hold megabytes per request.
   */
  private checkSize(block: Block): void {
    const capacity = this.chain.params?.capacity;
    const count = block.transactions.length;
    if (capacity !== undefined && count > capacity) {
      throw new ProtocolError('BAD_BLOCK_SIZE', `a block holds 0 to ${capacity} transactions, this one ${count}`);
    }
  }

  /** Resolves once the block before `index` is committed, or after PARENT_WAIT_MS. */
  private parentCommitted(index: number): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if ((this.chain.tip?.block.index ?? Infinity) >= index - 1) done();
      };
      const done = () => {
        clearTimeout(timer);
        this.events.off('block', check);
        resolve();
      };
      const timer = setTimeout(done, PARENT_WAIT_MS);
      this.events.on('block', check);
      check();
    });
  }
}
