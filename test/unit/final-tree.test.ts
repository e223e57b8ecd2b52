import { describe, expect, it } from 'vitest';
import { handBlock } from './fixtures.js';
import type { TipV2 } from '../../src/core/consensus.js';
import type { FinalityState } from '../../src/core/finality.js';
import type { Checkpoint } from '../../src/core/vote.js';
import { FinalTree } from '../../src/node/chain/final-tree.js';

/**
 * The block tree of protocol version 2 on hand-made tips: it only looks at index, hashes, round
 * and the branch's justified and finalised checkpoints (the finality record is computed and tested
 * in finality.test.ts), so tips here carry just those.
 */
interface Marks {
  round?: number;
  /** The branch's latest justified checkpoint (the parent's when absent). */
  justified?: Checkpoint;
  /** The branch's finalised checkpoint (the parent's when absent). */
  finalized?: Checkpoint;
}

const cp = (tip: TipV2): Checkpoint => ({ height: tip.block.index, hash: tip.block.current_hash });

function tipOf(parent: TipV2 | undefined, name: string, marks: Marks = {}): TipV2 {
  const block = handBlock(parent, name);
  const self = { height: block.index, hash: name };
  const finality = {
    justified: marks.justified ?? parent?.finality.justified ?? self,
    finalized: marks.finalized ?? parent?.finality.finalized ?? self,
  } as unknown as FinalityState;
  return { block, ledger: new Map(), round: marks.round ?? 0, finality } as unknown as TipV2;
}

/** A chain of `count` blocks on `parent`, named `prefix1`, `prefix2`, … */
function chain(parent: TipV2, prefix: string, count: number): TipV2[] {
  const out: TipV2[] = [];
  for (let i = 1; i <= count; i++) out.push((parent = tipOf(parent, `${prefix}${i}`)));
  return out;
}

const names = (tips: readonly TipV2[] | undefined): string[] | undefined => tips?.map((t) => t.block.current_hash);

describe('FinalTree', () => {
  it('follows a chain that only grows: every block is applied, nothing reverted', () => {
    const g = tipOf(undefined, 'g');
    const tree = new FinalTree(g);
    const blocks = chain(g, 'a', 5);
    expect(blocks.map((b) => tree.add(b))).toEqual(blocks.map((b) => ({ reverted: [], applied: [b] })));
    expect(tree.best).toBe(blocks[4]);
    expect(tree.size).toBe(6);
  });

  it('the branch with the higher justified checkpoint wins over a longer one', () => {
    const g = tipOf(undefined, 'g');
    const tree = new FinalTree(g);
    const long = chain(g, 'a', 4);
    for (const b of long) tree.add(b);
    const b1 = tipOf(g, 'b1', { round: 1 });
    expect(tree.add(b1)).toBeUndefined(); // shorter, same justified checkpoint: a side block
    const b2 = tipOf(b1, 'b2', { justified: cp(b1) });
    const moved = tree.add(b2);
    expect(names(moved?.reverted)).toEqual(['a4', 'a3', 'a2', 'a1']);
    expect(names(moved?.applied)).toEqual(['b1', 'b2']);
    expect(tree.best).toBe(b2);
    // the longer branch, without a higher justified checkpoint, does not take it back
    expect(tree.add(tipOf(long[3], 'a5'))).toBeUndefined();
    expect(tree.best).toBe(b2);
  });

  it('at equal justified checkpoints, the course rule decides: the longer branch wins', () => {
    const g = tipOf(undefined, 'g');
    const tree = new FinalTree(g);
    const a = chain(g, 'a', 2);
    for (const b of a) tree.add(b);
    const b1 = tipOf(g, 'b1', { round: 1 });
    const b2 = tipOf(b1, 'b2');
    expect(tree.add(b1)).toBeUndefined();
    expect(tree.add(b2)).toBeUndefined(); // equal height, but b1 is of a later round than a1
    const moved = tree.add(tipOf(b2, 'b3'));
    expect(names(moved?.reverted)).toEqual(['a2', 'a1']);
    expect(names(moved?.applied)).toEqual(['b1', 'b2', 'b3']);
  });

  it('when the finalised checkpoint rises, forgets what is below it and every branch that does not hold it', () => {
    const g = tipOf(undefined, 'g');
    const tree = new FinalTree(g);
    const a = chain(g, 'a', 3);
    for (const b of a) tree.add(b);
    const side = tipOf(g, 'side', { round: 2 });
    const above = tipOf(a[1], 'above', { round: 2 }); // a side branch on a2, which will be final
    tree.add(side);
    tree.add(above);
    expect(tree.size).toBe(6);
    expect(tree.rootIndex).toBe(0);
    const a4 = tipOf(a[2], 'a4', { justified: cp(a[2]!), finalized: cp(a[1]!) });
    expect(tree.add(a4)?.applied).toEqual([a4]);
    expect(tree.rootIndex).toBe(2);
    expect(names(['g', 'a1', 'side'].flatMap((h) => tree.get(h) ?? []))).toEqual([]);
    expect(tree.get('a2')).toBe(a[1]);
    expect(tree.get('above')).toBe(above);
    expect(tree.size).toBe(4); // a2, a3, a4 and the side branch that holds a2
    // a rival of a final block can no longer be added: its parent is gone
    expect(() => tree.add(tipOf(a[0], 'rival-of-a2', { justified: cp(a[2]!) }))).toThrow(/parent is not in the tree/);
  });

  it('keeps the tree while the finalised checkpoint stays where it is', () => {
    const g = tipOf(undefined, 'g');
    const tree = new FinalTree(g);
    tree.add(tipOf(g, 'side', { round: 1 }));
    for (const b of chain(g, 'a', 40)) tree.add(b);
    expect(tree.rootIndex).toBe(0);
    expect(tree.size).toBe(42);
    expect(tree.get('side')).toBeDefined();
  });

  it('keeps at most 128 blocks off the best branch; a winning rival is always taken', () => {
    const g = tipOf(undefined, 'g');
    const tree = new FinalTree(g);
    const best = chain(g, 'a', 3);
    for (const b of best) tree.add(b);
    for (let i = 0; i < 200; i++) tree.add(tipOf(g, `r${i}`, { round: 1 + i }));
    expect(tree.size).toBe(4 + 128);
    expect(tree.add(tipOf(g, 'early-round'))).toBeUndefined(); // round 0, but shorter: not kept either
    expect(tree.get('early-round')).toBeUndefined();
    const justifiedRival = tipOf(tree.get('r0'), 'r0-next', { justified: { height: 1, hash: 'r0' } });
    expect(names(tree.add(justifiedRival)?.applied)).toEqual(['r0', 'r0-next']);
    expect(tree.best).toBe(justifiedRival);
  });

  it('a known block changes nothing; a block whose parent is unknown is refused', () => {
    const g = tipOf(undefined, 'g');
    const tree = new FinalTree(g);
    const a = tipOf(g, 'a');
    tree.add(a);
    expect(tree.add(a)).toBeUndefined();
    expect(tree.add(g)).toBeUndefined();
    expect(tree.best).toBe(a);
    expect(() => tree.add(tipOf(tipOf(g, 'unknown'), 'orphan'))).toThrow(/parent is not in the tree/);
  });
});
