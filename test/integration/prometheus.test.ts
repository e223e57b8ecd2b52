/**
 * GET /metrics read as Prometheus would (a real text-format parser), the histograms moving under
 * load, and the health routes (/healthz live, /readyz formed and caught up).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parsePrometheusTextFormat, { type PromFamily } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeClient } from '../../client/api.js';
import { freePortBase, mainScript, WaitAborted } from '../../src/tools/network.js';
import { loadPlans, runLoad } from '../../src/tools/load.js';
import { VERSION } from '../../src/version.js';
import { HEAP_TRIM_INTERVAL_MS } from '../../src/node/heap-trim.js';
import { launch, raw, waitFor, type TestNetwork } from './harness.js';

const N = 3;

/** Every family of a node's /metrics, by name; parsing fails the test on malformed text. */
async function scrape(c: NodeClient): Promise<Map<string, PromFamily>> {
  const families = parsePrometheusTextFormat(await c.metrics());
  return new Map(families.map((f) => [f.name, f]));
}

function family(m: Map<string, PromFamily>, name: string, type: PromFamily['type']): PromFamily {
  const f = m.get(name);
  if (!f) throw new Error(`/metrics has no ${name}`);
  expect(f.type).toBe(type);
  return f;
}

/** A histogram's count and sum (one series, no labels). */
function histogram(m: Map<string, PromFamily>, name: string): { count: number; sum: number; buckets: Record<string, string> } {
  const sample = family(m, name, 'HISTOGRAM').metrics[0];
  if (!sample?.buckets || sample.count === undefined || sample.sum === undefined) throw new Error(`${name} has no series`);
  return { count: Number(sample.count), sum: Number(sample.sum), buckets: sample.buckets };
}

