/**
 * The minter (SPEC A, "Proof of Stake"; SPEC B, "No stuck transactions" and "Validator
 * failure"): decides when a block is due on the tip, whether this node's lottery round has come,
 * and then mints it from the pool, commits it through the chain follower and announces it
 * (`minted` sends it to the peers). It looks again whenever the tip moves or transactions arrive,
 * and sets one timer for the moment its round opens.
 */
import type { NodeCrypto } from '../../crypto/suite.js';
import { signBlock } from '../../core/block.js';
import { earliestTimestamp, nextValidator, roundFor, validatorsOfRounds } from '../../core/chain.js';
import { ROUND_MS } from '../../core/params.js';
import type { TxPool } from '../../core/pool.js';
import type { Transaction } from '../../core/types.js';
import type { ChainFollower } from '../chain/index.js';
import type { NodeEmitter } from '../events.js';
import type { Membership } from '../formation/membership.js';
import type { Readiness } from '../formation/readiness.js';
import type { Logger } from '../logger.js';
import type { Peers } from '../network/index.js';
import type { WalletKey } from '../wallet/index.js';

export interface MinterTiming {
  /** Ms a validator waits before minting a partial block; 0 disables partial blocks. */
  blockTimeoutMs: number;
  /** Ms each lottery round's validator is waited for (at least ROUND_MS). */
  failoverMs: number;
}

export class Minter {
  /** This node's first later round after the tip `hash`, and the validators before it (laterRounds). */
  private laterCache: { hash: string; myRound: number; before: string[] } | undefined;
  /**
   * Since when a block has been due on the tip (SPEC B, "Validator failure"): when a full block
   * could first be made, or a partial one's timeout ran out. Round r's validator produces the
   * block r rounds after that, if nobody before it did.
   */
  private due: { tipHash: string; since: number } | undefined;
  private mintAt = Infinity;
  private mintTimer: NodeJS.Timeout | undefined;
  private scheduled = false;
  private closed = false;

  constructor(
    private readonly key: WalletKey,
    private readonly timing: MinterTiming,
    private readonly chain: ChainFollower,
    private readonly members: Membership,
    private readonly readiness: Readiness,
    private readonly pool: TxPool,
    private readonly peers: Peers,
    private readonly events: NodeEmitter,
    private readonly now: () => number,
    private readonly log: Logger,
    private readonly crypto: NodeCrypto,
  ) {
    events.on('head', () => {
      // A new tip: whatever was timed for the old one no longer holds.
      clearTimeout(this.mintTimer);
      this.mintTimer = undefined;
      this.mintAt = Infinity;
      this.schedule();
    });
    events.on('ownTransaction', () => this.schedule());
    events.on('peerTransactions', () => this.schedule());
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.mintTimer);
  }

  /** Looks whether to mint on the next turn of the event loop (once, however often asked meanwhile). */
  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.tryMint();
    });
  }

  /**
   * The first later round in which this node is the validator (-1 if none of the 64) and the
   * validators of the rounds before it. Computed only once a block has been due for a round's
   * length: in a busy network the next block comes first and this is never needed.
   */
  private laterRounds(): { myRound: number; before: string[] } {
    const tip = this.chain.tip!;
    const params = this.chain.params!;
    if (this.laterCache?.hash !== tip.block.current_hash) {
      const myRound = roundFor(params, tip, this.key.address);
      this.laterCache = { hash: tip.block.current_hash, myRound, before: myRound > 0 ? validatorsOfRounds(params, tip, myRound) : [] };
    }
    return this.laterCache;
  }

  /**
   * How long after the block became due this node's round opens: each earlier round lasts
   * `failoverMs`, or only ROUND_MS when its validator is a peer this node cannot reach (a node
   * that is down refuses connections at once; a stalled one is given the full round).
   */
  private waitForRound(before: readonly string[]): number {
    let wait = 0;
    for (const address of before) {
      const id = this.members.idOf(address);
      wait += id !== null && this.peers.unreachable(id) ? ROUND_MS : this.timing.failoverMs;
    }
    return wait;
  }

  /**
   * Mints when this node's round has come. A block is due once `capacity` transactions can
   * execute on the tip, or once the block timeout has passed with fewer (at once while the
   * network forms). Round 0's validator mints when the block is due; round r's once rounds
   * 0 … r-1 have passed with no block (waitForRound).
   */
  private tryMint(): void {
    const { params, tip } = this.chain;
    if (this.closed || !params || !tip || this.members.nodes.length !== params.n) return;
    const hash = tip.block.current_hash;
    const first = nextValidator(params, tip) === this.key.address; // drawn once per tip (chain.ts)
    if (this.laterCache?.hash === hash && this.laterCache.myRound < 0) return; // no round of this height is this node's
    const now = this.now();
    // Not round 0's validator, the block already due and a timer set: nothing new to decide
    // (the common case, once per batch received).
    if (!first && this.due?.tipHash === hash && this.due.since <= now && this.mintAt !== Infinity) return;
    const capacity = params.capacity;
    const txs = this.pool.select(tip.ledger, capacity);
    if (txs.length === 0) return;
    const full = txs.length >= capacity || !this.readiness.ready;
    const dueFrom = full ? now : this.timing.blockTimeoutMs > 0 ? now + this.timing.blockTimeoutMs : undefined;
    if (dueFrom === undefined) return; // partial blocks are disabled: wait for a full one
    if (this.due?.tipHash !== hash) this.due = { tipHash: hash, since: dueFrom };
    else this.due.since = Math.min(this.due.since, dueFrom);
    let round = 0;
    let at = this.due.since;
    if (!first) {
      // No later round opens before one round's shortest length: look again then.
      at = this.due.since + ROUND_MS;
      if (at <= now) {
        const later = this.laterRounds();
        if (later.myRound < 0) return;
        round = later.myRound;
        at = this.due.since + this.waitForRound(later.before);
      }
    }
    if (at <= now) {
      this.mint(txs, round);
      return;
    }
    if (at < this.mintAt) {
      clearTimeout(this.mintTimer);
      this.mintAt = at;
      this.mintTimer = setTimeout(() => {
        this.mintTimer = undefined;
        this.mintAt = Infinity;
        this.tryMint();
      }, at - now);
    }
  }

  private mint(txs: Transaction[], round: number): void {
    const tip = this.chain.tip!;
    const timestamp = Math.max(this.now(), earliestTimestamp(tip.block, round));
    const block = signBlock(tip.block, txs, timestamp, this.key.secretKey, this.crypto);
    const json = JSON.stringify(block);
    try {
      this.chain.addBlock(block, tip, json);
    } catch (err) {
      this.log.error(`minted an invalid block (a bug): ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (round > 0)
      this.log.warn(
        `no block came from the validators of rounds 0 to ${round - 1} in time: minted block ${block.index} as round ${round}'s`,
      );
    this.events.emit('minted', { block, json });
  }
}
