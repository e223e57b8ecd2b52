/**
 * Accountability (docs/protocol.md, "Slashing"): evidence that a validator signed two blocks for
 * one height and round, or that a staker signed two conflicting votes; and what applying it does to the
 * state — the offender's whole stake is burned, it joins the branch's slashed set, and the burned
 * amount leaves the supply.
 */
import { nobleCrypto, type Crypto } from './crypto.js';
import { canonText } from './encoding.js';
import { ensure, ProtocolError } from './errors.js';
import { checkHeaderShape, verifyHeaderSeal, type Header } from './header.js';
import { accountOf, type Ledger } from './state.js';
import { checkVoteShape, verifyVote, voteConflict, voteId, type Vote } from './vote.js';
import type { Account } from './types.js';

export interface DoubleBlockEvidence {
  readonly kind: 'double_block';
  /** first.current_hash < second.current_hash */
  readonly first: Header;
  readonly second: Header;
}

export interface DoubleVoteEvidence {
  readonly kind: 'double_vote';
  /** vote id of first < vote id of second */
  readonly first: Vote;
  readonly second: Vote;
}

export type Evidence = DoubleBlockEvidence | DoubleVoteEvidence;

export const EVIDENCE_TAG = 'blockchat/evidence';

/** The ids of the two statements, in the evidence's order. */
function idsOf(domain: string, e: Evidence, crypto: Crypto): [string, string] {
  if (e.kind === 'double_block') return [e.first.current_hash, e.second.current_hash];
  return [voteId(domain, e.first, crypto), voteId(domain, e.second, crypto)];
}

/** evidence id = hex(SHA-256(canon(["blockchat/evidence", kind, id of first, id of second]))). */
export function evidenceId(domain: string, e: Evidence, crypto: Crypto = nobleCrypto): string {
  const [a, b] = idsOf(domain, e, crypto);
  return crypto.sha256Hex(canonText([EVIDENCE_TAG, e.kind, a, b]));
}

/** Who the evidence convicts. */
export function offenderOf(e: Evidence): string {
  return e.kind === 'double_block' ? e.first.validator : e.first.staker;
}

/** Evidence from two headers, in canonical order; throws BAD_EVIDENCE unless they convict. */
export function doubleBlockEvidence(domain: string, a: Header, b: Header, crypto: Crypto = nobleCrypto): DoubleBlockEvidence {
  const e: DoubleBlockEvidence =
    a.current_hash < b.current_hash ? { kind: 'double_block', first: a, second: b } : { kind: 'double_block', first: b, second: a };
  verifyEvidence(domain, e, crypto);
  return e;
}

/** Evidence from two votes, in canonical order; throws BAD_EVIDENCE unless they conflict. */
export function doubleVoteEvidence(domain: string, a: Vote, b: Vote, crypto: Crypto = nobleCrypto): DoubleVoteEvidence {
  const e: DoubleVoteEvidence =
    voteId(domain, a, crypto) < voteId(domain, b, crypto)
      ? { kind: 'double_vote', first: a, second: b }
      : { kind: 'double_vote', first: b, second: a };
  verifyEvidence(domain, e, crypto);
  return e;
}

/**
 * The form evidence must have before anything is hashed from it (BAD_EVIDENCE): a known kind and
 * two statements with fields of the right types. Signatures and the conflict are verifyEvidence's.
 */
export function checkEvidenceShape(e: Evidence, crypto: Crypto = nobleCrypto): void {
  ensure(typeof e === 'object' && e !== null, 'BAD_EVIDENCE', 'evidence must be an object');
  ensure(e.kind === 'double_block' || e.kind === 'double_vote', 'BAD_EVIDENCE', 'kind must be double_block or double_vote');
  for (const [what, x] of [
    ['first', e.first],
    ['second', e.second],
  ] as const) {
    if (e.kind === 'double_block') statement(`${what} header`, () => checkHeaderShape(x as Header, crypto));
    else statement(`${what} vote`, () => checkVoteShape(x as Vote, crypto));
  }
}

/** Runs a check of one statement; its failure becomes BAD_EVIDENCE naming the statement. */
function statement<T>(what: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    throw new ProtocolError('BAD_EVIDENCE', `${what}: ${err.message}`, err.code);
  }
}

/**
 * Checks that the evidence is self-proving on this network: both statements are signed by the
 * offender, in canonical order, and conflict. Throws BAD_EVIDENCE with the reason.
 */
export function verifyEvidence(domain: string, e: Evidence, crypto: Crypto = nobleCrypto): void {
  checkEvidenceShape(e, crypto);
  if (e.kind === 'double_block') {
    statement('first header', () => verifyHeaderSeal(domain, e.first, crypto));
    statement('second header', () => verifyHeaderSeal(domain, e.second, crypto));
    ensure(e.first.validator === e.second.validator, 'BAD_EVIDENCE', 'the two blocks have different validators');
    ensure(e.first.index === e.second.index, 'BAD_EVIDENCE', 'the two blocks are at different heights');
    ensure(e.first.round === e.second.round, 'BAD_EVIDENCE', 'the two blocks are in different rounds');
    ensure(e.first.current_hash < e.second.current_hash, 'BAD_EVIDENCE', 'the two blocks must differ, the smaller hash first');
    return;
  }
  const a = statement('first vote', () => verifyVote(domain, e.first, crypto));
  const b = statement('second vote', () => verifyVote(domain, e.second, crypto));
  ensure(a < b, 'BAD_EVIDENCE', 'the two votes must differ, the smaller id first');
  ensure(
    voteConflict(e.first, e.second) !== undefined,
    'BAD_EVIDENCE',
    'the two votes neither share a target height nor surround one another',
  );
}

/** What slashing keeps on a branch: who is slashed, and how many units were burned. */
export interface SlashingState {
  readonly slashed: ReadonlySet<string>;
  readonly burned: number;
}

/** The slashing state after the genesis: nobody slashed, nothing burned. */
export function noSlashing(): SlashingState {
  return { slashed: new Set<string>(), burned: 0 };
}

/**
 * Applies verified evidence: BAD_EVIDENCE if the offender is already slashed; otherwise burns its
 * whole stake (balance untouched), adds it to `burned` and marks it slashed. Returns the new
 * ledger and slashing state; the inputs are untouched.
 */
export function applyEvidence(
  ledger: Ledger,
  slashing: SlashingState,
  e: Evidence,
): { ledger: Ledger; slashing: SlashingState; burned: number } {
  const offender = offenderOf(e);
  ensure(!slashing.slashed.has(offender), 'BAD_EVIDENCE', 'the offender is already slashed on this branch');
  const acc = accountOf(ledger, offender);
  const draft = new Map(ledger);
  const after: Account = { ...acc, stake: 0 };
  if (ledger.has(offender) || acc.stake > 0) draft.set(offender, after);
  const slashed = new Set(slashing.slashed);
  slashed.add(offender);
  return { ledger: draft, slashing: { slashed, burned: slashing.burned + acc.stake }, burned: acc.stake };
}

/** Σ balance + Σ stake + burned: equals the total supply after every block of version 2. */
export function supplyWithBurned(ledger: Ledger, slashing: SlashingState): number {
  let sum = slashing.burned;
  for (const acc of ledger.values()) sum += acc.balance + acc.stake;
  return sum;
}
