/**
 * `blockchat tester --input DIR -p BASE_PORT -n N [--json]` (SPEC part C): replays
 * DIR/trans{i}.txt through node i for every i concurrently (each node's lines in order, a small
 * window in flight), waits until every accepted transaction is in a block on every node, and
 * prints the metrics of SPEC part D — a table, or with --json exactly one JSON object.
 * Exit code 0 when the run completed and the nodes agree on the last block, 1 otherwise.
 */
import { closeClients } from '../../client/api.js';
import type { SubmitRequest } from '../api/types.js';
import { endpointsOfArgs, type Endpoint } from './endpoints.js';
import { reportRun, runWorkload, type WorkloadResult } from './harness.js';
import { readReplayDir, type ReplayLine } from './replay-input.js';

export interface TesterArgs {
  input: string;
  p: number;
  n?: number;
  host?: string;
  nodes?: string;
  tokenFile?: string;
  json?: boolean;
}

/** Submissions in flight per node: small, so that each node's lines go in (nearly) file order. */
export const TESTER_WINDOW = 4;

/** The wallet requests that replay a node's lines. */
export function replayPlan(lines: readonly ReplayLine[]): SubmitRequest[] {
  return lines.map((l) => ({ type: 'message', to: l.to, message: l.message }));
}

export interface TesterOptions {
  input: string;
  basePort: number;
  n: number;
  host?: string;
  /** The nodes by URL, with their tokens (in place of host and basePort). */
  endpoints?: readonly Endpoint[];
  progress?: boolean;
  idleTimeoutMs?: number;
}

/** Replays `input` through a running network; the library form of the command. */
export async function runTester(opts: TesterOptions): Promise<WorkloadResult> {
  const files = readReplayDir(opts.input, opts.n);
  return runWorkload({
    host: opts.host ?? '127.0.0.1',
    basePort: opts.basePort,
    n: opts.n,
    endpoints: opts.endpoints,
    plans: files.map(replayPlan),
    window: TESTER_WINDOW,
    progress: opts.progress,
    idleTimeoutMs: opts.idleTimeoutMs,
  });
}

export async function runTesterCommand(args: TesterArgs): Promise<number> {
  try {
    if (args.n !== undefined && (!Number.isInteger(args.n) || args.n < 1)) throw new Error('-n takes the number of nodes (≥ 1)');
    if (!Number.isInteger(args.p) || args.p < 1 || args.p > 65535) throw new Error('-p takes the base port');
    const endpoints = endpointsOfArgs(args);
    const result = await runTester({
      input: args.input,
      basePort: args.p,
      n: endpoints.length,
      endpoints,
      progress: !args.json,
    });
    return reportRun(result, args.json ?? false, `Replay of ${args.input} through ${endpoints.length} nodes`);
  } catch (err) {
    console.error(`tester: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await closeClients().catch(() => undefined);
  }
}
