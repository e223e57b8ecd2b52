/** Building a node's chain from blocks: a restart's data directory, or the bootstrap's announcement. */
import type { TxVerifier } from '../../core/chain.js';
import { applyBlockV2, genesisTipV2 } from '../../core/consensus.js';
import type { BlockV2 } from '../../core/blockv2.js';
import type { NetworkParams } from '../../core/params.js';
import type { Block } from '../../core/types.js';
import type { Crypto } from '../../core/crypto.js';
import { ProtocolError } from '../../core/errors.js';
import { FinalTree } from '../chain/final-tree.js';
import type { ChainFollower } from '../chain/index.js';
import type { ChainStore, NetworkMeta } from '../db/index.js';
import type { Readiness } from './readiness.js';

/**
 * Validates a whole chain from its genesis into a block tree (protocol version 2; the genesis
 * fixes the parameters). `now`: the receiver's clock, for a chain that comes from a peer (the
 * bootstrap's announcement): a block stamped too far ahead is refused.
 */
export function replayChain(
  chain: readonly Block[],
  n: number,
  capacity: number,
  verifyTx: TxVerifier,
  crypto: Crypto,
  now?: number,
): { params: NetworkParams; tree: FinalTree } {
  const { params, tip } = genesisTipV2(chain[0]!, n, capacity, crypto);
  const tree = new FinalTree(tip);
  for (const block of chain.slice(1)) tree.add(applyBlockV2(params, tree.best, block as BlockV2, { now, verifyTx, crypto }));
  return { params, tree };
}

/**
 * One stored block applied again. A block this node once accepted and now refuses was stored under
 * other rules (a data directory of an earlier version of the protocol): say so, with what to do.
 */
function replayStored(
  params: NetworkParams,
  tree: FinalTree,
  block: BlockV2,
  dataDir: string,
  crypto: Crypto,
  verifyTx: TxVerifier,
  verifyVote: () => string,
) {
  try {
    return applyBlockV2(params, tree.best, block, { verifyTx, verifyVote, crypto });
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    throw new Error(
      `block ${block.index} stored in ${dataDir} is invalid under this version's rules (${err.code}: ${err.message}): ` +
        'the directory was written by another version of the protocol; remove it and form the network again',
      { cause: err },
    );
  }
}

/**
 * Rebuilds the chain of a previous run from the store into `chain`, and readiness as it was
 * (ready is latched: it is checked on every block replayed). Returns the parameters. The replay
 * is validateChainV2's, block by block: it rebuilds the seed, the finality record and the
 * slashings; this node's own clock does not apply (the chain was accepted when it was stored).
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
  let tree: FinalTree | undefined;
  // The chain was validated when it was committed; signatures need not be checked again.
  const trusted = () => undefined;
  const trustedVote = () => '';
  for await (const json of store.allBlocks()) {
    const block = JSON.parse(json) as Block;
    if (!params || !tree) {
      const start = genesisTipV2(block, meta.n, meta.capacity, crypto);
      params = start.params;
      tree = new FinalTree(start.tip);
    } else {
      tree.add(replayStored(params, tree, block as BlockV2, dataDir, crypto, trusted, trustedVote));
    }
    chain.remember(block, json);
    readiness.evaluate(tree.best);
  }
  // The replay read every table file of the store, and LevelDB keeps what it read mapped: without
  // this, a restarted node would hold the chain's size on disk in resident memory for good.
  await store.unmapTables();
  if (!params || !tree) throw new Error(`the data directory ${dataDir} has no chain; remove it to start afresh`);
  chain.start(params, tree);
  return params;
}
