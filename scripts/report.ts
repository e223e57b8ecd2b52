/**
 * The benchmark's report: markdown tables and hand-written SVG plots (no plotting library).
 * Pure functions from BenchResults to text; scripts/bench.ts writes the files.
 */
import type { RunSummary, ValidatorShare } from '../src/tools/metrics.js';
import { grindingMarkdown, type GrindingReport } from './bench-grinding.js';
import { resumeMarkdown, type ResumeReport } from './bench-resume.js';

/** One measured run of the benchmark. */
export interface RunRecord {
  /** performance | scalability | ntua | load | latency */
  experiment: string;
  n: number;
  capacity: number;
  /** The equivalent command line. */
  command: string;
  summary: RunSummary;
  completed: boolean;
  /** ms from starting the network to every node ready. */
  readyMs: number;
  /** Offered load (tx/s), when paced. */
  offeredTps?: number;
  /** Submissions per second achieved. */
  submitRate?: number;
  /** Seconds the run took (first submission to last commit). */
  durationS: number;
  /** Ms from the last submission to the last commit on every node. */
  tailMs?: number;
}

export interface FairnessRecord {
  n: number;
  capacity: number;
  stakesBcc: number[];
  command: string;
  summary: RunSummary;
  readyMs: number;
  /** Blocks counted (the run's blocks). */
  blocks: number;
  shares: ValidatorShare[];
}

export interface MachineInfo {
  cores: number;
  cpu: string;
  memoryGb: number;
  node: string;
  platform: string;
}

export interface BenchResults {
  date: string;
  /** git revision of the code measured, when known. */
  revision?: string;
  /** 1-minute load average of the machine when the bench started. */
  loadAverage?: number;
  /** The secp256k1 implementation the nodes sign and verify with. */
  verifier?: string;
  command: string;
  machine: MachineInfo;
  runs: RunRecord[];
  fairness?: FairnessRecord;
  notes: string[];
  durationS: number;
  /** Pure-core apply time of one full block against the height of the tip it extends. */
  apply?: Array<{ height: number; medianMs: number }>;
  endurance?: EnduranceRecord;
  /** A simulated grinding staker under the version-2 rules (scripts/bench-grinding.ts). */
  grinding?: GrindingReport;
  /** Finality after two of five crashed stakers restart (scripts/bench-resume.ts). */
  resume?: ResumeReport;
}

/** A long run: memory of every node afterwards, and the node's apply time early against late. */
export interface EnduranceRecord {
  n: number;
  capacity: number;
  command: string;
  summary: RunRecord['summary'];
  height: number;
  /** Resident memory of each node after the run, MB. */
  rssMb: number[];
  /** Node 1's mean ms per applied block over its first and its last sampled windows. */
  applyEarlyMs: number;
  applyLateMs: number;
}

// ---------------------------------------------------------------- SVG

export interface Series {
  name: string;
  points: Array<[number, number]>;
}

export interface LineChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
}

export interface BarChartSpec {
  title: string;
  yLabel: string;
  categories: string[];
  series: Array<{ name: string; values: number[] }>;
}

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** About `count` round tick values covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0];
  if (max === min) {
    max = min === 0 ? 1 : min * 1.1;
    if (max < min) [min, max] = [max, min];
  }
  const span = max - min;
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
  const start = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let v = start; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if ((ticks[ticks.length - 1] ?? min) < max) ticks.push(Number(((ticks[ticks.length - 1] ?? min) + step).toPrecision(12)));
  return ticks;
}

function fmt(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(4)));
}

const num = (v: number): string => (Math.round(v * 10) / 10).toString();

/** The title, plot border and horizontal grid with its labels, shared by every chart. */
function chartFrame(
  title: string,
  width: number,
  m: { left: number; top: number },
  w: number,
  h: number,
  yTicks: readonly number[],
  sy: (y: number) => number,
): string[] {
  const out: string[] = [];
  out.push(`<text x="${num(width / 2)}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(title)}</text>`);
  out.push(`<rect x="${m.left}" y="${m.top}" width="${w}" height="${h}" fill="none" stroke="#999"/>`);
  for (const t of yTicks) {
    const y = sy(t);
    out.push(`<line x1="${m.left}" y1="${num(y)}" x2="${m.left + w}" y2="${num(y)}" stroke="#eee"/>`);
    out.push(`<text x="${m.left - 6}" y="${num(y + 4)}" text-anchor="end" font-size="11">${fmt(t)}</text>`);
  }
  return out;
}

