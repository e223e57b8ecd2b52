/**
 * Drives one measured run against a running network, for the tester, the load generator and the
 * benchmark: submits every node's planned transactions through that node's wallet (in order, a
 * bounded window in flight per node, optionally paced), watches every node's chain until each
 * accepted transaction is in a block on every node (or nothing moves for `idleTimeoutMs`), then,
 * when the nodes report finality, until each committed one is final on every node, and reduces
 * what it saw to the metrics of SPEC part D and the time to final.
 */
import { ApiError } from '../../client/api.js';
import type { SubmitBatchItem, SubmitRequest } from '../api/types.js';
import { countInto, formatSummary, summarize, type RunSummary } from './metrics.js';
import type { Endpoint } from './endpoints.js';
import { checkAgreement, endpointClients, waitReady, walletClients } from './reach.js';
import { ProgressBar } from './progress-bar.js';
import { sendPlans } from './send-plans.js';
import { ChainWatcher, type WatchedBlock } from './watcher.js';

export interface WorkloadOptions {
  host: string;
  basePort: number;
  n: number;
  /**
   * The nodes by URL with their tokens (e.g. on other machines), in place of `host`, `basePort`
   * and the runtime token files; `n` must equal their number.
   */
  endpoints?: readonly Endpoint[];
  /** Element i: what node i's wallet sends, in order. */
  plans: ReadonlyArray<readonly SubmitRequest[]>;
  /** Most submissions in flight per node. */
  window: number;
  /** Offered load over all nodes, tx/s; as fast as accepted when absent. */
  ratePerSec?: number;
  /**
   * Send up to this many requests per call (POST /wallet/transactions/batch): a wallet paying
   * many people at once, and far less HTTP work on both sides. With a rate, each node instead
   * submits every PACE_TICK_MS whatever has fallen due at that rate.
   */
  batch?: number;
  /**
   * Most transactions of one node accepted but not yet in a block on every node: a closed loop,
   * so that a long load runs at the rate the network commits instead of filling its pools without
   * bound. Unbounded when absent.
   */
  maxOutstanding?: number;
  /** Give up waiting when no block arrives on any node for this long (ms). */
  idleTimeoutMs?: number;
  /** Draw a progress bar on stderr (only when stderr is a TTY). */
  progress?: boolean;
  /** Data directories of the nodes (to read their tokens); the per-port runtime file otherwise. */
  dataDirs?: readonly string[];
}

export interface WorkloadResult {
  summary: RunSummary;
  /** True when every accepted transaction was committed on every node. */
  completed: boolean;
  /** First and last block index of the run. */
  startIndex: number;
  endIndex: number;
  blocks: WatchedBlock[];
  firstSubmitAt: number;
  lastSubmitAt: number;
  lastCommitAt: number;
  /** Submissions per second actually achieved (accepted or not). */
  submitRate: number;
  /**
   * Every accepted transaction: when it was submitted, and (local clock, ms) when it was in a block
   * on every node and when it was final on every node, when it was.
   */
  transactions: TransactionTimes[];
}

export interface TransactionTimes {
  id: string;
  node: number;
  submittedAt: number;
  committedAt?: number;
  finalAt?: number;
}

/** Reasons that mean the run did not complete (as opposed to a transaction the node refused). */
export const INCOMPLETE_REASONS = ['TIMEOUT', 'DROPPED', 'NOT_ON_ALL_NODES', 'UNREACHABLE', 'NOT_SENT'] as const;

interface Accepted {
  node: number;
  id: string;
  submittedAt: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Status codes that mean "busy, try again" rather than "this transaction is invalid". */
function isRetryable(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 429 || err.status === 503);
}

