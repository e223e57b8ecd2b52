/**
 * Time and rounds (docs/protocol.md, "Time and rounds"): one rule for validity and for waiting.
 * Round r of the block after a parent opens `opening` ms after the parent's timestamp (version 2:
 * RoundSchedule, src/core/rounds.ts); a block of round r is stamped at least max(1, opening)
 * after its parent, so timestamps strictly increase; every path that accepts a block refuses one
 * stamped more than MAX_FUTURE_MS ahead of the receiver's clock. Time is always a parameter: the
 * core reads no clock.
 */
import { ensure } from './errors.js';
import { MAX_FUTURE_MS } from './params.js';

/** When a round that opens `opening` ms after a parent stamped `parentTimestamp` opens (ms). */
export function roundOpensAt(parentTimestamp: number, opening: number): number {
  return parentTimestamp + opening;
}

/** The earliest timestamp of a block whose round opens `opening` ms after its parent: strictly later, and not before its round. */
export function earliestTimestampV2(parentTimestamp: number, opening: number): number {
  return parentTimestamp + Math.max(1, opening);
}

/** The timestamp a validator stamps at `now` in a round opening `opening` ms after the parent: its clock, unless that is before the earliest allowed. */
export function stampFor(parentTimestamp: number, opening: number, now: number): number {
  return Math.max(now, earliestTimestampV2(parentTimestamp, opening));
}

/** Throws TOO_EARLY unless `timestamp` may be a block of `round`, which opens `opening` ms after that parent. */
export function checkTimestamp(parentTimestamp: number, round: number, opening: number, timestamp: number): void {
  const earliest = earliestTimestampV2(parentTimestamp, opening);
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
