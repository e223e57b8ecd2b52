/**
 * `npm run soak [-- --minutes M] [-- --rate R]`: a paced load on 5 nodes for M minutes (default 10)
 * at R transfers/s (default 1,000), one node SIGKILLed and restarted at every full minute — nodes
 * 1, 0 (the bootstrap, once), 2, 3, 4, 1, 2, … — while each node's resident memory is sampled from
 * its /metrics every 5 s. Prints a table per minute and checks, exiting 1 if any fails:
 *
 * - nothing final is lost (protocol version 2, docs/protocol.md "Justification and finality"):
 *   every block seen at or below a node's finalised height (`final_height` of GET /status) during
 *   the run is, with the same hash, in the chain every node holds at the end, and so is every
 *   transaction it held; and every node finds 1,000 transactions spread over the chain by id
 *   (GET /transactions/:id: `final`, in the right block);
 * - memory is flat: each node's mean RSS in the last minute in which it was not killed is within
 *   10 % of the first such minute from the second on (where a node ran two such minutes; soak-schedule.ts);
 * - one chain: every node reports the same last block once the load stops and the pools drain.
 *
 * Not part of `npm test` (docs/testing.md): it runs for minutes and wants the machine to itself.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeClient, closeClients } from '../client/api.js';
import type { Transaction } from '../src/core/types.js';
import { MAX_BLOCKS_PER_PAGE } from '../src/api/routes.js';
import { readToken } from '../src/api/token.js';
import { freePortBase, startNetwork, waitFor } from '../src/tools/network.js';
import { startPacedLoad } from '../src/tools/paced.js';
import { memoryWindow, victimOf } from './soak-schedule.js';

const N = 5;
const CAPACITY = 50;
const TICK_MS = 100;
const SAMPLE_MS = 5_000;
const MAX_IN_FLIGHT = 20;
/** Transactions looked up by id on every node at the end. */
const LOOKUPS = 1_000;

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const v = Number(process.argv[at + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} takes a positive number`);
  return v;
}

/**
 * Where a node's memory goes, in MB, beside its RSS: V8's heap used and reserved, memory V8 tracks
 * outside its heap (external, of which array buffers), the in-memory indexes (transaction ids and
 * block hashes), and the resident set split into anonymous memory and mapped files
 * (/proc/PID/status: RssAnon, RssFile; LevelDB's table files are the latter).
 */
const PARTS = [
  ['heap used', 'nodejs_heap_size_used_bytes'],
  ['heap total', 'nodejs_heap_size_total_bytes'],
  ['old space used', 'nodejs_heap_space_size_used_bytes{space="old"}'],
  ['external', 'nodejs_external_memory_bytes'],
  ['array buffers', 'blockchat_array_buffers_bytes'],
  ['tx index', 'blockchat_tx_index_bytes'],
  ['hash index', 'blockchat_block_hash_index_bytes'],
  ['RssAnon', 'RssAnon'],
  ['RssFile', 'RssFile'],
] as const;

interface Minute {
  offered: number;
  accepted: number;
  refused: number;
  killed: number | undefined;
  rss: number[][];
  /** Per sample, per node: each of PARTS (MB). */
  parts: Array<Array<number[] | undefined>>;
}

/** A series' value from Prometheus text (`name` or `name{label="value"}`), or undefined when absent. */
function gauge(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** RssAnon and RssFile of process `pid` in bytes, from /proc (undefined where unreadable). */
function procRss(pid: number | undefined): Record<'RssAnon' | 'RssFile', number | undefined> {
  let text = '';
  try {
    if (pid !== undefined) text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    // gone, or not Linux
  }
  const kb = (key: string): number | undefined => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  return { RssAnon: kb('RssAnon'), RssFile: kb('RssFile') };
}

/** Stops the load, the sampling and the nodes when a run fails half-way (they would outlive it otherwise). */
let stopNetwork: (() => Promise<void>) | undefined;

async function main(): Promise<void> {
  const minutes = flag('minutes', 10);
  const rate = flag('rate', 1_000);
  const dataRoot = mkdtempSync(join(tmpdir(), 'blockchat-soak-'));
  const basePort = await freePortBase(N);
  console.log(`soak: ${N} nodes, capacity ${CAPACITY}, ${rate} tx/s for ${minutes} min, one SIGKILL and restart per minute`);
  // The nodes' logs stay in the data directory, which a failed run leaves in place (its path is printed).
  const net = await startNetwork({
    n: N,
    capacity: CAPACITY,
    basePort,
    dataRoot,
    quiet: true,
    logDir: join(dataRoot, 'logs'),
    readyTimeoutMs: 120_000,
  });
  stopNetwork = async () => {
    await net.stop();
    console.log(`nodes' data and logs kept in ${dataRoot}`);
  };
  const client = (i: number): NodeClient =>
    NodeClient.forPort(basePort + i, '127.0.0.1', readToken(basePort + i, join(dataRoot, `node-${i}`)));
  let clients = Array.from({ length: N }, (_, i) => client(i));
  const down = new Set<number>();
  const rows: Minute[] = Array.from({ length: minutes }, () => ({
    offered: 0,
    accepted: 0,
    refused: 0,
    killed: undefined,
    rss: [],
    parts: [],
  }));
  /** Transactions seen in a final block, and the hash of every final block seen, by height. */
  const final = new Set<string>();
  const finalBlocks = new Map<number, string>();
  /** Final blocks seen with two different hashes (by two nodes, or one before and after a restart). */
  const conflicts: string[] = [];
  /** Nodes whose /metrics had no process_resident_memory_bytes (a failure: memory unknown). */
  const rssMissing = new Set<number>();
  /** Metrics of PARTS some node's /metrics lacked (a failure: the breakdown would be wrong). */
  const partsMissing = new Set<string>();
  const seenHeight = Array.from({ length: N }, () => 0);
  const started = Date.now();
  const minuteNow = (): number => Math.min(minutes - 1, Math.floor((Date.now() - started) / 60_000));
  // The paced load: every tick, rate/10 transfers spread over the live nodes, as batches.
  const stopLoad = startPacedLoad({
    rate,
    tickMs: TICK_MS,
    maxInFlight: MAX_IN_FLIGHT,
    senders: () => [...Array(N).keys()].filter((i) => !down.has(i)),
    request: (i, _j, k, s) => ({ type: 'coins', to: (i + 1 + ((k + s) % (N - 1))) % N, amount: 1 }),
    offered: (count) => (rows[minuteNow()]!.offered += count),
    send: async (i, reqs) => {
      const row = rows[minuteNow()]!;
      try {
        const items = await clients[i]!.submitBatch(reqs);
        for (const item of items)
          if ('id' in item) row.accepted++;
          else row.refused++;
      } catch {
        row.refused += reqs.length; // down or restarting
      }
    },
  });

  // Samples: RSS of every live node, and the final blocks (and their transactions) each holds.
  const sample = async (): Promise<void> => {
    const row = rows[minuteNow()]!;
    const rss: number[] = [];
    const parts: Array<number[] | undefined> = [];
    for (let i = 0; i < N; i++) {
      if (down.has(i)) continue;
      try {
        const text = await clients[i]!.metrics();
        const m = /^process_resident_memory_bytes (\d+)/m.exec(text);
        if (m) rss[i] = Number(m[1]) / 1024 / 1024;
        else rssMissing.add(i);
        const proc = procRss(net.processes[i]?.pid);
        const values = PARTS.map(([, name]) => (name === 'RssAnon' || name === 'RssFile' ? proc[name] : gauge(text, name)));
        PARTS.forEach(([, name], k) => values[k] === undefined && partsMissing.add(name));
        if (values.every((v) => v !== undefined)) parts[i] = values.map((v) => v / 1024 / 1024);
        const finalHeight = (await clients[i]!.status()).final_height;
        for (let from = seenHeight[i]!; from <= finalHeight; from += MAX_BLOCKS_PER_PAGE) {
          const blocks = await clients[i]!.blocks(from, Math.min(MAX_BLOCKS_PER_PAGE, finalHeight - from + 1));
          for (const b of blocks) {
            const known = finalBlocks.get(b.index);
            if (known !== undefined && known !== b.current_hash)
              conflicts.push(`block ${b.index}: ${known} and ${b.current_hash} (node ${i})`);
            finalBlocks.set(b.index, b.current_hash);
            for (const tx of b.transactions) final.add(tx.id);
          }
          seenHeight[i] = from + blocks.length;
          if (blocks.length === 0) break;
        }
      } catch {
        // restarting: sampled next time
      }
    }
    row.rss.push(rss);
    row.parts.push(parts);
  };
  const sampler = setInterval(() => void sample(), SAMPLE_MS);
  stopNetwork = async () => {
    clearInterval(sampler);
    await stopLoad();
    await net.stop();
    console.log(`nodes' data and logs kept in ${dataRoot}`);
  };

  for (let m = 1; m < minutes; m++) {
    await new Promise((r) => setTimeout(r, Math.max(0, started + m * 60_000 - Date.now())));
    const victim = victimOf(m, N);
    rows[m]!.killed = victim;
    down.add(victim);
    await net.stopNode(victim, true);
    // A restart replays the whole chain: on a machine shared with other work that takes a while
    // (restartNode waits RESTART_TIMEOUT_MS, 2 minutes).
    await net.restartNode(victim);
    clients[victim] = client(victim);
    down.delete(victim);
  }
  await new Promise((r) => setTimeout(r, Math.max(0, started + minutes * 60_000 - Date.now())));
  await stopLoad();
  clearInterval(sampler);

  // Drain, then one chain everywhere.
  clients = Array.from({ length: N }, (_, i) => client(i));
  await waitFor(
    'the pools to drain and every node to agree',
    async () => {
      const st = await Promise.all(clients.map((c) => c.status()));
      return st.every((s) => s.pool === 0 && s.last_hash === st[0]!.last_hash);
    },
    180_000,
    500,
  ).catch(async (err: unknown) => {
    // Say where each node stands: stalled (no new block), split (different hashes) or slow.
    for (const [i, c] of clients.entries()) {
      const st = await c.status().catch((e: unknown) => (e instanceof Error ? e.message : String(e)));
      console.log(`node ${i}: ${JSON.stringify(st)}`);
      if (typeof st !== 'string' && st.pool > 0) await describePool(i, c);
    }
    throw err;
  });
  const tip = (await clients[0]!.status()).height;
  const chain = new Map<string, number>();
  const hashes: string[] = [];
  for (let from = 0; from <= tip; from += MAX_BLOCKS_PER_PAGE) {
    for (const b of await clients[0]!.blocks(from, MAX_BLOCKS_PER_PAGE)) {
      hashes[b.index] = b.current_hash;
      for (const tx of b.transactions) chain.set(tx.id, b.index);
    }
  }
  const lost = [...final].filter((id) => !chain.has(id)).length;
  const misplaced = await misplacedLookups(clients, chain);
  const reverted = [...finalBlocks].filter(([height, hash]) => hashes[height] !== hash).length;
  const heights = await Promise.all(clients.map((c) => c.status()));

  // The table.
  const mean = (xs: number[]): number => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
  const rssOf = (row: Minute, i: number): number => mean(row.rss.map((r) => r[i]).filter((x): x is number => x !== undefined));
  console.log('');
  console.log(`| minute | killed | offered | accepted | refused | ${[...Array(N).keys()].map((i) => `RSS node ${i} (MB)`).join(' | ')} |`);
  console.log(`| --- | --- | --- | --- | --- | ${[...Array(N).keys()].map(() => '---').join(' | ')} |`);
  rows.forEach((row, m) =>
    console.log(
      `| ${m + 1} | ${row.killed ?? ''} | ${row.offered} | ${row.accepted} | ${row.refused} | ${[...Array(N).keys()].map((i) => rssOf(row, i).toFixed(0)).join(' | ')} |`,
    ),
  );
  // Where the memory goes: per minute, each part's mean over the nodes (MB), then per node.
  const partOf = (row: Minute, i: number, k: number): number =>
    mean(row.parts.map((p) => p[i]?.[k]).filter((x): x is number => x !== undefined));
  const overNodes = (row: Minute, k: number): number =>
    mean([...Array(N).keys()].map((i) => partOf(row, i, k)).filter((x) => !Number.isNaN(x)));
  console.log('');
  console.log(`| minute | RSS | ${PARTS.map(([label]) => label).join(' | ')} |  (MB, mean over the nodes)`);
  console.log(`| --- | --- | ${PARTS.map(() => '---').join(' | ')} |`);
  rows.forEach((row, m) => {
    const rssMean = mean([...Array(N).keys()].map((i) => rssOf(row, i)).filter((x) => !Number.isNaN(x)));
    console.log(`| ${m + 1} | ${rssMean.toFixed(1)} | ${PARTS.map((_, k) => overNodes(row, k).toFixed(1)).join(' | ')} |`);
  });
  console.log('');
  console.log(`| node | minute | RSS | ${PARTS.map(([label]) => label).join(' | ')} |  (MB)`);
  console.log(`| --- | --- | --- | ${PARTS.map(() => '---').join(' | ')} |`);
  for (let i = 0; i < N; i++)
    for (const m of [1, minutes - 1])
      if (rows[m])
        console.log(
          `| ${i} | ${m + 1} | ${rssOf(rows[m], i).toFixed(1)} | ${PARTS.map((_, k) => partOf(rows[m]!, i, k).toFixed(1)).join(' | ')} |`,
        );
  const accepted = rows.reduce((a, r) => a + r.accepted, 0);
  console.log('');
  console.log(
    `accepted ${accepted}; in the final chain ${chain.size} transactions (${tip + 1} blocks, finalised up to ${heights[0]!.final_height}); ` +
      `seen final: ${finalBlocks.size} blocks, ${final.size} transactions; lost ${lost}; final blocks reverted ${reverted}`,
  );
  const failures: string[] = [];
  if (lost > 0) failures.push(`${lost} transaction(s) seen final are not in the final chain`);
  if (misplaced.length > 0) failures.push(`GET /transactions/:id answered wrongly: ${misplaced.slice(0, 5).join('; ')}`);
  if (reverted > 0) failures.push(`${reverted} block(s) seen final are not in the final chain`);
  if (conflicts.length > 0) failures.push(`final blocks seen with two hashes: ${conflicts.slice(0, 5).join('; ')}`);
  if (rssMissing.size > 0) failures.push(`no process_resident_memory_bytes in the /metrics of node(s) ${[...rssMissing].join(', ')}`);
  if (partsMissing.size > 0) failures.push(`no ${[...partsMissing].join(', ')} for some node (metrics or /proc)`);
  if (finalBlocks.size === 0) failures.push('no node ever reported a final block');
  if (new Set(heights.map((s) => s.last_hash)).size !== 1) failures.push('the nodes hold different chains');
  if (minutes >= 3) {
    const killed = rows.map((row) => row.killed);
    for (let i = 0; i < N; i++) {
      const window = memoryWindow(killed, i);
      if (window === undefined) {
        console.log(`node ${i}: RSS not compared (restarted in every minute from the second on but one)`);
        continue;
      }
      const before = rssOf(rows[window.first]!, i);
      const after = rssOf(rows[window.last]!, i);
      const drift = (after - before) / before;
      console.log(
        `node ${i}: RSS minute ${window.first + 1} ${before.toFixed(0)} MB, minute ${window.last + 1} ${after.toFixed(0)} MB (${(100 * drift).toFixed(1)} %)`,
      );
      if (!(Math.abs(drift) <= 0.1))
        failures.push(`node ${i}'s RSS moved ${(100 * drift).toFixed(1)} % from minute ${window.first + 1} to minute ${window.last + 1}`);
    }
  } else console.log('(memory flatness is checked on runs of 3 minutes or more)');
  await closeClients();
  await net.stop();
  if (failures.length > 0) {
    console.log(`FAILED:\n  ${failures.join('\n  ')}`);
    console.log(`nodes' data and logs kept in ${dataRoot}`);
    process.exitCode = 1;
  } else {
    rmSync(dataRoot, { recursive: true, force: true });
    console.log('soak: passed');
  }
}

