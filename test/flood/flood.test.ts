/**
 * Hostile members and outsiders at once (docs/operations.md, "Bounds"): a 5-node network — nodes
 * 0 to 3 processes, node 4 a byzantine member driven by this test (byzantine-member.ts) — under a
 * paced honest load, flooded for FLOOD_MS by four outsider flooders and the member (flooder.ts):
 * peer streams at and past their size, time and count limits, POST /peer/* bodies at and past the
 * body limit, GET /events held past its cap without reading, POST /transactions of keys that own
 * nothing; and from the member, transactions that jam its nonces (a gap of GAP_TXS pending ones,
 * more than it can pay), replayed blocks, votes and transactions, and a chain and a pool page of
 * lies for the nodes that catch up from it.
 *
 * It holds every honest node to its bounds, whichever way the outsiders are turned away (refused
 * at the door or read and dropped): resident memory (sampled from /metrics) below 250 MB
 * throughout, at most 64 peer streams and 64 event subscriptions held by the flooders, honest
 * transactions committing and finality advancing during the flood, and at the end one chain that
 * replays cleanly by the core's rules, with every honest transaction in it and the supply whole.
 *
 * Honest throughput is printed (the honest transactions in blocks stamped in the calm window and
 * in the flood, per second, and their ratio) and held to at least half the calm rate: this file is a
 * measurement, not part of the suite;
 * `npm run flood` runs this file (vitest.flood.config.ts), apart from the suite, as `npm run soak` does.
 */
import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as secp from '@noble/secp256k1';
import { request } from 'undici';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NodeClient } from '../../client/api.js';
import { bytesToHex } from '../../src/core/crypto.js';
import { totalSupply, UNITS_PER_BCC } from '../../src/core/params.js';
import { accountOf } from '../../src/core/state.js';
import type { Block, Transaction } from '../../src/core/types.js';
import type { Vote } from '../../src/core/vote.js';
import { ByzantineMember } from '../integration/byzantine-member.js';
import type { FloodReport } from '../../scripts/flooder.js';
import { STREAM_PROTOCOL } from '../../src/node/network/peer-stream.js';
import { repoRoot } from '../../src/tools/network.js';
import { startPacedLoad } from '../../src/tools/paced.js';
import { metric, openPeerStream, servedChain, supply, useNetworkWithFaultyPeer, waitAgreement } from '../integration/harness.js';

const N = 5;
const CAPACITY = 20;
const MEMBER = 4;
const HONEST = [0, 1, 2, 3];
const OUTSIDERS = 4;
/** Offered honest transfers per second, over the honest nodes. */
const RATE = Number(process.env.BLOCKCHAT_FLOOD_RATE ?? 400);
/** The windows' lengths (`npm run flood` passes these defaults; shorter ones help while debugging). */
const CALM_MS = Number(process.env.BLOCKCHAT_FLOOD_CALM_MS ?? 15_000);
const FLOOD_MS = Number(process.env.BLOCKCHAT_FLOOD_MS ?? 60_000);
/**
 * BLOCKCHAT_FLOOD_NICE: the flooders' scheduling priority (0 by default, as the nodes'). On one
 * machine the flooders take CPU the nodes would otherwise have: a positive value (e.g. 19) leaves
 * them only what the nodes do not use, as flooders on other hosts would, so that the honest rate
 * measures what the nodes' defences cost them rather than how the cores are shared.
 */
const FLOOD_NICE = Number(process.env.BLOCKCHAT_FLOOD_NICE ?? 0);
const SAMPLE_MS = 2_000;
const TICK_MS = 100;
const RSS_BOUND_MB = 250;
/** Nonces the member leaves pending above a gap, and transactions of keys that own nothing. */
const GAP_TXS = 2_000;
const UNPAID_TXS = 1_000;

/** BLOCKCHAT_FLOOD_LOG_DIR: where the nodes' logs go (node-i.log), to look into a failure; dropped by default. */
const t = useNetworkWithFaultyPeer(
  N,
  CAPACITY,
  MEMBER,
  { mode: 'reject', stake: 10 * UNITS_PER_BCC },
  { logDir: process.env.BLOCKCHAT_FLOOD_LOG_DIR },
);

/** The flood's and the calm window's length: the scenario runs for a set time, it waits on nothing. */
const during = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Sample {
  at: number;
  rssMb: number[];
  finalHeight: number[];
  cpuSeconds: number[];
  lagSeconds: number[];
}

