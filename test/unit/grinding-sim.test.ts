/**
 * The grinding experiment of `npm run bench` at a small scale (scripts/bench-grinding.ts): a staker
 * that signs and applies 100 variants of each of its blocks over two epochs never finds one that
 * changes a later draw, and wins exactly the heights it wins when it does not grind — although the
 * chain it publishes is a different one.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { simulateGrinding, type GrindingRecord } from '../../scripts/bench-grinding.js';
import { selectCrypto } from '../../src/crypto/select.js';

const crypto = selectCrypto(process.env).crypto;
let grinding: GrindingRecord;
let plain: GrindingRecord;

beforeAll(() => {
  grinding = simulateGrinding({ crypto, epochs: 2, variants: 100 });
  plain = simulateGrinding({ crypto, epochs: 2, variants: 1 });
}, 240_000);

describe('the grinding experiment', () => {
  it('grinds every block the grinder makes, with every variant applied', () => {
    expect(grinding.blocks).toBe(64);
    expect(grinding.grindedBlocks).toBeGreaterThan(0);
    expect(grinding.grindedBlocks).toBe(grinding.grinderBlocks);
    expect(grinding.variantsTotal).toBe(100 * grinding.grindedBlocks);
    expect(plain.grindedBlocks).toBe(0);
  });

  it('finds no variant that changes a later draw', () => {
    expect(grinding.blocksWithDifferentDraws).toBe(0);
    expect(grinding.maxOutcomesPerBlock).toBe(1);
  });

  it('publishes another chain than the plain one, yet wins the same heights', () => {
    expect(grinding.lastHash).not.toBe(plain.lastHash);
    expect(grinding.grinderHeights.length).toBeGreaterThan(0);
    expect(grinding.grinderHeights).toEqual(plain.grinderHeights);
    expect(grinding.stakeShare).toBe(0.25);
  });
});
