/**
 * Finality (docs/protocol.md, "Stakers' snapshot for finality", "Votes in a block",
 * "Justification and finality", "Fork choice"): a Casper-FFG record kept per branch, updated
 * block by block from the votes the block carries. Pure: a state in, a new state out; the
 * signatures of votes are checked by the caller (verifyVote) before they get here.
 */
import { ensure } from './errors.js';
import { isBetter } from './forkchoice.js';
import type { ChainTip } from './chain.js';
import { CHECKPOINT_INTERVAL, CHECKPOINT_WINDOW } from './params.js';
import type { Ledger } from './state.js';
import type { Checkpoint, VoteBody } from './vote.js';

/** Stake weights that votes count with; `total` is their sum. */
export interface StakeTable {
  readonly weights: ReadonlyMap<string, number>;
  readonly total: number;
}

/** The finality table of a ledger: its stakers, or the bootstrap alone with weight 1 when nobody stakes. */
export function stakeTableOf(ledger: Ledger, bootstrap: string): StakeTable {
  const weights = new Map<string, number>();
  let total = 0;
  for (const [address, acc] of ledger) {
    if (acc.stake > 0 && address !== '0') {
      weights.set(address, acc.stake);
      total += acc.stake;
    }
  }
  if (total === 0) return { weights: new Map([[bootstrap, 1]]), total: 1 };
  return { weights, total };
}

interface CheckpointInfo extends Checkpoint {
  /** W(s): the table of the checkpoint final when this one was processed; votes from it count with this. */
  readonly weights: StakeTable;
  /** The table of this checkpoint's own ledger: the weights once it is final. */
  readonly own: StakeTable;
}

interface Tally {
  readonly targetHeight: number;
  readonly stake: number;
}

export interface FinalityState {
  readonly finalized: Checkpoint;
  /** The highest justified checkpoint of the branch. */
  readonly justified: Checkpoint;
  /** The branch's checkpoints at or above the finalised height, by height. */
  readonly checkpoints: ReadonlyMap<number, CheckpointInfo>;
  /** The branch's justified checkpoints at or above the finalised height: height → hash. */
  readonly justifiedAt: ReadonlyMap<number, string>;
  /** Stake counted per link, keyed `source hash:target hash`. */
  readonly tallies: ReadonlyMap<string, Tally>;
  /** Per staker, the highest target height counted from it on this branch. */
  readonly lastTarget: ReadonlyMap<string, number>;
}

/** The record after the genesis: the genesis is justified and final. */
export function genesisFinality(genesisHash: string, ledger: Ledger, bootstrap: string): FinalityState {
  const table = stakeTableOf(ledger, bootstrap);
  const genesis: CheckpointInfo = { height: 0, hash: genesisHash, weights: table, own: table };
  return {
    finalized: { height: 0, hash: genesisHash },
    justified: { height: 0, hash: genesisHash },
    checkpoints: new Map([[0, genesis]]),
    justifiedAt: new Map([[0, genesisHash]]),
    tallies: new Map(),
    lastTarget: new Map(),
  };
}

/** A draft of the record while one block's votes are counted (mutated, then frozen by `done`). */
class Draft {
  finalized: Checkpoint;
  justified: Checkpoint;
  readonly checkpoints: Map<number, CheckpointInfo>;
  readonly justifiedAt: Map<number, string>;
  readonly tallies: Map<string, Tally>;
  readonly lastTarget: Map<string, number>;

  constructor(s: FinalityState) {
    this.finalized = s.finalized;
    this.justified = s.justified;
    this.checkpoints = new Map(s.checkpoints);
    this.justifiedAt = new Map(s.justifiedAt);
    this.tallies = new Map(s.tallies);
    this.lastTarget = new Map(s.lastTarget);
  }

  done(): FinalityState {
    const { finalized, justified, checkpoints, justifiedAt, tallies, lastTarget } = this;
    return { finalized, justified, checkpoints, justifiedAt, tallies, lastTarget };
  }

  /** Counts one vote (BAD_VOTE unless includable in a block at `blockIndex`). */
  count(v: VoteBody, slashed: ReadonlySet<string>, blockIndex: number): void {
    ensure(v.target_height < blockIndex, 'BAD_VOTE', () => `the target ${v.target_height} is not below the block ${blockIndex}`);
    ensure(
      v.target_height > this.finalized.height,
      'BAD_VOTE',
      () => `the target ${v.target_height} is not above the finalised height ${this.finalized.height}`,
    );
    const target = this.checkpoints.get(v.target_height);
    ensure(
      target !== undefined && target.hash === v.target_hash,
      'BAD_VOTE',
      () => `the target is not this branch's checkpoint at height ${v.target_height}`,
    );
    ensure(
      this.justifiedAt.get(v.source_height) === v.source_hash,
      'BAD_VOTE',
      () => `the source at height ${v.source_height} is not justified on this branch`,
    );
    const source = this.checkpoints.get(v.source_height)!; // justified at or above the finalised height: kept
    const weight = source.weights.weights.get(v.staker) ?? 0;
    ensure(weight > 0, 'BAD_VOTE', "the staker has no weight in the source's stake table");
    ensure(!slashed.has(v.staker), 'BAD_VOTE', 'the staker is slashed on this branch');
    const last = this.lastTarget.get(v.staker) ?? -1;
    ensure(v.target_height > last, 'BAD_VOTE', () => `the staker already has a vote counted for height ${last} on this branch`);
    this.lastTarget.set(v.staker, v.target_height);
    const key = `${v.source_hash}:${v.target_hash}`;
    const stake = (this.tallies.get(key)?.stake ?? 0) + weight;
    this.tallies.set(key, { targetHeight: v.target_height, stake });
    if (3 * stake >= 2 * source.weights.total) this.justify(source, target);
  }

