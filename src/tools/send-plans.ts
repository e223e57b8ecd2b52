/**
 * How a measured run (harness.ts) sends every node's planned transactions through that node's
 * wallet: one by one with a window in flight, in batches, or paced at an offered rate (in batches
 * of what has fallen due, or one by one at each one's time); each node keeping at most
 * `maxOutstanding` of its transfers uncommitted, and giving up (NOT_SENT) once nothing commits for
 * `idleTimeoutMs`.
 */
import type { SubmitRequest } from '../api/types.js';
import type { WorkloadOptions } from './harness.js';
import type { ChainWatcher } from './watcher.js';

/** How often a paced, batched workload submits what has fallen due. */
const PACE_TICK_MS = 20;
/** Most requests in one batch call (the node's limit). */
const MAX_BATCH = 1_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface PlanSending extends Pick<WorkloadOptions, 'plans' | 'window' | 'ratePerSec' | 'batch' | 'maxOutstanding'> {
  n: number;
  /** When the run started (paced sending counts from it). */
  t0: number;
  idleTimeoutMs: number;
  /** Per node, its accepted transfers not yet seen committed on every node. */
  outstanding: ReadonlyArray<Set<string>>;
  watcher: Pick<ChainWatcher, 'progress' | 'committedOnAllAt'>;
  submitOne: (node: number, req: SubmitRequest) => Promise<void>;
  submitMany: (node: number, reqs: readonly SubmitRequest[]) => Promise<void>;
  /** Counts transfers never sent because the network stopped committing. */
  notSent: (count: number) => void;
}

/** Sends every node's plan (the nodes in parallel); resolves once every submission is answered. */
export async function sendPlans(opts: PlanSending): Promise<void> {
  const { n, t0, idleTimeoutMs, outstanding, watcher, submitOne, submitMany, notSent } = opts;
  let stalled = false;
  /** Waits while node's backlog is full; false when the network stopped committing. */
  const backlogRoom = async (node: number): Promise<boolean> => {
    const max = opts.maxOutstanding;
    if (max === undefined) return true;
    const mine = outstanding[node]!;
    let progress = watcher.progress();
    let progressAt = Date.now();
    for (;;) {
      if (mine.size >= max) for (const id of mine) if (watcher.committedOnAllAt(id) !== undefined) mine.delete(id);
      if (mine.size < max) return true;
      if (stalled) return false;
      if (watcher.progress() !== progress) {
        progress = watcher.progress();
        progressAt = Date.now();
      } else if (Date.now() - progressAt > idleTimeoutMs) {
        stalled = true;
        return false;
      }
      await sleep(10);
    }
  };

  const batchWorker = async (node: number, batch: number): Promise<void> => {
    const plan = opts.plans[node]!;
    const inFlight = new Set<Promise<void>>();
    for (let j = 0; j < plan.length;) {
      while (inFlight.size >= 2) await Promise.race(inFlight);
      if (!(await backlogRoom(node))) {
        notSent(plan.length - j);
        break;
      }
      const room = opts.maxOutstanding === undefined ? batch : Math.max(1, opts.maxOutstanding - outstanding[node]!.size);
      const chunk = plan.slice(j, j + Math.min(batch, room));
      j += chunk.length;
      const p: Promise<void> = submitMany(node, chunk).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.all(inFlight);
  };

  /**
   * Paced and batched: every PACE_TICK_MS, the node submits in one call every transfer whose
   * turn has come at the offered rate (a wallet service paying as payments fall due).
   */
  const pacedBatchWorker = async (node: number, rate: number): Promise<void> => {
    const plan = opts.plans[node]!;
    const inFlight = new Set<Promise<void>>();
    for (let j = 0; j < plan.length;) {
      const due = (k: number) => t0 + ((k * n + node) * 1000) / rate;
      const wait = due(j) - Date.now();
      if (wait > 0) await sleep(Math.min(wait, PACE_TICK_MS));
      let end = j;
      while (end < plan.length && end - j < MAX_BATCH && due(end) <= Date.now()) end++;
      if (end === j) continue;
      if (!(await backlogRoom(node))) {
        notSent(plan.length - j);
        break;
      }
      const p: Promise<void> = submitMany(node, plan.slice(j, end)).finally(() => inFlight.delete(p));
      inFlight.add(p);
      j = end;
      await sleep(PACE_TICK_MS);
    }
    await Promise.all(inFlight);
  };

  const worker = async (node: number): Promise<void> => {
    const plan = opts.plans[node]!;
    if (opts.batch && opts.batch > 1 && opts.ratePerSec) return pacedBatchWorker(node, opts.ratePerSec);
    if (opts.batch && opts.batch > 1) return batchWorker(node, opts.batch);
    const inFlight = new Set<Promise<void>>();
    for (let j = 0; j < plan.length; j++) {
      while (inFlight.size >= opts.window) await Promise.race(inFlight);
      if (!(await backlogRoom(node))) {
        notSent(plan.length - j);
        break;
      }
      if (opts.ratePerSec && opts.ratePerSec > 0) {
        const releaseAt = t0 + ((j * n + node) * 1000) / opts.ratePerSec;
        const wait = releaseAt - Date.now();
        if (wait > 0) await sleep(wait);
      }
      const p: Promise<void> = submitOne(node, plan[j]!).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.all(inFlight);
  };
  await Promise.all(opts.plans.map((_, i) => worker(i)));
}
