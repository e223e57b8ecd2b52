/**
 * The node's disk: the chain and the network record in LevelDB (store.ts). The store follows the
 * node's events: it writes what the chain follower commits and adopts, and removes what a better
 * branch replaces, in that order.
 */
import type { NodeEmitter } from '../events.js';
import type { ChainStore } from './store.js';

export { ChainStore, type NetworkMeta } from './store.js';

/** Keeps `store` in step with the best branch. */
export function subscribeStore(events: NodeEmitter, store: ChainStore): void {
  events.on('chainAdopted', (blocks) => {
    for (const { block, json } of blocks) store.append(block, json);
  });
  events.on('reorg', ({ reverted }) => store.revert(reverted));
  events.on('block', ({ block, json }) => store.append(block, json));
}
