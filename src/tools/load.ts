/**
 * `blockchat load -p BASE_PORT -n N --transactions K [--rate R] [--json]` (SPEC part C): K small
 * coin transfers (1 unit each, to the other nodes in turn) spread over all N wallets, submitted
 * through each node's wallet in batches (POST /wallet/transactions/batch) with a bounded backlog of
 * uncommitted transfers per node — as fast as the network commits them — or, with --rate, paced
 * at R tx/s over all nodes: every 20 ms each node submits what has fallen due (the backlog bound
 * still applies). Prints the same metrics as
 * the tester. This is the throughput benchmark.
 */
import { closeClients } from '../../client/api.js';
import type { SubmitRequest } from '../api/types.js';
import { endpointsOfArgs, type Endpoint } from './endpoints.js';
import { reportRun, runWorkload, type WorkloadResult } from './harness.js';

export interface LoadArgs {
  p: number;
  n?: number;
  transactions: number;
  rate?: number;
  host?: string;
  nodes?: string;
  tokenFile?: string;
  json?: boolean;
}

/** Submissions in flight per node. */
export const LOAD_WINDOW = 32;
/**
 * Most transfers of one node accepted but not yet committed on every node: the load runs at the
 * rate the network commits, with a backlog large enough to keep every block full.
 */
export const LOAD_MAX_OUTSTANDING = 200;
/** Transfers per batch call when no rate is set. */
export const LOAD_BATCH = 100;
/** Units per transfer (0.01 BCC; the fee rounds up to 1 unit). */
export const LOAD_AMOUNT = 1;

/**
 * K transfers spread over n wallets: transaction k is sent by node k mod n; node i's j-th transfer
 * goes to the other nodes in turn, (i + 1 + j mod (n-1)) mod n.
 */
export function loadPlans(n: number, k: number, amount = LOAD_AMOUNT): SubmitRequest[][] {
  if (n < 2) throw new Error('a load needs at least 2 nodes');
  const plans: SubmitRequest[][] = Array.from({ length: n }, () => []);
  for (let t = 0; t < k; t++) {
    const node = t % n;
    const plan = plans[node]!;
    const to = (node + 1 + (plan.length % (n - 1))) % n;
    plan.push({ type: 'coins', to, amount });
  }
  return plans;
}

export interface LoadOptions {
  basePort: number;
  n: number;
  transactions: number;
  rate?: number;
  host?: string;
  /** The nodes by URL, with their tokens (in place of host and basePort). */
  endpoints?: readonly Endpoint[];
  progress?: boolean;
  idleTimeoutMs?: number;
}

/** The library form of the command. */
export async function runLoad(opts: LoadOptions): Promise<WorkloadResult> {
  return runWorkload({
    host: opts.host ?? '127.0.0.1',
    basePort: opts.basePort,
    n: opts.n,
    endpoints: opts.endpoints,
    plans: loadPlans(opts.n, opts.transactions),
    window: LOAD_WINDOW,
    batch: LOAD_BATCH,
    maxOutstanding: LOAD_MAX_OUTSTANDING,
    ratePerSec: opts.rate,
    progress: opts.progress,
    idleTimeoutMs: opts.idleTimeoutMs,
  });
}

export async function runLoadCommand(args: LoadArgs): Promise<number> {
  try {
    const endpoints = endpointsOfArgs(args);
    const n = endpoints.length;
    if (n < 2) throw new Error('a load needs at least 2 nodes');
    if (!Number.isInteger(args.transactions) || args.transactions < 1) {
      throw new Error('--transactions takes a positive integer');
    }
    if (args.rate !== undefined && !(args.rate > 0)) throw new Error('--rate takes a positive number of tx/s');
    const result = await runLoad({
      basePort: args.p,
      n,
      endpoints,
      transactions: args.transactions,
      rate: args.rate,
      progress: !args.json,
    });
    const pace = args.rate ? ` at ${args.rate} tx/s offered` : '';
    return reportRun(result, args.json ?? false, `Load of ${args.transactions} transfers over ${n} nodes${pace}`);
  } catch (err) {
    console.error(`load: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await closeClients().catch(() => undefined);
  }
}
