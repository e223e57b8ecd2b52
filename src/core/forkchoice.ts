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
import { ForkTree, type BranchMove } from './fork-tree.js';
import { REORG_DEPTH } from './params.js';

/** How the best branch moved: the blocks left (tip first) and the blocks joined (in order). */
export type BranchSwitch = BranchMove<ChainTip>;

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

/** The version-1 tree: the longer branch wins (`isBetter`); blocks `depth` below the best tip are final. */
export class BlockTree extends ForkTree<ChainTip> {
  /** `root`: a block all branches descend from (the genesis, or the tip a node restarts from). */
  constructor(
    root: ChainTip,
    readonly depth: number = REORG_DEPTH,
    /** Blocks kept at most (rivals beyond are dropped), so that a validator signing many rivals cannot fill memory. */
    readonly maxBlocks: number = 8 * REORG_DEPTH,
  ) {
    super(root, {
      better: isBetter,
      rootFor: (best, _root, _get, parentOf) => {
        let x = best;
        for (let i = 0; i < depth; i++) {
          const parent = parentOf(x);
          if (!parent) break;
          x = parent;
        }
        return x;
      },
      keepsRival: (tree) => tree.size < maxBlocks,
    });
  }
}
