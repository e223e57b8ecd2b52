/**
 * A grinding staker on a simulated version-2 network, with the core's real rules (issue 12). Four
 * stakers; one, the grinder, holds `grinderShare` of the stake. For every block whose round-0
 * validator it is, the grinder signs `variants` different blocks — timestamps, which signed transfers
 * of a pool and in which order, its own stake transaction in or out — applies each with applyBlockV2
 * on the parent, and from each resulting state computes the round-0 validators of every later
 * height it can compute (the rest of the epoch; the whole next epoch once its block is the epoch's
 * last, since that block's mix is the next seed). It publishes a variant with the most wins among
 * them. The others mint one plain block. docs/protocol.md says no variant changes a draw; the run
 * counts the distinct draw outcomes per block to check it.
 *
 * What is skipped to afford it: the transfers of the pool are signed once and their signatures
 * verified once when the pool is made (applyBlockV2's `verifyTx` option then trusts them, as a node
 * trusts what its pool verified). Every variant's block seal is signed and verified, its reveal
 * checked, its transactions applied to the ledger, and its seed state advanced, all by applyBlockV2.
 */
import { genesisBlock } from '../src/core/block.js';
import { signBlockV2, type BlockV2 } from '../src/core/blockv2.js';
import { applyBlockV2, genesisTipV2, type TipV2 } from '../src/core/consensus.js';
import type { Crypto } from '../src/core/crypto.js';
import { OnionChain, onionSecret } from '../src/core/onion.js';
import { SEED_EPOCH_BLOCKS, type NetworkParams } from '../src/core/params.js';
import { validatorsAt } from '../src/core/seed.js';
import { earliestTimestampV2 } from '../src/core/time.js';
import { signTransaction, verifyTransaction } from '../src/core/transaction.js';
import type { Transaction } from '../src/core/types.js';

export interface GrindingOptions {
  readonly crypto: Crypto;
  /** Seed epochs simulated after the two set-up epochs (in which nobody stakes yet). */
  readonly epochs: number;
  /** Variants the grinder signs and applies for each of its blocks (1: it does not grind). */
  readonly variants: number;
}

export interface GrindingRecord {
  epochs: number;
  /** Blocks counted: the simulated epochs. */
  blocks: number;
  stakeShare: number;
  grinderBlocks: number;
  expected: number;
  sigma: number;
  /** (grinderBlocks − expected) / sigma */
  deviationSigma: number;
  grindedBlocks: number;
  variantsPerBlock: number;
  variantsTotal: number;
  /** Blocks at which the variants led to more than one draw outcome (protocol: none). */
  blocksWithDifferentDraws: number;
  /** The most distinct draw outcomes the variants of one block led to (protocol: 1). */
  maxOutcomesPerBlock: number;
  /** Heights (of the counted ones) whose block the grinder made. */
  grinderHeights: number[];
  /** The hash of the last block: a grinding chain's differs from the plain one's. */
  lastHash: string;
  seconds: number;
  command: string;
}

const PER_NODE = 100_000;
const STAKE = 1000;
/** Transfers of each other staker in the pool at a time (one of them fits its next nonce). */
const CHOICES = 4;

/**
 * The round-0 … rounds−1 validators of every height after `tip` that its seed state fixes: the rest
 * of the epoch, and all of the next epoch when `tip` ends an epoch; `key` (JSON, with the seed and
 * the stakers) compares outcomes.
 */
export function computableDraws(tip: TipV2, bootstrap: string, rounds: number, crypto: Crypto): { key: string; draws: string[][] } {
  const next = tip.block.index + 1;
  const end = (Math.floor(next / SEED_EPOCH_BLOCKS) + 1) * SEED_EPOCH_BLOCKS;
  const draws: string[][] = [];
  for (let h = next; h < end; h++) draws.push(validatorsAt(tip.seed, h, bootstrap, rounds, crypto));
  return { key: JSON.stringify({ seed: tip.seed.seed, stakers: tip.seed.stakers, draws }), draws };
}

/** The transaction lists a validator may choose from: every ordered pick of at most one transfer per sender. */
export function orderedPicks(bySender: ReadonlyArray<readonly Transaction[]>): Transaction[][] {
  const out: Transaction[][] = [];
  const walk = (prefix: Transaction[], used: ReadonlySet<number>) => {
    out.push(prefix);
    bySender.forEach((txs, s) => {
      if (used.has(s)) return;
      for (const tx of txs) walk([...prefix, tx], new Set([...used, s]));
    });
  };
  walk([], new Set());
  return out;
}

interface Staker {
  readonly secret: string;
  readonly address: string;
  readonly onion: OnionChain;
}

