import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdTable } from '../../src/node/chain/id-table.js';

const id = (s: string): string => createHash('sha256').update(s).digest('hex');

describe('the in-memory table of an id index', () => {
  it('finds the block of each of 100,000 ids through several doublings, and nothing for others', () => {
    const index = new IdTable();
    const ids = Array.from({ length: 100_000 }, (_, i) => id(`tx-${i}`));
    ids.forEach((x, i) => index.add(x, Math.floor(i / 20) + 1));
    expect(index.size).toBe(100_000);
    ids.forEach((x, i) => expect(index.candidates(x)).toEqual([Math.floor(i / 20) + 1]));
    for (let i = 0; i < 1_000; i++) expect(index.candidates(id(`absent-${i}`))).toEqual([]);
  });

  it('takes at most 32 bytes per transaction as it grows, and 12.6 MB for 600,000 (a 10-minute soak at 1,000 tx/s)', () => {
    const index = new IdTable();
    const sizes: number[] = [];
    for (let i = 1; i <= 600_000; i++) {
      index.add(id(`soak-${i}`), Math.floor(i / 50));
      if (i % 10_000 === 0) sizes.push(index.bytes / i);
    }
    expect(sizes.length).toBe(60);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(32);
    expect(index.bytes).toBe(12 * 2 ** 20);
  });

  it('keeps one entry for a repeat, and both entries for an id in two blocks (a replaced branch)', () => {
    const index = new IdTable();
    const x = id('moved');
    index.add(x, 7);
    index.add(x, 7);
    expect(index.size).toBe(1);
    index.add(x, 9);
    expect(index.candidates(x)).toEqual([7, 9]);
  });

  it('treats ids that share their first 64 bits as candidates of each other (the caller confirms)', () => {
    const index = new IdTable();
    const a = 'ab'.repeat(8) + '0'.repeat(48);
    const b = 'ab'.repeat(8) + 'f'.repeat(48);
    index.add(a, 1);
    index.add(b, 2);
    expect(index.candidates(a)).toEqual([1, 2]);
  });

  it('answers nothing for text that is not an id', () => {
    const index = new IdTable();
    index.add(id('x'), 1);
    for (const bad of ['', 'zz', 'ABCDEF0123456789', '0'.repeat(15)]) expect(index.candidates(bad)).toEqual([]);
  });

  it('property: every id added is found in the block it was added with', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), fc.nat(1_000_000)), { maxLength: 3_000 }), (entries) => {
        const index = new IdTable();
        for (const [s, block] of entries) index.add(id(s), block);
        for (const [s, block] of entries) expect(index.candidates(id(s))).toContain(block);
      }),
      { numRuns: 50 },
    );
  });
});
