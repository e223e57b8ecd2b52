import { describe, expect, it } from 'vitest';
import type { Block } from '../../src/core/types.js';
import { BLOCK_WINDOW, MAX_SEEN_BLOCKS, SeenBlocks } from '../../src/node/voting/seen-blocks.js';

const block = (index: number, validator = 'v', hash = `h${index}`): Block => ({
  index,
  validator,
  current_hash: hash,
  previous_hash: '',
  timestamp: 0,
  transactions: [],
  signature: '',
});

describe('the blocks the voting part remembers to notice a second one', () => {
  it('answers the first block seen at a validator, height and round, not a later rival', () => {
    const seen = new SeenBlocks();
    const first = block(5, 'v', 'a');
    expect(seen.firstAt(first, 0)).toBe(first);
    expect(seen.firstAt(block(5, 'v', 'b'), 0)).toBe(first);
    const otherRound = block(5, 'v', 'c');
    expect(seen.firstAt(otherRound, 1)).toBe(otherRound);
    const otherValidator = block(5, 'w', 'd');
    expect(seen.firstAt(otherValidator, 0)).toBe(otherValidator);
  });

  it('holds no more than the window below the tip, at every block of a long chain', () => {
    const seen = new SeenBlocks();
    let most = 0;
    for (let tip = 1; tip <= 5_000; tip++) {
      seen.firstAt(block(tip), 0);
      seen.prune(tip);
      most = Math.max(most, seen.size);
    }
    expect(most).toBe(BLOCK_WINDOW + 1);
    // a block just inside the window is still known; one just outside is forgotten
    const inside = block(5_000 - BLOCK_WINDOW, 'v', 'rival');
    expect(seen.firstAt(inside, 0)).not.toBe(inside);
    const outside = block(5_000 - BLOCK_WINDOW - 1, 'v', 'rival');
    expect(seen.firstAt(outside, 0)).toBe(outside);
  });

  it('holds at most MAX_SEEN_BLOCKS however many rivals come at heights in the window', () => {
    const seen = new SeenBlocks();
    for (let i = 0; i < 3 * MAX_SEEN_BLOCKS; i++) seen.firstAt(block(100, `v${i}`), 0);
    seen.prune(100);
    expect(seen.size).toBe(MAX_SEEN_BLOCKS);
  });
});
