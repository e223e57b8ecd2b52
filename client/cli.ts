/**
 * `blockchat cli -p PORT [-- command…]` (SPEC part C): the client of one node.
 * With a command it runs that one command and returns 0 or 1; without, it is an interactive
 * prompt (inquirer on a terminal, plain lines from a pipe). Every failure is one line.
 */
import { emitKeypressEvents, createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import inquirer from 'inquirer';
import { NodeClient, closeClients } from './api.js';
import { executeCommand, describeError, type CommandContext, type CommandResult } from './commands.js';
import { readToken, runtimeTokenPath, TOKEN_FILE } from '../src/api/token.js';
import { join } from 'node:path';

export interface CliOptions {
  port: number;
  host: string;
  dataDir?: string;
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
export function tokenProblem(port: number, dataDir?: string): string {
  if (dataDir) {
    return `no API token in ${join(dataDir, TOKEN_FILE)}: is ${dataDir} the data directory of the node on port ${port}?`;
  }
  return `no API token for the node on port ${port} (looked in ${runtimeTokenPath(port)}); pass --data-dir`;
}

/** A context with the token as it is now (read afresh, so a node started after the CLI is found). */
export function makeContext(opts: Pick<CliOptions, 'port' | 'host' | 'dataDir'>): CommandContext {
  const baseUrl = nodeUrl(opts.host, opts.port);
  const token = readToken(opts.port, opts.dataDir);
  return {
    api: new NodeClient(baseUrl, token),
    baseUrl,
    tokenProblem: token ? undefined : tokenProblem(opts.port, opts.dataDir),
  };
}

function show(io: CliIo, result: CommandResult): void {
  if (!result.output) return;
  if (result.ok) io.out(result.output);
  else io.err(result.output);
}

export async function runCli(opts: CliOptions, io: CliIo = defaultIo()): Promise<number> {
  try {
    if (opts.command.length > 0) {
      const result = await executeCommand(opts.command.join(' '), makeContext(opts));
      show(io, result);
      return result.ok ? 0 : 1;
    }
    return io.input.isTTY ? await interactive(opts, io) : await fromLines(opts, io);
  } catch (err) {
    io.err(describeError(err, nodeUrl(opts.host, opts.port)));
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
  try {
    id = (await first.api.status()).id;
  } catch (err) {
    io.err(describeError(err, first.baseUrl));
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
  try {
    for (;;) {
      const controller = new AbortController();
      const onKey = (_s: unknown, key: { ctrl?: boolean; name?: string } | undefined): void => {
        if (key?.ctrl && key.name === 'd') controller.abort();
      };
      io.input.on('keypress', onKey);
      let line: string;
      try {
        const prompt = inquirer.createPromptModule({ input: io.input, signal: controller.signal });
        const answer = await prompt<{ line: string }>([
          // Renders as "node 2> " (inquirer joins prefix and message with a space).
          { type: 'input', name: 'line', message: `${id}>`, theme: { prefix: 'node', style: { message: (t: string) => t } } },
        ]);
        line = answer.line;
      } catch (err) {
        if (isPromptExit(err)) return 0;
        throw err;
      } finally {
        io.input.removeListener('keypress', onKey);
      }
      const result = await executeCommand(line, makeContext(opts));
      show(io, result);
      if (result.exit) return 0;
    }
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

/** Commands from a pipe, one per line, no prompt; 1 if any failed. */
async function fromLines(opts: CliOptions, io: CliIo): Promise<number> {
  const rl = createInterface({ input: io.input, terminal: false, crlfDelay: Infinity });
  let failed = false;
  try {
    for await (const line of rl) {
      const result = await executeCommand(line, makeContext(opts));
      show(io, result);
      if (!result.ok) failed = true;
      if (result.exit) break;
    }
  } finally {
    rl.close();
  }
  return failed ? 1 : 0;
}