/** A line chart as an SVG group of the given size (top-left at 0,0). */
export function lineChartGroup(spec: LineChartSpec, width: number, height: number): string {
  const m = { left: 60, right: 20, top: 36, bottom: 70 };
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const all = spec.series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const xTicks = niceTicks(xs.length ? Math.min(...xs) : 0, xs.length ? Math.max(...xs) : 1, 5);
  const yTicks = niceTicks(0, ys.length ? Math.max(...ys) : 1, 5);
  const x0 = xTicks[0] ?? 0;
  const x1 = xTicks[xTicks.length - 1] ?? 1;
  const y1 = yTicks[yTicks.length - 1] ?? 1;
  const sx = (x: number) => m.left + (x1 === x0 ? w / 2 : ((x - x0) / (x1 - x0)) * w);
  const sy = (y: number) => m.top + h - (y1 === 0 ? 0 : (y / y1) * h);
  const out = chartFrame(spec.title, width, m, w, h, yTicks, sy);
  for (const t of xTicks) {
    const x = sx(t);
    out.push(`<line x1="${num(x)}" y1="${m.top + h}" x2="${num(x)}" y2="${m.top + h + 4}" stroke="#999"/>`);
    out.push(`<text x="${num(x)}" y="${m.top + h + 16}" text-anchor="middle" font-size="11">${fmt(t)}</text>`);
  }
  out.push(`<text x="${num(m.left + w / 2)}" y="${m.top + h + 34}" text-anchor="middle" font-size="12">${escapeXml(spec.xLabel)}</text>`);
  out.push(
    `<text x="14" y="${num(m.top + h / 2)}" text-anchor="middle" font-size="12" transform="rotate(-90 14 ${num(m.top + h / 2)})">${escapeXml(spec.yLabel)}</text>`,
  );
  spec.series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length] ?? '#000';
    const pts = [...s.points].sort((a, b) => a[0] - b[0]);
    if (pts.length > 1) {
      const d = pts.map((p) => `${num(sx(p[0]))},${num(sy(p[1]))}`).join(' ');
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${d}"/>`);
    }
    for (const p of pts) {
      out.push(
        `<circle cx="${num(sx(p[0]))}" cy="${num(sy(p[1]))}" r="3.5" fill="${color}"><title>${escapeXml(`${s.name}: ${fmt(p[0])} → ${fmt(p[1])}`)}</title></circle>`,
      );
    }
    // legend below the axis label
    const lx = m.left + (i % 3) * Math.floor(w / 3);
    const ly = m.top + h + 50 + Math.floor(i / 3) * 14;
    out.push(`<rect x="${lx}" y="${ly - 8}" width="10" height="10" fill="${color}"/>`);
    out.push(`<text x="${lx + 14}" y="${ly + 1}" font-size="11">${escapeXml(s.name)}</text>`);
  });
  return out.join('\n');
}

/** Grouped bars as an SVG group of the given size. */
export function barChartGroup(spec: BarChartSpec, width: number, height: number): string {
  const m = { left: 60, right: 20, top: 36, bottom: 56 };
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const max = Math.max(0, ...spec.series.flatMap((s) => s.values));
  const yTicks = niceTicks(0, max > 0 ? max : 1, 5);
  const y1 = yTicks[yTicks.length - 1] ?? 1;
  const sy = (y: number) => m.top + h - (y / y1) * h;
  const out = chartFrame(spec.title, width, m, w, h, yTicks, sy);
  out.push(
    `<text x="14" y="${num(m.top + h / 2)}" text-anchor="middle" font-size="12" transform="rotate(-90 14 ${num(m.top + h / 2)})">${escapeXml(spec.yLabel)}</text>`,
  );
  const groups = Math.max(1, spec.categories.length);
  const groupW = w / groups;
  const barW = (groupW * 0.8) / Math.max(1, spec.series.length);
  spec.categories.forEach((cat, g) => {
    const gx = m.left + g * groupW + groupW * 0.1;
    spec.series.forEach((s, i) => {
      const v = s.values[g] ?? 0;
      const color = PALETTE[i % PALETTE.length] ?? '#000';
      const y = sy(v);
      out.push(
        `<rect x="${num(gx + i * barW)}" y="${num(y)}" width="${num(barW - 1)}" height="${num(m.top + h - y)}" fill="${color}"><title>${escapeXml(`${cat} ${s.name}: ${fmt(v)}`)}</title></rect>`,
      );
    });
    out.push(`<text x="${num(gx + groupW * 0.4)}" y="${m.top + h + 16}" text-anchor="middle" font-size="11">${escapeXml(cat)}</text>`);
  });
  spec.series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length] ?? '#000';
    const lx = m.left + i * Math.floor(w / Math.max(1, spec.series.length));
    const ly = m.top + h + 38;
    out.push(`<rect x="${lx}" y="${ly - 8}" width="10" height="10" fill="${color}"/>`);
    out.push(`<text x="${lx + 14}" y="${ly + 1}" font-size="11">${escapeXml(s.name)}</text>`);
  });
  return out.join('\n');
}

