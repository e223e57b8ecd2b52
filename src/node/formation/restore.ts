/** Building a node's chain from blocks: a restart's data directory, or the bootstrap's announcement. */
import { applyBlock, genesisTip, type TxVerifier } from '../../core/chain.js';
import { BlockTree } from '../../core/forkchoice.js';
import type { NetworkParams } from '../../core/params.js';
import type { Block } from '../../core/types.js';
import type { Crypto } from '../../core/crypto.js';
import type { ChainFollower } from '../chain/index.js';
import type { ChainStore, NetworkMeta } from '../db/index.js';
import type { Readiness } from './readiness.js';

/** Validates a whole chain from its genesis into a block tree; the genesis fixes the parameters. */
export function replayChain(
  chain: readonly Block[],
  n: number,
  capacity: number,
  verifyTx: TxVerifier,
  crypto: Crypto,
): { params: NetworkParams; tree: BlockTree } {
  const { params, tip } = genesisTip(chain[0]!, n, capacity, crypto);
  const tree = new BlockTree(tip);
  for (const block of chain.slice(1)) tree.add(applyBlock(params, tree.best, block, verifyTx, crypto));
  return { params, tree };
}

/**
 * Rebuilds the chain of a previous run from the store into `chain`, and readiness as it was
 * (ready is latched: it is checked on every block replayed). Returns the parameters.
 */
export async function restoreChain(
  store: ChainStore,
  meta: NetworkMeta,
  chain: ChainFollower,
  readiness: Readiness,
  dataDir: string,
  crypto: Crypto,
): Promise<NetworkParams> {
  let params: NetworkParams | undefined;
  let tree: BlockTree | undefined;
  // The chain was validated when it was committed; signatures need not be checked again.
  const trusted = () => undefined;
  for await (const json of store.allBlocks()) {
    const block = JSON.parse(json) as Block;
    if (!params || !tree) {
      const start = genesisTip(block, meta.n, meta.capacity, crypto);
      params = start.params;
      tree = new BlockTree(start.tip);
    } else {
      tree.add(applyBlock(params, tree.best, block, trusted, crypto));
    }
    chain.remember(block, json);
    readiness.evaluate(tree.best);
  }
  if (!params || !tree) throw new Error(`the data directory ${dataDir} has no chain; remove it to start afresh`);
  chain.start(params, tree);
  return params;
}
