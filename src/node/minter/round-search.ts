/**
 * Which round of the draw is this node's for the block after the tip (docs/protocol.md, "Time and
 * rounds", "Liveness"): its first round that its proposal record allows. Most blocks come in round
 * 0, and a node's own round is ten deep on average with ten stakers, so the search is made in two
 * steps: round 0 alone, then — once round 1 has opened — the later rounds. The draw is made once
 * per tip, and only as far as the round found, or asked for.
 */
import type { NodeCrypto } from '../../crypto/suite.js';
import { roundDrawV2, type TipV2 } from '../../core/consensus.js';
import { MAX_ROUNDS, type NetworkParams } from '../../core/params.js';
import { firstAllowedRoundOf, type ProposalRecord } from '../../core/proposal-record.js';
import type { RoundDraw } from '../../core/seed.js';

/**
 * This node's round on a tip: the round found; `later`: not round 0, and the later rounds not
 * searched yet; `none`: no round of the draw is this node's (or its record allows none of them).
 */
export type OwnRound = { round: number } | 'later' | 'none';

export class RoundSearch {
  /**
   * For the tip `hash`: the validators of the rounds for the block after it (drawn as far as asked),
   * and this node's first round under the proposal record `rec` among rounds 0 … `searched` − 1
   * (−1: none of them).
   */
  private last: { hash: string; draw: RoundDraw; rec: ProposalRecord; searched: number; round: number } | undefined;

  constructor(
    private readonly address: string,
    private readonly crypto: NodeCrypto,
  ) {}

  /**
   * This node's first round for the block after `tip` that `rec` allows (a later one than it signed
   * at this height before a switch), searched in round 0 only, or in every round when `allRounds`.
   * What was found for the same tip and record is answered again without a search.
   */
  find(params: NetworkParams, tip: TipV2, rec: ProposalRecord, allRounds: boolean): OwnRound {
    const rounds = allRounds ? MAX_ROUNDS : 1;
    const hash = tip.block.current_hash;
    const known = this.last?.hash === hash ? this.last : undefined;
    if (known?.rec !== rec || (known.round < 0 && known.searched < rounds)) {
      const draw = known?.draw ?? roundDrawV2(params, tip, this.crypto);
      const round = firstAllowedRoundOf(rec, tip.block.index + 1, (r) => draw.validatorOf(r), rounds, this.address);
      this.last = { hash, draw, rec, searched: rounds, round };
    }
    const { round, searched } = this.last!;
    if (round >= 0) return { round };
    return searched >= MAX_ROUNDS ? 'none' : 'later';
  }
}