const run = {
  samples: [] as Sample[],
  sampleErrors: [] as string[],
  accepted: [] as Array<{ id: string; at: number }>,
  refused: new Map<string, number>(),
  reports: [] as FloodReport[],
  jam: new Map<number, number>(),
  /** Per honest node: answers to the test's own attempts, during the flood, to open one more peer stream and event subscription. */
  probes: HONEST.map(() => ({ streams: [] as number[], events: [] as number[] })),
  calm: { from: 0, to: 0 },
  flood: { from: 0, to: 0 },
  gap: [] as Transaction[],
  chain: [] as Block[],
};

/** Every honest node's RSS and finalised height, every SAMPLE_MS; a missing metric or an unanswered read is recorded as an error. */
function sampler(clients: readonly NodeClient[]): () => Promise<void> {
  let on = true;
  const loop = (async () => {
    while (on) {
      const at = Date.now();
      try {
        const [rss, statuses, cpu, lag] = await Promise.all([
          Promise.all(clients.map((c) => metric(c, 'process_resident_memory_bytes'))),
          Promise.all(clients.map((c) => c.status())),
          Promise.all(clients.map((c) => metric(c, 'process_cpu_seconds_total'))),
          Promise.all(clients.map((c) => metric(c, 'nodejs_eventloop_lag_seconds'))),
        ]);
        run.samples.push({
          at,
          rssMb: rss.map((b) => b / 1024 / 1024),
          finalHeight: statuses.map((s) => s.final_height),
          cpuSeconds: cpu,
          lagSeconds: lag,
        });
      } catch (err) {
        run.sampleErrors.push(`${new Date(at).toISOString()}: ${(err as Error).message}`);
      }
      await during(Math.max(0, at + SAMPLE_MS - Date.now()));
    }
  })();
  return async () => {
    on = false;
    await loop;
  };
}

/** The paced honest load: every TICK_MS, RATE/10 transfers spread over the honest nodes, to one another. */
function honestLoad(clients: readonly NodeClient[]): () => Promise<void> {
  return startPacedLoad({
    rate: RATE,
    tickMs: TICK_MS,
    maxInFlight: 20,
    senders: () => clients.map((_, i) => i),
    request: (i, _j, k, s) => ({ type: 'coins', to: HONEST[(i + 1 + ((k + s) % 3)) % 4]!, amount: 1 }),
    send: async (i, reqs) => {
      const at = Date.now();
      try {
        for (const item of await clients[i]!.submitBatch(reqs))
          if ('id' in item) run.accepted.push({ id: item.id, at });
          else run.refused.set(item.error.code, (run.refused.get(item.error.code) ?? 0) + 1);
      } catch (err) {
        const key = (err as { code?: string }).code ?? 'UNANSWERED';
        run.refused.set(key, (run.refused.get(key) ?? 0) + reqs.length);
      }
    },
  });
}

/** Honest transactions in blocks stamped in [from, to), per second. */
function committedRate(window: { from: number; to: number }): number {
  const honest = new Set(run.accepted.map((a) => a.id));
  let count = 0;
  for (const b of run.chain)
    if (b.timestamp >= window.from && b.timestamp < window.to) count += b.transactions.filter((tx) => honest.has(tx.id)).length;
  return count / ((window.to - window.from) / 1000);
}

