/**
 * The metrics of SPEC part D, as pure functions shared by the tester, the load generator and the
 * benchmark. No I/O here: everything is computed from numbers the watcher recorded.
 *
 * - Throughput = committed ÷ seconds from the first submission to the moment the last committed
 *   transaction is in a block on every node.
 * - Block time = mean seconds between consecutive blocks produced during the run (validator
 *   timestamps).
 * - Latency = submit → in a block on every node, p50 and p99.
 * - Time to final = submit → in a block at or below the finalised checkpoint on every node, p50 and
 *   p99 (protocol version 2), as the watcher observed it (the nodes' `final` events or status).
 */
import { feeOf } from '../core/fees.js';
import type { Transaction } from '../core/types.js';

/** The one JSON object `tester --json` and `load --json` print (SPEC part C). */
export interface RunSummary {
  submitted: number;
  committed: number;
  rejected: Record<string, number>;
  throughput_tps: number;
  block_time_s: number;
  latency_ms: { p50: number; p99: number };
  /** Committed transactions seen final on every node; null when the nodes report no finality. */
  finalized: number | null;
  /** Submit → final on every node, over the `finalized` transactions; null as `finalized`. */
  final_latency_ms: { p50: number; p99: number } | null;
  blocks: number;
  block_sizes: Record<string, number>;
  nodes_agree: boolean;
}

/**
 * The p-th percentile (0 ≤ p ≤ 100) by the nearest-rank method: the smallest value with at least
 * p % of the values at or below it. 0 for no values.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is not within 0 … 100`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * Mean seconds between consecutive blocks, given their timestamps (ms) in chain order. With fewer
 * than two blocks there is no interval: 0.
 */
export function meanBlockTimeS(timestampsMs: readonly number[]): number {
  if (timestampsMs.length < 2) return 0;
  let sum = 0;
  for (let i = 1; i < timestampsMs.length; i++) sum += (timestampsMs[i] as number) - (timestampsMs[i - 1] as number);
  return sum / (timestampsMs.length - 1) / 1000;
}

/** How many blocks hold each number of transactions: `{ "5": 120, "3": 2 }`. */
export function sizeHistogram(sizes: readonly number[]): Record<string, number> {
  const counts = new Map<number, number>();
  for (const s of sizes) counts.set(s, (counts.get(s) ?? 0) + 1);
  const out: Record<string, number> = {};
  for (const [size, count] of [...counts.entries()].sort((a, b) => a[0] - b[0])) out[String(size)] = count;
  return out;
}

/** Transactions per second over [startMs, endMs]; 0 when nothing was committed or no time passed. */
export function throughputTps(committed: number, startMs: number, endMs: number): number {
  const seconds = (endMs - startMs) / 1000;
  if (committed <= 0 || !(seconds > 0)) return 0;
  return committed / seconds;
}

