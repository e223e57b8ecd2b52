/**
 * `npm run bench`: the experiments of SPEC part D, each on a fresh local network on free ports,
 * stopped afterwards. Writes bench/results/bench-run.md (the tables; report.md is the hand-written summary), results.json and the SVG plots
 * throughput.svg, block-time.svg and fairness.svg.
 *
 * Environment:
 *   BENCH_ONLY=performance,scalability,ntua,fairness,load,latency,endurance,apply,grinding,resume  run only these
 *   BENCH_LOAD_TX=20000        transfers of each sustained-load run
 *   BENCH_LATENCY_TX=10000     transfers of the paced latency run (at most BENCH_LOAD_TX)
 *   BENCH_ENDURANCE_TX=100000  transfers of the endurance run (memory, apply time early vs late)
 *   BENCH_FAIRNESS_TX=3000     transfers of the fairness run
 *   BENCH_GRINDING_EPOCHS=8    seed epochs of the grinding simulation
 *   BENCH_GRINDING_VARIANTS=10000  variants the grinder tries per block
 *   BENCH_RESUME_TRIALS=5      kill/restart trials of the resume experiment
 *   BENCH_KEEP_LOGS=1          keep the resume trials' node logs (their directories are printed)
 *   BENCH_RATE=1000            offered load of the latency run (tx/s)
 *   BENCH_OUT=bench/results    where to write
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { cpus, freemem, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { NodeClient, closeClients } from '../client/api.js';
import { MAX_BLOCKS_PER_PAGE } from '../src/api/routes.js';
import type { Block } from '../src/api/types.js';
import type { WorkloadResult } from '../src/tools/harness.js';
import { runLoad } from '../src/tools/load.js';
import { formatSummary, validatorShares } from '../src/tools/metrics.js';
import { freePortBase, startNetwork, type NetworkOptions, type RunningNetwork } from '../src/tools/network.js';
import { repoRoot } from '../src/tools/network.js';
import { fairnessPlot, metricPlot, renderMarkdown, type BenchResults, type FairnessRecord, type RunRecord } from './report.js';
import { runTester } from '../src/tools/tester.js';
import { measureApplyVsHeight } from './bench-apply.js';
import { runGrindingExperiment } from './bench-grinding.js';
import { runResumeExperiment } from './bench-resume.js';
import { availableSuites } from '../src/crypto/select.js';

const EXPERIMENTS = [
  'performance',
  'scalability',
  'ntua',
  'fairness',
  'load',
  'latency',
  'endurance',
  'apply',
  'grinding',
  'resume',
] as const;
type Experiment = (typeof EXPERIMENTS)[number];

function envInt(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${v}`);
  return n;
}

function selected(): Set<Experiment> {
  const only = process.env.BENCH_ONLY;
  if (!only) return new Set(EXPERIMENTS);
  const names = only
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) {
    if (!(EXPERIMENTS as readonly string[]).includes(n)) throw new Error(`BENCH_ONLY: unknown experiment ${n} (${EXPERIMENTS.join(', ')})`);
  }
  return new Set(names as Experiment[]);
}

let current: RunningNetwork | undefined;
let currentDataRoot: string | undefined;
/** Network starts that failed and were retried. */
let retriedStarts = 0;

async function stopCurrent(): Promise<void> {
  const net = current;
  current = undefined;
  if (net) await net.stop().catch((err: unknown) => console.error(`stopping the network: ${String(err)}`));
  if (currentDataRoot) rmSync(currentDataRoot, { recursive: true, force: true });
  currentDataRoot = undefined;
}

/** Starts a fresh network on free ports, runs `fn`, and always stops it. */
async function withNetwork<T>(
  opts: Omit<NetworkOptions, 'basePort'>,
  fn: (net: RunningNetwork, basePort: number) => Promise<T>,
): Promise<T> {
  const label = `${opts.n} nodes, capacity ${opts.capacity}${opts.stakesBcc ? `, stakes ${opts.stakesBcc.join('/')}` : ''}`;
  let basePort: number;
  // A network that does not form is retried once, on other ports, before the experiment fails.
  for (let attempt = 1; ; attempt++) {
    basePort = await freePortBase(opts.n);
    currentDataRoot = mkdtempSync(join(tmpdir(), 'blockchat-bench-'));
    process.stderr.write(`\n== starting ${label} on ports ${basePort}…${basePort + opts.n - 1}\n`);
    try {
      current = await startNetwork({ ...opts, basePort, dataRoot: currentDataRoot, quiet: true, stdio: 'ignore' });
      break;
    } catch (err) {
      await stopCurrent();
      if (attempt >= 2) throw err;
      process.stderr.write(`   the network did not form (${err instanceof Error ? err.message : String(err)}); retrying\n`);
      retriedStarts++;
    }
  }
  process.stderr.write(`   ready in ${(current.readyMs / 1000).toFixed(2)} s\n`);
  try {
    return await fn(current, basePort);
  } finally {
    await stopCurrent();
  }
}

