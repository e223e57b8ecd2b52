/**
 * The replay input format of the tester (SPEC part C): a directory of `trans0.txt … trans{n-1}.txt`,
 * one per node, each line `id<k> <message>` — node X sends `message` to node k. Lines end in LF or
 * CRLF; blank lines are ignored. A bad line is an error that names the file and the line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_MESSAGE_CHARS } from '../core/params.js';
import { codePoints } from '../core/fees.js';

export interface ReplayLine {
  /** The receiving node's id. */
  readonly to: number;
  readonly message: string;
  /** 1-based line number in its file, for error messages. */
  readonly line: number;
}

export class ReplayInputError extends Error {
  override readonly name = 'ReplayInputError';
  constructor(
    readonly file: string,
    readonly line: number,
    reason: string,
  ) {
    super(line > 0 ? `${file}:${line}: ${reason}` : `${file}: ${reason}`);
  }
}

const LINE_RE = /^id(\d+) (.*)$/su;

/**
 * Parses the text of one transX.txt. `file` only names the source in errors. When `n` is given,
 * a recipient id must be below it; when `self` is given, a line addressed to it is an error.
 */
export function parseReplayText(text: string, file: string, opts: { n?: number; self?: number } = {}): ReplayLine[] {
  const out: ReplayLine[] = [];
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const lineNo = i + 1;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    const m = LINE_RE.exec(line);
    if (!m) {
      const shown = line.length > 40 ? line.slice(0, 40) + '…' : line;
      throw new ReplayInputError(file, lineNo, `expected "id<k> <message>", got ${JSON.stringify(shown)}`);
    }
    const idText = m[1] ?? '';
    const message = m[2] ?? '';
    const to = Number(idText);
    if (!Number.isSafeInteger(to) || idText.length > 6) {
      throw new ReplayInputError(file, lineNo, `bad recipient id "id${idText}"`);
    }
    if (opts.n !== undefined && to >= opts.n) {
      throw new ReplayInputError(file, lineNo, `recipient id${to} does not exist in a network of ${opts.n} nodes`);
    }
    if (opts.self !== undefined && to === opts.self) {
      throw new ReplayInputError(file, lineNo, `node ${to} cannot send a message to itself`);
    }
    if (message.trim() === '') {
      throw new ReplayInputError(file, lineNo, 'the message is empty');
    }
    if (codePoints(message) > MAX_MESSAGE_CHARS) {
      throw new ReplayInputError(file, lineNo, `the message is longer than ${MAX_MESSAGE_CHARS} characters`);
    }
    out.push({ to, message, line: lineNo });
  }
  return out;
}

/** Reads and parses `path`. */
export function readReplayFile(path: string, opts: { n?: number; self?: number } = {}): ReplayLine[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ReplayInputError(path, 0, `cannot read the file (${reason})`);
  }
  return parseReplayText(text, path, opts);
}

/** The path of node i's file in a replay directory. */
export function replayFilePath(dir: string, node: number): string {
  return join(dir, `trans${node}.txt`);
}

/** Reads `dir/trans0.txt … trans{n-1}.txt`: element i is node i's lines, in order. */
export function readReplayDir(dir: string, n: number): ReplayLine[][] {
  const out: ReplayLine[][] = [];
  for (let i = 0; i < n; i++) out.push(readReplayFile(replayFilePath(dir, i), { n, self: i }));
  return out;
}
