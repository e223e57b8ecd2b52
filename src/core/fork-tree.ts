/**
 * A tree of the recent blocks a node validated and the best branch among them, shared by both
 * protocol versions: which branch is better, where the tree's root (the final block every branch
 * holds) stands, and how many rival blocks it keeps are the version's rules (`TreeRules`). Version 1
 * (forkchoice.ts, `BlockTree`): the longer branch, final `depth` blocks below the best tip.
 * Version 2 (node/chain/final-tree.ts, `FinalTree`): the higher justified checkpoint first, final
 * at the finalised checkpoint.
 */
import type { ChainTip } from './chain.js';

/** How the best branch moved: the blocks left (tip first) and the blocks joined (in order). */
export interface BranchMove<T extends ChainTip = ChainTip> {
  readonly reverted: readonly T[];
  readonly applied: readonly T[];
}

/** What the tree looks at when it checks whether a rival block may be kept. */
export interface TreeShape<T extends ChainTip> {
  /** The blocks held. */
  readonly size: number;
  readonly best: T;
  readonly root: T;
}

export interface TreeRules<T extends ChainTip> {
  /** Whether branch tip `a` is better than branch tip `b` (both in the tree, distinct). */
  better(a: T, b: T, parentOf: (tip: ChainTip) => ChainTip | undefined): boolean;
  /**
   * The root once `best` leads: `root` (the current one) or a block of the best branch above it,
   * found by `get`/`parentOf`. Everything not descending from the root is forgotten.
   */
  rootFor(best: T, root: T, get: (hash: string) => T | undefined, parentOf: (tip: T) => T | undefined): T;
  /** Whether a block that does not become the best may still be kept, so that a validator signing many rivals cannot fill memory. */
  keepsRival(tree: TreeShape<T>): boolean;
}

/**
 * The blocks from `from` back to where it meets `to`'s branch (tip first), and from there up to
 * `to` (in order): how the best branch moves from one tip to another.
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

export class ForkTree<T extends ChainTip> {
  private readonly byHash = new Map<string, T>();
  private bestTip: T;
  private rootTip: T;

  /** `root`: a block every branch descends from (the genesis, or the tip of a replayed chain). */
  constructor(
    root: T,
    private readonly rules: TreeRules<T>,
  ) {
    this.byHash.set(root.block.current_hash, root);
    this.bestTip = root;
    this.rootTip = root;
  }

  get best(): T {
    return this.bestTip;
  }

  get size(): number {
    return this.byHash.size;
  }

  /** The lowest index in the tree: the final block every branch here holds. */
  get rootIndex(): number {
    return this.rootTip.block.index;
  }

  get(hash: string): T | undefined {
    return this.byHash.get(hash);
  }

  private readonly parentOf = (tip: T): T | undefined => this.byHash.get(tip.block.previous_hash);
  private readonly lookUp = (hash: string): T | undefined => this.byHash.get(hash);

  /**
   * Adds a block validated on its parent (which must be in the tree). Returns how the best
   * branch moved, or undefined when the block is kept on a side branch (or was known).
   */
  add(tip: T): BranchMove<T> | undefined {
    const hash = tip.block.current_hash;
    if (this.byHash.has(hash)) return undefined;
    const parent = this.byHash.get(tip.block.previous_hash);
    if (!parent) throw new Error(`block ${tip.block.index}: its parent is not in the tree`);
    const old = this.bestTip;
    // Stryker disable next-line BlockStatement: a fast path; the general path below gives the same move
    if (parent === old) {
      this.byHash.set(hash, tip);
      this.bestTip = tip;
      this.reroot();
      return { reverted: [], applied: [tip] };
    }
    if (!this.rules.better(tip, old, (x) => this.byHash.get(x.block.previous_hash))) {
      if (this.rules.keepsRival({ size: this.byHash.size, best: old, root: this.rootTip })) this.byHash.set(hash, tip);
      return undefined;
    }
    this.byHash.set(hash, tip);
    const move = pathBetween(old, tip, this.parentOf);
    this.bestTip = tip;
    this.reroot();
    return move;
  }

  /**
   * Moves the root up the best branch when the rules say so: forgets the blocks below it and the
   * branches that do not hold it. Every block descends from the root, so nothing is forgotten
   * while it stays; when it moves, the best branch down to it is walked once, and each other
   * block back to where it joins it.
   */
  private reroot(): void {
    const root = this.rules.rootFor(this.bestTip, this.rootTip, this.lookUp, this.parentOf);
    if (root === this.rootTip) return;
    const keep = new Set<T>();
    for (let x: T | undefined = this.bestTip; x && x !== root; x = this.parentOf(x)) keep.add(x);
    keep.add(root);
    this.rootTip = root;
    if (this.byHash.size === keep.size) return; // nothing off the best branch
    const rootIndex = root.block.index;
    for (const [hash, tip] of this.byHash) {
      if (keep.has(tip)) continue;
      let x: T | undefined = tip;
      while (x && !keep.has(x) && x.block.index > rootIndex) x = this.parentOf(x);
      if (!x || !keep.has(x)) this.byHash.delete(hash);
      else keep.add(tip);
    }
  }
}
