/**
 * Watches every node's chain, to learn when each transaction is in a block on EVERY node.
 *
 * One server-sent-event stream per node (GET /events, `event: block` per committed block) gives
 * the moment each node commits each block. A REST catch-up (GET /blocks?from=…) fills any gap:
 * a block missed while (re)connecting or that the node says the stream missed (`event: resync`),
 * an event without its transaction ids, or a node whose stream is not available at all (then the
 * catch-up polls it four times a second). Blocks are taken per node strictly in index order.
 *
 * A node may switch to a better branch (fork choice, after a validator failover): its `event:
 * reorg`, or a catch-up that finds a different block where one was taken, rolls that node back to
 * the fork, and its transactions there count as not committed on it until the new branch has them.
 *
 * Finality (protocol version 2): each node's `event: final` (its finalised checkpoint rose), or
 * its `final_height` in GET /status when the stream is quiet or absent, marks that node's blocks
 * up to that height final; a transaction is final on every node once every node holding it has
 * finalised its block. Nodes whose status has no `final_height` do not report finality.
 *
 * This file follows the nodes (streams, catch-up, polling); what was learnt of their chains, and
 * when each transaction was committed and final on every node, is kept in watched-chains.ts.
 * Shared by the tester and the load generator (src/tools/harness.ts).
 */
import { Agent } from 'undici';
import { NodeClient } from '../../client/api.js';
import { MAX_BLOCKS_PER_PAGE } from '../api/routes.js';
import type { Block } from '../api/types.js';
import { SseParser } from './sse.js';
import { fromBlock, WatchedChains, type WatchedBlock } from './watched-chains.js';

export type { WatchedBlock } from './watched-chains.js';

/** The data of one `event: block`. `tx_ids` may be absent on older nodes. */
interface BlockEventData {
  index: number;
  hash: string;
  validator: string;
  validator_id?: number | null;
  transactions: number;
  timestamp: number;
  tx_ids?: string[];
}

function isBlockEventData(v: unknown): v is BlockEventData {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.index === 'number' &&
    typeof o.hash === 'string' &&
    typeof o.timestamp === 'number' &&
    typeof o.transactions === 'number' &&
    typeof o.validator === 'string' &&
    (o.tx_ids === undefined || (Array.isArray(o.tx_ids) && o.tx_ids.every((x) => typeof x === 'string')))
  );
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface WatcherOptions {
  /** The nodes' base URLs, e.g. http://127.0.0.1:5000. */
  urls: readonly string[];
  /** How often a node without a live, recently heard stream is caught up by REST (ms). */
  pollMs?: number;
  /** How long open() waits for the streams to connect before relying on polling (ms). */
  connectTimeoutMs?: number;
}

export class ChainWatcher {
  readonly n: number;

  private readonly clients: NodeClient[];
  private readonly queues: Promise<void>[];
  private readonly lastEventAt: number[];
  private readonly streamLive: boolean[];
  private readonly seen: WatchedChains;
  private readonly idByAddress = new Map<string, number>();
  private readonly agent = new Agent({ keepAliveTimeout: 1_000, connections: 4 });
  private readonly abort = new AbortController();
  private pollTimer: NodeJS.Timeout | undefined;
  private catchUpQueued: boolean[];
  private closed = false;
  /** False until open() has read the tips: events before that are left to the first catch-up. */
  private started = false;

  private constructor(private readonly opts: WatcherOptions) {
    this.n = opts.urls.length;
    this.clients = opts.urls.map((u) => new NodeClient(u));
    this.seen = new WatchedChains(this.n);
    this.queues = opts.urls.map(() => Promise.resolve());
    this.lastEventAt = opts.urls.map(() => 0);
    this.streamLive = opts.urls.map(() => false);
    this.catchUpQueued = opts.urls.map(() => false);
  }

