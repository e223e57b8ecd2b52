import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_FUTURE_MS, MAX_ROUNDS, ROUND_MS } from '../../src/core/params.js';
import {
  checkNotFuture,
  checkTimestamp,
  currentRound,
  earliestTimestampV2,
  isTooFarAhead,
  roundOpensAt,
  stampFor,
} from '../../src/core/time.js';
import { codeOf } from './fixtures.js';

const T0 = 1_700_000_000_000;

describe('the time rule', () => {
  it('accepts a timestamp exactly when it is at or after its round opens and after its parent', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_ROUNDS - 1 }), fc.integer({ min: -1000, max: 20_000 }), (round, offset) => {
        const ts = T0 + offset;
        const ok = offset >= Math.max(1, round * ROUND_MS);
        if (ok) expect(() => checkTimestamp(T0, round, ts)).not.toThrow();
        else expect(codeOf(() => checkTimestamp(T0, round, ts))).toBe('TOO_EARLY');
      }),
    );
  });

  it('a chain stamped by stampFor strictly increases, whatever the clocks say, and never stamps before its round', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -5000, max: 5000 }), fc.integer({ min: 0, max: 5 })), { minLength: 1, maxLength: 50 }),
        (steps) => {
          let parent = T0;
          for (const [skew, round] of steps) {
            const ts = stampFor(parent, round, parent + skew);
            expect(ts).toBeGreaterThan(parent);
            expect(() => checkTimestamp(parent, round, ts)).not.toThrow();
            parent = ts;
          }
        },
      ),
    );
  });

  it('waits by the same rule it validates by: the current round is the last one that has opened', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30_000 }), (elapsed) => {
        const now = T0 + elapsed;
        const r = currentRound(T0, now, MAX_ROUNDS);
        expect(roundOpensAt(T0, r)).toBeLessThanOrEqual(now);
        if (r < MAX_ROUNDS - 1) expect(roundOpensAt(T0, r + 1)).toBeGreaterThan(now);
        // a block of the current round stamped now is valid
        expect(() => checkTimestamp(T0, r, stampFor(T0, r, now))).not.toThrow();
      }),
    );
    expect(earliestTimestampV2(T0, 0)).toBe(T0 + 1);
  });

  it('waits in round 0 while the clock is behind the parent, and in the last round once every round has opened', () => {
    expect(currentRound(T0, T0 - 1, MAX_ROUNDS)).toBe(0);
    expect(currentRound(T0, T0 - 10 * ROUND_MS, MAX_ROUNDS)).toBe(0);
    expect(currentRound(T0, T0 + ROUND_MS - 1, MAX_ROUNDS)).toBe(0);
    expect(currentRound(T0, T0 + ROUND_MS, MAX_ROUNDS)).toBe(1);
    expect(currentRound(T0, T0 + MAX_ROUNDS * ROUND_MS, MAX_ROUNDS)).toBe(MAX_ROUNDS - 1);
    expect(currentRound(T0, T0 + 1_000_000, MAX_ROUNDS)).toBe(MAX_ROUNDS - 1);
    expect(currentRound(T0, T0 + 3 * ROUND_MS, 2)).toBe(1);
  });

  it('refuses a block stamped more than 2 s ahead of the receiver', () => {
    expect(isTooFarAhead(T0 + MAX_FUTURE_MS, T0)).toBe(false);
    expect(isTooFarAhead(T0 + MAX_FUTURE_MS + 1, T0)).toBe(true);
    expect(codeOf(() => checkNotFuture(T0 + MAX_FUTURE_MS + 1, T0))).toBe('FUTURE_BLOCK');
    expect(() => checkNotFuture(T0 + MAX_FUTURE_MS, T0)).not.toThrow();
  });
});