/** A complete SVG document of panels laid out side by side. */
export function svgDocument(panels: string[], panelWidth = 480, height = 340): string {
  const width = panelWidth * Math.max(1, panels.length);
  const body = panels.map((p, i) => `<g transform="translate(${i * panelWidth},0)">\n${p}\n</g>`).join('\n');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">\n` +
    `<rect width="100%" height="100%" fill="white"/>\n${body}\n</svg>\n`
  );
}

export function lineChartSvg(spec: LineChartSpec): string {
  return svgDocument([lineChartGroup(spec, 560, 340)], 560, 340);
}

export function barChartSvg(spec: BarChartSpec): string {
  return svgDocument([barChartGroup(spec, 560, 340)], 560, 340);
}

// ---------------------------------------------------------------- the bench plots

type Metric = 'throughput_tps' | 'block_time_s';

function replayRuns(r: BenchResults): RunRecord[] {
  return r.runs.filter((x) => x.experiment === 'performance' || x.experiment === 'scalability');
}

/** Two panels: the metric against capacity (a line per network size) and against network size. */
export function metricPlot(r: BenchResults, metric: Metric, label: string): string {
  const runs = replayRuns(r);
  const sizes = [...new Set(runs.map((x) => x.n))].sort((a, b) => a - b);
  const caps = [...new Set(runs.map((x) => x.capacity))].sort((a, b) => a - b);
  const vsCapacity: Series[] = sizes.map((n) => ({
    name: `${n} nodes`,
    points: runs.filter((x) => x.n === n).map((x) => [x.capacity, x.summary[metric]] as [number, number]),
  }));
  const vsNodes: Series[] = caps.map((c) => ({
    name: `capacity ${c}`,
    points: runs.filter((x) => x.capacity === c).map((x) => [x.n, x.summary[metric]] as [number, number]),
  }));
  const load = r.runs.filter((x) => x.experiment === 'load');
  if (load.length > 0) {
    vsNodes.push({
      name: `load, capacity ${load[0]?.capacity ?? ''}`,
      points: load.map((x) => [x.n, x.summary[metric]] as [number, number]),
    });
  }
  return svgDocument([
    lineChartGroup(
      { title: `${label} vs capacity (replay)`, xLabel: 'capacity (transactions per block)', yLabel: label, series: vsCapacity },
      480,
      340,
    ),
    lineChartGroup({ title: `${label} vs number of nodes`, xLabel: 'nodes', yLabel: label, series: vsNodes }, 480, 340),
  ]);
}

export function fairnessPlot(f: FairnessRecord): string {
  const pct = (v: number) => Math.round(v * 1000) / 10;
  return barChartSvg({
    title: `Fairness: ${f.n} nodes, capacity ${f.capacity}, stakes ${f.stakesBcc.join('/')} BCC`,
    yLabel: 'share (%)',
    categories: f.shares.map((s) => `node ${s.id}`),
    series: [
      { name: 'stake share', values: f.shares.map((s) => pct(s.stakeShare)) },
      { name: 'blocks validated', values: f.shares.map((s) => pct(s.blockShare)) },
      { name: 'fees earned', values: f.shares.map((s) => pct(s.feeShare)) },
    ],
  });
}

// ---------------------------------------------------------------- markdown

function sizesText(sizes: Record<string, number>): string {
  const e = Object.entries(sizes);
  return e.length === 0 ? '-' : e.map(([s, c]) => `${s}×${c}`).join(' ');
}

