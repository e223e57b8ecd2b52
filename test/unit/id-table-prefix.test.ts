/** Finding transactions by the first characters of their ids (GET /transactions?prefix=). */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdTable } from '../../src/node/chain/id-table.js';

const id = (s: string): string => createHash('sha256').update(s).digest('hex');

describe('IdTable.candidatesByPrefix', () => {
  const index = new IdTable();
  const ids = Array.from({ length: 5_000 }, (_, i) => id(`tx-${i}`));
  ids.forEach((x, i) => index.add(x, i + 1));

  it('property: every prefix of 4 to 64 characters of an id added names its block, and every block named has such an id', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: ids.length - 1 }), fc.integer({ min: 4, max: 64 }), (i, length) => {
        const prefix = ids[i]!.slice(0, length);
        const blocks = index.candidatesByPrefix(prefix, 1_000);
        expect(blocks).toContain(i + 1);
        // Only the first 16 characters are kept: what matches them is a candidate.
        for (const b of blocks) expect(ids[b - 1]!.slice(0, 16).startsWith(prefix.slice(0, 16))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('names at most `max` blocks, and none for text that is no hex', () => {
    const all = ids.filter((x) => x.startsWith('a')).length;
    expect(all).toBeGreaterThan(3);
    expect(index.candidatesByPrefix('a', 3)).toHaveLength(3);
    expect(index.candidatesByPrefix('a', 10_000)).toHaveLength(all);
    expect(index.candidatesByPrefix('xyz', 10)).toEqual([]);
  });
});