/** What waits in a node's pool, per sender: how many, which nonces, the committed nonce, and why the first is not in a block. */
async function describePool(node: number, c: NodeClient): Promise<void> {
  const bySender = new Map<string, Transaction[]>();
  for (const tx of await c.pool()) bySender.set(tx.sender, [...(bySender.get(tx.sender) ?? []), tx]);
  for (const [sender, txs] of bySender) {
    const nonces = txs.map((tx) => tx.nonce).sort((a, b) => a - b);
    const { nonce, next_nonce } = await c.nonce(sender);
    const contiguous = nonces.every((n, k) => k === 0 || n === nonces[k - 1]! + 1);
    console.log(
      `  node ${node}'s pool: ${txs.length} of ${sender.slice(0, 12)}…, nonces ${nonces[0]}..${nonces[nonces.length - 1]}` +
        `${contiguous ? '' : ' (with gaps)'}, committed nonce ${nonce}, next ${next_nonce}, first: ${JSON.stringify(txs[0]).slice(0, 300)}`,
    );
  }
}

/**
 * Every node's answer to GET /transactions/:id for LOOKUPS transactions spread over the chain, the
 * oldest included (they are in the index's runs on disk): each must be `final` (or `committed`, the newest) in the block that
 * holds it. Returns what was answered otherwise.
 */
async function misplacedLookups(clients: NodeClient[], chain: Map<string, number>): Promise<string[]> {
  const ids = [...chain.keys()];
  const sample = Array.from({ length: Math.min(LOOKUPS, ids.length) }, (_, k) => ids[Math.floor((k * ids.length) / LOOKUPS)]!);
  const wrong: string[] = [];
  for (const [i, c] of clients.entries()) {
    for (const id of sample) {
      const answer = await c.transaction(id);
      if ((answer.status !== 'final' && answer.status !== 'committed') || answer.block !== chain.get(id))
        wrong.push(`node ${i}, ${id.slice(0, 12)}…: ${JSON.stringify(answer)} (in block ${chain.get(id)})`);
    }
  }
  console.log(`looked up ${sample.length} transactions on each node: ${wrong.length} wrong answers`);
  return wrong;
}

await main().catch(async (err: unknown) => {
  console.log(`FAILED: ${err instanceof Error ? err.message : String(err)}`);
  await stopNetwork?.();
  process.exitCode = 1;
});
