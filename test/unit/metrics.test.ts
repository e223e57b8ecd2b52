import { describe, expect, it } from 'vitest';
import { feeOf } from '../../src/core/fees.js';
import {
  countInto,
  formatSummary,
  meanBlockTimeS,
  percentile,
  sizeHistogram,
  summarize,
  throughputTps,
  validatorShares,
} from '../../src/tools/metrics.js';

describe('percentile (nearest rank)', () => {
  it('is 0 for no values', () => {
    expect(percentile([], 50)).toBe(0);
  });
  it('picks the nearest rank', () => {
    const v = [15, 20, 35, 40, 50];
    expect(percentile(v, 5)).toBe(15);
    expect(percentile(v, 30)).toBe(20);
    expect(percentile(v, 40)).toBe(20);
    expect(percentile(v, 50)).toBe(35);
    expect(percentile(v, 100)).toBe(50);
    expect(percentile(v, 0)).toBe(15);
  });
  it('does not depend on the order of the input, nor change it', () => {
    const v = [5, 1, 4, 2, 3];
    expect(percentile(v, 50)).toBe(3);
    expect(v).toEqual([5, 1, 4, 2, 3]);
  });
  it('p99 of 1 … 1000 is 990', () => {
    const v = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(percentile(v, 99)).toBe(990);
    expect(percentile(v, 50)).toBe(500);
  });
  it('refuses p outside 0 … 100', () => {
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe('block time, sizes, throughput', () => {
  it('block time is the mean interval in seconds', () => {
    expect(meanBlockTimeS([])).toBe(0);
    expect(meanBlockTimeS([1000])).toBe(0);
    expect(meanBlockTimeS([1000, 1500, 3000])).toBe(1);
    expect(meanBlockTimeS([0, 100, 200, 300])).toBeCloseTo(0.1, 10);
  });
  it('size histogram counts blocks per size, keys in increasing size', () => {
    const h = sizeHistogram([5, 5, 3, 20, 5, 3]);
    expect(h).toEqual({ '3': 2, '5': 3, '20': 1 });
    expect(Object.keys(h)).toEqual(['3', '5', '20']);
  });
  it('throughput is committed per second, 0 when undefined', () => {
    expect(throughputTps(100, 1000, 3000)).toBe(50);
    expect(throughputTps(0, 1000, 3000)).toBe(0);
    expect(throughputTps(10, 1000, 1000)).toBe(0);
  });
  it('countInto adds up reasons', () => {
    const r: Record<string, number> = {};
    countInto(r, 'A');
    countInto(r, 'A');
    countInto(r, 'B', 3);
    expect(r).toEqual({ A: 2, B: 3 });
  });
});

describe('summarize', () => {
  it('reduces a run to the JSON of SPEC part C', () => {
    const s = summarize({
      submitted: 5,
      rejected: { TIMEOUT: 1, INSUFFICIENT_FUNDS: 1 },
      commits: [
        { submittedAt: 1000, committedAt: 1100 },
        { submittedAt: 1000, committedAt: 1300 },
        { submittedAt: 1200, committedAt: 3000 },
      ],
      finals: [
        { submittedAt: 1000, finalAt: 1500 },
        { submittedAt: 1000, finalAt: 1900 },
      ],
      firstSubmitAt: 1000,
      blocks: [
        { timestamp: 1050, size: 2 },
        { timestamp: 2050, size: 1 },
      ],
      nodesAgree: true,
    });
    expect(s).toEqual({
      submitted: 5,
      committed: 3,
      rejected: { INSUFFICIENT_FUNDS: 1, TIMEOUT: 1 },
      throughput_tps: 1.5,
      block_time_s: 1,
      latency_ms: { p50: 300, p99: 1800 },
      finalized: 2,
      final_latency_ms: { p50: 500, p99: 900 },
      blocks: 2,
      block_sizes: { '1': 1, '2': 1 },
      nodes_agree: true,
    });
    expect(Object.keys(s)).toEqual([
      'submitted',
      'committed',
      'rejected',
      'throughput_tps',
      'block_time_s',
      'latency_ms',
      'finalized',
      'final_latency_ms',
      'blocks',
      'block_sizes',
      'nodes_agree',
    ]);
    expect(Object.keys(s.rejected)).toEqual(['INSUFFICIENT_FUNDS', 'TIMEOUT']);
    expect(formatSummary(s, 'T')).toMatch(/throughput\s+1\.50 tx\/s/);
    expect(formatSummary(s, 'T')).toMatch(/time to final p50 \/ p99\s+500 ms \/ 900 ms/);
    // Nodes that report no finality: null, not zeros that would read as instant finality.
    const v1 = summarize({ submitted: 0, rejected: {}, commits: [], firstSubmitAt: 0, blocks: [], nodesAgree: true });
    expect([v1.finalized, v1.final_latency_ms]).toEqual([null, null]);
    expect(formatSummary(v1)).not.toMatch(/final/);
  });
  it('is all zeros for an empty run', () => {
    const s = summarize({ submitted: 0, rejected: {}, commits: [], firstSubmitAt: 0, blocks: [], nodesAgree: true });
    expect(s.throughput_tps).toBe(0);
    expect(s.latency_ms).toEqual({ p50: 0, p99: 0 });
    expect(s.block_sizes).toEqual({});
  });
});

describe('fees and validator shares', () => {
  it('fees follow SPEC A', () => {
    expect(feeOf({ type: 'coins', amount: 1, message: '' })).toBe(1);
    expect(feeOf({ type: 'coins', amount: 100, message: '' })).toBe(3);
    expect(feeOf({ type: 'coins', amount: 101, message: '' })).toBe(4);
    expect(feeOf({ type: 'message', amount: 0, message: 'γειά🚀' })).toBe(500);
    expect(feeOf({ type: 'stake', amount: 1000, message: '' })).toBe(0);
  });
  it('counts blocks and fees per validator against stake shares', () => {
    const ids = new Map([
      ['a', 0],
      ['b', 1],
    ]);
    const coin = { type: 'coins' as const, amount: 100, message: '' };
    const msg = { type: 'message' as const, amount: 0, message: 'hi' };
    const shares = validatorShares(
      [
        { validator: 'a', transactions: [coin, coin] },
        { validator: 'b', transactions: [msg] },
        { validator: 'b', transactions: [coin] },
        { validator: 'zz', transactions: [msg] },
      ],
      (addr) => ids.get(addr),
      [1000, 3000],
    );
    expect(shares).toEqual([
      { id: 0, blocks: 1, fees: 6, blockShare: 1 / 3, feeShare: 6 / 209, stakeShare: 0.25 },
      { id: 1, blocks: 2, fees: 203, blockShare: 2 / 3, feeShare: 203 / 209, stakeShare: 0.75 },
    ]);
  });
});
