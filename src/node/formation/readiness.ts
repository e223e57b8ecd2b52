/**
 * Whether the network is ready (GET /status `ready`): every member has joined, the bootstrap's
 * transfer to each is committed, and so is every configured initial stake. Latched: once ready,
 * always ready. While a network is not ready its blocks are minted at once, full or not.
 */
import type { TipV2 } from '../../core/consensus.js';
import { accountOf } from '../../core/state.js';
import type { NodeEmitter } from '../events.js';
import type { Logger } from '../logger.js';
import type { Membership } from './membership.js';

export class Readiness {
  private isReady = false;

  constructor(
    private readonly members: Membership,
    private readonly events: NodeEmitter,
    private readonly log: Logger,
  ) {
    events.on('head', (tip) => this.evaluate(tip));
  }

  get ready(): boolean {
    return this.isReady;
  }

  /** Checks the condition on `tip` (a restarting node checks every block it replays). */
  evaluate(tip: TipV2): void {
    const { nodes, n } = this.members;
    if (this.isReady || nodes.length !== n || nodes.length === 0) return;
    const bootstrap = accountOf(tip.ledger, nodes[0]!.address);
    if (bootstrap.nonce < nodes.length - 1) return;
    for (const entry of nodes) if (entry.stake > 0 && accountOf(tip.ledger, entry.address).stake === 0) return;
    this.isReady = true;
    this.log.info(`the network is ready at height ${tip.block.index}`);
    this.events.emit('ready', tip);
  }
}