  /** Connects to every node, and takes the current tips as the start of the run. */
  static async open(opts: WatcherOptions): Promise<ChainWatcher> {
    const w = new ChainWatcher(opts);
    const connected = opts.urls.map((_, i) => w.streamLoop(i));
    await Promise.race([Promise.all(connected.map((c) => c.connected)), sleep(opts.connectTimeoutMs ?? 3_000)]);
    let tips: Block[];
    try {
      tips = await Promise.all(w.clients.map((c) => c.latestBlock()));
    } catch (err) {
      await w.close();
      throw err;
    }
    try {
      const statuses = await Promise.all(w.clients.map((c) => c.status()));
      const finality = statuses.every((s) => typeof s.final_height === 'number');
      w.seen.start(
        tips.map((b) => b.index),
        finality ? statuses.map((s) => s.final_height) : undefined,
      );
    } catch (err) {
      await w.close();
      throw err;
    }
    try {
      for (const a of await w.clients[0]!.accounts()) if (a.id !== null) w.idByAddress.set(a.address, a.id);
    } catch {
      // ids of validators stay unknown; nothing else depends on them
    }
    w.started = true;
    for (let i = 0; i < w.n; i++) w.kick(i);
    w.pollTimer = setInterval(() => w.poll(), opts.pollMs ?? 250);
    w.pollTimer.unref();
    return w;
  }

  /** The node id of an address, when it is a node's. */
  idOf(address: string): number | undefined {
    return this.idByAddress.get(address);
  }

  /** The first block index that counts as produced during the run. */
  get startIndex(): number {
    return this.seen.startIndex;
  }

  /** When `txId` was first seen in a block on every node (local clock, ms). */
  committedOnAllAt(txId: string): number | undefined {
    return this.seen.committedOnAllAt(txId);
  }

  /** Whether the nodes report finality (protocol version 2): only then is anything final. */
  get tracksFinality(): boolean {
    return this.seen.finality;
  }

  /**
   * When `txId` was first seen final on every node (local clock, ms): every node had it in a block
   * at or below its finalised height. Never before committedOnAllAt.
   */
  finalOnAllAt(txId: string): number | undefined {
    return this.seen.finalOnAllAt(txId);
  }

  /** The index of the block holding `txId`, once any node reported it. */
  blockOf(txId: string): number | undefined {
    return this.seen.blockOf(txId);
  }

  /** Grows with every block ingested on any node: a measure of progress. */
  progress(): number {
    return this.seen.progress();
  }

  /** The last block index each node is known to hold. */
  heights(): number[] {
    return this.seen.heights();
  }

  /** The blocks from startIndex to `upTo` (inclusive) that were seen, in order. */
  runBlocks(upTo?: number): WatchedBlock[] {
    return this.seen.runBlocks(upTo);
  }

  /** Whether two nodes hold different blocks at an index of the run that both have taken. */
  get hashMismatch(): boolean {
    return this.seen.hashMismatch;
  }

  /** Catches every node up by REST now (blocks and finalised height), and waits for it. */
  async syncAll(): Promise<void> {
    await Promise.all(
      this.clients.map((_, i) =>
        this.enqueue(i, async () => {
          await this.catchUp(i);
          await this.pollFinal(i);
        }),
      ),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.abort.abort();
    await Promise.allSettled(this.queues);
    await this.agent.destroy().catch(() => undefined);
  }

  // ---- internals ----

  private streamLoop(i: number): { connected: Promise<void> } {
    let markConnected: () => void = () => undefined;
    const connected = new Promise<void>((r) => (markConnected = r));
    let lastEventId: string | undefined;
    void (async () => {
      let failures = 0;
      while (!this.closed) {
        try {
          const body = await this.clients[i]!.events({ signal: this.abort.signal, dispatcher: this.agent, lastEventId });
          if (!body) {
            // No stream on this node: the REST poll does the work.
            markConnected();
            return;
          }
          this.streamLive[i] = true;
          markConnected();
          // Whatever was committed before the stream connected comes by REST.
          this.kick(i);
          failures = 0;
          const decoder = new TextDecoder();
          const parser = new SseParser((event, data, id) => {
            lastEventId = id || undefined;
            this.onStreamEvent(i, event, data);
          });
          for await (const chunk of body) parser.push(decoder.decode(chunk, { stream: true }));
        } catch {
          // connection refused, reset or aborted: retry below unless closing
        }
        this.streamLive[i] = false;
        if (this.closed) break;
        failures++;
        if (failures >= 3) markConnected();
        await sleep(Math.min(2_000, 200 * failures));
        this.kick(i);
      }
      markConnected();
    })();
    return { connected };
  }

  private onStreamEvent(i: number, event: string, data: string): void {
    // The node could not send what this stream missed (docs/api.md, GET /events): read it by REST
    // now rather than at the next poll, which does not come while the stream speaks.
    if (event === 'resync') {
      this.kick(i);
      return;
    }
    if ((event !== 'block' && event !== 'reorg' && event !== 'final') || !this.started) return;
    const at = Date.now();
    this.lastEventAt[i] = at;
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return;
    }
    if (event === 'final') {
      const height = (parsed as { height?: unknown }).height;
      if (typeof height === 'number' && this.seen.finality) void this.enqueue(i, () => this.finalise(i, height, at));
      return;
    }
    if (event === 'reorg') {
      const fork = (parsed as { fork_index?: unknown }).fork_index;
      if (typeof fork === 'number') void this.enqueue(i, () => this.seen.rollback(i, fork));
      return;
    }
    if (!isBlockEventData(parsed)) return;
    const ev = parsed;
    void this.enqueue(i, async () => {
      const next = this.seen.nextOf(i);
      if (ev.index < next) return;
      if (ev.index > next || ev.tx_ids === undefined) {
        await this.catchUp(i, ev.index, at);
        return;
      }
      const validatorId = ev.validator_id ?? this.idByAddress.get(ev.validator) ?? null;
      this.seen.ingest(
        i,
        {
          index: ev.index,
          hash: ev.hash,
          timestamp: ev.timestamp,
          size: ev.transactions,
          validator: ev.validator,
          validatorId,
          txIds: ev.tx_ids,
        },
        at,
      );
    });
  }

