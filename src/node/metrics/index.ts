/** The node's counters (metrics.ts), kept by following its events; served on GET /metrics. */
import type { NodeEmitter } from '../events.js';
import type { Metrics } from './metrics.js';

export { Metrics } from './metrics.js';

/** Counts what the node's parts announce. */
export function subscribeMetrics(events: NodeEmitter, metrics: Metrics): void {
  events.on('request', (route) => metrics.request(route));
  events.on('ownTransaction', () => metrics.txReceived++);
  events.on('peerTransactions', ({ received, verified }) => {
    metrics.txReceived += received;
    metrics.signaturesVerified += verified;
  });
  events.on('transactionRejected', (code) => metrics.rejected(code));
  events.on('blockSignaturesVerified', (count) => (metrics.signaturesVerified += count));
  events.on('reorg', ({ reverted }) => metrics.reverted(reverted));
  events.on('caughtUp', () => metrics.catchUps++);
  events.on('block', ({ block, applyMs, minted }) => metrics.blockApplied(block, applyMs, minted));
}
