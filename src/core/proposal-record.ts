/**
 * The proposal record (docs/protocol.md, "Liveness: what the node does"): what a validator keeps
 * so that it never signs two blocks for one (height, round), across crashes, in constant space,
 * and yet may propose again at a height in a later round after its branch lost.
 *
 * (H, M, B): H the highest height signed; M the highest round signed at any height in (B, H];
 * B a floor at or below the node's finalised height. It may sign (h, r) iff h > H, or
 * B < h ≤ H and r > M. After signing, H := max(H, h) and M := max(M, r); once the finalised
 * height reaches H, B := H and M := −1. Why it is safe: H never falls; until the reset M ≥ r for
 * every (h, r) signed, and after it B ≥ h.
 */
import { MAX_ROUNDS } from './params.js';

export interface ProposalRecord {
  /** The highest height signed (0: none). */
  readonly height: number;
  /** The highest round signed at any height above `floor` (−1: none). */
  readonly round: number;
  /** No height at or below it is ever signed again (at or below the finalised height). */
  readonly floor: number;
}

/** The record of a validator that never signed. */
export const NO_PROPOSAL: ProposalRecord = { height: 0, round: -1, floor: 0 };

/** True when a validator holding `rec` may sign a block at `height` in `round`. */
export function mayPropose(rec: ProposalRecord, height: number, round: number): boolean {
  return height > rec.height || (height > rec.floor && round > rec.round);
}

/** The record after signing (height, round); call only when mayPropose holds. */
export function afterProposal(rec: ProposalRecord, height: number, round: number): ProposalRecord {
  return { height: Math.max(rec.height, height), round: Math.max(rec.round, round), floor: rec.floor };
}

/** The record once the node's finalised height is `finalised`: unchanged until it reaches H, then (H, −1, H). */
export function afterFinal(rec: ProposalRecord, finalised: number): ProposalRecord {
  if (finalised < rec.height || (rec.floor === rec.height && rec.round === -1)) return rec;
  return { height: rec.height, round: -1, floor: rec.height };
}

/** The first round below `rounds.length` whose validator is `address` and that `rec` allows at `height`; −1 if none. */
export function firstAllowedRound(rec: ProposalRecord, height: number, rounds: readonly string[], address: string): number {
  return firstAllowedRoundOf(rec, height, (r) => rounds[r]!, rounds.length, address);
}

/**
 * firstAllowedRound over rounds 0 … count−1 whose validators are asked for one by one, in order,
 * and not beyond the round found (a lazy draw computes only those).
 */
export function firstAllowedRoundOf(
  rec: ProposalRecord,
  height: number,
  validatorOf: (round: number) => string,
  count: number,
  address: string,
): number {
  for (let r = 0; r < count; r++) if (validatorOf(r) === address && mayPropose(rec, height, r)) return r;
  return -1;
}

/** The record as text on disk: "H M B". */
export function formatProposalRecord(rec: ProposalRecord): string {
  return `${rec.height} ${rec.round} ${rec.floor}`;
}

const isCount = (x: number): boolean => Number.isSafeInteger(x) && x >= 0;

/**
 * Reads the record's text: "H M B"; a record from before rounds were explicit holds only "H"
 * and reads as (H, −1, 0): the blocks it stood for had no round in their hash, so none of them
 * is a valid block today nor half of evidence with one (docs/protocol.md, "What a staker keeps
 * on disk"); with M = MAX_ROUNDS − 1 a validator drawn in every round whose chain is below H
 * could never sign again. Empty
 * text is NO_PROPOSAL; anything else is refused (undefined), so that a node never signs on a
 * record it cannot read.
 */
export function parseProposalRecord(text: string): ProposalRecord | undefined {
  if (text === '') return NO_PROPOSAL;
  const parts = text.split(' ');
  if (!parts.every((p) => /^-?[0-9]{1,16}$/.test(p))) return undefined;
  const [h, m, b] = parts.map(Number);
  if (parts.length === 1 && isCount(h!)) return { height: h!, round: -1, floor: 0 };
  if (parts.length !== 3 || !isCount(h!) || !isCount(b!) || b! > h!) return undefined;
  if (!Number.isSafeInteger(m) || m! < -1 || m! >= MAX_ROUNDS) return undefined;
  return { height: h!, round: m!, floor: b! };
}
