/**
 * `blockchat tester` and `blockchat load` (SPEC C, D) as a user runs them: child processes of the
 * built command against a real 3-node network, their --json output checked line by line against
 * the input and against the nodes' own chain (GET /blocks). The unit tests (tester-*.test.ts)
 * drive the same code against a fake node; here every number must match what the network did.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BLOCKS_PER_PAGE } from '../../src/api/routes.js';
import type { Block } from '../../src/api/types.js';
import { UNITS_PER_BCC } from '../../src/core/params.js';
import { runLoad } from '../../src/tools/load.js';
import { mainScript } from '../../src/tools/network.js';
import { countInto, sizeHistogram, type RunSummary } from '../../src/tools/metrics.js';
import { launch, waitAgreement, type TestNetwork } from './harness.js';

const N = 3;
let t: TestNetwork;
let inputDir: string;

beforeAll(async () => {
  inputDir = mkdtempSync(join(tmpdir(), 'blockchat-tester-input-'));
  t = await launch(N, 5);
}, 90_000);

afterAll(async () => {
  await t?.stop();
  if (inputDir) rmSync(inputDir, { recursive: true, force: true });
});

const execFileP = promisify(execFile);

/** Runs `blockchat <args…>`; fails (with its stderr) unless it exits 0. Returns the JSON it printed. */
async function blockchatJson(...args: string[]): Promise<RunSummary> {
  const { stdout } = await execFileP(process.execPath, [mainScript(), ...args], { timeout: 120_000 });
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as RunSummary;
}

/**
 * The blocks above `height` up to the last one holding a transaction, the same on every node (the
 * empty blocks after it carry the votes that finalise the run: no run reports them).
 */
async function blocksAbove(height: number): Promise<Block[]> {
  const chains = await Promise.all(t.clients.map((c) => c.blocks(height + 1, MAX_BLOCKS_PER_PAGE)));
  const holding = chains[0]!.map((b, k) => (b.transactions.length > 0 ? k : -1));
  const run = chains.map((chain) => chain.slice(0, Math.max(...holding) + 1));
  for (const [k, chain] of chains.entries()) {
    expect(chain.length).toBeLessThan(MAX_BLOCKS_PER_PAGE);
    expect(run[k]!.map((b) => b.current_hash)).toEqual(run[0]!.map((b) => b.current_hash));
  }
  return run[0]!;
}

async function height(): Promise<number> {
  return (await t.clients[0]!.status()).height;
}

/** Checks what any run's JSON must hold, and that it describes exactly `blocks`. */
function expectConsistent(s: RunSummary, blocks: readonly Block[]): void {
  const rejected = Object.values(s.rejected).reduce((a, b) => a + b, 0);
  expect(s.submitted).toBe(s.committed + rejected);
  expect(s.nodes_agree).toBe(true);
  expect(Object.entries(s.block_sizes).reduce((sum, [size, count]) => sum + Number(size) * count, 0)).toBe(s.committed);
  expect(Object.values(s.block_sizes).reduce((a, b) => a + b, 0)).toBe(s.blocks);
  for (const v of [s.throughput_tps, s.block_time_s, s.latency_ms.p50, s.latency_ms.p99]) {
    expect(Number.isFinite(v) && v >= 0, String(v)).toBe(true);
  }
  // Time to final beside time to commit: every committed transaction was seen final on every
  // node, never before it was seen committed, so each percentile is at least the commit one.
  expect(s.finalized).toBe(s.committed);
  expect(s.final_latency_ms).not.toBeNull();
  expect(s.final_latency_ms!.p50).toBeGreaterThanOrEqual(s.latency_ms.p50);
  expect(s.final_latency_ms!.p99).toBeGreaterThanOrEqual(s.latency_ms.p99);
  expect(s.final_latency_ms!.p99).toBeGreaterThanOrEqual(s.final_latency_ms!.p50);
  expect(blocks.length).toBe(s.blocks);
  expect(sizeHistogram(blocks.map((b) => b.transactions.length))).toEqual(s.block_sizes);
}