describe('/metrics in Prometheus text format', () => {
  let t: TestNetwork;
  const logDir = mkdtempSync(join(tmpdir(), 'blockchat-logs-'));
  beforeAll(async () => {
    // Each node's log in its own file, as `blockchat network --data-dir` keeps them.
    t = await launch(N, 5, { logDir, quiet: false });
  }, 90_000);
  afterAll(async () => {
    await t?.stop();
    rmSync(logDir, { recursive: true, force: true });
  });

  it("keeps each node's log in its own file, as JSON lines from that node", () => {
    for (let i = 0; i < N; i++) {
      const lines = readFileSync(join(logDir, `node-${i}.log`), 'utf8')
        .trim()
        .split('\n');
      expect(lines.length).toBeGreaterThan(0);
      const records = lines.map((l) => JSON.parse(l) as { node: number; port: number; msg: string });
      expect(records.every((r) => r.port === t.ports[i])).toBe(true);
      expect(records).toContainEqual(expect.objectContaining({ node: i, msg: expect.stringMatching(/ready/) as string }));
    }
  });

  it("counts a trim of the C library's heap at start, then every HEAP_TRIM_INTERVAL_MS a trim, or a skip while resident memory grew less than HEAP_TRIM_MIN_GROWTH", async () => {
    const trims = async (c: NodeClient): Promise<number> => {
      const f = family(await scrape(c), 'blockchat_native_heap_trims_total', 'COUNTER');
      expect(f.metrics.length).toBeGreaterThan(0);
      return f.metrics.reduce((sum, s) => sum + Number(s.value), 0);
    };
    // Without the native binding (a build skipped on purpose) a node does not trim, and says so by the family's absence.
    if (process.env.BLOCKCHAT_NO_NATIVE === '1') {
      expect((await scrape(t.clients[0]!)).has('blockchat_native_heap_trims_total')).toBe(false);
    } else {
      for (const c of t.clients) expect(await trims(c)).toBeGreaterThanOrEqual(1);
      // An idle node skips (released="skipped"), a grown one trims: either way the count goes on.
      const first = await trims(t.clients[0]!);
      await waitFor('a periodic trim or skip', async () => (await trims(t.clients[0]!)) > first, 3 * HEAP_TRIM_INTERVAL_MS);
    }
  });

  it('has the process metrics, the build, the gauges and the labelled request counts', async () => {
    await raw(t.ports[0]!, 'GET', '/no/such/route');
    const m = await scrape(t.clients[0]!);
    expect(Number(family(m, 'process_cpu_user_seconds_total', 'COUNTER').metrics[0]?.value)).toBeGreaterThan(0);
    expect(Number(family(m, 'process_resident_memory_bytes', 'GAUGE').metrics[0]?.value)).toBeGreaterThan(0);
    expect(family(m, 'blockchat_build_info', 'GAUGE').metrics[0]).toMatchObject({
      value: '1',
      labels: { version: VERSION, node_version: process.version },
    });
    const height = (await t.clients[0]!.status()).height;
    expect(Number(family(m, 'blockchat_height', 'GAUGE').metrics[0]?.value)).toBeLessThanOrEqual(height);
    expect(family(m, 'blockchat_ready', 'GAUGE').metrics[0]?.value).toBe('1');
    expect(family(m, 'blockchat_peers', 'GAUGE').metrics[0]?.value).toBe(String(N - 1));
    expect(family(m, 'blockchat_peers_connected', 'GAUGE').metrics[0]?.value).toBe(String(N - 1));
    family(m, 'blockchat_pool_transactions', 'GAUGE');
    // The in-memory indexes' tables are never empty: the genesis block is in them.
    expect(Number(family(m, 'blockchat_tx_index_bytes', 'GAUGE').metrics[0]?.value)).toBeGreaterThan(0);
    expect(Number(family(m, 'blockchat_block_hash_index_bytes', 'GAUGE').metrics[0]?.value)).toBeGreaterThan(0);
    expect(Number(family(m, 'blockchat_array_buffers_bytes', 'GAUGE').metrics[0]?.value)).toBeGreaterThan(0);
    family(m, 'blockchat_reorgs_total', 'COUNTER');
    const requests = family(m, 'blockchat_http_requests_total', 'COUNTER').metrics;
    expect(requests).toContainEqual({ value: expect.any(String) as string, labels: { route: '/status', method: 'GET', status: '200' } });
    expect(requests).toContainEqual({ value: '1', labels: { route: 'unknown', method: 'GET', status: '404' } });
    expect(requests).toContainEqual({
      value: expect.any(String) as string,
      labels: { route: '/peer/stream', method: 'GET', status: '101' },
    });
    // Peer stream frames are counted on their own, by kind, never as HTTP requests. Which node
    // has received a block frame yet depends on who minted, so the kinds are those of all nodes;
    // `votes` frames (protocol version 2) come once a checkpoint has been voted on.
    const kinds = new Set<string | undefined>();
    for (const c of t.clients) {
      for (const f of family(await scrape(c), 'blockchat_peer_stream_frames_total', 'COUNTER').metrics) kinds.add(f.labels?.kind);
    }
    expect([...kinds].filter((k) => k !== 'votes').sort()).toEqual(['block', 'transactions']);
    expect(requests.filter((r) => !r.labels?.route?.startsWith('/') && r.labels?.route !== 'unknown')).toEqual([]);
  });

  it('the block apply, commit latency and time-to-final histograms move under load', async () => {
    const before = await Promise.all(t.clients.map(scrape));
    const transactions = 150;
    const r = await runLoad({ basePort: t.ports[0]!, n: N, transactions });
    expect(r.summary).toMatchObject({ committed: transactions, rejected: {} });
    const after = await Promise.all(t.clients.map(scrape));
    const plans = loadPlans(N, transactions);
    for (let i = 0; i < N; i++) {
      const latency0 = histogram(before[i]!, 'blockchat_commit_latency_seconds');
      const latency1 = histogram(after[i]!, 'blockchat_commit_latency_seconds');
      // Each of the node's own transfers, from acceptance to its block, observed once.
      expect(latency1.count - latency0.count).toBe(plans[i]!.length);
      expect(latency1.sum).toBeGreaterThan(latency0.sum);
      expect(Number(latency1.buckets['+Inf'])).toBe(latency1.count);
      // The run ends once its transfers are final on every node, and those of earlier tests are in
      // lower blocks: every own transaction committed is final, each observed once, none before
      // its commit.
      const final0 = histogram(before[i]!, 'blockchat_final_latency_seconds');
      const final1 = histogram(after[i]!, 'blockchat_final_latency_seconds');
      expect(final1.count - final0.count).toBeGreaterThanOrEqual(plans[i]!.length);
      expect(final1.count).toBe(latency1.count);
      expect(final1.sum).toBeGreaterThanOrEqual(latency1.sum);
      const apply0 = histogram(before[i]!, 'blockchat_block_apply_seconds');
      const apply1 = histogram(after[i]!, 'blockchat_block_apply_seconds');
      expect(apply1.count).toBeGreaterThan(apply0.count);
      expect(apply1.sum).toBeGreaterThan(apply0.sum);
    }
  }, 120_000);

  it('the finalised height and the finality lag are those of the node, and the load is final', async () => {
    const r = await runLoad({ basePort: t.ports[0]!, n: N, transactions: 30 });
    expect(r.summary.finalized).toBe(30);
    // The run's last block is final on every node: so is the gauge, once scraped after it.
    const lastRunBlock = Math.max(...r.transactions.map((tx) => r.blocks.find((b) => b.txIds.includes(tx.id))?.index ?? -1));
    expect(lastRunBlock).toBeGreaterThan(0);
    for (const [i, c] of t.clients.entries()) {
      const m = await scrape(c);
      const gauge = (name: string) => Number(family(m, name, 'GAUGE').metrics[0]?.value);
      expect(gauge('blockchat_final_height'), `node ${i}`).toBeGreaterThanOrEqual(lastRunBlock);
      expect(gauge('blockchat_finality_lag_blocks'), `node ${i}`).toBeGreaterThanOrEqual(0);
      family(m, 'blockchat_burned_units', 'GAUGE');
      // Once the node is idle (its run final, no block due), the gauges are its status: the lag is
      // its tip's height above its finalised checkpoint.
      await waitFor(`node ${i}'s gauges to match its status`, async () => {
        const before = await c.status();
        const g = await scrape(c);
        const after = await c.status();
        const value = (name: string) => Number(g.get(name)?.metrics[0]?.value);
        return (
          before.height === after.height &&
          before.final_height === after.final_height &&
          value('blockchat_final_height') === after.final_height &&
          value('blockchat_finality_lag_blocks') === after.height - after.final_height
        );
      });
    }
  }, 120_000);

  it('/healthz is 200 and /readyz is 200 on a formed network that is caught up', async () => {
    expect(await raw(t.ports[1]!, 'GET', '/healthz')).toEqual({ status: 200, body: { live: true } });
    await waitFor('node 1 to be ready', async () => (await raw(t.ports[1]!, 'GET', '/readyz')).status === 200);
    expect((await raw(t.ports[1]!, 'GET', '/readyz')).body).toMatchObject({ ready: true, formed: true, caught_up: true });
  });
});

describe('/readyz before the network forms', () => {
  it('is 503 (not formed) while /healthz is 200', async () => {
    const port = await freePortBase(1);
    const child = spawn(process.execPath, [mainScript(), 'node', '-p', String(port), '-n', '2', '-capacity', '1', '-bootstrap'], {
      stdio: 'ignore',
    });
    try {
      await waitFor('the lone bootstrap to answer', async () => {
        if (child.exitCode !== null) throw new WaitAborted(`the node exited with ${child.exitCode}`);
        return (await raw(port, 'GET', '/healthz')).status === 200;
      });
      expect(await raw(port, 'GET', '/readyz')).toMatchObject({ status: 503, body: { ready: false, formed: false } });
    } finally {
      child.kill('SIGTERM');
    }
  }, 60_000);
});
