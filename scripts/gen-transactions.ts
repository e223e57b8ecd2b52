/**
 * Writes the project's own replay inputs: transactions/5nodes/trans0..4.txt and
 * transactions/10nodes/trans0..9.txt, 100 lines `id<k> <message>` each, LF-terminated.
 *
 * Deterministic: a fixed seed drives a small PRNG of our own (mulberry32), so running the script
 * again rewrites byte-identical files. Messages have varied lengths (1 … 60 characters), some in
 * Greek, with accents or emoji, and no line is addressed to its own sender. Messages cost 1 BCC
 * per character, so each file's total is kept under MAX_FILE_COST_BCC: a node has 1000 BCC and
 * stakes 10, and a replay should be about blocks, not about running out of funds.
 *
 *   node dist/scripts/gen-transactions.js [--out DIR] [--seed N]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { codePoints } from '../src/core/fees.js';
import { repoRoot } from '../src/tools/network.js';

export const DEFAULT_SEED = 0x0b10c4a7;
export const LINES_PER_FILE = 100;
export const MAX_MESSAGE_CHARS_GEN = 60;
/** Upper bound of one file's total message cost in BCC (1 BCC per character). */
export const MAX_FILE_COST_BCC = 880;
export const NETWORK_SIZES = [5, 10] as const;

/** mulberry32: a tiny, well-mixed 32-bit PRNG. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes (seed, n, node) into one 32-bit seed, so every file has its own stream. */
function streamSeed(seed: number, n: number, node: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const v of [n, node]) {
    h = Math.imul(h ^ v, 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}

const WORDS: readonly string[] = [
  'hi',
  'ok',
  'yes',
  'no',
  'hello',
  'thanks',
  'see you',
  'ping',
  'pong',
  'lunch?',
  'on my way',
  'block',
  'stake',
  'coins',
  'ledger',
  'validator',
  'nonce',
  'hash',
  'proof of stake',
  'gm',
  'good morning',
  'call me',
  'sure',
  'later',
  'done',
  'the answer is 42',
  'where are you?',
  'meeting at 5',
  'paid',
  'received',
  'agreed',
  'tomorrow',
  'why not',
  'great idea',
  'well done',
  // Greek
  'γεια σου',
  'καλημέρα',
  'ευχαριστώ',
  'ναι',
  'όχι',
  'τα λέμε',
  'καλό βράδυ',
  'Αθήνα',
  'ΕΜΠ',
  // accents and other scripts
  'café',
  'naïve',
  'crème brûlée',
  'über',
  'señor',
  'façade',
  'déjà vu',
  'smörgåsbord',
  'ćao',
  'Zürich',
  'niño',
  'coöperate',
  // single-code-point emoji
  '🚀',
  '👍',
  '🎉',
  '😀',
  '🔥',
  '💰',
  '⛓',
  '✅',
  '🙂',
  '☕',
];

const SHORT_FILLERS: readonly string[] = ['k', 'y', 'n', '!', '?', '👍', 'ok', 'hi', 'ναι', 'ça', '🎉', 'yo'];

/** The first `count` code points of `s`, without trailing spaces. */
function takeCodePoints(s: string, count: number): string {
  const cps = Array.from(s).slice(0, count);
  return cps.join('').trimEnd();
}

function pick<T>(rnd: () => number, items: readonly T[]): T {
  const v = items[Math.floor(rnd() * items.length)];
  if (v === undefined) throw new Error('pick from an empty list');
  return v;
}

/** A message of about `target` code points (at least 1), built from the vocabulary. */
function makeMessage(rnd: () => number, target: number): string {
  if (target <= 3) {
    const short = SHORT_FILLERS.filter((w) => codePoints(w) <= target);
    return pick(rnd, short.length > 0 ? short : ['k']);
  }
  let msg = pick(rnd, WORDS);
  while (codePoints(msg) < target) {
    const sep = rnd() < 0.15 ? ', ' : ' ';
    msg += sep + pick(rnd, WORDS);
  }
  let out = takeCodePoints(msg, target);
  // Cut at a word boundary when the cut fell inside a word and a boundary is not too far back.
  const cps = Array.from(msg);
  if (cps.length > target && cps[target] !== ' ') {
    const lastSpace = out.lastIndexOf(' ');
    if (lastSpace >= Math.floor(out.length / 2)) out = out.slice(0, lastSpace);
  }
  out = out.trimEnd();
  if (out.endsWith(',')) out = out.slice(0, -1);
  return out.length > 0 ? out : 'k';
}

/** The length the next message aims for: mostly short, sometimes long. */
function targetLength(rnd: () => number): number {
  const r = rnd();
  if (r < 0.65) return 1 + Math.floor(rnd() * 6); // 1 … 6
  if (r < 0.93) return 7 + Math.floor(rnd() * 8); // 7 … 14
  return 15 + Math.floor(rnd() * (MAX_MESSAGE_CHARS_GEN - 14)); // 15 … 60
}

/** The lines (without line ends) of node `node`'s file in a network of `n`. */
export function generateLines(seed: number, n: number, node: number): string[] {
  const rnd = mulberry32(streamSeed(seed, n, node));
  const others: number[] = [];
  for (let k = 0; k < n; k++) if (k !== node) others.push(k);
  // Every other node gets at least one message: the first n-1 lines go round the others in a
  // shuffled order, the rest are random.
  const order = [...others];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const a = order[i] as number;
    order[i] = order[j] as number;
    order[j] = a;
  }
  const lines: string[] = [];
  let budget = MAX_FILE_COST_BCC;
  for (let i = 0; i < LINES_PER_FILE; i++) {
    const to = i < order.length ? (order[i] as number) : pick(rnd, others);
    const remainingLines = LINES_PER_FILE - i - 1;
    // Keep at least 2 characters for every line still to come.
    const cap = Math.max(1, Math.min(MAX_MESSAGE_CHARS_GEN, budget - 2 * remainingLines));
    const message = makeMessage(rnd, Math.min(targetLength(rnd), cap));
    budget -= codePoints(message);
    lines.push(`id${to} ${message}`);
  }
  return lines;
}

/** The text of every file of a network of `n`: element i is `trans{i}.txt`. */
export function generateFiles(seed: number, n: number): string[] {
  const files: string[] = [];
  for (let node = 0; node < n; node++) files.push(generateLines(seed, n, node).join('\n') + '\n');
  return files;
}

/** Writes `outDir/{n}nodes/trans{i}.txt` for every network size; returns the paths written. */
export function writeAll(outDir: string, seed = DEFAULT_SEED): string[] {
  const written: string[] = [];
  for (const n of NETWORK_SIZES) {
    const dir = join(outDir, `${n}nodes`);
    mkdirSync(dir, { recursive: true });
    generateFiles(seed, n).forEach((text, i) => {
      const path = join(dir, `trans${i}.txt`);
      writeFileSync(path, text, 'utf8');
      written.push(path);
    });
  }
  return written;
}

function main(argv: string[]): void {
  let out = join(repoRoot(), 'transactions');
  let seed = DEFAULT_SEED;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') out = argv[++i] ?? out;
    else if (a === '--seed') seed = Number(argv[++i]);
    else throw new Error(`unknown argument ${a ?? ''} (usage: gen-transactions [--out DIR] [--seed N])`);
  }
  if (!Number.isSafeInteger(seed)) throw new Error('--seed takes an integer');
  const written = writeAll(out, seed);
  console.log(`wrote ${written.length} files under ${out}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
