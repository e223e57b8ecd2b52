/**
 * The node's events: what its parts announce, and what the store, the metrics, the peers and the
 * event stream (GET /events) follow. The parts that decide (the chain follower, the wallet, the
 * intake) emit; none of them calls the store, the metrics or the broadcaster itself.
 *
 * Listeners run synchronously, in the order they subscribed: the composition root (index.ts)
 * subscribes the store first, so that a block is queued for disk before anything else sees it.
 */
import type { TipV2 } from '../core/consensus.js';
import type { Evidence } from '../core/evidence.js';
import type { Vote } from '../core/vote.js';
import type { ErrorCode } from '../core/errors.js';
import type { Block, Transaction } from '../core/types.js';
import type { NodeEntry } from '../core/peer-auth.js';

/** A block and the JSON text it is stored and sent as. */
export interface StoredBlock {
  readonly block: Block;
  readonly json: string;
}

/** A block that joined the best branch. */
export interface CommittedBlock extends StoredBlock {
  /** The state after it. */
  readonly tip: TipV2;
  /** Ms spent validating it (the last block of a move only; 0 for the others). */
  readonly applyMs: number;
  /** Whether this node is its validator. */
  readonly minted: boolean;
}

/** The best branch switched to a rival (fork choice). */
export interface BranchReplaced {
  /** The last block both branches share. */
  readonly fork: number;
  /** The blocks left, newest first. */
  readonly reverted: readonly Block[];
  /** How many blocks the new branch brings. */
  readonly applied: number;
  /** The left blocks' transactions that the new branch does not hold, oldest first. */
  readonly returned: readonly Transaction[];
}

export interface NodeEvents {
  /** A block joined the best branch; in chain order, and after `reorg` for a new branch's blocks. */
  block: CommittedBlock;
  /** The best branch switched to a rival; emitted before the new branch's `block` events. */
  reorg: BranchReplaced;
  /** Blocks taken as they are, not followed: the genesis, or the chain the bootstrap announced. */
  chainAdopted: readonly StoredBlock[];
  /** The best branch moved (once per move, after its `block` events). */
  head: TipV2;
  /** The network is formed, funded and staked (once). */
  ready: TipV2;
  /** A transaction of this node's wallet entered the pool, with its JSON text (its journal line: the peers get the same). */
  ownTransaction: { tx: Transaction; json: string };
  /** A restarted node's wallet opened with these journaled transactions back in its pool: the peers get them (they may never have). */
  walletRestored: readonly Transaction[];
  /** A transaction signed elsewhere, sent by a client to POST /transactions, entered the pool: the peers get it. */
  clientTransaction: Transaction;
  /** Transactions from a peer were checked: one event per slice of a batch, not per transaction. */
  peerTransactions: { readonly received: number; readonly verified: number };
  /** A transaction from a peer was refused, with the reason's code. */
  transactionRejected: ErrorCode;
  /** Transaction signatures checked while validating a block (those the pool had not verified). */
  blockSignaturesVerified: number;
  /** This node minted a block (it is committed here already). */
  minted: StoredBlock;
  /** The member list changed, or a member moved. */
  members: readonly NodeEntry[];
  /** A peer seems to be ahead: a block came from beyond the tip (its index), or from an unknown branch. */
  behind: number;
  /** A catch-up finished (every peer asked for its height, missing blocks fetched): the tip's index. */
  caughtUp: number;
  /**
   * A restarted node holds the network's tip as of its first catch-up (or found nobody ahead, or
   * could get no further): it mints and votes again (Readiness.resuming).
   */
  resumed: TipV2;
  /** A restarted node's pool repair is over: its wallet signs again (Readiness.walletHeld). */
  walletOpen: undefined;
  /** A block whose seal verified (applied, kept as a rival, queued ahead, or from an unknown branch): equivocation is watched on these. */
  sealed: Block;
  /** The best branch's finalised checkpoint rose (once per rise, before `head`). */
  final: { readonly height: number; readonly hash: string; readonly tip: TipV2 };
  /**
   * Votes or evidence this node signed or learnt first, to send to the peers whose addresses `to`
   * lists (the validators of the next blocks, for a vote: docs/protocol.md, "Liveness"), or to
   * every peer without `to`.
   */
  gossip: { readonly votes: readonly Vote[]; readonly evidence: readonly Evidence[]; readonly to?: readonly string[] };
  /** Evidence of equivocation this node built or learnt (once per offender). */
  evidence: Evidence;
  /** A request was answered (or a peer stream opened, status 101): route pattern, method, status. */
  request: { readonly route: string; readonly method: string; readonly status: number };
  /** A peer stream frame arrived, by kind. */
  streamFrame: 'transactions' | 'block' | 'votes';
}

type Listener<T> = (payload: T) => void;

/** A small typed event emitter. */
export class Emitter<E> {
  private readonly listeners = new Map<keyof E, ReadonlyArray<Listener<never>>>();

  on<K extends keyof E>(name: K, listener: Listener<E[K]>): void {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener]);
  }

  /** Removes a listener; safe while the event is being emitted (that emission still calls it). */
  off<K extends keyof E>(name: K, listener: Listener<E[K]>): void {
    const list = this.listeners.get(name);
    if (list)
      this.listeners.set(
        name,
        list.filter((l) => l !== listener),
      );
  }

  emit<K extends keyof E>(name: K, payload: E[K]): void {
    const list = this.listeners.get(name) as ReadonlyArray<Listener<E[K]>> | undefined;
    if (list) for (const listener of list) listener(payload);
  }
}

export type NodeEmitter = Emitter<NodeEvents>;
