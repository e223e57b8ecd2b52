/** Shared builders of the version-2 unit tests: a small network whose blocks are really signed. */
import { genesisBlock } from '../../src/core/block.js';
import { signBlockV2, type BlockContents, type BlockV2 } from '../../src/core/blockv2.js';
import { applyBlockV2, genesisTipV2, roundScheduleV2, type TipV2 } from '../../src/core/consensus.js';
import { OnionChain, onionSecret } from '../../src/core/onion.js';
import { MAX_ROUNDS, SEED_EPOCH_BLOCKS } from '../../src/core/params.js';
import { roundAt, validatorsAt } from '../../src/core/seed.js';
import { earliestTimestampV2 } from '../../src/core/time.js';
import { signTransaction } from '../../src/core/transaction.js';
import type { Transaction } from '../../src/core/types.js';
import { signVote, type Checkpoint, type Vote } from '../../src/core/vote.js';
import { voteToCast, weightsFrom } from '../../src/core/finality.js';
import { key, type KeyPair } from './fixtures.js';

export const T0 = 1_700_000_000_000;
export const KEYS4: readonly KeyPair[] = [key(0), key(1), key(2), key(3)];
export const N_NODES = 4;
export const CAPACITY = 5;
export const GENESIS = genesisBlock(KEYS4[0]!.address, N_NODES, T0);
export const NET = genesisTipV2(GENESIS, N_NODES, CAPACITY);
export const PARAMS = NET.params;
export const DOMAIN = PARAMS.domain;
export const SUPPLY = N_NODES * 1000 * 100;

export function keyOf(address: string): KeyPair {
  const k = KEYS4.find((x) => x.address === address);
  if (!k) throw new Error(`no key for ${address}`);
  return k;
}

/** Each key's first onion, built once (65,536 hashes each). */
const onions = new Map<string, OnionChain>();
export function onionOf(k: KeyPair): OnionChain {
  let o = onions.get(k.address);
  if (!o) {
    o = new OnionChain(onionSecret(DOMAIN, k.secret, 0));
    onions.set(k.address, o);
  }
  return o;
}

/** The reveal `k` must show in its next block on `tip`. */
export function revealFor(tip: TipV2, k: KeyPair): string {
  const entry = tip.seed.onions.get(k.address);
  return entry === undefined ? onionOf(k).root : onionOf(k).value(entry.count + 1);
}

/** A signed transaction with an explicit nonce. */
export function coinsTx(from: KeyPair, to: string, amount: number, nonce: number): Transaction {
  return signTransaction(DOMAIN, from.secret, { receiver: to, type: 'coins', amount, message: '', nonce });
}
export function stakeTx(from: KeyPair, amount: number, nonce: number): Transaction {
  return signTransaction(DOMAIN, from.secret, { receiver: '0', type: 'stake', amount, message: '', nonce });
}

export interface MintOptions {
  readonly round?: number;
  readonly timestamp?: number;
  readonly by?: KeyPair;
}

/**
 * The block the validator of `round` (default: the first not slashed) signs on `tip` in that round,
 * stamped at the earliest its round allows; with `by`, that key signs it, in `round` or else the
 * first round it wins (0 if none).
 */
export function blockOn(tip: TipV2, contents: Partial<BlockContents> = {}, opts: MintOptions = {}): BlockV2 {
  const drawn = validatorsAt(tip.seed, tip.block.index + 1, PARAMS.bootstrap, MAX_ROUNDS);
  // by default the first round whose validator is not slashed on this branch
  const round = opts.round ?? drawn.findIndex((v) => !tip.slashing.slashed.has(v));
  const by = opts.by ?? keyOf(drawn[round]!);
  const r = opts.by ? (opts.round ?? Math.max(roundAt(tip.seed, tip.block.index + 1, PARAMS.bootstrap, by.address, MAX_ROUNDS), 0)) : round;
  const timestamp = opts.timestamp ?? earliestTimestampV2(tip.block.timestamp, roundScheduleV2(PARAMS, tip).openingOf(r));
  return signBlockV2(
    DOMAIN,
    tip.block,
    r,
    { transactions: [], votes: [], evidence: [], reveal: revealFor(tip, by), ...contents },
    timestamp,
    by.secret,
  );
}

/** Mints and applies the next block. */
export function mint(tip: TipV2, contents: Partial<BlockContents> = {}, opts: MintOptions = {}): TipV2 {
  return applyBlockV2(PARAMS, tip, blockOn(tip, contents, opts));
}

/** Votes of `voters` for the tip's vote-to-cast link, given explicitly. */
export function votesFor(voters: readonly KeyPair[], source: Checkpoint, target: Checkpoint): Vote[] {
  return voters.map((k) => signVote(DOMAIN, k.secret, source, target));
}

/**
 * Mints `count` blocks on `tip`; each carries, from every voter with weight in the source's table
 * that has not voted for that height yet, its vote for the record's vote-to-cast link.
 */
export function advance(tip: TipV2, count: number, voters: readonly KeyPair[], contents: Partial<BlockContents> = {}): TipV2 {
  let t = tip;
  for (let i = 0; i < count; i++) {
    const cast = voteToCast(t.finality);
    let votes: Vote[] = [];
    if (cast) {
      const table = weightsFrom(t.finality, cast.source.height)!;
      const eligible = voters.filter(
        (k) =>
          table.weights.has(k.address) &&
          (t.finality.lastTarget.get(k.address) ?? -1) < cast.target.height &&
          !t.slashing.slashed.has(k.address),
      );
      votes = votesFor(eligible, cast.source, cast.target);
    }
    t = mint(t, i === 0 ? { ...contents, votes: [...(contents.votes ?? []), ...votes] } : { votes });
  }
  return t;
}

/**
 * A chain where all four keys stake 1000 each (funded by the bootstrap at block 1, staked at
 * block 2), extended with empty blocks (no votes) to height `height`, at least 2 · SEED_EPOCH_BLOCKS
 * so that the draw names the stakers. Returns every tip, from the genesis.
 */
export function stakedChain(height = 2 * SEED_EPOCH_BLOCKS + 2): TipV2[] {
  const [A, B, C, D] = KEYS4 as [KeyPair, KeyPair, KeyPair, KeyPair];
  const tips: TipV2[] = [NET.tip];
  let t = mint(NET.tip, {
    transactions: [coinsTx(A, B.address, 100_000, 0), coinsTx(A, C.address, 100_000, 1), coinsTx(A, D.address, 100_000, 2)],
  });
  tips.push(t);
  t = mint(t, { transactions: [stakeTx(A, 1000, 3), stakeTx(B, 1000, 0), stakeTx(C, 1000, 0), stakeTx(D, 1000, 0)] });
  tips.push(t);
  while (t.block.index < height) {
    t = mint(t);
    tips.push(t);
  }
  return tips;
}
