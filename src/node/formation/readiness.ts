/**
 * Whether the network is ready (GET /status `ready`): every member has joined, the bootstrap's
 * transfer to each is committed, and so is every configured initial stake. Latched: once ready,
 * always ready. While a network is not ready its blocks are minted at once, full or not.
 *
 * And whether this node, restarted, has caught up once since (`resuming`): until then its tip is
 * likely far behind the network's, and a block minted or a vote signed on it would be stale
 * (docs/protocol.md, "Liveness"); the minter and the voting wait for `resumed`. And whether its
 * wallet may sign (`walletHeld`): not before the pool repair that follows that catch-up.
 */
import type { TipV2 } from '../../core/consensus.js';
import { accountOf } from '../../core/state.js';
import type { NodeEmitter } from '../events.js';
import type { Logger } from '../logger.js';
import type { Membership } from './membership.js';

/** Something held from a restart until released once, and who waits for the release. */
class Hold {
  private isHeld = false;
  private readonly waiting = new Set<() => void>();

  get held(): boolean {
    return this.isHeld;
  }

  begin(): void {
    this.isHeld = true;
  }

  /** Ends the hold and lets every waiter go; false if it was not held. */
  release(): boolean {
    if (!this.isHeld) return false;
    this.isHeld = false;
    for (const go of [...this.waiting]) go();
    return true;
  }

  /** Resolves once released (at once when not held), or after `maxMs` if given, whichever first. */
  wait(maxMs?: number): Promise<void> {
    if (!this.isHeld) return Promise.resolve();
    return new Promise((resolve) => {
      const go = (): void => {
        clearTimeout(timer);
        this.waiting.delete(go);
        resolve();
      };
      const timer = maxMs === undefined ? undefined : setTimeout(go, maxMs);
      this.waiting.add(go);
    });
  }
}

export class Readiness {
  private isReady = false;
  /** From a restart until its first catch-up has fetched what the peers held (`resume`). */
  private readonly catchingUp = new Hold();
  /** True from a restart until the pool repair after its first catch-up is over (`poolRestored`). */
  private poolUnknown = false;
  /** From a restart until both of the above are over (`walletHeld`). */
  private readonly wallet = new Hold();

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

  /** True while a restarted node has not caught up once: it neither mints nor votes. */
  get resuming(): boolean {
    return this.catchingUp.held;
  }

  /**
   * True while a restarted node may not yet know its wallet's transactions still pending: they
   * are in the peers' pools (its own pool did not survive), so a nonce given now could be one given
   * before the restart, and of two transactions with one nonce only one is ever committed
   * (docs/protocol.md, "Liveness").
   */
  get walletHeld(): boolean {
    return this.wallet.held;
  }

  /** A restart: hold minting and voting until `resume`, the wallet until `poolRestored` too. */
  holdUntilCaughtUp(): void {
    this.catchingUp.begin();
    this.poolUnknown = true;
    this.wallet.begin();
  }

  /**
   * The restart's pool repair has been tried (or there is none to make; and the bootstrap's
   * fundings are sent): the wallet signs again (`walletOpen`).
   */
  poolRestored(): void {
    if (!this.poolUnknown) return;
    this.poolUnknown = false;
    this.openWalletIfFree();
  }

  /** Called as each of the two holds ends (each once per restart): `walletOpen` after the second. */
  private openWalletIfFree(): void {
    if (!this.catchingUp.held && !this.poolUnknown && this.wallet.release()) this.events.emit('walletOpen', undefined);
  }

  /** Resolves once this node no longer waits to catch up after a restart (at once when it does not). */
  whenResumed(): Promise<void> {
    return this.catchingUp.wait();
  }

  /**
   * Resolves once the wallet signs again after a restart (at once when it does), or after `maxMs`:
   * a user's request waits out the short catch-up rather than being refused.
   */
  whenWalletOpen(maxMs: number): Promise<void> {
    return this.wallet.wait(maxMs);
  }

  /** The restart's first catch-up is over, at `tip`: mint and vote again (once; `resumed`). */
  resume(tip: TipV2 | undefined): void {
    if (!this.catchingUp.release()) return;
    if (tip) {
      this.log.debug(`resumed at height ${tip.block.index}`);
      this.events.emit('resumed', tip);
    }
    this.openWalletIfFree();
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
