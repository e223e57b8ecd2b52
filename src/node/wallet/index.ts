/**
 * The node's own wallet (SPEC A, "Transactions"; SPEC C, POST /wallet/transactions): signs what
 * its user submits with the next free nonce, checks it executes after the wallet's pending
 * transactions, and pools it (`ownTransaction` sends it to the peers). Also sends the node's
 * configured initial stake once it has the coins. The key and token files are in keys.ts.
 */
import type { NodeCrypto } from '../../crypto/suite.js';
import type { ChainTip } from '../../core/chain.js';
import { isAddressOn } from '../../core/crypto.js';
import { ProtocolError } from '../../core/errors.js';
import { NO_ONE, UNITS_PER_BCC } from '../../core/params.js';
import type { TxPool } from '../../core/pool.js';
import { accountOf, applyTxToDraft, checkTxAgainst } from '../../core/state.js';
import { signTransaction } from '../../core/transaction.js';
import type { Account, TxBody } from '../../core/types.js';
import type { SubmitRequest, SubmitResponse } from '../../api/types.js';
import type { ChainFollower } from '../chain/index.js';
import { NodeError } from '../errors.js';
import type { NodeEmitter } from '../events.js';
import type { Membership } from '../formation/membership.js';
import type { Readiness } from '../formation/readiness.js';
import type { Logger } from '../logger.js';
import type { WalletKey } from './keys.js';

export { KEY_FILE, loadToken, loadWallet, type WalletKey } from './keys.js';

/** How long a request to a restarted node's wallet waits for it to open before RESUMING. */
export const WALLET_WAIT_MS = 30_000;

export class OwnWallet {
  /** The wallet's account after its own pending transactions, on the tip `tipHash` (see draftOn). */
  private own: { tipHash: string; draft: Map<string, Account>; complete: boolean } | undefined;
  /** Why the initial stake was last refused (logged once per reason). */
  private stakeRefusal: string | undefined;

  constructor(
    private readonly key: WalletKey,
    /** The initial stake to send once funded, in units. */
    private readonly stake: number,
    private readonly chain: ChainFollower,
    private readonly members: Membership,
    private readonly readiness: Pick<Readiness, 'walletHeld' | 'whenWalletOpen'>,
    private readonly pool: TxPool,
    private readonly events: NodeEmitter,
    private readonly log: Logger,
    private readonly crypto: NodeCrypto,
  ) {
    events.on('head', () => this.maybeInitialStake());
    events.on('walletOpen', () => this.maybeInitialStake());
  }

  get address(): string {
    return this.key.address;
  }

  /** Resolves a recipient: a node id (3, "3", "id3") or an address. */
  resolveRecipient(to: string | number | undefined): string {
    if (to === undefined) throw new NodeError('UNKNOWN_RECIPIENT', 'name a recipient: a node id (3 or id3) or an address');
    const text = String(to).trim();
    const idMatch = /^(?:id)?(\d{1,6})$/.exec(text);
    if (idMatch) {
      const nodes = this.members.nodes;
      const entry = nodes.find((x) => x.id === Number(idMatch[1]));
      if (!entry) throw new NodeError('UNKNOWN_RECIPIENT', `there is no node ${idMatch[1]} (ids are 0 to ${nodes.length - 1})`);
      return entry.address;
    }
    const shown = text.slice(0, 80);
    if (!isAddressOn(this.crypto, text)) throw new NodeError('UNKNOWN_RECIPIENT', `"${shown}" is neither a node id nor a valid address`);
    return text;
  }

  /**
   * Resolves once the wallet signs again after a restart (at once when it does), or after `maxMs`
   * (then `submit` refuses with RESUMING): a user's request waits out the short catch-up rather
   * than being refused.
   */
  opened(maxMs = WALLET_WAIT_MS): Promise<void> {
    return this.readiness.whenWalletOpen(maxMs);
  }