/** Runs the simulation; deterministic for given options (fixed keys, no clock in the chain). */
export function simulateGrinding(opts: GrindingOptions): GrindingRecord {
  const started = Date.now();
  const { crypto, epochs, variants } = opts;
  const secrets = [0, 1, 2, 3].map((i) => crypto.sha256Hex(`bench-grinding-${i}`));
  const genesis = genesisBlock(crypto.addressOf(secrets[0]!), 4, 1_700_000_000_000, crypto);
  const { params, tip: first } = genesisTipV2(genesis, 4, 5, crypto);
  const stakers: Staker[] = secrets.map((secret) => ({
    secret,
    address: crypto.addressOf(secret),
    onion: new OnionChain(onionSecret(params.domain, secret, 0, crypto), undefined, undefined, crypto),
  }));
  const byAddress = new Map(stakers.map((s) => [s.address, s]));
  const [boot, grinder] = stakers as [Staker, Staker];
  const tx = (from: Staker, fields: Omit<Transaction, 'sender' | 'id' | 'signature'>) =>
    signTransaction(params.domain, from.secret, fields, crypto);
  const coins = (from: Staker, to: string, amount: number, nonce: number) =>
    tx(from, { receiver: to, type: 'coins', amount, message: '', nonce });
  const stake = (from: Staker, amount: number, nonce: number) => tx(from, { receiver: '0', type: 'stake', amount, message: '', nonce });
  const nonceOf = (tip: TipV2, s: Staker) => tip.ledger.get(s.address)?.nonce ?? 0;
  const verified = new Set<string>();
  const trusted = (domain: string, t: Transaction) => {
    if (!verified.has(t.id)) verifyTransaction(domain, t, crypto);
  };
  const reveal = (tip: TipV2, s: Staker) => {
    const entry = tip.seed.onions.get(s.address);
    return entry === undefined ? s.onion.root : s.onion.value(entry.count + 1);
  };
  const sign = (tip: TipV2, s: Staker, txs: readonly Transaction[], timestamp: number): BlockV2 =>
    signBlockV2(
      params.domain,
      tip.block,
      0,
      { transactions: txs, reveal: reveal(tip, s), votes: [], evidence: [] },
      timestamp,
      s.secret,
      crypto,
    );
  const apply = (tip: TipV2, b: BlockV2) => applyBlockV2(params, tip, b, { crypto, verifyTx: trusted });
  const plain = (tip: TipV2, s: Staker, txs: readonly Transaction[] = []) =>
    apply(tip, sign(tip, s, txs, earliestTimestampV2(tip.block.timestamp, 0)));

  // Set-up: fund and stake everyone in the first epoch; epochs 0 and 1 are the bootstrap's.
  let tip = plain(
    first,
    boot,
    [1, 2, 3].map((i) => coins(boot, stakers[i]!.address, PER_NODE, i - 1)),
  );
  tip = plain(tip, boot, [stake(boot, STAKE, 3), ...[1, 2, 3].map((i) => stake(stakers[i]!, STAKE, 0))]);
  while (tip.block.index + 1 < 2 * SEED_EPOCH_BLOCKS) tip = plain(tip, boot);

  const last = (2 + epochs) * SEED_EPOCH_BLOCKS - 1;
  const record: GrindingRecord = {
    epochs,
    blocks: last - 2 * SEED_EPOCH_BLOCKS + 1,
    stakeShare: 0,
    grinderBlocks: 0,
    expected: 0,
    sigma: 0,
    deviationSigma: 0,
    grindedBlocks: 0,
    variantsPerBlock: variants,
    variantsTotal: 0,
    blocksWithDifferentDraws: 0,
    maxOutcomesPerBlock: 0,
    grinderHeights: [],
    lastHash: '',
    seconds: 0,
    command: '',
  };
  while (tip.block.index < last) {
    const height = tip.block.index + 1;
    const validator = byAddress.get(validatorsAt(tip.seed, height, params.bootstrap, 1, crypto)[0]!)!;
    if (validator !== grinder) {
      tip = plain(tip, validator);
      continue;
    }
    record.grinderBlocks++;
    record.grinderHeights.push(height);
    if (variants <= 1) {
      tip = plain(tip, grinder);
      continue;
    }
    tip = grind(params, tip, variants);
  }
  return finish(record, stakers, tip, started);

  /** The grinder's turn: signs and applies every variant, publishes one with the most computable wins. */
  function grind(p: NetworkParams, parent: TipV2, count: number): TipV2 {
    const others = stakers.filter((s) => s !== grinder);
    const pool = others.map((s) => {
      const to = stakers.filter((x) => x !== s);
      return Array.from({ length: CHOICES }, (_, c) => coins(s, to[c % to.length]!.address, 100 + c, nonceOf(parent, s)));
    });
    for (const t of pool.flat()) {
      verifyTransaction(p.domain, t, crypto);
      verified.add(t.id);
    }
    const own = stake(grinder, STAKE, nonceOf(parent, grinder)); // re-staking the same amount: stake unchanged
    verified.add(own.id);
    const picks = orderedPicks(pool).flatMap((txs) => [txs, [...txs, own]]);
    const earliest = earliestTimestampV2(parent.block.timestamp, 0);
    const outcomes = new Set<string>();
    let best: TipV2 | undefined;
    let bestWins = -1;
    for (let i = 0; i < count; i++) {
      const variant = apply(parent, sign(parent, grinder, picks[i % picks.length]!, earliest + Math.floor(i / picks.length)));
      const { key, draws } = computableDraws(variant, p.bootstrap, 1, crypto);
      outcomes.add(key);
      const won = draws.filter(([v]) => v === grinder.address).length;
      // ties go to the later variant, so the published chain is not the plain one
      if (won >= bestWins) [best, bestWins] = [variant, won];
    }
    record.grindedBlocks++;
    record.variantsTotal += count;
    if (outcomes.size !== 1) record.blocksWithDifferentDraws++;
    record.maxOutcomesPerBlock = Math.max(record.maxOutcomesPerBlock, outcomes.size);
    return best!;
  }
}

