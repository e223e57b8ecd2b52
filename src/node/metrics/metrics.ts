/**
 * The metrics of one node, in its own prom-client registry, served as Prometheus text on
 * GET /metrics. Each metric is made on first use by its name (`counter`, `gauge`, `histogram`),
 * so that adding one is one line where its event is followed (index.ts).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Block } from '../../core/types.js';
import type { NodeCrypto } from '../../crypto/suite.js';
import { VERSION } from '../../version.js';

/** Seconds: from 1 ms to 10 s, for block apply time. */
export const APPLY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];
/** Seconds: from 10 ms to 1 min, for latencies across the network (commit, finality). */
export const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Own transactions waited on for their commit latency, at most (the oldest are forgotten). */
const MAX_PENDING_LATENCY = 100_000;

export class Metrics {
  readonly registry = new Registry();
  readonly verifier: string;
  private readonly made = new Map<string, Counter | Gauge | Histogram>();
  /** When each of the wallet's own pending transactions was accepted (ms), by id. */
  private readonly acceptedAt = new Map<string, number>();
  /** The wallet's own committed transactions not final yet: when accepted and in which block. */
  private readonly awaitingFinal = new Map<string, { at: number; block: number }>();

  /** `crypto`: the node's suite, whose name and key tables the metrics show. */
  constructor(
    crypto: Pick<NodeCrypto, 'name' | 'keyTablesMade'>,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.verifier = crypto.name;
    collectDefaultMetrics({ register: this.registry });
    const info = this.gauge('blockchat_build_info', 'The running build: version, Node.js version and signature suite.', [
      'version',
      'node_version',
      'verifier',
    ]);
    info.set({ version: VERSION, node_version: process.version, verifier: crypto.name }, 1);
    // Kept by the crypto suite: read when scraped.
    new Counter({
      name: 'blockchat_key_tables_made_total',
      help: 'Precomputed verification tables made for frequent signers.',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(crypto.keyTablesMade());
      },
    });
    this.gauge('blockchat_height', 'Index of the last committed block.');
    // prom-client's defaults have V8's external memory but not the array buffers within it.
    new Gauge({
      name: 'blockchat_array_buffers_bytes',
      help: 'Bytes of ArrayBuffers and SharedArrayBuffers (Buffers among them), part of nodejs_external_memory_bytes.',
      registers: [this.registry],
      collect() {
        this.set(process.memoryUsage().arrayBuffers);
      },
    });
    // Declared at start, so that a reader sees the family (and 0) before the first event.
    for (const [name, help] of [
      ['blockchat_transactions_received_total', 'Transactions received (own and from peers).'],
      ['blockchat_signatures_verified_total', `Transaction signatures verified (${crypto.name}).`],
      ['blockchat_blocks_committed_total', 'Blocks that joined the best branch (those reverted since included).'],
      ['blockchat_blocks_minted_total', 'Blocks this node minted as validator.'],
      ['blockchat_transactions_committed_total', 'Transactions in blocks that joined the best branch.'],
      ['blockchat_transactions_reverted_total', 'Transactions in blocks left for a better branch.'],
      ['blockchat_reorgs_total', 'Times the best branch switched to a rival (fork choice).'],
      ['blockchat_blocks_reverted_total', 'Blocks left for a better branch.'],
      ['blockchat_catch_ups_total', 'Catch-ups finished (every peer asked for its height, missing blocks fetched).'],
    ] as const)
      this.counter(name, help);
    this.counter('blockchat_transactions_rejected_total', 'Transactions refused, by reason.', ['code']);
    this.counter('blockchat_http_requests_total', 'HTTP requests answered, by route, method and status.', ['route', 'method', 'status']);
    this.counter('blockchat_peer_stream_frames_total', 'Peer stream frames received, by kind.', ['kind']);
    this.histogram('blockchat_block_apply_seconds', 'Time to validate and apply a block.', APPLY_BUCKETS);
    this.histogram(
      'blockchat_commit_latency_seconds',
      "From this node's wallet accepting a transaction to its block joining this node's chain.",
      LATENCY_BUCKETS,
    );
    this.histogram(
      'blockchat_final_latency_seconds',
      "From this node's wallet accepting a transaction to its block becoming final on this node.",
      LATENCY_BUCKETS,
    );
  }

  /** The counter `name`, made on first use. */
  counter(name: string, help: string, labels: readonly string[] = []): Counter {
    return this.make(name, () => new Counter({ name, help, labelNames: labels, registers: [this.registry] }));
  }

  /** The gauge `name`, made on first use. */
  gauge(name: string, help: string, labels: readonly string[] = []): Gauge {
    return this.make(name, () => new Gauge({ name, help, labelNames: labels, registers: [this.registry] }));
  }

  /** The histogram `name` (seconds), made on first use. */
  histogram(name: string, help: string, buckets: readonly number[] = LATENCY_BUCKETS): Histogram {
    return this.make(name, () => new Histogram({ name, help, buckets: [...buckets], registers: [this.registry] }));
  }

  private make<T extends Counter | Gauge | Histogram>(name: string, create: () => T): T {
    let m = this.made.get(name);
    if (!m) {
      m = create();
      this.made.set(name, m);
    }
    return m as T;
  }

  /** The counter `name` as made before (a name not made yet is a programming error). */
  private inc(name: string, by = 1, labels?: Record<string, string>): void {
    const c = this.made.get(name);
    if (!(c instanceof Counter)) throw new Error(`no counter ${name}`);
    if (labels) c.inc(labels, by);
    else c.inc(by);
  }

  count(name: string, by = 1, labels?: Record<string, string>): void {
    if (by > 0) this.inc(name, by, labels);
  }

  request(route: string, method: string, status: number): void {
    this.inc('blockchat_http_requests_total', 1, { route, method, status: String(status) });
  }

  streamFrame(kind: string): void {
    this.inc('blockchat_peer_stream_frames_total', 1, { kind });
  }

  rejected(code: string): void {
    this.inc('blockchat_transactions_rejected_total', 1, { code });
  }

  /** The wallet accepted one of its own transactions: its commit latency starts now. */
  ownTransaction(id: string): void {
    this.count('blockchat_transactions_received_total');
    if (this.acceptedAt.size >= MAX_PENDING_LATENCY) this.acceptedAt.delete(this.acceptedAt.keys().next().value!);
    this.acceptedAt.set(id, this.clock());
  }

  blockApplied(block: Block, ms: number, minted: boolean): void {
    this.count('blockchat_blocks_committed_total');
    if (minted) this.count('blockchat_blocks_minted_total');
    this.count('blockchat_transactions_committed_total', block.transactions.length);
    if (ms > 0) this.histogram('blockchat_block_apply_seconds', '', APPLY_BUCKETS).observe(ms / 1000);
    this.gauge('blockchat_height', 'Index of the last committed block.').set(block.index);
    const latency = this.histogram('blockchat_commit_latency_seconds', '');
    const now = this.clock();
    for (const tx of block.transactions) {
      const at = this.acceptedAt.get(tx.id);
      if (at === undefined) continue;
      this.acceptedAt.delete(tx.id);
      latency.observe((now - at) / 1000);
      if (this.awaitingFinal.size >= MAX_PENDING_LATENCY) this.awaitingFinal.delete(this.awaitingFinal.keys().next().value!);
      this.awaitingFinal.set(tx.id, { at, block: block.index });
    }
  }

  /** The best branch's finalised checkpoint rose to `height`: the own transactions at or below it are final. */
  finalized(height: number): void {
    const latency = this.histogram('blockchat_final_latency_seconds', '');
    const now = this.clock();
    // Kept in the order their blocks joined the branch (a reverted one leaves, and comes back
    // higher): the first above `height` ends the walk.
    for (const [id, { at, block }] of this.awaitingFinal) {
      if (block > height) break;
      this.awaitingFinal.delete(id);
      latency.observe((now - at) / 1000);
    }
  }

  /**
   * Blocks a better branch replaced (fork choice). Counters only go up: the blocks committed less
   * those reverted is `blockchat_blocks_committed_total - blockchat_blocks_reverted_total`.
   */
  reverted(blocks: readonly Block[]): void {
    // The own transactions of those blocks are pending again: their latencies run on from acceptance.
    for (const block of blocks) {
      for (const tx of block.transactions) {
        const waiting = this.awaitingFinal.get(tx.id);
        if (waiting === undefined) continue;
        this.awaitingFinal.delete(tx.id);
        this.acceptedAt.set(tx.id, waiting.at);
      }
    }
    this.count('blockchat_reorgs_total');
    this.count('blockchat_blocks_reverted_total', blocks.length);
    this.count(
      'blockchat_transactions_reverted_total',
      blocks.reduce((a, b) => a + b.transactions.length, 0),
    );
  }

  /** The Prometheus text, with the gauges read now from the node's parts. */
  async render(extra: {
    pool: number;
    ready: boolean;
    peers: number;
    peersReachable: number;
    /** The best branch's tip and finalised checkpoint. */
    tipHeight: number;
    finalHeight: number;
    burned: number;
    /** Bytes the in-memory indexes take: transaction id → block, block hash → index. */
    txIndexBytes: number;
    hashIndexBytes: number;
  }): Promise<string> {
    this.gauge('blockchat_ready', 'Whether the network is ready (1) or forming (0).').set(extra.ready ? 1 : 0);
    this.gauge('blockchat_pool_transactions', 'Pending transactions in the pool.').set(extra.pool);
    this.gauge('blockchat_peers', 'Known peers.').set(extra.peers);
    this.gauge('blockchat_peers_connected', 'Known peers not failing (the last request to them answered).').set(extra.peersReachable);
    this.gauge('blockchat_final_height', 'Index of the finalised checkpoint of the best branch.').set(extra.finalHeight);
    // From the tip, not from blockchat_height: that one moves only with blocks applied since the
    // process started, so a restarted node would show no lag above a checkpoint below its tip.
    this.gauge('blockchat_finality_lag_blocks', 'Blocks of the best branch above its finalised checkpoint.').set(
      Math.max(0, extra.tipHeight - extra.finalHeight),
    );
    this.gauge('blockchat_burned_units', 'Stake burned by slashing on the best branch.').set(extra.burned);
    this.gauge('blockchat_tx_index_bytes', 'Bytes of memory the index of transaction ids to blocks takes.').set(extra.txIndexBytes);
    this.gauge('blockchat_block_hash_index_bytes', 'Bytes of memory the index of block hashes to heights takes.').set(extra.hashIndexBytes);
    return this.registry.metrics();
  }
}
