/**
 * The block tree of protocol version 2 (docs/protocol.md, "Fork choice"): the blocks this node
 * validated since its finalised checkpoint, and the best branch among them (`preferTip`: the higher
 * latest justified checkpoint, then the course's rule). Its root is the best branch's finalised
 * checkpoint: a block whose parent is below it has no parent here, so no branch that leaves the
 * final chain can ever be followed, and no final block is ever reverted. When the finalised
 * checkpoint rises, the tree forgets what is below it and every branch that does not hold it.
 */
import type { TipV2 } from '../../core/consensus.js';
import { preferTip } from '../../core/finality.js';
import { ForkTree, type BranchMove as ForkMove, type TreeRules } from '../../core/fork-tree.js';

/** How the best branch moved: the blocks left (tip first) and the blocks joined (in order). */
export type BranchMove = ForkMove<TipV2>;

/** Blocks kept off the best branch at most, so that a validator signing many rivals cannot fill memory. */
const MAX_SIDE_BLOCKS = 128;

const rules: TreeRules<TipV2> = {
  better: (a, b, parentOf) => preferTip({ tip: a, finality: a.finality }, { tip: b, finality: b.finality }, parentOf),
  // The best branch's finalised checkpoint once it rose (one walk of the tree per finalisation);
  // one below what this tree holds (a replayed chain's start) leaves the root where it is.
  rootFor: (best, root, get) => {
    const finalized = best.finality.finalized;
    if (finalized.height <= root.block.index) return root;
    return get(finalized.hash) ?? root;
  },
  keepsRival: ({ size, best, root }) => size - (best.block.index - root.block.index + 1) < MAX_SIDE_BLOCKS,
};

export class FinalTree extends ForkTree<TipV2> {
  /** `root`: a block every branch descends from (the genesis, or the tip of a replayed chain). */
  constructor(root: TipV2) {
    super(root, rules);
  }
}
