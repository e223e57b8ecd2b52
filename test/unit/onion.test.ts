/**
 * Onions (src/core/onion.ts; docs/protocol.md, "The seed"): o_j = SHA-256^(N−j)(s) over raw
 * bytes. A kept-layers chain gives the same values as hashing from the secret, whatever its
 * stride, and both refuse an index outside 0 … N.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashStep, OnionChain, onionValue } from '../../src/core/onion.js';

const SECRET = '5a'.repeat(32);
/** SHA-256 of 32 zero bytes (FIPS 180-4; e.g. `head -c 32 /dev/zero | sha256sum`). */
const SHA256_OF_32_ZEROS = '66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925';

describe('one step down an onion', () => {
  it('hashes the 32 bytes the hex encodes, not the text', () => {
    expect(hashStep('00'.repeat(32))).toBe(SHA256_OF_32_ZEROS);
  });
});

describe('onion values', () => {
  it('o_N is the secret, o_j one step below o_(j−1)', () => {
    const n = 9;
    expect(onionValue(SECRET, n, n)).toBe(SECRET);
    for (let j = 1; j <= n; j++) expect(hashStep(onionValue(SECRET, j, n))).toBe(onionValue(SECRET, j - 1, n));
    expect(onionValue('00'.repeat(32), 0, 1)).toBe(SHA256_OF_32_ZEROS);
  });

  it('a chain that keeps every stride-th layer gives the value hashing gives, for every index and stride', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 12 }), (length, stride) => {
        const chain = new OnionChain(SECRET, length, stride);
        expect(chain.root).toBe(onionValue(SECRET, 0, length));
        for (let j = 0; j <= length; j++) expect(chain.value(j)).toBe(onionValue(SECRET, j, length));
      }),
      { numRuns: 60 },
    );
  });

  it('gives the same values asked in any order (a reveal after a reorg may go back)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 12 }), fc.array(fc.nat()), (length, stride, picks) => {
        const chain = new OnionChain(SECRET, length, stride);
        for (const p of picks) expect(chain.value(p % (length + 1))).toBe(onionValue(SECRET, p % (length + 1), length));
      }),
      { numRuns: 60 },
    );
  });

  it('a chain built in slices is complete after exactly N hashes and gives the same values', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 9 }),
        (length, stride, slice) => {
          const chain = new OnionChain(SECRET, length, stride);
          for (let done = 0; done < length; done += slice) {
            expect(chain.complete).toBe(false);
            expect(chain.build(slice)).toBe(done + slice >= length);
          }
          expect(chain.complete).toBe(true);
          for (let j = length; j >= 0; j--) expect(chain.value(j)).toBe(onionValue(SECRET, j, length));
        },
      ),
      { numRuns: 60 },
    );
  });

  it.each([-1, 10, 0.5, NaN, Infinity])('refuses index %s of an onion of 9', (j) => {
    expect(() => onionValue(SECRET, j, 9)).toThrow(RangeError);
    expect(() => new OnionChain(SECRET, 9, 4).value(j)).toThrow(RangeError);
  });

  it('accepts both ends of the range', () => {
    const chain = new OnionChain(SECRET, 9, 4);
    expect(chain.value(9)).toBe(SECRET);
    expect(chain.value(0)).toBe(onionValue(SECRET, 0, 9));
  });
});
