import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/tools/metrics.js';
import {
  barChartSvg,
  escapeXml,
  fairnessPlot,
  lineChartSvg,
  metricPlot,
  niceTicks,
  renderMarkdown,
  type BenchResults,
  type RunRecord,
} from '../../scripts/report.js';

/** A crude well-formedness check: every tag closes, in order, attributes are quoted. */
function assertWellFormed(svg: string): void {
  expect(svg.startsWith('<?xml')).toBe(true);
  const body = svg.replace(/<\?xml[^>]*\?>/, '');
  const stack: string[] = [];
  const tagRe = /<(\/?)([a-zA-Z][\w-]*)((?:\s+[\w:-]+="[^"<>]*")*)\s*(\/?)>/g;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = tagRe.exec(body))) {
    const between = body.slice(last, m.index);
    expect(between).not.toMatch(/[<>]/);
    expect(between).not.toMatch(/&(?!(amp|lt|gt|quot|apos);)/);
    last = tagRe.lastIndex;
    const [, closing, name, , selfClosing] = m;
    if (closing) expect(stack.pop()).toBe(name);
    else if (!selfClosing) stack.push(name ?? '');
  }
  expect(body.slice(last).trim()).toBe('');
  expect(stack).toEqual([]);
}

function summary(tps: number, bt: number): RunSummary {
  return {
    submitted: 500,
    committed: 480,
    rejected: { INSUFFICIENT_FUNDS: 20 },
    throughput_tps: tps,
    block_time_s: bt,
    latency_ms: { p50: 900, p99: 1500 },
    finalized: 480,
    final_latency_ms: { p50: 1400, p99: 2100 },
    blocks: 96,
    block_sizes: { '5': 96 },
    nodes_agree: true,
  };
}

function run(experiment: string, n: number, capacity: number, tps: number, bt: number): RunRecord {
  return {
    experiment,
    n,
    capacity,
    command: `blockchat tester --input transactions/${n}nodes -p 5000 -n ${n}`,
    summary: summary(tps, bt),
    completed: true,
    readyMs: 3300,
    durationS: 2.5,
  };
}

const results: BenchResults = {
  date: '2026-01-01T00:00:00.000Z',
  command: 'npm run bench',
  machine: { cores: 2, cpu: 'Test CPU <fast> & "cool"', memoryGb: 4, node: 'v20.20.0', platform: 'linux' },
  runs: [
    run('performance', 5, 5, 140, 0.035),
    run('performance', 5, 10, 180, 0.05),
    run('performance', 5, 20, 220, 0.09),
    run('scalability', 10, 5, 90, 0.05),
    run('scalability', 10, 10, 120, 0.08),
    run('scalability', 10, 20, 150, 0.13),
    run('load', 5, 20, 276, 0.07),
    run('load', 10, 20, 200, 0.1),
  ],
  fairness: {
    n: 5,
    capacity: 5,
    stakesBcc: [10, 10, 10, 10, 100],
    command: 'blockchat load -p 5000 -n 5 --transactions 3000',
    summary: summary(150, 0.03),
    readyMs: 3000,
    blocks: 600,
    shares: [0, 1, 2, 3, 4].map((id) => ({
      id,
      blocks: id === 4 ? 430 : 42,
      fees: id === 4 ? 430 * 5 : 42 * 5,
      blockShare: id === 4 ? 0.72 : 0.07,
      feeShare: id === 4 ? 0.72 : 0.07,
      stakeShare: id === 4 ? 100 / 140 : 10 / 140,
    })),
  },
  notes: ['a <note> & more'],
  durationS: 600,
};

describe('SVG plots', () => {
  it('niceTicks covers the range with round steps', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(5, 20)).toEqual([5, 10, 15, 20]);
    expect(niceTicks(0, 276)).toEqual([0, 100, 200, 300]);
    expect(niceTicks(0, 0.13)).toEqual([0, 0.05, 0.1, 0.15]);
    const t = niceTicks(3, 3);
    expect(t[0]).toBeLessThanOrEqual(3);
    expect(t[t.length - 1]).toBeGreaterThanOrEqual(3);
  });

  it('escapes XML', () => {
    expect(escapeXml(`a<b>&"c'`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;');
  });

  it('a line chart is well-formed and names every series', () => {
    const svg = lineChartSvg({
      title: 'Throughput <tx/s> & more',
      xLabel: 'capacity',
      yLabel: 'tx/s',
      series: [
        {
          name: '5 nodes',
          points: [
            [5, 140],
            [10, 180],
            [20, 220],
          ],
        },
        {
          name: '10 nodes',
          points: [
            [5, 90],
            [10, 120],
            [20, 150],
          ],
        },
      ],
    });
    assertWellFormed(svg);
    expect(svg).toContain('5 nodes');
    expect(svg).toContain('10 nodes');
    expect(svg).toContain('Throughput &lt;tx/s&gt; &amp; more');
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg.match(/<circle/g)).toHaveLength(6);
  });

  it('a bar chart is well-formed and has a bar per value', () => {
    const svg = barChartSvg({
      title: 'bars',
      yLabel: '%',
      categories: ['a', 'b', 'c'],
      series: [
        { name: 'one', values: [1, 2, 3] },
        { name: 'two', values: [0, 5, 1] },
      ],
    });
    assertWellFormed(svg);
    expect(svg.match(/<rect [^>]*><title>/g)).toHaveLength(6);
  });

  it('copes with empty data', () => {
    assertWellFormed(lineChartSvg({ title: 't', xLabel: 'x', yLabel: 'y', series: [] }));
    assertWellFormed(barChartSvg({ title: 't', yLabel: 'y', categories: [], series: [] }));
  });

  it('the bench plots hold their series', () => {
    const tp = metricPlot(results, 'throughput_tps', 'throughput (tx/s)');
    assertWellFormed(tp);
    for (const name of ['5 nodes', '10 nodes', 'capacity 5', 'capacity 10', 'capacity 20', 'load, capacity 20']) {
      expect(tp).toContain(`>${name}<`);
    }
    expect(tp).toContain('5 nodes: 20 → 220');
    const bt = metricPlot(results, 'block_time_s', 'block time (s)');
    assertWellFormed(bt);
    expect(bt).toContain('10 nodes: 20 → 0.13');
    const fair = fairnessPlot(results.fairness!);
    assertWellFormed(fair);
    for (const name of ['stake share', 'blocks validated', 'fees earned', 'node 4']) expect(fair).toContain(name);
  });
});

describe('markdown report', () => {
  it('has the machine, the commands, every experiment and the fairness table', () => {
    const md = renderMarkdown(results);
    const parts = [
      '# BlockChat benchmark results',
      '2 cores',
      'v20.20.0',
      '`npm run bench`',
      '## Performance (5 nodes)',
      '## Scalability (10 nodes)',
      '## Sustained load',
      '## Fairness',
      '| 4 | 100 | 71.4 % | 430 | 72.0 % |',
      '![throughput](throughput.svg)',
      '`blockchat tester --input transactions/5nodes -p 5000 -n 5`',
      '## Network ready time',
    ];
    expect(parts.length).toBeGreaterThan(0);
    for (const part of parts) expect(md).toContain(part);
  });
});
