/**
 * The node's metrics (metrics.ts), kept by following its events; served on GET /metrics. A new
 * metric is one line here: `events.on(EVENT, (e) => metrics.gauge(NAME, HELP).set(…))`, or
 * `metrics.histogram(NAME, HELP).observe(seconds)`, `metrics.counter(NAME, HELP).inc()`.
 */
import type { NodeEmitter } from '../events.js';
import type { Metrics } from './metrics.js';

export { Metrics } from './metrics.js';

/** Counts what the node's parts announce. */
export function subscribeMetrics(events: NodeEmitter, metrics: Metrics): void {
  events.on('request', ({ route, method, status }) => metrics.request(route, method, status));
  events.on('streamFrame', (kind) => metrics.streamFrame(kind));
  events.on('ownTransaction', ({ tx }) => metrics.ownTransaction(tx.id));
  events.on('peerTransactions', ({ received, verified }) => {
    metrics.count('blockchat_transactions_received_total', received);
    metrics.count('blockchat_signatures_verified_total', verified);
  });
  events.on('transactionRejected', (code) => metrics.rejected(code));
  events.on('blockSignaturesVerified', (count) => metrics.count('blockchat_signatures_verified_total', count));
  events.on('reorg', ({ reverted }) => metrics.reverted(reverted));
  events.on('caughtUp', () => metrics.count('blockchat_catch_ups_total'));
  events.on('block', ({ block, applyMs, minted }) => metrics.blockApplied(block, applyMs, minted));
  events.on('final', ({ height }) => metrics.finalized(height));
}
