/**
 * Time and rounds (docs/protocol.md, "Time and rounds"): one rule for validity and for waiting.
 * Round r of the block after a parent opens at parent.timestamp + r · ROUND_MS; a block of round
 * r is stamped at least max(1, r · ROUND_MS) after its parent, so timestamps strictly increase;
 * every path that accepts a block refuses one stamped more than MAX_FUTURE_MS ahead of the
 * receiver's clock. Time is always a parameter: the core reads no clock.
 */
import { ensure } from './errors.js';
import { MAX_FUTURE_MS, ROUND_MS } from './params.js';

/** When round `round` of the block after a parent stamped `parentTimestamp` opens (ms). */
export function roundOpensAt(parentTimestamp: number, round: number): number {
  return parentTimestamp + round * ROUND_MS;
}

/** The earliest timestamp a block of `round` after that parent may carry: strictly later, and not before its round. */
export function earliestTimestampV2(parentTimestamp: number, round: number): number {
  return parentTimestamp + Math.max(1, round * ROUND_MS);
}

/** The timestamp a validator of `round` stamps at `now`: its clock, unless that is before the earliest allowed. */
export function stampFor(parentTimestamp: number, round: number, now: number): number {
  return Math.max(now, earliestTimestampV2(parentTimestamp, round));
}

/** Throws TOO_EARLY unless `timestamp` may be a block of `round` after that parent. */
export function checkTimestamp(parentTimestamp: number, round: number, timestamp: number): void {
  const earliest = earliestTimestampV2(parentTimestamp, round);
  ensure(
    timestamp >= earliest,
    'TOO_EARLY',
    `a block of round ${round} is stamped at least ${earliest - parentTimestamp} ms after its parent; this one ${timestamp - parentTimestamp} ms`,
  );
}

/** True when a block stamped `timestamp` is too far ahead of the receiver's clock `now`. */
export function isTooFarAhead(timestamp: number, now: number): boolean {
  return timestamp > now + MAX_FUTURE_MS;
}

/** Throws FUTURE_BLOCK when a block stamped `timestamp` is too far ahead of `now`. */
export function checkNotFuture(timestamp: number, now: number): void {
  ensure(
    !isTooFarAhead(timestamp, now),
    'FUTURE_BLOCK',
    `the block is stamped ${timestamp - now} ms ahead of this node's clock (at most ${MAX_FUTURE_MS})`,
  );
}

/**
 * The round that is open at `now` for the block after a parent (the highest r whose opening has
 * passed, below `maxRounds`): the round a waiting node considers current.
 */
export function currentRound(parentTimestamp: number, now: number, maxRounds: number): number {
  if (now < parentTimestamp) return 0;
  return Math.min(maxRounds - 1, Math.floor((now - parentTimestamp) / ROUND_MS));
}