function rejectedText(rej: Record<string, number>): string {
  const e = Object.entries(rej);
  return e.length === 0 ? '0' : e.map(([k, v]) => `${k} ${v}`).join(', ');
}

/** Time to final p50 / p99 (ms), or '-' when the run had no finality (or an older results file). */
function finalText(s: RunSummary): string {
  const f = s.final_latency_ms;
  return f ? `${f.p50.toFixed(0)} / ${f.p99.toFixed(0)}` : '-';
}

function runTable(runs: RunRecord[], withOffered = false): string {
  const head =
    '| nodes | capacity | submitted | committed | rejected | throughput (tx/s) | block time (s) | latency p50 / p99 (ms) | time to final p50 / p99 (ms) | last submit → last commit (ms) | blocks | block sizes | nodes agree |' +
    (withOffered ? ' offered (tx/s) | submitted (tx/s) |' : '');
  const sep = '|' + ' --- |'.repeat(13 + (withOffered ? 2 : 0));
  const rows = runs.map(
    (x) =>
      `| ${x.n} | ${x.capacity} | ${x.summary.submitted} | ${x.summary.committed} | ${rejectedText(x.summary.rejected)} | ` +
      `${x.summary.throughput_tps.toFixed(1)} | ${x.summary.block_time_s.toFixed(3)} | ` +
      `${x.summary.latency_ms.p50.toFixed(0)} / ${x.summary.latency_ms.p99.toFixed(0)} | ${finalText(x.summary)} | ${x.tailMs !== undefined ? x.tailMs.toFixed(0) : '-'} | ${x.summary.blocks} | ` +
      `${sizesText(x.summary.block_sizes)} | ${x.summary.nodes_agree ? 'yes' : '**no**'}${x.completed ? '' : ' (incomplete)'} |` +
      (withOffered ? ` ${x.offeredTps ?? '-'} | ${x.submitRate !== undefined ? x.submitRate.toFixed(0) : '-'} |` : ''),
  );
  const cmds = runs.map((x) => `- \`${x.command}\``);
  return [head, sep, ...rows, '', 'Commands (against a network started with the same n and capacity):', '', ...cmds].join('\n');
}

