import { describe, expect, it } from 'vitest';
import type { BlockV2 } from '../../src/core/blockv2.js';
import type { TipV2 } from '../../src/core/consensus.js';
import { SEED_EPOCH_BLOCKS } from '../../src/core/params.js';
import { advanceSeed } from '../../src/core/seed.js';
import { advance, KEYS4, NET } from './v2-fixtures.js';

describe("a version-2 block's seed state", () => {
  it("is advanceSeed of its parent's, with the block's validator and reveal and the ledger it leaves", () => {
    const tips: TipV2[] = [NET.tip];
    for (let i = 0; i < 6; i++) tips.push(advance(tips[tips.length - 1]!, 1, [KEYS4[0]!]));
    // The first block commits an onion; each later one steps down it and is mixed in.
    expect(new Set(tips.map((t) => t.seed.mix)).size).toBeGreaterThan(2);
    for (let i = 1; i < tips.length; i++) {
      const block = tips[i]!.block as BlockV2;
      expect(tips[i]!.seed).toEqual(advanceSeed(tips[i - 1]!.seed, block.index, block.validator, block.reveal, tips[i]!.ledger));
    }
  });

  it('keeps the seed of the draw through an epoch while the mix moves, and takes the mix after its last block', () => {
    const tips: TipV2[] = [NET.tip];
    while (tips.length < SEED_EPOCH_BLOCKS + 3) tips.push(advance(tips[tips.length - 1]!, 1, [KEYS4[0]!]));
    let ends = 0;
    let kept = 0;
    for (let i = 1; i < tips.length; i++) {
      const { seed } = tips[i]!;
      const parent = tips[i - 1]!.seed;
      if ((tips[i]!.block.index + 1) % SEED_EPOCH_BLOCKS === 0) {
        ends++;
        expect(seed.seed).toBe(seed.mix);
      } else {
        if (seed.mix !== parent.mix) kept++;
        expect(seed.seed).toBe(parent.seed);
      }
    }
    expect(ends).toBe(1);
    expect(kept).toBeGreaterThan(0); // the mix moved under a seed that stayed
  });
});