  /**
   * Signs a transaction of this node's wallet, checks it executes after the wallet's pending
   * ones on the committed state, pools it and announces it (`ownTransaction`).
   */
  submit(req: SubmitRequest): SubmitResponse {
    const { params, tip } = this.chain.formed();
    if (this.readiness.walletHeld)
      throw new NodeError(
        'RESUMING',
        'this node restarted and is catching up with its peers (the chain, and the pending transactions its wallet sent before); try again in a few seconds',
      );
    if (req.type !== 'message' && req.amount === undefined) {
      // A missing amount is never read as 0: for a stake that would withdraw it all.
      throw new ProtocolError(
        'MALFORMED',
        req.type === 'stake'
          ? 'a stake request needs amount: the new total stake in units (0 withdraws it)'
          : 'a coin transfer needs amount, in units',
      );
    }
    const receiver = req.type === 'stake' ? NO_ONE : this.resolveRecipient(req.to);
    const body: { -readonly [K in keyof Omit<TxBody, 'sender'>]: Omit<TxBody, 'sender'>[K] } = {
      receiver,
      type: req.type,
      amount: req.amount ?? 0,
      message: req.message ?? '',
      nonce: 0,
    };
    // Executable after the wallet's own pending transactions? (Incoming pending coins don't count.)
    const draft = this.draftOn(tip);
    body.nonce = this.nextNonceOn(tip);
    const tx = signTransaction(params.domain, this.key.secretKey, body, this.crypto);
    checkTxAgainst(draft, tx);
    this.pool.add(tx, tip.ledger, tip.block.index);
    applyTxToDraft(draft, tx);
    this.events.emit('ownTransaction', tx);
    return { id: tx.id, nonce: tx.nonce };
  }

  /** The nonce the wallet's next transaction gets: after its committed and its pending ones. */
  nextNonce(): number {
    return this.nextNonceOn(this.chain.formed().tip);
  }

  private nextNonceOn(tip: ChainTip): number {
    const draft = this.draftOn(tip);
    return this.own!.complete ? accountOf(draft, this.address).nonce : this.pool.nextNonce(tip.ledger, this.address);
  }

  /**
   * The wallet's account as it will be after its own pending transactions, on the current tip.
   * Rebuilt once per tip and then advanced by each new submission, so that a wallet with
   * thousands pending pays O(1) per submission, not O(pending).
   */
  private draftOn(tip: ChainTip): Map<string, Account> {
    if (this.own?.tipHash !== tip.block.current_hash) {
      const draft = new Map<string, Account>([[this.address, accountOf(tip.ledger, this.address)]]);
      let complete = true;
      try {
        for (const pending of this.pool.pendingOf(tip.ledger, this.address)) applyTxToDraft(draft, pending);
      } catch {
        // a pending transaction can no longer execute: later ones cannot either; the check will say so
        complete = false;
      }
      this.own = { tipHash: tip.block.current_hash, draft, complete };
    }
    return this.own.draft;
  }

  /** Sends the configured initial stake, once, as soon as the wallet holds that much. */
  maybeInitialStake(): void {
    const tip = this.chain.tip;
    if (this.members.initialStakeSent || !tip || this.stake <= 0 || this.readiness.walletHeld) return;
    const me = accountOf(tip.ledger, this.address);
    if (me.balance < this.stake) return;
    // The bootstrap's nonces 0 … n − 2 are the members' fundings (announce.ts, fund): its stake after them.
    if (this.members.nodes[0]?.address === this.address && this.nextNonceOn(tip) < (this.members.n ?? 0) - 1) return;
    this.members.initialStakeSent = true; // before submit: what submit sets off must not send it again
    try {
      this.submit({ type: 'stake', amount: this.stake });
    } catch (err) {
      // not sent (the pool full, the network not formed yet…): tried again at the next head
      this.members.initialStakeSent = false;
      const reason = err instanceof Error ? err.message : String(err);
      if (reason !== this.stakeRefusal) this.log.warn(`initial stake not sent yet: ${reason}`);
      this.stakeRefusal = reason;
      return;
    }
    this.log.info(`staking ${this.stake / UNITS_PER_BCC} BCC`);
    this.members.saveQuietly();
  }
}
