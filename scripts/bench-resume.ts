/**
 * Finality after crashed stakers restart (issue 12; `BENCH_ONLY=resume`): 5 nodes with equal
 * stakes. Node 4 is SIGKILLed (the other four keep finalising), then node 3 (the three left make
 * blocks, nothing new is final); transfers are committed meanwhile. Both are then restarted at
 * once, and the trial measures how long until those transfers are final on all five nodes: from
 * the restart command, and from the moment both restarted processes listen.
 *
 * Where the time goes comes from the restarted nodes' logs (JSON, at debug level: process up,
 * chain restored, listening, hellos sent, caught up, resumed minting and voting, first vote) and from the chain
 * itself, replayed by the core's rules: the block that justified a checkpoint again and the block
 * that finalised one, by their timestamps (every node runs on this machine's clock).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeClient } from '../client/api.js';
import { readToken } from '../src/api/token.js';
import type { BlockV2 } from '../src/core/blockv2.js';
import { applyBlockV2, genesisTipV2 } from '../src/core/consensus.js';
import type { Block } from '../src/core/types.js';
import { waitFor, type NetworkOptions, type RunningNetwork } from '../src/tools/network.js';

/** The network of a trial: its nodes log at debug level to `logDir/node-i.log`. */
export function resumeNetwork(logDir: string): Omit<NetworkOptions, 'basePort'> {
  return { n: 5, capacity: 5, logDir, nodeFlags: ['--log-level', 'debug'] };
}

/** What the restarted nodes log, in the order it happens (the first line of each kind after the restart). */
const LOG_STEPS = [
  ['process up', /^signatures: /],
  ['chain restored', /^restored node /],
  ['listening', /^listening on /],
  ['hellos sent', /^restarted at height /],
  ['caught up', /^caught up from height /],
  ['resumed', /^resumed at height /],
  ['first vote', /^voted /],
] as const;

export type Step = (typeof LOG_STEPS)[number][0] | 'justified again' | 'final again' | 'transfers final everywhere';

export interface ResumeTrial {
  /** 1-minute load average when the restart command was given. */
  loadAverage: number;
  /** Ms from the restart command to the transfers committed during the outage being final on all five nodes. */
  fromCommandMs: number;
  /** The same, from the moment both restarted processes listen. */
  fromListenMs: number;
  /** Blocks made while the two were down (committed, not final). */
  outageBlocks: number;
  /** Ms after the restart command: each restarted node's steps (node 3, node 4), then the chain's. */
  steps: Partial<Record<Step, number[]>>;
}

interface LogLine {
  time: number;
  msg: string;
}

function logLines(path: string, since: number): LogLine[] {
  const out: LogLine[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const rec = JSON.parse(line) as { time?: number; msg?: string };
      if (typeof rec.time === 'number' && typeof rec.msg === 'string' && rec.time >= since) out.push({ time: rec.time, msg: rec.msg });
    } catch {
      // a line cut by the kill
    }
  }
  return out;
}

/** A few transfers between the given nodes (each to the next); their ids. */
async function transfers(clients: readonly NodeClient[], amount: number): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, c] of clients.entries()) ids.push((await c.submit({ type: 'coins', to: (i + 1) % clients.length, amount })).id);
  return ids;
}

async function allFinal(clients: readonly NodeClient[], ids: readonly string[], timeoutMs: number): Promise<void> {
  await waitFor(
    `${ids.length} transactions final on ${clients.length} nodes`,
    async () => {
      for (const c of clients) for (const id of ids) if ((await c.transaction(id)).status !== 'final') return false;
      return true;
    },
    timeoutMs,
    20,
  );
}

async function allCommitted(clients: readonly NodeClient[], ids: readonly string[]): Promise<void> {
  await waitFor(`${ids.length} transactions committed on ${clients.length} nodes`, async () => {
    for (const c of clients) for (const id of ids) if ((await c.transaction(id)).status === 'pending') return false;
    return true;
  });
}

/** The whole chain node `c` serves. */
async function chainOf(c: NodeClient): Promise<Block[]> {
  const blocks: Block[] = [];
  for (let from = 0; ; from += 500) {
    const page = await c.blocks(from, 500);
    blocks.push(...page);
    if (page.length < 500) return blocks;
  }
}