/** Adds one to `counts[key]`. */
export function countInto(counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

/** Rounds to `digits` decimals, for printing and JSON. */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** What one run measured, before it is reduced to a RunSummary. */
export interface RunMeasurements {
  submitted: number;
  rejected: Record<string, number>;
  /** For every committed transaction: when it was submitted and when it was on every node (ms). */
  commits: ReadonlyArray<{ submittedAt: number; committedAt: number }>;
  /**
   * For every transaction seen final on every node: when it was submitted and when it was final
   * (ms); absent when the nodes report no finality.
   */
  finals?: ReadonlyArray<{ submittedAt: number; finalAt: number }>;
  /** Time of the first submission (ms). */
  firstSubmitAt: number;
  /** Blocks produced during the run, in chain order. */
  blocks: ReadonlyArray<{ timestamp: number; size: number }>;
  nodesAgree: boolean;
}

export function summarize(m: RunMeasurements): RunSummary {
  const latencies = m.commits.map((c) => c.committedAt - c.submittedAt);
  const toFinal = m.finals?.map((f) => f.finalAt - f.submittedAt);
  const lastCommit = m.commits.reduce((acc, c) => Math.max(acc, c.committedAt), m.firstSubmitAt);
  const rejected: Record<string, number> = {};
  for (const key of Object.keys(m.rejected).sort()) rejected[key] = m.rejected[key] as number;
  return {
    submitted: m.submitted,
    committed: m.commits.length,
    rejected,
    throughput_tps: round(throughputTps(m.commits.length, m.firstSubmitAt, lastCommit), 2),
    block_time_s: round(meanBlockTimeS(m.blocks.map((b) => b.timestamp)), 3),
    latency_ms: { p50: round(percentile(latencies, 50), 1), p99: round(percentile(latencies, 99), 1) },
    finalized: toFinal ? toFinal.length : null,
    final_latency_ms: toFinal ? { p50: round(percentile(toFinal, 50), 1), p99: round(percentile(toFinal, 99), 1) } : null,
    blocks: m.blocks.length,
    block_sizes: sizeHistogram(m.blocks.map((b) => b.size)),
    nodes_agree: m.nodesAgree,
  };
}

/** A transaction as far as fees are concerned. */
export type FeeTx = Pick<Transaction, 'type' | 'amount' | 'message'>;

export interface ValidatorShare {
  id: number;
  blocks: number;
  /** Units. */
  fees: number;
  blockShare: number;
  feeShare: number;
  stakeShare: number;
}

/**
 * Blocks validated and fees earned per node, against the share its stake predicts.
 * `idOf` maps a validator address to a node id; blocks of unknown validators are ignored.
 */
export function validatorShares(
  blocks: ReadonlyArray<{ validator: string; transactions: readonly FeeTx[] }>,
  idOf: (address: string) => number | undefined,
  stakes: readonly number[],
): ValidatorShare[] {
  const n = stakes.length;
  const counts = new Array<number>(n).fill(0);
  const fees = new Array<number>(n).fill(0);
  for (const b of blocks) {
    const id = idOf(b.validator);
    if (id === undefined || id < 0 || id >= n) continue;
    counts[id] = (counts[id] as number) + 1;
    let f = 0;
    for (const tx of b.transactions) f += feeOf(tx);
    fees[id] = (fees[id] as number) + f;
  }
  const totalBlocks = counts.reduce((a, b) => a + b, 0);
  const totalFees = fees.reduce((a, b) => a + b, 0);
  const totalStake = stakes.reduce((a, b) => a + b, 0);
  return stakes.map((stake, id) => ({
    id,
    blocks: counts[id] as number,
    fees: fees[id] as number,
    blockShare: totalBlocks > 0 ? (counts[id] as number) / totalBlocks : 0,
    feeShare: totalFees > 0 ? (fees[id] as number) / totalFees : 0,
    stakeShare: totalStake > 0 ? stake / totalStake : 0,
  }));
}

/** Renders a summary as a small human-readable table. */
export function formatSummary(s: RunSummary, title?: string): string {
  const rejected = Object.entries(s.rejected);
  const sizes = Object.entries(s.block_sizes)
    .map(([size, count]) => `${size}×${count}`)
    .join(' ');
  const rows: Array<[string, string]> = [
    ['submitted', String(s.submitted)],
    ['committed (on every node)', String(s.committed)],
    ['rejected', rejected.length === 0 ? '0' : rejected.map(([k, v]) => `${k}: ${v}`).join(', ')],
    ['throughput', `${s.throughput_tps.toFixed(2)} tx/s`],
    ['block time (mean)', `${s.block_time_s.toFixed(3)} s`],
    ['latency p50 / p99', `${s.latency_ms.p50.toFixed(0)} ms / ${s.latency_ms.p99.toFixed(0)} ms`],
    ...(s.final_latency_ms
      ? ([
          ['final (on every node)', String(s.finalized)],
          ['time to final p50 / p99', `${s.final_latency_ms.p50.toFixed(0)} ms / ${s.final_latency_ms.p99.toFixed(0)} ms`],
        ] as Array<[string, string]>)
      : []),
    ['blocks', String(s.blocks)],
    ['block sizes (size×count)', sizes || '-'],
    ['nodes agree', s.nodes_agree ? 'yes' : 'NO'],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  const lines = rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`);
  return (title ? title + '\n' : '') + lines.join('\n');
}
