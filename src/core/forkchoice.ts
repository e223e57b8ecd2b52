/**
 * Fork choice (SPEC B, "Validator failure"). When a validator of a later round produces a block
 * while an earlier round's validator was alive but late, two valid blocks compete for one
 * height. Every node keeps the recent blocks it validated as a tree and follows the same best
 * branch, so that all converge once they have seen the same blocks:
 *
 * 1. the longer branch wins;
 * 2. at equal length, the branch whose first block after the fork comes from the earlier round;
 * 3. then the one whose first block after the fork has the smaller hash.
 *
 * Blocks more than `depth` below the best tip are final: no branch may replace them, and the
 * tree forgets them and every branch that does not descend from them.
 */
import type { ChainTip } from './chain.js';
import { REORG_DEPTH } from './params.js';

/** How the best branch moved: the blocks left (tip first) and the blocks joined (in order). */
export interface BranchSwitch {
  readonly reverted: readonly ChainTip[];
  readonly applied: readonly ChainTip[];
}

/**
 * The blocks from `from` back to where it meets `to`'s branch (tip first), and from there up to
 * `to` (in order): how the best branch moves from one tip to another, in either block tree.
 */
export function pathBetween<T extends { readonly block: { readonly index: number } }>(
  from: T,
  to: T,
  parentOf: (tip: T) => T | undefined,
): { reverted: T[]; applied: T[] } {
  const reverted: T[] = [];
  const applied: T[] = [];
  let x: T | undefined = from;
  let y: T | undefined = to;
  while (x && y && x !== y) {
    if (x.block.index >= y.block.index) {
      reverted.push(x);
      x = parentOf(x);
    } else {
      applied.push(y);
      y = parentOf(y);
    }
  }
  return { reverted, applied: applied.reverse() };
}

/** Whether branch tip `a` is better than branch tip `b` (both in `tree`, distinct). */
export function isBetter(a: ChainTip, b: ChainTip, parentOf: (tip: ChainTip) => ChainTip | undefined): boolean {
  if (a.block.index !== b.block.index) return a.block.index > b.block.index;
  // Equal heights: find the first blocks after the fork.
  let x = a;
  let y = b;
  for (;;) {
    const px = parentOf(x);
    const py = parentOf(y);
    if (!px || !py) break; // a fork below the tree's root cannot happen: compare here
    if (px.block.current_hash === py.block.current_hash) break;
    x = px;
    y = py;
  }
  if (x.round !== y.round) return x.round < y.round;
  return x.block.current_hash < y.block.current_hash;
}

export class BlockTree {
  private readonly byHash = new Map<string, ChainTip>();
  private bestTip: ChainTip;

  /** `root`: a block all branches descend from (the genesis, or the tip a node restarts from). */
  constructor(
    root: ChainTip,
    readonly depth: number = REORG_DEPTH,
    /** Side blocks kept at most, so that a validator signing many rivals cannot fill memory. */
    readonly maxBlocks: number = 8 * REORG_DEPTH,
  ) {
    this.byHash.set(root.block.current_hash, root);
    this.bestTip = root;
  }

  get best(): ChainTip {
    return this.bestTip;
  }

  get size(): number {
    return this.byHash.size;
  }

  get(hash: string): ChainTip | undefined {
    return this.byHash.get(hash);
  }

  /** The lowest index in the tree: blocks at or below it are final. */
  get rootIndex(): number {
    let lowest = this.bestTip.block.index;
    for (const tip of this.byHash.values()) lowest = Math.min(lowest, tip.block.index);
    return lowest;
  }

  private readonly parentOf = (tip: ChainTip): ChainTip | undefined => this.byHash.get(tip.block.previous_hash);

  /**
   * Adds a block validated on its parent (which must be in the tree). Returns how the best
   * branch moved, or undefined when the block is kept on a side branch (or was known).
   */
  add(tip: ChainTip): BranchSwitch | undefined {
    const hash = tip.block.current_hash;
    if (this.byHash.has(hash)) return undefined;
    const parent = this.byHash.get(tip.block.previous_hash);
    if (!parent) throw new Error(`block ${tip.block.index}: its parent is not in the tree`);
    const old = this.bestTip;
    // Stryker disable next-line BlockStatement: a fast path; the general path below gives the same switch
    if (parent === old) {
      this.byHash.set(hash, tip);
      this.bestTip = tip;
      this.prune();
      return { reverted: [], applied: [tip] };
    }
    if (!isBetter(tip, old, this.parentOf)) {
      if (this.byHash.size < this.maxBlocks) this.byHash.set(hash, tip);
      return undefined;
    }
    this.byHash.set(hash, tip);
    const change = pathBetween(old, tip, this.parentOf);
    this.bestTip = tip;
    this.prune();
    return change;
  }

  /**
   * Forgets what is final: blocks below the root (the best tip's ancestor `depth` blocks down),
   * and branches that do not descend from it. Runs on every block, so the best branch is walked
   * once and only the few blocks off it are traced back to where they join it.
   */
  private prune(): void {
    const onBest = new Set<ChainTip>([this.bestTip]);
    let root = this.bestTip;
    for (let i = 0; i < this.depth; i++) {
      const parent = this.parentOf(root);
      if (!parent) break;
      root = parent;
      onBest.add(root);
    }
    if (this.byHash.size === onBest.size) return; // nothing off the best branch
    const rootIndex = root.block.index;
    for (const [hash, tip] of this.byHash) {
      let x: ChainTip | undefined = tip;
      while (x && !onBest.has(x) && x.block.index > rootIndex) x = this.parentOf(x);
      if (!x || !onBest.has(x)) this.byHash.delete(hash);
    }
  }
}
