/**
 * The minter (SPEC A, "Proof of Stake"; SPEC B, "No stuck transactions" and "Validator
 * failure"; docs/protocol.md, "Time and rounds" and "Liveness"): decides when a block is due on
 * the tip, whether this node's round of the draw has come, and then mints it — the pool's
 * transactions, the pending votes and the evidence seen, and its onion's next reveal — commits it
 * through the chain follower and announces it (`minted` sends it to the peers). It looks again
 * whenever the tip moves or transactions arrive, and sets one timer for the moment its round opens.
 */
import type { NodeCrypto } from '../../crypto/suite.js';
import { signBlockV2 } from '../../core/blockv2.js';
import { roundScheduleV2, type TipV2 } from '../../core/consensus.js';
import type { Evidence } from '../../core/evidence.js';
import type { TxPool } from '../../core/pool.js';
import { roundOpensAt, stampFor } from '../../core/time.js';
import type { Transaction } from '../../core/types.js';
import type { Vote } from '../../core/vote.js';
import type { ChainFollower } from '../chain/index.js';
import type { NodeEmitter } from '../events.js';
import type { Membership } from '../formation/membership.js';
import type { Readiness } from '../formation/readiness.js';
import type { Logger } from '../logger.js';
import type { WalletKey } from '../wallet/index.js';
import { Onions } from './onions.js';
import { RoundSearch } from './round-search.js';
import { SignedProposals } from './proposal-record.js';

export interface MinterTiming {
  /** Ms a validator waits before minting a partial block; 0 disables partial blocks. */
  blockTimeoutMs: number;
}

/** What a block carries besides transactions: the votes includable on the tip, and evidence. */
export interface BlockExtras {
  votesFor(tip: TipV2): Vote[];
  evidenceFor(tip: TipV2): Evidence[];
}

/**
 * Ms after which an empty block is due while the best branch holds a block with transactions or
 * evidence that is not final (idle finality, docs/protocol.md "Liveness").
 */
export const IDLE_BLOCK_MS = 50;

export class Minter {
  /**
   * Since when a block has been due on the tip: when a full block could first be made, or a
   * partial (or idle) one's timeout ran out. Round r's validator produces the block when round r
   * opens counted from then (roundOpensAt, the openings of roundScheduleV2), if nobody before it did.
   */
  private due: { tipHash: string; since: number } | undefined;
  private mintAt = Infinity;
  private mintTimer: NodeJS.Timeout | undefined;
  private scheduled = false;
  private closed = false;
  private readonly signed: SignedProposals;
  private readonly onions: Onions;
  private readonly ownRound: RoundSearch;

  constructor(
    private readonly key: WalletKey,
    private readonly timing: MinterTiming,
    private readonly chain: ChainFollower,
    private readonly members: Membership,
    private readonly readiness: Readiness,
    private readonly pool: TxPool,
    private readonly extras: BlockExtras,
    private readonly events: NodeEmitter,
    private readonly now: () => number,
    private readonly log: Logger,
    private readonly crypto: NodeCrypto,
    dataDir: string,
  ) {
    this.signed = new SignedProposals(dataDir);
    this.onions = new Onions(() => chain.params!.domain, key.address, key.secretKey, crypto);
    this.ownRound = new RoundSearch(key.address, crypto);
    events.on('head', (tip) => {
      if (!this.closed) this.onions.prepare(tip.seed);
      // A new tip: whatever was timed for the old one no longer holds.
      clearTimeout(this.mintTimer);
      this.mintTimer = undefined;
      this.mintAt = Infinity;
      this.schedule();
    });
    events.on('ownTransaction', () => this.schedule());
    events.on('peerTransactions', () => this.schedule());
    events.on('evidence', () => this.schedule());
    events.on('resumed', () => this.schedule());
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.mintTimer);
    this.signed.close();
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
   * Mints when this node's round has come. A block is due once `capacity` transactions can
   * execute on the tip, or once the block timeout has passed with fewer (at once while the
   * network forms), or — with none — IDLE_BLOCK_MS after the tip while the branch holds a block
   * with content that is not final, or evidence waits. Round r's validator mints when round r
   * opens (roundScheduleV2's openings, the rule validity uses) counted from the later of the tip's
   * timestamp and the moment the block became due.
   */
  private tryMint(): void {
    const { params, tip } = this.chain;
    if (this.closed || !params || !tip || this.members.nodes.length !== params.n || this.readiness.resuming) return;
    this.signed.finalised(this.chain.finalized.height);
    const hash = tip.block.current_hash;
    // Round 0's validator, or not: the later rounds are drawn only once round 1 has opened, counted
    // from when the block became due on this tip — which only an earlier attempt on it can have
    // set (this one's is never before now, and round 1 opens after it).
    const due = this.due?.tipHash === hash ? this.due : undefined;
    const schedule = roundScheduleV2(params, tip, this.crypto);
    const roundOneOpen = due !== undefined && roundOpensAt(Math.max(tip.block.timestamp, due.since), schedule.openingOf(1)) <= this.now();
    const mine = this.ownRound.find(params, tip, this.signed.value, roundOneOpen); // never two blocks for one (height, round)
    if (mine === 'none') return; // the draw made to the last round, and none of them this node's
    const first = mine !== 'later' && mine.round === 0;
    const now = this.now();
    // A later round's validator, the block already due and a timer set: nothing new to decide
    // (the common case, once per batch received).
    if (!first && due && due.since <= now && this.mintAt !== Infinity) return;
    const capacity = params.capacity;
    const txs = this.pool.select(tip.ledger, capacity);
    let dueFrom: number | undefined;
    if (txs.length >= capacity || (txs.length > 0 && !this.readiness.ready)) dueFrom = now;
    else if (txs.length > 0 && this.timing.blockTimeoutMs > 0) dueFrom = now + this.timing.blockTimeoutMs;
    else if (this.chain.contentNotFinal || this.extras.evidenceFor(tip).length > 0) dueFrom = now + IDLE_BLOCK_MS;
    if (dueFrom === undefined) return;
    const current = due ?? (this.due = { tipHash: hash, since: dueFrom });
    current.since = Math.min(current.since, dueFrom);
    const from = Math.max(tip.block.timestamp, current.since);
    // No later round opens before round 1: this node's is looked for once it has (the next attempt, at the latest).
    const at = roundOpensAt(from, schedule.openingOf(mine === 'later' ? 1 : mine.round));
    if (mine !== 'later' && at <= now) {
      this.mint(txs, mine.round);
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
    const params = this.chain.params!;
    const timestamp = stampFor(tip.block.timestamp, roundScheduleV2(params, tip, this.crypto).openingOf(round), this.now());
    const contents = {
      transactions: txs,
      reveal: this.onions.revealFor(tip.seed),
      votes: this.extras.votesFor(tip),
      evidence: this.extras.evidenceFor(tip),
    };
    // Remembered on disk before the block exists anywhere else: a restart never signs this (height, round) again.
    if (!this.signed.claim(tip.block.index + 1, round)) return;
    const block = signBlockV2(params.domain, tip.block, round, contents, timestamp, this.key.secretKey, this.crypto);
    const json = JSON.stringify(block);
    try {
      this.chain.addBlock(block, tip, json, false);
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
