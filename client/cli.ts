/**
 * `blockchat cli -p PORT [--json] [-- command…]` (SPEC part C): the client of one node.
 * With a command it runs that one command and returns 0 or 1; without, it is an interactive
 * prompt (an Inquirer prompt on a terminal, plain lines from a pipe). Every failure is one line;
 * with --json every answer is one JSON object.
 */
import { emitKeypressEvents, createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { NodeClient, closeClients } from './api.js';
import { executeCommand, failureOf, type CommandContext, type CommandResult } from './commands.js';
import { UsageError } from './errors.js';
import { commandInput } from './prompt.js';
import { resolveToken, runtimeTokenPath, TOKEN_ENV, TOKEN_FILE } from '../src/api/token.js';
import { join } from 'node:path';

export interface CliOptions {
  /** The node's port (on `host`); or give `url`. */
  port?: number;
  host: string;
  /** The node's base URL, e.g. http://10.0.0.2:5000 (a node on another machine). */
  url?: string;
  dataDir?: string;
  /** A file holding the node's API token (else `BLOCKCHAT_TOKEN`, else the node's files here). */
  tokenFile?: string;
  /** Print each answer as one JSON object (one-shot and piped commands). */
  json?: boolean;
  /** The words after `--`; empty for the interactive mode. */
  command: string[];
}

/** Where output goes and where lines come from; the process's own streams unless a test says otherwise. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  input: Readable & { isTTY?: boolean };
}

const defaultIo = (): CliIo => ({
  out: (text) => console.log(text),
  err: (text) => console.error(text),
  input: process.stdin,
});

export function nodeUrl(host: string, port: number): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}

/** Why the node's token could not be read, as the line a user sees (without "error: "). */
export function tokenProblem(port: number | undefined, dataDir?: string): string {
  if (dataDir) {
    return `no API token in ${join(dataDir, TOKEN_FILE)}: is ${dataDir} the data directory of the node${port ? ` on port ${port}` : ''}?`;
  }
  if (port === undefined) return `no API token: pass --token-file or set ${TOKEN_ENV}`;
  return `no API token for the node on port ${port} (looked in ${runtimeTokenPath(port)}); pass --data-dir, --token-file or set ${TOKEN_ENV}`;
}

/** The node's base URL: `--url` as given (without a trailing slash), or host and port. */
export function baseUrlOf(opts: Pick<CliOptions, 'port' | 'host' | 'url'>): string {
  if (opts.url !== undefined) {
    let url: URL;
    try {
      url = new URL(opts.url);
    } catch {
      throw new Error(`--url must be a URL such as http://10.0.0.2:5000, not '${opts.url}'`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--url must be http:// or https://, not '${opts.url}'`);
    return opts.url.replace(/\/+$/, '');
  }
  if (opts.port === undefined) throw new Error('give the node as -p PORT (with --host) or --url URL');
  return nodeUrl(opts.host, opts.port);
}

/**
 * The port of a node on this machine that a URL names, whose per-port token file may be read; none
 * for a URL of another host (this machine's token must not be sent elsewhere).
 */
function localPortOfUrl(url: string): number | undefined {
  const u = new URL(url);
  if (!['localhost', '::1', '[::1]'].includes(u.hostname) && !u.hostname.startsWith('127.')) return undefined;
  return u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
}

/** A context with the token as it is now (read afresh, so a node started after the CLI is found). */
export function makeContext(opts: Pick<CliOptions, 'port' | 'host' | 'url' | 'dataDir' | 'tokenFile'>): CommandContext {
  let baseUrl: string, port: number | undefined, token: string | undefined;
  try {
    baseUrl = baseUrlOf(opts);
    port = opts.url === undefined ? opts.port : localPortOfUrl(baseUrl);
    token = resolveToken({ tokenFile: opts.tokenFile, dataDir: opts.dataDir, port });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  return {
    api: new NodeClient(baseUrl, token),
    baseUrl,
    tokenProblem: token ? undefined : tokenProblem(port, opts.dataDir),
  };
}

/** The answer as text (failures on stderr), or with --json as one JSON object on stdout. */
function show(io: CliIo, result: CommandResult, json: boolean): void {
  if (json) {
    io.out(JSON.stringify(result.ok ? (result.data ?? {}) : { error: result.error }));
    return;
  }
  if (!result.output) return;
  if (result.ok) io.out(result.output);
  else io.err(result.output);
}

export async function runCli(opts: CliOptions, io: CliIo = defaultIo()): Promise<number> {
  const json = opts.json ?? false;
  try {
    if (opts.command.length > 0) {
      const result = await executeCommand(opts.command.join(' '), makeContext(opts));
      show(io, result, json);
      return result.ok ? 0 : 1;
    }
    if (io.input.isTTY && json) {
      io.err('error: --json is for one command (after --) or commands piped in, not for the prompt');
      return 1;
    }
    return io.input.isTTY ? await interactive(opts, io) : await fromLines(opts, io, json);
  } catch (err) {
    const error = failureOf(err, opts.url ?? nodeUrl(opts.host, opts.port ?? 0));
    if (json) io.out(JSON.stringify({ error }));
    else io.err(`error: ${error.message}`);
    return 1;
  } finally {
    await closeClients().catch(() => undefined);
  }
}

function isPromptExit(err: unknown): boolean {
  return err instanceof Error && ['ExitPromptError', 'AbortPromptError', 'CancelPromptError'].includes(err.name);
}

/** The prompt loop on a terminal. Ctrl-D, Ctrl-C and `exit` all leave with 0. */
async function interactive(opts: CliOptions, io: CliIo): Promise<number> {
  const first = makeContext(opts);
  let id: number;
  let nodeIds: number[];
  try {
    const status = await first.api.status();
    id = status.id;
    nodeIds = Array.from({ length: status.n }, (_, k) => k).filter((k) => k !== id);
  } catch (err) {
    io.err(`error: ${failureOf(err, first.baseUrl).message}`);
    return 1;
  }
  io.out(`connected to node ${id} at ${first.baseUrl} — type help for the commands`);
  if (first.tokenProblem) io.err(`warning: ${first.tokenProblem}; t, m and stake will not work`);

  // Ctrl-C while a command runs (the terminal is not in raw mode then): leave cleanly too.
  const onSigint = (): void => {
    io.out('');
    void closeClients().finally(() => process.exit(0));
  };
  process.on('SIGINT', onSigint);
  emitKeypressEvents(io.input);
  const history: string[] = [];
  const sentIds: string[] = [];
  try {
    for (;;) {
      const controller = new AbortController();
      const onKey = (_s: unknown, key: { ctrl?: boolean; name?: string } | undefined): void => {
        if (key?.ctrl && key.name === 'd') controller.abort();
      };
      io.input.on('keypress', onKey);
      let line: string;
      try {
        line = await commandInput(
          { message: `node ${id}>`, history, completion: () => ({ nodeIds, sentIds }) },
          { input: io.input, signal: controller.signal },
        );
      } catch (err) {
        if (isPromptExit(err)) return 0;
        throw err;
      } finally {
        io.input.removeListener('keypress', onKey);
      }
      if (line.trim() && line !== history[history.length - 1]) history.push(line);
      const result = await executeCommand(line, makeContext(opts));
      show(io, result, false);
      if (result.sent) sentIds.push(result.sent);
      if (result.exit) return 0;
    }
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

/** Commands from a pipe, one per line, no prompt (with --json, one JSON object a line); 1 if any failed. */
async function fromLines(opts: CliOptions, io: CliIo, json: boolean): Promise<number> {
  const rl = createInterface({ input: io.input, terminal: false, crlfDelay: Infinity });
  let failed = false;
  try {
    for await (const line of rl) {
      if (json && !line.trim()) continue;
      const result = await executeCommand(line, makeContext(opts));
      show(io, result, json);
      if (!result.ok) failed = true;
      if (result.exit) break;
    }
  } finally {
    rl.close();
  }
  return failed ? 1 : 0;
}