  private justify(source: CheckpointInfo, target: CheckpointInfo): void {
    this.justifiedAt.set(target.height, target.hash);
    if (target.height > this.justified.height) this.justified = { height: target.height, hash: target.hash };
    if (target.height === source.height + CHECKPOINT_INTERVAL && source.height > this.finalized.height) this.finalize(source);
  }

  private finalize(cp: CheckpointInfo): void {
    this.finalized = { height: cp.height, hash: cp.hash };
    for (const h of this.checkpoints.keys()) if (h < cp.height) this.checkpoints.delete(h);
    for (const h of this.justifiedAt.keys()) if (h < cp.height) this.justifiedAt.delete(h);
    for (const [key, t] of this.tallies) if (t.targetHeight <= cp.height) this.tallies.delete(key);
  }
}

/**
 * Counts the votes of the block at `blockIndex`, in order, on the record of its parent. Throws
 * BAD_VOTE at the first vote that is not includable; `state` is untouched.
 */
export function applyVotes(
  state: FinalityState,
  votes: readonly VoteBody[],
  slashed: ReadonlySet<string>,
  blockIndex: number,
): FinalityState {
  if (votes.length === 0) return state;
  const draft = new Draft(state);
  for (const v of votes) draft.count(v, slashed, blockIndex);
  return draft.done();
}

/** Whether a vote could be included in the next block (at `blockIndex`) on this record. */
export function isIncludable(state: FinalityState, v: VoteBody, slashed: ReadonlySet<string>, blockIndex: number): boolean {
  try {
    new Draft(state).count(v, slashed, blockIndex);
    return true;
  } catch {
    return false;
  }
}

/**
 * Records the block at `height` with `hash` once its votes are counted: a checkpoint gets the
 * weights of the finalised table now (W) and keeps its own ledger's table. Other heights: no change.
 */
export function recordBlock(state: FinalityState, height: number, hash: string, ledgerAfter: Ledger, bootstrap: string): FinalityState {
  if (height % CHECKPOINT_INTERVAL !== 0) return state;
  const weights = state.checkpoints.get(state.finalized.height)!.own;
  const checkpoints = new Map(state.checkpoints);
  checkpoints.set(height, { height, hash, weights, own: stakeTableOf(ledgerAfter, bootstrap) });
  const cutoff = height - CHECKPOINT_WINDOW * CHECKPOINT_INTERVAL;
  const kept = (h: number) => h >= cutoff || h === state.finalized.height || h === state.justified.height;
  if ([...checkpoints.keys()].every(kept)) return { ...state, checkpoints };
  // Finality has stalled for a window: forget what only votes from long ago could use.
  for (const h of checkpoints.keys()) if (!kept(h)) checkpoints.delete(h);
  const justifiedAt = new Map([...state.justifiedAt].filter(([h]) => kept(h)));
  const tallies = new Map([...state.tallies].filter(([, t]) => kept(t.targetHeight)));
  return { ...state, checkpoints, justifiedAt, tallies };
}

/** True when the block at `height` of this branch is final. */
export function isFinalHeight(state: FinalityState, height: number): boolean {
  return height <= state.finalized.height;
}

/** The stake table votes from the justified checkpoint at `height` count with (for tests and explorers). */
export function weightsFrom(state: FinalityState, height: number): StakeTable | undefined {
  return state.checkpoints.get(height)?.weights;
}

/** What an honest staker votes on this branch now: source = latest justified, target = highest checkpoint above it. */
export function voteToCast(state: FinalityState): { source: Checkpoint; target: Checkpoint } | undefined {
  let top: Checkpoint | undefined;
  for (const cp of state.checkpoints.values()) if (!top || cp.height > top.height) top = cp;
  if (!top || top.height <= state.justified.height) return undefined;
  return { source: state.justified, target: { height: top.height, hash: top.hash } };
}

/** What a staker remembers of its own votes (on disk): never a lower source, never a target twice. */
export interface VoterMemory {
  readonly maxSource: number;
  readonly maxTarget: number;
}

export const NO_VOTES: VoterMemory = Object.freeze({ maxSource: -1, maxTarget: -1 });

/**
 * Whether signing (source → target) keeps the staker out of evidence given what it signed before:
 * the target above every earlier target, the source not below any earlier source. (Then no earlier
 * vote shares its target height, and none surrounds it or is surrounded by it.)
 */
export function maySign(memory: VoterMemory, source: Checkpoint, target: Checkpoint): boolean {
  return target.height > memory.maxTarget && source.height >= memory.maxSource && source.height < target.height;
}

export function remember(memory: VoterMemory, source: Checkpoint, target: Checkpoint): VoterMemory {
  return { maxSource: Math.max(memory.maxSource, source.height), maxTarget: Math.max(memory.maxTarget, target.height) };
}

/** A branch tip with its finality record, as fork choice compares them. */
export interface FinalTip {
  readonly tip: ChainTip;
  readonly finality: FinalityState;
}

/**
 * Fork choice of version 2: the branch with the higher latest justified checkpoint; then the
 * course's rule (longer, earlier round after the fork, smaller hash). Branches that do not hold
 * the node's finalised checkpoint are never candidates (the node's tree is rooted there).
 */
export function preferTip(a: FinalTip, b: FinalTip, parentOf: (tip: ChainTip) => ChainTip | undefined): boolean {
  if (a.finality.justified.height !== b.finality.justified.height) return a.finality.justified.height > b.finality.justified.height;
  return isBetter(a.tip, b.tip, parentOf);
}
