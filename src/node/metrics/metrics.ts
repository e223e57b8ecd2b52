/** Counters of one node, served as Prometheus text on GET /metrics. */
import type { Block } from '../../core/types.js';
import type { NodeCrypto } from '../../crypto/suite.js';

export class Metrics {
  readonly verifier: string;
  txReceived = 0;
  signaturesVerified = 0;
  blocksCommitted = 0;
  blocksMinted = 0;
  txCommitted = 0;
  applySecondsSum = 0;
  reorgs = 0;
  blocksReverted = 0;
  /** Catch-ups finished: a test waits on one to know that a block it sent was dealt with. */
  catchUps = 0;
  height = 0;
  private readonly rejectedByCode = new Map<string, number>();
  private readonly requestsByRoute = new Map<string, number>();

  /** `crypto`: the node's suite, whose name and key tables the metrics show. */
  constructor(private readonly crypto: Pick<NodeCrypto, 'name' | 'keyTablesMade'>) {
    this.verifier = crypto.name;
  }

  request(route: string): void {
    this.requestsByRoute.set(route, (this.requestsByRoute.get(route) ?? 0) + 1);
  }

  rejected(code: string): void {
    this.rejectedByCode.set(code, (this.rejectedByCode.get(code) ?? 0) + 1);
  }

  blockApplied(block: Block, ms: number, minted: boolean): void {
    this.blocksCommitted++;
    if (minted) this.blocksMinted++;
    this.txCommitted += block.transactions.length;
    this.applySecondsSum += ms / 1000;
    this.height = block.index;
  }

  /** Blocks a better branch replaced (fork choice): they no longer count as committed. */
  reverted(blocks: readonly Block[]): void {
    this.reorgs++;
    this.blocksReverted += blocks.length;
    this.blocksCommitted -= blocks.length;
    for (const block of blocks) this.txCommitted -= block.transactions.length;
  }

  render(extra: { pool: number; ready: boolean; peers: number; finalHeight?: number; burned?: number }): string {
    const lines: string[] = [];
    const metric = (name: string, type: 'counter' | 'gauge', help: string, value: number, labels = '') => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name}${labels} ${value}`);
    };
    metric('blockchat_height', 'gauge', 'Index of the last committed block.', this.height);
    if (extra.finalHeight !== undefined) {
      metric('blockchat_final_height', 'gauge', 'Index of the finalised checkpoint of the best branch.', extra.finalHeight);
      metric(
        'blockchat_finality_lag_blocks',
        'gauge',
        'Blocks of the best branch above its finalised checkpoint.',
        Math.max(0, this.height - extra.finalHeight),
      );
    }
    if (extra.burned !== undefined) metric('blockchat_burned_units', 'gauge', 'Stake burned by slashing on the best branch.', extra.burned);
    metric('blockchat_ready', 'gauge', 'Whether the network is ready (1) or forming (0).', extra.ready ? 1 : 0);
    metric('blockchat_pool_transactions', 'gauge', 'Pending transactions in the pool.', extra.pool);
    metric('blockchat_peers', 'gauge', 'Known peers.', extra.peers);
    metric('blockchat_blocks_committed_total', 'counter', 'Blocks committed by this node.', this.blocksCommitted);
    metric('blockchat_blocks_minted_total', 'counter', 'Blocks this node minted as validator.', this.blocksMinted);
    metric('blockchat_transactions_committed_total', 'counter', 'Transactions in committed blocks.', this.txCommitted);
    metric('blockchat_transactions_received_total', 'counter', 'Transactions received (own and from peers).', this.txReceived);
    metric(
      'blockchat_signatures_verified_total',
      'counter',
      `Transaction signatures verified (${this.verifier}).`,
      this.signaturesVerified,
    );
    metric(
      'blockchat_key_tables_made_total',
      'counter',
      'Precomputed verification tables made for frequent signers.',
      this.crypto.keyTablesMade(),
    );
    metric('blockchat_reorgs_total', 'counter', 'Times the best branch switched to a rival (fork choice).', this.reorgs);
    metric('blockchat_blocks_reverted_total', 'counter', 'Blocks left for a better branch.', this.blocksReverted);
    metric(
      'blockchat_catch_ups_total',
      'counter',
      'Catch-ups finished (every peer asked for its height, missing blocks fetched).',
      this.catchUps,
    );
    metric('blockchat_block_apply_seconds_sum', 'counter', 'Time spent validating and applying blocks.', this.applySecondsSum);
    lines.push('# HELP blockchat_transactions_rejected_total Transactions refused, by reason.');
    lines.push('# TYPE blockchat_transactions_rejected_total counter');
    for (const [code, count] of this.rejectedByCode) lines.push(`blockchat_transactions_rejected_total{code="${code}"} ${count}`);
    lines.push('# HELP blockchat_http_requests_total HTTP requests served, by route.');
    lines.push('# TYPE blockchat_http_requests_total counter');
    for (const [route, count] of this.requestsByRoute) lines.push(`blockchat_http_requests_total{route="${route}"} ${count}`);
    const mem = process.memoryUsage();
    metric('process_resident_memory_bytes', 'gauge', 'Resident memory.', mem.rss);
    metric('nodejs_heap_used_bytes', 'gauge', 'V8 heap in use.', mem.heapUsed);
    return lines.join('\n') + '\n';
  }
}
