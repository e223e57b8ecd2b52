import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { handBlock } from './fixtures.js';
import type { ChainTip } from '../../src/core/chain.js';
import { BlockTree, isBetter } from '../../src/core/forkchoice.js';

/**
 * Fork choice on hand-made tips: the tree only looks at index, hashes and round (validation is
 * applyBlock's, tested in chain.test.ts), so blocks here are just those fields.
 */
function tipOf(parent: ChainTip | undefined, name: string, round = 0): ChainTip {
  return { block: handBlock(parent, name), ledger: new Map(), round };
}

const names = (tips: readonly ChainTip[]): string[] => tips.map((t) => t.block.current_hash);

describe('BlockTree', () => {
  it('follows a chain that only grows: every block is applied, nothing reverted', () => {
    const g = tipOf(undefined, 'g');
    const tree = new BlockTree(g, 4);
    let tip = g;
    for (let i = 1; i <= 10; i++) {
      const next = tipOf(tip, `b${i}`);
      expect(tree.add(next)).toEqual({ reverted: [], applied: [next] });
      tip = next;
    }
    expect(tree.best).toBe(tip);
  });

  it('at equal height, the block of the earlier round wins, whichever arrives first', () => {
    const g = tipOf(undefined, 'g');
    const late = tipOf(g, 'zz-round0', 0);
    const failover = tipOf(g, 'aa-round1', 1);
    const a = new BlockTree(g);
    a.add(failover);
    const moved = a.add(late);
    expect(moved && names(moved.reverted)).toEqual(['aa-round1']);
    expect(moved && names(moved.applied)).toEqual(['zz-round0']);
    expect(a.best).toBe(late);
    const b = new BlockTree(g);
    b.add(late);
    expect(b.add(failover)).toBeUndefined(); // kept on a side branch
    expect(b.best).toBe(late);
    expect(b.get('aa-round1')).toBe(failover);
  });

  it('at equal height and round, the smaller hash wins, whichever arrives first', () => {
    const g = tipOf(undefined, 'g');
    const tree = new BlockTree(g);
    tree.add(tipOf(g, 'bb'));
    tree.add(tipOf(g, 'aa'));
    expect(tree.best.block.current_hash).toBe('aa');
    const other = new BlockTree(g);
    other.add(tipOf(g, 'aa'));
    expect(other.add(tipOf(g, 'bb'))).toBeUndefined();
    expect(other.best.block.current_hash).toBe('aa');
  });

  it('the longer branch wins, and the switch lists the blocks left and joined in order', () => {
    const g = tipOf(undefined, 'g');
    const tree = new BlockTree(g);
    const a1 = tipOf(g, 'a1', 0);
    const a2 = tipOf(a1, 'a2', 0);
    tree.add(a1);
    tree.add(a2);
    const b1 = tipOf(g, 'b1', 1);
    const b2 = tipOf(b1, 'b2', 0);
    const b3 = tipOf(b2, 'b3', 0);
    expect(tree.add(b1)).toBeUndefined();
    expect(tree.add(b2)).toBeUndefined(); // equal height, but b1 is of a later round than a1
    const moved = tree.add(b3);
    expect(moved && names(moved.reverted)).toEqual(['a2', 'a1']);
    expect(moved && names(moved.applied)).toEqual(['b1', 'b2', 'b3']);
  });

  it('compares equal branches at the fork, not at the tips', () => {
    const g = tipOf(undefined, 'g');
    const a1 = tipOf(g, 'a1', 0);
    const a2 = tipOf(a1, 'a2', 5);
    const b1 = tipOf(g, 'b1', 1);
    const b2 = tipOf(b1, 'b2', 0);
    const all = new Map([g, a1, a2, b1, b2].map((t) => [t.block.current_hash, t]));
    const parentOf = (t: ChainTip) => all.get(t.block.previous_hash);
    expect(isBetter(a2, b2, parentOf)).toBe(true);
    expect(isBetter(b2, a2, parentOf)).toBe(false);
  });

  it('forgets blocks deeper than its depth and branches that do not descend from the final block', () => {
    const g = tipOf(undefined, 'g');
    const tree = new BlockTree(g, 3);
    const a1 = tipOf(g, 'a1');
    tree.add(a1);
    const side = tipOf(g, 'side', 2);
    tree.add(side);
    let tip = a1;
    for (let i = 2; i <= 5; i++) tree.add((tip = tipOf(tip, `a${i}`)));
    expect(tree.rootIndex).toBe(2);
    expect(tree.get('g')).toBeUndefined();
    expect(tree.get('side')).toBeUndefined();
    expect(tree.get('a1')).toBeUndefined();
    expect(tree.get('a2')).toBeDefined();
    expect(tree.size).toBe(4);
    // a rival of a final block can no longer be added: its parent is gone
    expect(() => tree.add(tipOf(a1, 'rival-of-a2'))).toThrow(/parent is not in the tree/);
  });

  it('keeps at most maxBlocks: further losing rivals are not kept, a winning one always is', () => {
    const g = tipOf(undefined, 'g');
    const tree = new BlockTree(g, 16, 4);
    const best = tipOf(g, 'a', 0);
    tree.add(best);
    for (let i = 0; i < 10; i++) tree.add(tipOf(g, `r${i}`, 1 + i));
    expect(tree.size).toBe(4);
    const winner = tipOf(best, 'a-next');
    expect(tree.add(winner)?.applied).toEqual([winner]);
    expect(tree.best).toBe(winner);
  });

  it('a known block changes nothing', () => {
    const g = tipOf(undefined, 'g');
    const tree = new BlockTree(g);
    const a = tipOf(g, 'a');
    tree.add(a);
    expect(tree.add(a)).toBeUndefined();
    expect(tree.best).toBe(a);
  });

  it('re-adding the root changes nothing, though its parent is not in the tree', () => {
    const g = tipOf(undefined, 'g');
    const tree = new BlockTree(g);
    tree.add(tipOf(g, 'a'));
    expect(tree.add(g)).toBeUndefined();
    expect(tree.best.block.current_hash).toBe('a');
  });

  it('with depth 0 it keeps only the best tip', () => {
    const g = tipOf(undefined, 'g');
    const tree = new BlockTree(g, 0);
    const a = tipOf(g, 'a');
    tree.add(a);
    expect(tree.size).toBe(1);
    expect(tree.get('a')).toBe(a);
    expect(tree.rootIndex).toBe(1);
  });

  it('isBetter compares two tips whose parents are unknown as the first blocks after the fork', () => {
    const early = tipOf(undefined, 'zz', 0);
    const late = tipOf(undefined, 'aa', 1);
    const none = (): ChainTip | undefined => undefined;
    expect(isBetter(early, late, none)).toBe(true);
    expect(isBetter(late, early, none)).toBe(false);
    // only one of them has a known parent: compared where they stand
    const g = tipOf(undefined, 'g');
    const child = tipOf(g, 'bb', 0);
    const orphan = tipOf(g, 'cc', 1);
    const parentOf = (t: ChainTip): ChainTip | undefined => (t === child ? g : undefined);
    expect(isBetter(child, orphan, parentOf)).toBe(true);
    expect(isBetter(orphan, child, parentOf)).toBe(false);
  });

  it('property: nodes that see the same blocks in any order follow the same best branch', () => {
    // A random block tree: each block's parent is an earlier block, with a random round.
    const treeShape = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 25 });
    fc.assert(
      fc.property(treeShape, fc.nat(), (shape, seed) => {
        const g = tipOf(undefined, 'g');
        const tips: ChainTip[] = [g];
        shape.forEach(([p, round], i) => tips.push(tipOf(tips[p % tips.length], `h${(i * 7919 + 13) % 1000}-${i}`, round)));
        const orderA = tips.slice(1); // parents always before children
        // Another topological order: by index, ties shuffled by the seed.
        const orderB = [...orderA].sort(
          (x, y) =>
            x.block.index - y.block.index ||
            ((x.block.current_hash.length * seed) % 7) - ((y.block.current_hash.length * seed) % 7) ||
            (x.block.current_hash < y.block.current_hash ? 1 : -1),
        );
        const a = new BlockTree(g, 64);
        const b = new BlockTree(g, 64);
        for (const t of orderA) a.add(t);
        for (const t of orderB) b.add(t);
        expect(a.best.block.current_hash).toBe(b.best.block.current_hash);
        // and the best is at the greatest height
        expect(a.best.block.index).toBe(Math.max(...tips.map((t) => t.block.index)));
      }),
    );
  });
});