beforeAll(async () => {
  const started = Date.now();
  const clients = t.clients;
  const ports = HONEST.map((i) => t.net.ports[i]!);
  await waitAgreement(clients);
  const member = new ByzantineMember(t.peer, N, CAPACITY);
  const tips = await member.chainOf(clients[0]!);
  const blocks = tips.slice(1).map((x) => x.block);
  const votes: Vote[] = blocks.flatMap((b) => (b as Block & { votes?: Vote[] }).votes ?? []);
  const to = (await clients[0]!.status()).address;
  const nonce = accountOf(tips.at(-1)!.ledger, member.address).nonce;
  // the member's nonces nonce+2 … : pending above a gap that only it can fill; and more than it owns
  run.gap = Array.from({ length: GAP_TXS }, (_, j) => member.coins(to, 1, nonce + 2 + j));
  const unaffordable = Array.from({ length: 50 }, (_, j) => member.coins(to, 10_000_000 + j, nonce + j));
  const unpaid = Array.from({ length: UNPAID_TXS }, (_, j) => member.coins(to, 100 + j, j % 7, bytesToHex(secp.utils.randomSecretKey())));
  const stock = { blocks, votes, unpaid };

  // the member's lies for nodes that catch up: the chain as it is, then a thousand blocks that do not apply
  const lie = blocks.at(-1)!;
  const lies = [...tips.map((x) => x.block), ...Array.from({ length: 1_000 }, (_, j) => ({ ...lie, index: lie.index + 1 + j }))];
  member.serve(lies);
  t.peer.answers.set('GET /peer/pool', () => ({ status: 200, body: unpaid.slice(0, 500) }));

  console.log(
    `flood: ${((Date.now() - started) / 1000).toFixed(0)} s to prepare; flooders at priority ${FLOOD_NICE}; calm ${CALM_MS / 1000} s, then the flood`,
  );
  const stopSampling = sampler(clients);
  const stopLoad = honestLoad(clients);
  run.calm.from = Date.now();
  await during(CALM_MS);
  run.calm.to = run.flood.from = Date.now();

  const testCpu = process.cpuUsage();
  const testLag = monitorEventLoopDelay();
  testLag.enable();
  // four outsiders and the member's own connections, each a process of its own (scripts/flooder.ts)
  const config = join(t.dataRoot, 'flood.json');
  writeFileSync(config, JSON.stringify({ ports, stock }));
  const flooders = Array.from({ length: OUTSIDERS + 1 }, () => {
    const child = spawn(process.execPath, [join(repoRoot(), 'dist', 'scripts', 'flooder.js'), config], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (FLOOD_NICE !== 0 && child.pid !== undefined) setPriority(child.pid, FLOOD_NICE);
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const done = new Promise<FloodReport>((resolve, reject) =>
      child.once('exit', (code) =>
        code === 0 ? resolve(JSON.parse(out) as FloodReport) : reject(new Error(`a flooder exited with ${code}`)),
      ),
    );
    done.catch(() => undefined); // awaited after the flood
    return { child, done };
  });
  let jamming = true;
  const jam = (async () => {
    for (let k = 0; jamming; k++) {
      const port = ports[k % ports.length]!;
      const batch = k % 3 === 2 ? unaffordable : run.gap.slice((k * 500) % GAP_TXS, ((k * 500) % GAP_TXS) + 500);
      const { status } = await member.postTransactions(port, batch).catch(() => ({ status: 0 }));
      run.jam.set(status, (run.jam.get(status) ?? 0) + 1);
    }
  })();
  // the test's own attempts at one stream and one subscription more, every few seconds
  const probing = (async () => {
    while (jamming) {
      await during(5_000);
      for (const [i, port] of ports.entries()) {
        const socket = await openPeerStream(port, STREAM_PROTOCOL).catch(() => 0);
        if (typeof socket === 'number') run.probes[i]!.streams.push(socket);
        else {
          run.probes[i]!.streams.push(101);
          socket.destroy();
        }
        const aborter = new AbortController();
        const status = await request(`http://127.0.0.1:${port}/events`, { signal: aborter.signal, headersTimeout: 10_000 }).then(
          (res) => {
            res.body.on('error', () => undefined);
            return res.statusCode;
          },
          () => 0,
        );
        aborter.abort();
        run.probes[i]!.events.push(status);
      }
    }
  })();
  await during(FLOOD_MS);
  run.flood.to = Date.now();
  testLag.disable();
  const used = process.cpuUsage(testCpu);
  const inFlood = run.samples.filter((x) => x.at >= run.flood.from && x.at < run.flood.to);
  if (inFlood.length >= 2) {
    const [a, b] = [inFlood[0]!, inFlood.at(-1)!];
    const secs = (b.at - a.at) / 1000;
    console.log(
      `flood: CPU share of each honest node during the flood: ${b.cpuSeconds.map((c, i) => ((100 * (c - a.cpuSeconds[i]!)) / secs).toFixed(0) + ' %').join(', ')}; ` +
        `their event loop lag at most ${HONEST.map((i) => Math.max(...inFlood.map((x) => x.lagSeconds[i]!)).toFixed(2)).join(', ')} s`,
    );
  }
  console.log(
    `flood: this process used ${((100 * (used.user + used.system)) / 1e6 / (FLOOD_MS / 1000)).toFixed(0)} % CPU; its event loop delay at most ${(testLag.max / 1e9).toFixed(2)} s`,
  );
  jamming = false;
  await Promise.all([jam, probing]);
  for (const f of flooders) f.child.kill('SIGTERM');
  run.reports = await Promise.all(flooders.map((f) => f.done));
  member.stopServing();
  t.peer.answers.delete('GET /peer/pool');
  await stopLoad();

  // the member fills its gap, so that what it left pending commits and the pools drain
  const fill = [member.coins(to, 1, nonce), member.coins(to, 1, nonce + 1), ...run.gap];
  for (const port of ports)
    for (let from = 0; from < fill.length; from += 500) await member.postTransactions(port, fill.slice(from, from + 500));
  const drained = Date.now();
  await waitAgreement(clients, 180_000);
  console.log(`flood: ${((Date.now() - drained) / 1000).toFixed(0)} s to drain and agree after the flood`);
  await stopSampling();
  run.chain = (await servedChain(clients[0]!, N, CAPACITY)).tips.map((x) => x.block);

  const calm = committedRate(run.calm);
  const flooded = committedRate(run.flood);
  console.log(
    `flood: honest load ${RATE} tx/s offered; committed ${calm.toFixed(1)} tx/s calm, ${flooded.toFixed(1)} tx/s flooded: ` +
      `${((100 * flooded) / calm).toFixed(0)} % of the calm rate`,
  );
  console.log(
    `flood: max RSS per honest node (MB): ${HONEST.map((i) => Math.max(...run.samples.map((s) => s.rssMb[i]!)).toFixed(0)).join(', ')}`,
  );
  for (const [k, r] of run.reports.entries()) {
    console.log(
      `flood: flooder ${k} held at most (streams/events) per node: ${Object.values(r.held)
        .map((h) => `${h.streams}/${h.events}`)
        .join(', ')}`,
    );
    console.log(`flood: flooder ${k} answers: ${JSON.stringify(r.tally)}`);
  }
  console.log(`flood: member's jam answers: ${JSON.stringify(Object.fromEntries(run.jam))}; probes: ${JSON.stringify(run.probes)}`);
  if (run.refused.size > 0) console.log(`flood: honest submissions refused: ${JSON.stringify(Object.fromEntries(run.refused))}`);
}, 400_000);

describe('a network flooded by four outsiders and a byzantine member', () => {
  it(`keeps every honest node's resident memory below ${RSS_BOUND_MB} MB, sampled throughout`, () => {
    expect(run.sampleErrors).toEqual([]);
    const during = run.samples.filter((s) => s.at >= run.flood.from && s.at < run.flood.to);
    expect(during.length).toBeGreaterThan(0);
    for (const s of run.samples) for (const mb of s.rssMb) expect(mb).toBeLessThan(RSS_BOUND_MB);
  });

  it('refuses a peer stream and an event subscription more while the flooders hold what it allows', () => {
    for (const p of run.probes) {
      expect(p.streams.length).toBeGreaterThan(0);
      // refused at least once: at the cap (400), or as an outsider (401, 403), whichever comes first
      expect(p.streams.some((s) => s !== 101)).toBe(true);
      expect(p.events.some((s) => s === 503)).toBe(true);
    }
    // the flooders did try: streams, bodies, subscriptions and submissions were sent to every node
    expect(run.reports).toHaveLength(OUTSIDERS + 1);
    for (const r of run.reports)
      for (const kind of ['stream:upgrade', 'events', 'peer:transactions:near-limit', 'peer:blocks:replay', 'transactions:unpaid'])
        expect(
          Object.values(r.tally[kind] ?? {}).reduce((a, b) => a + b, 0),
          kind,
        ).toBeGreaterThan(0);
    expect([...run.jam.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('keeps committing honest transactions and finalising during the flood', () => {
    const sent = run.accepted.filter((a) => a.at >= run.flood.from && a.at < run.flood.to);
    expect(sent.length).toBeGreaterThan(0);
    // issue 13's target for this run: flooded, honest traffic commits at half its calm rate or more
    expect(committedRate(run.flood)).toBeGreaterThanOrEqual(0.5 * committedRate(run.calm));
    const first = run.samples.find((s) => s.at >= run.flood.from);
    const last = run.samples.filter((s) => s.at < run.flood.to).at(-1);
    expect(first).toBeDefined();
    expect(last).toBeDefined();
    for (let i = 0; i < HONEST.length; i++) expect(last!.finalHeight[i]).toBeGreaterThan(first!.finalHeight[i]!);
  });

  it('ends on one chain that replays by the rules, with every honest transaction in it and the supply whole', async () => {
    expect(run.chain.length).toBeGreaterThan(1); // replayed by servedChain, which throws on any rule broken
    const hash = await waitAgreement(t.clients);
    expect(hash).toBe(run.chain.at(-1)!.current_hash);
    const inChain = new Set(run.chain.flatMap((b) => b.transactions.map((tx) => tx.id)));
    expect(run.accepted.length).toBeGreaterThan(0);
    expect(run.accepted.filter((a) => !inChain.has(a.id))).toEqual([]);
    expect(run.gap.every((tx) => inChain.has(tx.id))).toBe(true);
    for (const c of t.clients) expect(supply(await c.accounts())).toBe(totalSupply(N));
  });
});
