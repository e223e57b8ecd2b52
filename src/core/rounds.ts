/**
 * Version 2's round openings (docs/protocol.md, "Time and rounds"): a branch remembers which
 * validators made the block of their last turn (`live`), and round i of the next draw lasts
 * LIVE_ROUND_MS when its validator is one of them and holds no earlier round at this height,
 * ROUND_MS otherwise. Validity and the minter's
 * timer both read the openings from here, so that waiting and validity are one rule.
 */
import { LIVE_ROUND_MS, ROUND_MS } from './params.js';
import type { RoundDraw } from './seed.js';

/** The validators of the rounds at one height (a RoundDraw). */
export type Drawn = Pick<RoundDraw, 'validatorOf'>;

/** The validators that made the block of their last turn on a branch. */
export type Live = ReadonlySet<string>;

/** The genesis state's: nobody has had a turn. */
export function noTurns(): Live {
  return new Set();
}

/**
 * `live` after a block of `round` by `validator`, `draw` being the draw for its height: the
 * validators of the rounds before it missed their turn, its own made it. Unchanged (the same
 * set) in the common case, a round-0 block by a validator already live.
 */
export function liveAfter(live: Live, draw: Drawn, round: number, validator: string): Live {
  if (round === 0 && live.has(validator)) return live;
  const next = new Set(live);
  for (let r = 0; r < round; r++) next.delete(draw.validatorOf(r));
  next.add(validator);
  return next;
}

/** How long a round lasts whose validator is or is not live (and not slashed). */
export function roundLength(live: boolean): number {
  return live ? LIVE_ROUND_MS : ROUND_MS;
}

/**
 * The openings of the rounds for the block after one tip: ms after the tip's timestamp, computed
 * as far as asked (drawing no validator beyond the rounds before the one asked for).
 */
export class RoundSchedule {
  private readonly openings = [0];
  /** The validators of the rounds whose length is counted: a live one's round is long only the first time. */
  private readonly counted = new Set<string>();

  constructor(
    private readonly draw: Drawn,
    private readonly live: Live,
    private readonly slashed: ReadonlySet<string>,
  ) {}

  /**
   * opening(r) = Σ_{i<r} length(i): ms after the parent's timestamp at which round `round` opens.
   * Round i is long when its validator is live, not slashed and not the validator of an earlier
   * round at this height: a validator that is down then costs one long round, however many rounds
   * the draw gives it.
   */
  openingOf(round: number): number {
    while (this.openings.length <= round) {
      const i = this.openings.length - 1;
      const validator = this.draw.validatorOf(i);
      const long = this.live.has(validator) && !this.slashed.has(validator) && !this.counted.has(validator);
      this.counted.add(validator);
      this.openings.push(this.openings[i]! + roundLength(long));
    }
    return this.openings[round]!;
  }
}
