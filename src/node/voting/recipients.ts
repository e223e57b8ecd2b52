/**
 * Who needs this staker's vote before a block carries it (docs/protocol.md, "Liveness"): the
 * validators that make the next blocks. A vote reaches the chain through the next block whose
 * validator holds it, so the validators of rounds 0 and 1 of the height after the tip (round 1
 * takes over if round 0's validator is down) and of round 0 of the two heights after that (the
 * height after the tip is often minted before the votes for its parent arrive) are enough; every
 * other node reads the vote in that block.
 */
import { roundDrawV2, type TipV2 } from '../../core/consensus.js';
import type { Crypto } from '../../core/crypto.js';
import { epochOf, validatorsAt } from '../../core/seed.js';
import type { NetworkParams } from '../../core/params.js';

/** Heights after the tip whose round-0 validators receive a vote. */
export const VOTE_HEIGHTS = 3;

/**
 * The addresses to send a vote to, on the branch of `tip`, `self` left out: as far as the draw is
 * known, that is, within the seed epoch of the height after the tip (a later epoch's seed is not
 * fixed yet).
 */
export function voteRecipients(params: NetworkParams, tip: TipV2, self: string, crypto: Crypto): string[] {
  const next = tip.block.index + 1;
  const draw = roundDrawV2(params, tip, crypto);
  const out = new Set<string>([draw.validatorOf(0), draw.validatorOf(1)]);
  for (let h = next + 1; h < next + VOTE_HEIGHTS && epochOf(h) === epochOf(next); h++) {
    out.add(validatorsAt(tip.seed, h, params.bootstrap, 1, crypto)[0]!);
  }
  out.delete(self);
  return [...out];
}