describe('blockchat tester and load against a real network', () => {
  it('tester --json accounts for every line, by reason, and its figures match the chain', async () => {
    // Node 1's first line costs 1024 BCC, more than it has; all other lines together cost 16 BCC,
    // so even every one of their charges earned by node 1 as validator could not pay for it.
    const tooDear = 'x'.repeat(1024);
    writeFileSync(join(inputDir, 'trans0.txt'), 'id1 hi\r\nid2 ok\r\nid1 😀é\r\n');
    writeFileSync(join(inputDir, 'trans1.txt'), `id0 ${tooDear}\nid2 yo\r\nid0 a\u0301\n`);
    writeFileSync(join(inputDir, 'trans2.txt'), 'id0 bye\r\nid1 x y\r\n\r\n');
    const accepted: Array<[number, number, string]> = [
      [0, 1, 'hi'],
      [0, 2, 'ok'],
      [0, 1, '😀é'],
      [1, 2, 'yo'],
      [1, 0, 'a\u0301'],
      [2, 0, 'bye'],
      [2, 1, 'x y'],
    ];
    await waitAgreement(t.clients);
    const node1 = await t.clients[1]!.wallet();
    expect(node1.balance + 16 * UNITS_PER_BCC).toBeLessThan(1024 * UNITS_PER_BCC);
    const h0 = await height();

    const s = await blockchatJson('tester', '-input', inputDir, '-p', String(t.ports[0]), '-n', String(N), '--json');
    expect(s.submitted).toBe(8);
    expect(s.committed).toBe(accepted.length);
    expect(s.rejected).toEqual({ INSUFFICIENT_FUNDS: 1 });
    await waitAgreement(t.clients);
    const blocks = await blocksAbove(h0);
    expectConsistent(s, blocks);

    // The chain holds exactly the accepted lines: sender, recipient and text (no CR left).
    const idOf = new Map((await t.clients[0]!.accounts()).map((a) => [a.address, a.id]));
    const onChain = blocks
      .flatMap((b) => b.transactions)
      .map((tx) => {
        expect(tx.type).toBe('message');
        return [idOf.get(tx.sender), idOf.get(tx.receiver), tx.message];
      });
    const order = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();
    expect(order(onChain)).toEqual(order(accepted));
  }, 120_000);

  it('load --json commits all 200 transfers, and the chain holds exactly them', async () => {
    const h0 = await height();
    const s = await blockchatJson('load', '-p', String(t.ports[0]), '-n', String(N), '--transactions', '200', '--json');
    expect(s.submitted).toBe(200);
    expect(s.committed).toBe(200);
    expect(s.rejected).toEqual({});
    await waitAgreement(t.clients);
    const blocks = await blocksAbove(h0);
    expectConsistent(s, blocks);

    // 200 small transfers, spread over the three wallets (k mod 3), none to its own sender.
    const txs = blocks.flatMap((b) => b.transactions);
    expect(txs).toHaveLength(200);
    const idOf = new Map((await t.clients[0]!.accounts()).map((a) => [a.address, a.id]));
    const bySender: Record<string, number> = {};
    for (const tx of txs) {
      expect(tx.type).toBe('coins');
      expect(tx.amount).toBeGreaterThan(0);
      expect(tx.receiver).not.toBe(tx.sender);
      countInto(bySender, String(idOf.get(tx.sender)));
    }
    expect(bySender).toEqual({ 0: 67, 1: 67, 2: 66 });
  }, 120_000);

  it('a load run times each transfer to final on every node, never before its commit, and it is final there', async () => {
    const r = await runLoad({ basePort: t.ports[0]!, n: N, transactions: 30 });
    expect(r.completed).toBe(true);
    expect(r.transactions).toHaveLength(30);
    for (const tx of r.transactions) {
      expect(tx.committedAt, tx.id).toBeDefined();
      expect(tx.finalAt, tx.id).toBeDefined();
      expect(tx.finalAt!).toBeGreaterThanOrEqual(tx.committedAt!);
      expect(tx.committedAt!).toBeGreaterThanOrEqual(tx.submittedAt);
    }
    // What the run saw final, every node says is final.
    for (const c of t.clients) {
      const statuses = await Promise.all(r.transactions.map((tx) => c.transaction(tx.id)));
      expect(statuses.map((st) => st.status)).toEqual(r.transactions.map(() => 'final'));
    }
    expect(r.summary.finalized).toBe(30);
  }, 120_000);
});
