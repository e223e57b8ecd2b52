import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIVE_ROUND_MS, MAX_FUTURE_MS, ROUND_MS } from '../../src/core/params.js';
import { checkNotFuture, checkTimestamp, earliestTimestampV2, isTooFarAhead, roundOpensAt, stampFor } from '../../src/core/time.js';
import { codeOf } from './fixtures.js';

const T0 = 1_700_000_000_000;
/** An opening as the schedule makes them: a sum of round lengths. */
const opening = fc.array(fc.constantFrom(ROUND_MS, LIVE_ROUND_MS), { maxLength: 12 }).map((lengths) => lengths.reduce((a, b) => a + b, 0));

describe('the time rule', () => {
  it('accepts a timestamp exactly when it is at or after its round opens and after its parent', () => {
    fc.assert(
      fc.property(opening, fc.integer({ min: -1000, max: 20_000 }), (open, offset) => {
        const ts = T0 + offset;
        const ok = offset >= Math.max(1, open);
        if (ok) expect(() => checkTimestamp(T0, 3, open, ts)).not.toThrow();
        else expect(codeOf(() => checkTimestamp(T0, 3, open, ts))).toBe('TOO_EARLY');
      }),
    );
  });

  it('a chain stamped by stampFor strictly increases, whatever the clocks say, and never stamps before its round', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: -5000, max: 5000 }), opening), { minLength: 1, maxLength: 50 }), (steps) => {
        let parent = T0;
        for (const [skew, open] of steps) {
          const ts = stampFor(parent, open, parent + skew);
          expect(ts).toBeGreaterThan(parent);
          expect(ts).toBeGreaterThanOrEqual(roundOpensAt(parent, open));
          expect(() => checkTimestamp(parent, 1, open, ts)).not.toThrow();
          parent = ts;
        }
      }),
    );
    expect(earliestTimestampV2(T0, 0)).toBe(T0 + 1);
  });

  it('waits by the rule it validates by: a block stamped when its round opens is valid, one ms before is not', () => {
    fc.assert(
      fc.property(
        opening.filter((o) => o > 0),
        (open) => {
          const at = roundOpensAt(T0, open);
          expect(() => checkTimestamp(T0, 2, open, stampFor(T0, open, at))).not.toThrow();
          expect(codeOf(() => checkTimestamp(T0, 2, open, at - 1))).toBe('TOO_EARLY');
        },
      ),
    );
  });

  it('refuses a block stamped more than 2 s ahead of the receiver', () => {
    expect(isTooFarAhead(T0 + MAX_FUTURE_MS, T0)).toBe(false);
    expect(isTooFarAhead(T0 + MAX_FUTURE_MS + 1, T0)).toBe(true);
    expect(codeOf(() => checkNotFuture(T0 + MAX_FUTURE_MS + 1, T0))).toBe('FUTURE_BLOCK');
    expect(() => checkNotFuture(T0 + MAX_FUTURE_MS, T0)).not.toThrow();
  });
});