/** Runs the workload; see the module comment. Throws when the network cannot be reached. */
export async function runWorkload(opts: WorkloadOptions): Promise<WorkloadResult> {
  const { n } = opts;
  if (opts.plans.length !== n) throw new Error(`expected ${n} plans, got ${opts.plans.length}`);
  if (opts.endpoints && opts.endpoints.length !== n) throw new Error(`expected ${n} nodes, got ${opts.endpoints.length}`);
  const portClients = opts.endpoints ? endpointClients(opts.endpoints) : walletClients(opts.host, opts.basePort, n, opts.dataDirs);
  const statuses = await waitReady(portClients, n);
  // Node ids are given in order of joining: map them to the nodes given rather than assume id i
  // is on basePort + i.
  const urls = portClients.map((c) => c.baseUrl);
  const clients = byNodeId(
    portClients,
    statuses.map((s) => s.id),
    opts.endpoints ? urls : opts.basePort,
  );
  const watcher = await ChainWatcher.open({ urls });
  const idleTimeoutMs = opts.idleTimeoutMs ?? 30_000;
  const total = opts.plans.reduce((a, p) => a + p.length, 0);
  const bar = new ProgressBar(opts.progress ?? false);

  const accepted: Accepted[] = [];
  const outstanding = opts.plans.map(() => new Set<string>());
  const rejected: Record<string, number> = {};
  let submitted = 0;
  let firstSubmitAt = Number.POSITIVE_INFINITY;
  let lastSubmitAt = 0;
  let rejectedCount = 0;
  let committedCount = 0;

  const countCommitted = (): number => {
    let c = 0;
    for (const a of accepted) if (watcher.committedOnAllAt(a.id) !== undefined) c++;
    return c;
  };
  const ticker = setInterval(() => {
    committedCount = countCommitted();
    bar.draw(committedCount, accepted.length, total, rejectedCount);
  }, 250);

  try {
    const t0 = Date.now();
    /**
     * Sends `count` requests of one node in one call (retrying while the node is busy or
     * unreachable) and counts each answer: accepted, refused with its code, or all failed.
     */
    const submitCounted = async (node: number, count: number, send: () => Promise<SubmitBatchItem[]>): Promise<void> => {
      let backoff = 20;
      const giveUpAt = Date.now() + idleTimeoutMs;
      for (;;) {
        const sentAt = Date.now();
        if (sentAt < firstSubmitAt) firstSubmitAt = sentAt;
        try {
          for (const r of await send()) {
            if ('id' in r) {
              accepted.push({ node, id: r.id, submittedAt: sentAt });
              outstanding[node]!.add(r.id);
            } else {
              countInto(rejected, r.error.code);
              rejectedCount++;
            }
          }
          break;
        } catch (err) {
          if (isRetryable(err) && Date.now() < giveUpAt) {
            await sleep(backoff);
            backoff = Math.min(1_000, backoff * 2);
            continue;
          }
          countInto(rejected, err instanceof ApiError ? err.code : 'ERROR', count);
          rejectedCount += count;
          break;
        }
      }
      submitted += count;
      lastSubmitAt = Math.max(lastSubmitAt, Date.now());
    };
    const submitOne = (node: number, req: SubmitRequest) => submitCounted(node, 1, async () => [await clients[node]!.submit(req)]);
    const submitMany = (node: number, reqs: readonly SubmitRequest[]) =>
      submitCounted(node, reqs.length, () => clients[node]!.submitBatch(reqs));

    /**
     * Never sent because the network stopped committing: counted so that submitted = committed +
     * every rejection.
     */
    const notSent = (count: number): void => {
      countInto(rejected, 'NOT_SENT', count);
      rejectedCount += count;
      submitted += count;
    };

    await sendPlans({
      ...opts,
      n,
      t0,
      idleTimeoutMs,
      outstanding,
      watcher,
      submitOne,
      submitMany,
      notSent,
    });

    /** Waits until `done()`, or until nothing moves on any node for idleTimeoutMs. */
    const waitWhileMoving = async (done: () => boolean): Promise<void> => {
      let lastProgress = watcher.progress();
      let lastProgressAt = Date.now();
      while (!done()) {
        const p = watcher.progress();
        if (p !== lastProgress) {
          lastProgress = p;
          lastProgressAt = Date.now();
        } else if (Date.now() - lastProgressAt > idleTimeoutMs) {
          // One last REST catch-up before giving up: a stream may have stalled.
          await watcher.syncAll();
          if (watcher.progress() === lastProgress) break;
          lastProgress = watcher.progress();
          lastProgressAt = Date.now();
        }
        await sleep(50);
      }
    };
    // Wait until every accepted transaction is in a block on every node, or nothing moves.
    await waitWhileMoving(() => (committedCount = countCommitted()) === accepted.length);
    clearInterval(ticker);
    committedCount = countCommitted();
    bar.draw(committedCount, accepted.length, total, rejectedCount);
    bar.end();
    // Then until every committed transaction is final on every node, or nothing moves.
    if (watcher.tracksFinality) {
      await waitWhileMoving(() =>
        accepted.every((a) => watcher.committedOnAllAt(a.id) === undefined || watcher.finalOnAllAt(a.id) !== undefined),
      );
    }

    // What happened to the rest: ask the node that took it.
    const leftovers = accepted.filter((a) => watcher.committedOnAllAt(a.id) === undefined);
    await mapLimit(leftovers, 16, async (a) => {
      let reason: string;
      try {
        const st = await clients[a.node]!.transaction(a.id);
        reason = st.status === 'pending' ? 'TIMEOUT' : st.status === 'committed' || st.status === 'final' ? 'NOT_ON_ALL_NODES' : 'DROPPED';
      } catch {
        reason = 'UNREACHABLE';
      }
      countInto(rejected, reason);
    });

    // Once the nodes' tips agree (or the wait for it ends), every node is read up to its tip once
    // more: a node that switched branch at the very end is compared on the branch it follows now,
    // not on what was read of it before the switch.
    const tipsAgree = await checkAgreement(clients);
    await watcher.syncAll();
    const nodesAgree = tipsAgree && !watcher.hashMismatch;
    const commits: Array<{ submittedAt: number; committedAt: number }> = [];
    const finals: Array<{ submittedAt: number; finalAt: number }> = [];
    const transactions: TransactionTimes[] = [];
    let endIndex = watcher.startIndex - 1;
    for (const a of accepted) {
      const at = watcher.committedOnAllAt(a.id);
      const finalAt = at === undefined ? undefined : watcher.finalOnAllAt(a.id);
      transactions.push({ id: a.id, node: a.node, submittedAt: a.submittedAt, committedAt: at, finalAt });
      if (at === undefined) continue;
      commits.push({ submittedAt: a.submittedAt, committedAt: at });
      if (finalAt !== undefined) finals.push({ submittedAt: a.submittedAt, finalAt });
      endIndex = Math.max(endIndex, watcher.blockOf(a.id) ?? endIndex);
    }
    const blocks = watcher.runBlocks(endIndex);
    if (!Number.isFinite(firstSubmitAt)) firstSubmitAt = Date.now();
    const summary = summarize({
      submitted,
      rejected,
      commits,
      finals: watcher.tracksFinality ? finals : undefined,
      firstSubmitAt,
      blocks,
      nodesAgree,
    });
    const lastCommitAt = commits.reduce((m, c) => Math.max(m, c.committedAt), firstSubmitAt);
    const submitSeconds = (lastSubmitAt - firstSubmitAt) / 1000;
    return {
      summary,
      completed: leftovers.length === 0,
      startIndex: watcher.startIndex,
      endIndex,
      blocks,
      firstSubmitAt,
      lastSubmitAt,
      lastCommitAt,
      submitRate: submitSeconds > 0 ? submitted / submitSeconds : 0,
      transactions,
    };
  } finally {
    clearInterval(ticker);
    bar.end();
    await watcher.close();
  }
}

/**
 * Orders `clients` (one per port from `where`, or one per URL of `where`) by the node id each
 * reported; throws unless ids are 0 … n-1.
 */
export function byNodeId<T>(clients: readonly T[], ids: readonly number[], where: number | readonly string[]): T[] {
  const out: T[] = [];
  ids.forEach((id, k) => {
    if (!Number.isInteger(id) || id < 0 || id >= clients.length || out[id] !== undefined) {
      if (typeof where !== 'number') {
        throw new Error(`the node at ${where[k]} reports id ${id}: the nodes given are not nodes 0 … ${clients.length - 1}`);
      }
      throw new Error(`the node on port ${where + k} reports id ${id}: ports ${where}… do not hold nodes 0 … ${clients.length - 1}`);
    }
    out[id] = clients[k] as T;
  });
  return out;
}

/** Runs `fn` over `items` with at most `limit` at a time. */
export async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

/** Prints a run: one JSON object with --json, else a table. Returns the exit code. */
export function reportRun(result: WorkloadResult, json: boolean, title: string): number {
  if (json) console.log(JSON.stringify(result.summary));
  else console.log(formatSummary(result.summary, title));
  return result.completed && result.summary.nodes_agree ? 0 : 1;
}