function record(
  experiment: string,
  n: number,
  capacity: number,
  command: string,
  net: RunningNetwork,
  r: WorkloadResult,
  offeredTps?: number,
): RunRecord {
  process.stderr.write(formatSummary(r.summary, `   ${experiment}: ${n} nodes, capacity ${capacity}`) + '\n');
  return {
    experiment,
    n,
    capacity,
    command,
    summary: r.summary,
    completed: r.completed,
    readyMs: net.readyMs,
    offeredTps,
    submitRate: r.submitRate,
    durationS: Math.max(0, (r.lastCommitAt - r.firstSubmitAt) / 1000),
    tailMs: Math.max(0, r.lastCommitAt - r.lastSubmitAt),
  };
}

/** Every block from `from` to `to` (inclusive) from one node. */
async function fetchBlocks(client: NodeClient, from: number, to: number): Promise<Block[]> {
  const out: Block[] = [];
  let next = from;
  while (next <= to) {
    const page = await client.blocks(next, Math.min(MAX_BLOCKS_PER_PAGE, to - next + 1));
    if (page.length === 0) break;
    for (const b of page) if (b.index >= next && b.index <= to) out.push(b);
    next = (page[page.length - 1]?.index ?? to) + 1;
  }
  return out;
}

function machine(): BenchResults['machine'] {
  const c = cpus();
  return {
    cores: c.length,
    cpu: c[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${platform()} ${release()}`,
  };
}

async function main(): Promise<number> {
  const started = Date.now();
  const root = repoRoot();
  const outDir = process.env.BENCH_OUT ?? join(root, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const which = selected();
  const loadTx = envInt('BENCH_LOAD_TX', 20_000);
  const latencyTx = Math.min(envInt('BENCH_LATENCY_TX', 10_000), loadTx);
  const fairnessTx = envInt('BENCH_FAIRNESS_TX', 3_000);
  const rate = envInt('BENCH_RATE', 1_000);
  const tx5 = join(root, 'transactions', '5nodes');
  const tx10 = join(root, 'transactions', '10nodes');
  const ntua5 = join(root, '..', 'shared', 'ntua-inputs', '5nodes');
  const rel = (p: string) => relative(root, p) || '.';

  let revision: string | undefined;
  try {
    revision = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    if (dirty.trim()) revision += ' (with local changes)';
  } catch {
    revision = undefined;
  }
  const results: BenchResults = {
    date: new Date().toISOString(),
    revision,
    loadAverage: loadavg()[0],
    verifier: availableSuites(process.env).suites[0]!.name, // what the nodes choose: the same rule, the same build
    command: 'npm run bench' + (process.env.BENCH_ONLY ? ` (BENCH_ONLY=${process.env.BENCH_ONLY})` : ''),
    machine: machine(),
    runs: [],
    notes: [],
    durationS: 0,
  };
  if (loadTx !== 20_000) results.notes.push(`Sustained-load runs used BENCH_LOAD_TX=${loadTx} transfers (default 20000).`);
  results.notes.push(`Free memory at start: ${Math.round(freemem() / 2 ** 20)} MB.`);

  const save = () => {
    results.durationS = (Date.now() - started) / 1000;
    writeFileSync(join(outDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
    writeFileSync(join(outDir, 'bench-run.md'), renderMarkdown(results));
    if (results.runs.some((r) => r.experiment === 'performance' || r.experiment === 'scalability')) {
      writeFileSync(join(outDir, 'throughput.svg'), metricPlot(results, 'throughput_tps', 'throughput (tx/s)'));
      writeFileSync(join(outDir, 'block-time.svg'), metricPlot(results, 'block_time_s', 'block time (s)'));
    }
    if (results.fairness) writeFileSync(join(outDir, 'fairness.svg'), fairnessPlot(results.fairness));
  };

  const replay = async (experiment: string, n: number, capacity: number, dir: string) => {
    await withNetwork({ n, capacity }, async (net, base) => {
      const r = await runTester({ input: dir, basePort: base, n });
      const cmd = `blockchat network -n ${n} -capacity ${capacity} -p ${base} & blockchat tester --input ${rel(dir)} -p ${base} -n ${n} --json`;
      results.runs.push(record(experiment, n, capacity, cmd, net, r));
    });
    save();
  };

  let failures = 0;
  const attempt = async (name: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      failures++;
      const msg = `${name} failed: ${err instanceof Error ? err.message : String(err)}`;
      console.error(msg);
      results.notes.push(msg);
      await stopCurrent();
      save();
    }
  };

  if (which.has('performance')) {
    for (const c of [5, 10, 20]) await attempt(`performance capacity ${c}`, () => replay('performance', 5, c, tx5));
  }
  if (which.has('scalability')) {
    for (const c of [5, 10, 20]) await attempt(`scalability capacity ${c}`, () => replay('scalability', 10, c, tx10));
  }
  if (which.has('ntua')) {
    if (existsSync(join(ntua5, 'trans0.txt'))) await attempt('ntua 5nodes', () => replay('ntua', 5, 5, ntua5));
    else results.notes.push(`The course inputs were not found at ${ntua5}; their replay was skipped.`);
  }
  if (which.has('fairness')) {
    await attempt('fairness', async () => {
      const stakesBcc = [10, 10, 10, 10, 100];
      const n = stakesBcc.length;
      const capacity = 5;
      await withNetwork({ n, capacity, stakesBcc }, async (net, base) => {
        const r = await runLoad({ basePort: base, n, transactions: fairnessTx });
        const client = NodeClient.forPort(base);
        const blocks = await fetchBlocks(client, r.startIndex, r.endIndex);
        // The stakes as committed (by node id), not as configured: ids follow the order of joining.
        const ids = new Map<string, number>();
        const stakes = new Array<number>(n).fill(0);
        for (const a of await client.accounts()) {
          if (a.id === null || a.id < 0 || a.id >= n) continue;
          ids.set(a.address, a.id);
          stakes[a.id] = a.stake;
        }
        const shares = validatorShares(blocks, (addr) => ids.get(addr), stakes);
        const fair: FairnessRecord = {
          n,
          capacity,
          stakesBcc: stakes.map((u) => u / 100),
          command: `blockchat network -n ${n} -capacity ${capacity} -p ${base} --stakes ${stakesBcc.join(',')} & blockchat load -p ${base} -n ${n} --transactions ${fairnessTx} --json`,
          summary: r.summary,
          readyMs: net.readyMs,
          blocks: blocks.length,
          shares,
        };
        process.stderr.write(formatSummary(r.summary, '   fairness') + '\n');
        for (const s of shares) {
          process.stderr.write(
            `   node ${s.id}: ${s.blocks} blocks (${(s.blockShare * 100).toFixed(1)} %), fees ${(s.fees / 100).toFixed(2)} BCC (${(s.feeShare * 100).toFixed(1)} %), stake share ${(s.stakeShare * 100).toFixed(1)} %\n`,
          );
        }
        results.fairness = fair;
      });
      save();
    });
  }
  if (which.has('load')) {
    for (const n of [5, 10]) {
      await attempt(`load ${n} nodes`, async () => {
        const capacity = 20;
        await withNetwork({ n, capacity }, async (net, base) => {
          const r = await runLoad({ basePort: base, n, transactions: loadTx });
          const cmd = `blockchat network -n ${n} -capacity ${capacity} -p ${base} & blockchat load -p ${base} -n ${n} --transactions ${loadTx} --json`;
          results.runs.push(record('load', n, capacity, cmd, net, r));
        });
        save();
      });
    }
  }
  if (which.has('latency')) {
    await attempt('latency', async () => {
      const n = 5;
      const capacity = 20;
      await withNetwork({ n, capacity }, async (net, base) => {
        const r = await runLoad({ basePort: base, n, transactions: latencyTx, rate });
        const cmd = `blockchat network -n ${n} -capacity ${capacity} -p ${base} & blockchat load -p ${base} -n ${n} --transactions ${latencyTx} --rate ${rate} --json`;
        results.runs.push(record('latency', n, capacity, cmd, net, r, rate));
      });
      save();
    });
  }

  if (which.has('endurance')) {
    await attempt('endurance', async () => {
      const n = 5;
      const capacity = 20;
      const total = envInt('BENCH_ENDURANCE_TX', 100_000);
      await withNetwork({ n, capacity }, async (net, base) => {
        // Node 1's cumulative apply time and block count, sampled through the run.
        const metric = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 'NaN');
        const samples: Array<{ blocks: number; seconds: number }> = [];
        const sampler = setInterval(() => {
          void NodeClient.forPort(base + 1)
            .metrics()
            .then(
              (text) => {
                samples.push({
                  blocks: metric(text, 'blockchat_blocks_committed_total'),
                  seconds: metric(text, 'blockchat_block_apply_seconds_sum'),
                });
              },
              () => undefined,
            );
        }, 1_000);
        let r: WorkloadResult;
        try {
          r = await runLoad({ basePort: base, n, transactions: total });
        } finally {
          clearInterval(sampler);
        }
        const rssMb = await Promise.all(
          net.ports.map(async (p) => metric(await NodeClient.forPort(p).metrics(), 'process_resident_memory_bytes') / 2 ** 20),
        );
        const windowMs = (a: { blocks: number; seconds: number }, b: { blocks: number; seconds: number }) =>
          b.blocks > a.blocks ? ((b.seconds - a.seconds) * 1000) / (b.blocks - a.blocks) : NaN;
        const k = Math.max(1, Math.floor(samples.length / 5));
        const early = windowMs(samples[0]!, samples[k]!);
        const late = windowMs(samples[samples.length - 1 - k]!, samples[samples.length - 1]!);
        results.endurance = {
          n,
          capacity,
          command: `blockchat network -n ${n} -capacity ${capacity} -p ${base} & blockchat load -p ${base} -n ${n} --transactions ${total} --json`,
          summary: r.summary,
          height: r.endIndex,
          rssMb,
          applyEarlyMs: early,
          applyLateMs: late,
        };
        process.stderr.write(
          formatSummary(r.summary, '   endurance') +
            `\n   RSS MB: ${rssMb.map((m) => m.toFixed(0)).join(', ')}; apply ms early ${early.toFixed(3)}, late ${late.toFixed(3)}\n`,
        );
      });
      save();
    });
  }
  if (which.has('apply')) {
    await attempt('apply', async () => {
      results.apply = measureApplyVsHeight(availableSuites(process.env).suites[0]!.make(), [10, 10_000], 20, 100);
      process.stderr.write(
        `\n== apply time vs height: ${results.apply.map((a) => `${a.height}: ${a.medianMs.toFixed(3)} ms`).join(', ')}\n`,
      );
      save();
    });
  }

  if (which.has('grinding')) {
    await attempt('grinding', async () => {
      const epochs = envInt('BENCH_GRINDING_EPOCHS', 8);
      const variants = envInt('BENCH_GRINDING_VARIANTS', 10_000);
      process.stderr.write(`\n== grinding: ${epochs} epochs, ${variants} variants per grinder block\n`);
      const command = `BENCH_ONLY=grinding BENCH_GRINDING_EPOCHS=${epochs} BENCH_GRINDING_VARIANTS=${variants} npm run bench`;
      const g = runGrindingExperiment(availableSuites(process.env).suites[0]!.make(), epochs, variants, command);
      results.grinding = g;
      process.stderr.write(
        `   grinder: ${g.grinderBlocks} of ${g.blocks} blocks (expected ${g.expected.toFixed(1)}, ${g.deviationSigma.toFixed(2)} σ), ` +
          `${g.variantsTotal} variants, ${g.blocksWithDifferentDraws} blocks with a changed draw, ${g.plainGrinderBlocks} without grinding\n`,
      );
      save();
    });
  }
  if (which.has('resume')) {
    await attempt('resume', async () => {
      results.resume = await runResumeExperiment(withNetwork, envInt('BENCH_RESUME_TRIALS', 5));
      save();
    });
  }
  if (retriedStarts > 0) results.notes.push(`${retriedStarts} network start(s) did not become ready within 60 s and were retried.`);
  save();
  console.log(`bench: wrote ${rel(outDir)}/bench-run.md, results.json and plots in ${Math.round((Date.now() - started) / 1000)} s`);
  return failures === 0 ? 0 : 1;
}

const onSignal = (sig: NodeJS.Signals) => {
  process.stderr.write(`\nbench: ${sig}, stopping the network…\n`);
  void stopCurrent().finally(() => process.exit(130));
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

main()
  .then(async (code) => {
    await closeClients().catch(() => undefined);
    process.exitCode = code;
  })
  .catch(async (err: unknown) => {
    console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
    await stopCurrent();
    await closeClients().catch(() => undefined);
    process.exitCode = 1;
  });