function finish(r: GrindingRecord, stakers: readonly Staker[], tip: TipV2, started: number): GrindingRecord {
  let total = 0;
  for (const [, s] of tip.seed.stakers) total += s;
  const mine = tip.seed.stakers.find(([a]) => a === stakers[1]!.address)?.[1] ?? 0;
  const p = mine / total;
  const n = r.blocks;
  const sigma = Math.sqrt(n * p * (1 - p));
  return {
    ...r,
    stakeShare: p,
    lastHash: tip.block.current_hash,
    expected: n * p,
    sigma,
    deviationSigma: (r.grinderBlocks - n * p) / sigma,
    seconds: (Date.now() - started) / 1000,
  };
}

/** The bench's experiment: the grinding chain, and the same network without grinding to compare with. */
export interface GrindingReport extends GrindingRecord {
  /** The grinder's blocks when it mints plain blocks instead (same keys, same onions). */
  plainGrinderBlocks: number;
  /** Whether it made exactly the same heights either way. */
  sameHeightsAsPlain: boolean;
}

export function runGrindingExperiment(crypto: Crypto, epochs: number, variants: number, command: string): GrindingReport {
  const grinding = simulateGrinding({ crypto, epochs, variants });
  const plain = simulateGrinding({ crypto, epochs, variants: 1 });
  return {
    ...grinding,
    command,
    plainGrinderBlocks: plain.grinderBlocks,
    sameHeightsAsPlain: JSON.stringify(plain.grinderHeights) === JSON.stringify(grinding.grinderHeights),
  };
}

/** The experiment's section of bench-run.md. */
export function grindingMarkdown(g: GrindingReport): string[] {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  return [
    '## Grinding staker (simulated, version-2 core rules)',
    '',
    `4 stakers, the grinder holding ${pct(g.stakeShare)} of the stake, ${g.blocks} blocks (${g.epochs} epochs of 32). For each of its ` +
      `${g.grindedBlocks} blocks it signed and applied ${g.variantsPerBlock} variants (${g.variantsTotal} in all) and published one ` +
      'with the most wins among the later draws it could compute. Pool transfers were verified once, not per variant; every ' +
      "variant's seal, reveal, ledger and seed went through applyBlockV2.",
    '',
    '| stake share p | blocks n | grinder blocks | block share | expected n·p | σ | deviation | draw outcomes per block (max) | blocks whose variants changed a draw | grinder blocks without grinding |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    `| ${pct(g.stakeShare)} | ${g.blocks} | ${g.grinderBlocks} | ${pct(g.grinderBlocks / g.blocks)} | ${g.expected.toFixed(1)} | ` +
      `${g.sigma.toFixed(2)} | ${g.deviationSigma.toFixed(2)} σ | ${g.maxOutcomesPerBlock} | ${g.blocksWithDifferentDraws} | ${g.plainGrinderBlocks}` +
      `${g.sameHeightsAsPlain ? ' (the same heights)' : ' (other heights)'} |`,
    '',
    `Command: \`${g.command}\` (${g.seconds.toFixed(0)} s)`,
    '',
  ];
}