  /** Runs `task` after the node's previous tasks: a node's blocks are taken strictly in order. */
  private enqueue(i: number, task: () => Promise<void> | void): Promise<void> {
    const run = this.queues[i]!.then(task).catch(() => undefined);
    this.queues[i] = run;
    return run;
  }

  private kick(i: number): void {
    if (this.catchUpQueued[i] || this.closed || !this.started) return;
    this.catchUpQueued[i] = true;
    void this.enqueue(i, async () => {
      this.catchUpQueued[i] = false;
      await this.catchUp(i);
      await this.pollFinal(i);
    });
  }

  private poll(): void {
    const now = Date.now();
    for (let i = 0; i < this.n; i++) {
      // A live stream that spoke recently needs no polling.
      if (this.streamLive[i] && now - this.lastEventAt[i]! < 1_000) continue;
      this.kick(i);
    }
  }

  /**
   * Fetches node i's blocks from its next expected index, up to `upTo` (or its tip). The block
   * `atIndex` gets the time `at` (when its event arrived); the others the time they were fetched.
   */
  private async catchUp(i: number, upTo = Number.MAX_SAFE_INTEGER, at?: number): Promise<void> {
    const client = this.clients[i]!;
    while (!this.closed && this.seen.nextOf(i) <= upTo) {
      const from = this.seen.nextOf(i);
      const limit = Math.min(MAX_BLOCKS_PER_PAGE - 1, upTo === Number.MAX_SAFE_INTEGER ? MAX_BLOCKS_PER_PAGE : upTo - from + 1);
      let page: Block[];
      try {
        // One block back as well: if it is not the one taken, the node switched branch.
        page = await client.blocks(Math.max(0, from - 1), limit + 1);
      } catch {
        return;
      }
      const taken = this.seen.hashAt(i, from - 1);
      const there = page.find((b) => b.index === from - 1);
      if (taken !== undefined && there && there.current_hash !== taken) {
        this.seen.rollback(i, from - 2);
        continue;
      }
      const now = Date.now();
      let took = 0;
      for (const b of page) {
        if (b.index !== this.seen.nextOf(i)) continue;
        this.seen.ingest(i, fromBlock(b, this.idByAddress), b.index === upTo && at !== undefined ? at : now);
        took++;
      }
      if (took === 0 || page.length < limit) return;
    }
  }

  /** Node i's finalised height by REST (GET /status), when the nodes report finality. */
  private async pollFinal(i: number): Promise<void> {
    if (!this.seen.finality || this.closed) return;
    let height: number;
    try {
      height = (await this.clients[i]!.status()).final_height;
    } catch {
      return;
    }
    await this.finalise(i, height, Date.now());
  }

  /**
   * Node i's finalised checkpoint is at `height` (learnt at `at`): its blocks up to there, fetched
   * first when not taken yet, are final on it.
   */
  private async finalise(i: number, height: number, at: number): Promise<void> {
    if (!this.seen.finalRises(i, height)) return;
    if (this.seen.nextOf(i) - 1 < height) await this.catchUp(i, height);
    this.seen.finalise(i, height, at);
  }
}
