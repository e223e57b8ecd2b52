/**
 * A Stryker reporter (`npm run mutation`, stryker.config.json) that writes the run as plain text
 * next to the JSON report: the score of each mutated file and the total, then every mutant that
 * was not detected (survived or not covered), with where it is and what it changed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { commonTokens, declareClassPlugin, PluginKind } from '@stryker-mutator/api/plugin';

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

function count(mutants) {
  const c = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, ignored: 0, errors: 0 };
  for (const m of mutants) {
    if (m.status === 'Killed') c.killed++;
    else if (m.status === 'Timeout') c.timeout++;
    else if (m.status === 'Survived') c.survived++;
    else if (m.status === 'NoCoverage') c.noCoverage++;
    else if (m.status === 'Ignored') c.ignored++;
    else c.errors++;
  }
  const valid = c.killed + c.timeout + c.survived + c.noCoverage;
  c.score = valid === 0 ? 100 : (100 * (c.killed + c.timeout)) / valid;
  return c;
}

function row(name, c) {
  const cells = [c.score.toFixed(2), c.killed, c.timeout, c.survived, c.noCoverage, c.ignored, c.errors];
  return `${name.padEnd(28)} ${cells.map((x) => String(x).padStart(8)).join(' ')}`;
}

/** The source text a mutant replaced, on one line. */
function original(source, { start, end }) {
  const lines = source.split('\n');
  if (start.line === end.line) return lines[start.line - 1].slice(start.column - 1, end.column - 1);
  const text = [
    lines[start.line - 1].slice(start.column - 1),
    ...lines.slice(start.line, end.line - 1),
    lines[end.line - 1].slice(0, end.column - 1),
  ];
  return text.map((l) => l.trim()).join(' ');
}

export function renderText(report) {
  const files = Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b));
  const all = files.flatMap(([, f]) => f.mutants);
  const out = [
    `${'file'.padEnd(28)} ${['score %', 'killed', 'timeout', 'survived', 'no cov', 'ignored', 'errors'].map((h) => h.padStart(8)).join(' ')}`,
    ...files.map(([name, f]) => row(name, count(f.mutants))),
    row('all files', count(all)),
    '',
  ];
  for (const [name, f] of files) {
    const left = f.mutants.filter((m) => UNDETECTED.has(m.status)).sort((a, b) => a.location.start.line - b.location.start.line);
    for (const m of left) {
      const at = `${name}:${m.location.start.line}:${m.location.start.column}`;
      const was = original(f.source, m.location).slice(0, 100);
      out.push(`${m.status} ${m.mutatorName} ${at}`, `  - ${was}`, `  + ${(m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 100)}`);
    }
  }
  const detected = all.filter((m) => DETECTED.has(m.status)).length;
  out.push('', `${detected} of ${all.length} mutants detected`);
  return out.join('\n') + '\n';
}

class TextFileReporter {
  static inject = [commonTokens.options];
  constructor(options) {
    this.file = join(dirname(options.jsonReporter.fileName), 'mutation.txt');
  }
  onMutationTestReportReady(report) {
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, renderText(report));
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.Reporter, 'text-file', TextFileReporter)];