/** One trial on a fresh network started with resumeNetwork(logDir). */
export async function resumeTrial(net: RunningNetwork, logDir: string): Promise<ResumeTrial> {
  const client = (i: number) => NodeClient.forPort(net.ports[i]!, '127.0.0.1', readToken(net.ports[i]!));
  const clients = net.ports.map((_, i) => client(i));
  await allFinal(clients, [(await clients[0]!.submit({ type: 'coins', to: 1, amount: 1 })).id], 60_000);
  await net.stopNode(4, true);
  await allFinal(clients.slice(0, 4), await transfers(clients.slice(0, 4), 10), 60_000);
  await net.stopNode(3, true);
  const live = clients.slice(0, 3);
  const before = await live[0]!.status();
  const ids = await transfers(live, 20);
  await allCommitted(live, ids);
  const atRestart = await live[0]!.status();

  const restarted = Date.now();
  const loadAverage = loadavg()[0]!;
  await Promise.all([net.restartNode(3), net.restartNode(4)]);
  const all = net.ports.map((_, i) => client(i));
  await allFinal(all, ids, 120_000);
  const finalEverywhere = Date.now();

  const steps: ResumeTrial['steps'] = {};
  const at = (step: Step, t: number) => (steps[step] ??= []).push(t - restarted);
  for (const i of [3, 4]) {
    const lines = logLines(join(logDir, `node-${i}.log`), restarted);
    for (const [step, pattern] of LOG_STEPS) {
      const line = lines.find((l) => pattern.test(l.msg));
      if (line) at(step, line.time);
    }
  }
  // The chain as node 0 holds it, replayed: the first block after the restart that justified a
  // checkpoint above the last one justified before, and the first that finalised one.
  const blocks = await chainOf(all[0]!);
  const { params, tip: genesis } = genesisTipV2(blocks[0]!, net.ports.length, 5);
  let tip = genesis;
  let justifiedBefore: number | undefined;
  for (const block of blocks.slice(1)) {
    tip = applyBlockV2(params, tip, block as BlockV2);
    if (block.index === atRestart.height) justifiedBefore = tip.finality.justified.height;
    if (justifiedBefore === undefined || block.index <= atRestart.height) continue;
    if (!steps['justified again'] && tip.finality.justified.height > justifiedBefore) at('justified again', block.timestamp);
    if (!steps['final again'] && tip.finality.finalized.height > before.final_height) at('final again', block.timestamp);
  }
  at('transfers final everywhere', finalEverywhere);
  const listening = Math.max(...(steps.listening ?? [NaN]));
  return {
    loadAverage,
    fromCommandMs: finalEverywhere - restarted,
    fromListenMs: finalEverywhere - restarted - listening,
    outageBlocks: atRestart.height - before.height,
    steps,
  };
}

export interface ResumeReport {
  trials: ResumeTrial[];
  command: string;
}

/** Starts a fresh network, runs `fn` on it and stops it (scripts/bench.ts). */
export type WithNetwork = <T>(opts: Omit<NetworkOptions, 'basePort'>, fn: (net: RunningNetwork) => Promise<T>) => Promise<T>;

/** `k` trials, each on a fresh network; BENCH_KEEP_LOGS keeps the nodes' logs (their directories are printed). */
export async function runResumeExperiment(withNetwork: WithNetwork, k: number): Promise<ResumeReport> {
  const trials: ResumeTrial[] = [];
  for (let i = 1; i <= k; i++) {
    const logDir = mkdtempSync(join(tmpdir(), 'blockchat-resume-'));
    try {
      trials.push(await withNetwork(resumeNetwork(logDir), (net) => resumeTrial(net, logDir)));
    } finally {
      if (process.env.BENCH_KEEP_LOGS) process.stderr.write(`   logs kept in ${logDir}\n`);
      else rmSync(logDir, { recursive: true, force: true });
    }
    process.stderr.write(`   trial ${i}/${k}: ${resumeLine(trials[trials.length - 1]!)}\n`);
  }
  return { trials, command: `BENCH_ONLY=resume BENCH_RESUME_TRIALS=${k} npm run bench` };
}

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}

const seconds = (ms: number | undefined) => (ms === undefined || Number.isNaN(ms) ? '–' : (ms / 1000).toFixed(2));

/** One line per trial for the console. */
export function resumeLine(t: ResumeTrial): string {
  return (
    `final again ${seconds(t.fromCommandMs)} s after the restart command, ${seconds(t.fromListenMs)} s after both listen ` +
    `(load ${t.loadAverage.toFixed(1)}; ${t.outageBlocks} blocks while down)`
  );
}

export function resumeMarkdown(r: ResumeReport): string[] {
  const from = (key: 'fromCommandMs' | 'fromListenMs') => r.trials.map((t) => t[key]);
  const stepNames = [...LOG_STEPS.map(([s]) => s), 'justified again', 'final again', 'transfers final everywhere'] as const;
  const out = [
    '## Finality after crashed stakers restart',
    '',
    '5 nodes, equal stakes, capacity 5. Node 4 then node 3 are SIGKILLed (3 of 5 cannot justify anything), 3 transfers ' +
      'are committed meanwhile, then both are restarted at once. Measured: until those transfers are final on all five ' +
      `nodes, over ${r.trials.length} trials (a fresh network each).`,
    '',
    '| measured from | p50 (s) | max (s) |',
    '| --- | --- | --- |',
    `| the restart command | ${seconds(quantile(from('fromCommandMs'), 0.5))} | ${seconds(Math.max(...from('fromCommandMs')))} |`,
    `| both restarted processes listening | ${seconds(quantile(from('fromListenMs'), 0.5))} | ${seconds(Math.max(...from('fromListenMs')))} |`,
    '',
    'Each trial, seconds after the restart command (node 3 / node 4 for the steps of the restarted nodes; the chain ' +
      'steps by the timestamp of the block):',
    '',
    `| trial | load | blocks while down | ${stepNames.join(' | ')} |`,
    `| --- | --- | --- | ${stepNames.map(() => '---').join(' | ')} |`,
  ];
  r.trials.forEach((t, i) => {
    const cells = stepNames.map((s) => (t.steps[s] ?? []).map((ms) => seconds(ms)).join(' / ') || '–');
    out.push(`| ${i + 1} | ${t.loadAverage.toFixed(1)} | ${t.outageBlocks} | ${cells.join(' | ')} |`);
  });
  out.push('', `Command: \`${r.command}\``, '');
  return out;
}
