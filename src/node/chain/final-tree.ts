/**
 * The block tree of protocol version 2 (docs/protocol.md, "Fork choice"): the blocks this node
 * validated since its finalised checkpoint, and the best branch among them (`preferTip`: the higher
 * latest justified checkpoint, then the course's rule). Its root is the best branch's finalised
 * checkpoint: a block whose parent is below it has no parent here, so no branch that leaves the
 * final chain can ever be followed, and no final block is ever reverted. When the finalised
 * checkpoint rises, the tree forgets what is below it and every branch that does not hold it.
 */
import type { ChainTip } from '../../core/chain.js';
import type { TipV2 } from '../../core/consensus.js';
import { preferTip } from '../../core/finality.js';
import { pathBetween } from '../../core/forkchoice.js';

/** How the best branch moved: the blocks left (tip first) and the blocks joined (in order). */
export interface BranchMove {
  readonly reverted: readonly TipV2[];
  readonly applied: readonly TipV2[];
}

/** Blocks kept off the best branch at most, so that a validator signing many rivals cannot fill memory. */
const MAX_SIDE_BLOCKS = 128;

export class FinalTree {
  private readonly byHash = new Map<string, TipV2>();
  private bestTip: TipV2;
  private rootTip: TipV2;

  /** `root`: a block every branch descends from (the genesis, or the tip of a replayed chain). */
  constructor(root: TipV2) {
    this.byHash.set(root.block.current_hash, root);
    this.bestTip = root;
    this.rootTip = root;
  }

  get best(): TipV2 {
    return this.bestTip;
  }

  get size(): number {
    return this.byHash.size;
  }

  /** The lowest index in the tree: the final block every branch here holds. */
  get rootIndex(): number {
    return this.rootTip.block.index;
  }

  get(hash: string): TipV2 | undefined {
    return this.byHash.get(hash);
  }

  private readonly parentOf = (tip: ChainTip): ChainTip | undefined => this.byHash.get(tip.block.previous_hash);

  /**
   * Adds a block validated on its parent (which must be in the tree). Returns how the best
   * branch moved, or undefined when the block is kept on a side branch (or was known).
   */
  add(tip: TipV2): BranchMove | undefined {
    const hash = tip.block.current_hash;
    if (this.byHash.has(hash)) return undefined;
    const parent = this.byHash.get(tip.block.previous_hash);
    if (!parent) throw new Error(`block ${tip.block.index}: its parent is not in the tree`);
    const old = this.bestTip;
    if (parent === old) {
      this.byHash.set(hash, tip);
      this.bestTip = tip;
      this.reroot();
      return { reverted: [], applied: [tip] };
    }
    if (!preferTip({ tip, finality: tip.finality }, { tip: old, finality: old.finality }, this.parentOf)) {
      const side = this.byHash.size - (old.block.index - this.rootTip.block.index + 1);
      if (side < MAX_SIDE_BLOCKS) this.byHash.set(hash, tip);
      return undefined;
    }
    this.byHash.set(hash, tip);
    const move = pathBetween(old, tip, (x) => this.byHash.get(x.block.previous_hash));
    this.bestTip = tip;
    this.reroot();
    return move;
  }

  /**
   * Moves the root up to the best branch's finalised checkpoint when it rose: forgets the blocks
   * below it and the branches that do not hold it. Costs a walk of the tree once per finalisation.
   */
  private reroot(): void {
    const finalized = this.bestTip.finality.finalized;
    if (finalized.height <= this.rootTip.block.index) return;
    const root = this.byHash.get(finalized.hash);
    if (!root) return; // below what this tree holds (a replayed chain's start): nothing to forget
    const keep = new Set<TipV2>();
    for (let x: TipV2 | undefined = this.bestTip; x && x !== root; x = this.byHash.get(x.block.previous_hash)) keep.add(x);
    keep.add(root);
    for (const [hash, tip] of this.byHash) {
      if (keep.has(tip)) continue;
      let x: TipV2 | undefined = tip;
      while (x && !keep.has(x) && x.block.index > finalized.height) x = this.byHash.get(x.block.previous_hash);
      if (!x || !keep.has(x)) this.byHash.delete(hash);
      else keep.add(tip);
    }
    this.rootTip = root;
  }
}