export function renderMarkdown(r: BenchResults): string {
  const out: string[] = [];
  out.push('# BlockChat benchmark results', '');
  out.push(`- Date: ${r.date}`);
  out.push(`- Command: \`${r.command}\``);
  out.push(`- Machine: ${r.machine.cores} cores (${r.machine.cpu}), ${r.machine.memoryGb} GB, ${r.machine.platform}`);
  out.push(`- Node.js: ${r.machine.node}`);
  if (r.revision) out.push(`- Code: git ${r.revision}`);
  if (r.loadAverage !== undefined) out.push(`- Load average when started: ${r.loadAverage.toFixed(2)}`);
  if (r.verifier) out.push(`- Signatures: ${r.verifier}`);
  out.push(`- Total bench time: ${Math.round(r.durationS)} s`);
  out.push('');
  out.push(
    'Every run uses a fresh local network (one process per node, loopback, default `--block-timeout` 500 ms, stake 10 BCC each ' +
      'unless noted). Throughput = committed ÷ seconds from the first submission until the last transaction is in a block on ' +
      'every node; block time = mean interval between consecutive blocks of the run (validator timestamps); latency = submit → ' +
      'in a block on every node.',
    '',
  );
  const section = (title: string, exp: string, blurb: string, withOffered = false) => {
    const runs = r.runs.filter((x) => x.experiment === exp);
    if (runs.length === 0) return;
    out.push(`## ${title}`, '', blurb, '', runTable(runs, withOffered), '');
  };
  section('Performance (5 nodes)', 'performance', 'Replay of `transactions/5nodes` at capacity 5, 10 and 20.');
  section('Scalability (10 nodes)', 'scalability', 'Replay of `transactions/10nodes` at capacity 5, 10 and 20.');
  if (r.runs.some((x) => x.experiment === 'performance' || x.experiment === 'scalability')) {
    out.push('![throughput](throughput.svg)', '', '![block time](block-time.svg)', '');
  }
  section(
    'Course inputs',
    'ntua',
    "Replay of the course's original `5nodes` inputs (`../shared/ntua-inputs/5nodes`, not part of the repository). " +
      'Those files cost about 2300 BCC of messages per node against 990 available, so many lines are refused for funds.',
  );
  section(
    'Sustained load',
    'load',
    'Small coin transfers (0.01 BCC) over every wallet, as fast as the network commits them: each wallet keeps at most ' +
      'a bounded backlog of transfers accepted but not yet committed everywhere (`blockchat load`).',
    true,
  );
  section(
    'Latency under offered load',
    'latency',
    'Transfers paced at the offered rate over all nodes: every 20 ms each node submits, in one batch call, the transfers ' +
      'that have fallen due; latency runs from each submission. The same backlog bound applies, so an offered rate above ' +
      'what the network commits shows up as a lower submitted rate rather than an ever-growing pool.',
    true,
  );
  if (r.fairness) {
    const f = r.fairness;
    out.push('## Fairness', '');
    out.push(
      `${f.n} nodes, capacity ${f.capacity}, stakes ${f.stakesBcc.join(' / ')} BCC, ${f.blocks} blocks of sustained load. ` +
        "Each node's share of blocks validated and of fees earned against the share its stake predicts.",
      '',
    );
    out.push('| node | stake (BCC) | stake share | blocks | block share | fees (BCC) | fee share |');
    out.push('| --- | --- | --- | --- | --- | --- | --- |');
    for (const s of f.shares) {
      out.push(
        `| ${s.id} | ${f.stakesBcc[s.id] ?? '-'} | ${(s.stakeShare * 100).toFixed(1)} % | ${s.blocks} | ${(s.blockShare * 100).toFixed(1)} % | ` +
          `${(s.fees / 100).toFixed(2)} | ${(s.feeShare * 100).toFixed(1)} % |`,
      );
    }
    out.push('', `Command: \`${f.command}\``, '', '![fairness](fairness.svg)', '');
  }
  const ready = [...r.runs.map((x) => ({ n: x.n, c: x.capacity, ms: x.readyMs, e: x.experiment }))];
  if (r.fairness) ready.push({ n: r.fairness.n, c: r.fairness.capacity, ms: r.fairness.readyMs, e: 'fairness' });
  if (ready.length > 0) {
    out.push('## Network ready time', '', 'From starting the processes to every node having its coins and stake committed.', '');
    out.push('| experiment | nodes | capacity | ready (s) |', '| --- | --- | --- | --- |');
    for (const x of ready) out.push(`| ${x.e} | ${x.n} | ${x.c} | ${(x.ms / 1000).toFixed(2)} |`);
    out.push('');
  }
  if (r.endurance) {
    const e = r.endurance;
    out.push('## Endurance', '');
    out.push(
      `${e.summary.committed} transfers committed on ${e.n} nodes at capacity ${e.capacity} (height ${e.height}), ${e.summary.throughput_tps} tx/s, nodes agree: ${e.summary.nodes_agree ? 'yes' : 'no'}.`,
      '',
    );
    out.push('| node | resident memory after the run (MB) |', '| --- | --- |');
    e.rssMb.forEach((mb, i) => out.push(`| ${i} | ${mb.toFixed(0)} |`));
    out.push(
      '',
      `Node 1's mean time to validate and apply a block: ${e.applyEarlyMs.toFixed(3)} ms over the first sampled window, ${e.applyLateMs.toFixed(3)} ms over the last (ratio ${(e.applyLateMs / e.applyEarlyMs).toFixed(2)}).`,
      '',
    );
    out.push(`Command: \`${e.command}\``, '');
  }
  if (r.apply) {
    out.push('## Apply time against height (pure core)', '');
    out.push(
      'One block of 20 signed transfers validated (every signature checked) and applied on the tip at each height; median of 100 applications.',
      '',
    );
    out.push('| height | median ms |', '| --- | --- |');
    for (const a of r.apply) out.push(`| ${a.height} | ${a.medianMs.toFixed(3)} |`);
    out.push('');
  }
  if (r.grinding) out.push(...grindingMarkdown(r.grinding));
  if (r.resume) out.push(...resumeMarkdown(r.resume));
  if (r.notes.length > 0) {
    out.push('## Notes', '');
    for (const n of r.notes) out.push(`- ${n}`);
    out.push('');
  }
  return out.join('\n');
}
