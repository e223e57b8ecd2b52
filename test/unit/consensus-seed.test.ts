import { describe, expect, it } from 'vitest';
import type { BlockV2 } from '../../src/core/blockv2.js';
import type { TipV2 } from '../../src/core/consensus.js';
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
});
