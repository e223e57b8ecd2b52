/**
 * The node's own wallet (SPEC A, "Transactions"; SPEC C, POST /wallet/transactions): signs what
 * its user submits with the next free nonce, checks it executes after the wallet's pending
 * transactions, journals it (journal.ts) and pools it (`ownTransaction` sends it to the peers);
 * after a restart it puts the journaled transactions back. Also sends the node's configured
 * initial stake once it has the coins. The key and token files are in keys.ts.
 */
import type { NodeCrypto } from '../../crypto/suite.js';
import type { ChainTip } from '../../core/chain.js';
import { isAddressOn } from '../../core/crypto.js';
import { ProtocolError } from '../../core/errors.js';
import { NO_ONE, UNITS_PER_BCC, type NetworkParams } from '../../core/params.js';
import { costOf, type Staged, type TxPool } from '../../core/pool.js';
import { accountOf, applyTxToDraft, checkTxAgainst } from '../../core/state.js';
import { signTransaction, verifyTransaction } from '../../core/transaction.js';
import type { Account, Transaction, TxBody } from '../../core/types.js';
import type { SubmitRequest, SubmitResponse } from '../../api/types.js';
import type { ChainFollower } from '../chain/index.js';
import { isRefusal, NodeError } from '../errors.js';
import type { NodeEmitter } from '../events.js';
import type { Membership } from '../formation/membership.js';
import type { Readiness } from '../formation/readiness.js';
import type { Logger } from '../logger.js';
import type { WalletKey } from './keys.js';
import { JournalWriteError, type WalletJournal } from './journal.js';

export { KEY_FILE, loadToken, loadWallet, type WalletKey } from './keys.js';
export { COMPACT_EVERY, JOURNAL_FILE, JournalWriteError, WalletJournal } from './journal.js';

/** One request of `submitAll`: what it was answered, or why it was refused. */
export type SubmitOutcome = { accepted: SubmitResponse } | { refused: ProtocolError | NodeError };

/** How long a request to a restarted node's wallet waits for it to open before RESUMING. */
export const WALLET_WAIT_MS = 30_000;

export class OwnWallet {
  /** The wallet's account after its own pending transactions, on the tip `tipHash` (see draftOn). */
  private own: { tipHash: string; draft: Map<string, Account>; complete: boolean } | undefined;
  /** Why the initial stake was last refused (logged once per reason). */
  private stakeRefusal: string | undefined;
  /** At a restart, the journaled transactions put back into the pool, and those to try again once the wallet opens. */
  private fromJournal: { pooled: Transaction[]; later: Transaction[] } | undefined;

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
    private readonly journal: WalletJournal,
  ) {
    events.on('head', () => this.maybeInitialStake());
    events.on('walletOpen', () => {
      this.finishRestore();
      this.maybeInitialStake();
    });
    events.on('final', ({ hash }) => this.compactJournal(hash));
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
    const outcome = this.submitAll([req])[0]!;
    if ('refused' in outcome) throw outcome.refused;
    return outcome.accepted;
  }

  /**
   * `submit` for each request in order (POST /wallet/transactions/batch), each answered on its
   * own; every one accepted is journaled in one write before any is pooled or sent. A journal
   * that cannot be written refuses (JOURNAL_FAILED) those whose lines it did not take whole.
   */
  submitAll(reqs: readonly SubmitRequest[]): SubmitOutcome[] {
    let formed: { params: NetworkParams; tip: ChainTip };
    try {
      formed = this.chain.formed();
      if (this.readiness.walletHeld)
        throw new NodeError(
          'RESUMING',
          'this node restarted and is catching up with its peers (the chain, and the pending transactions its wallet sent before); try again in a few seconds',
        );
    } catch (err) {
      if (!isRefusal(err)) throw err;
      return reqs.map(() => ({ refused: err }));
    }
    const { params, tip } = formed;
    const outcomes: SubmitOutcome[] = [];
    const signed: Array<{ at: number; tx: Transaction }> = [];
    let staged: Staged = { count: 0, cost: 0 };
    for (const req of reqs) {
      try {
        const tx = this.sign(req, params, tip, staged);
        signed.push({ at: outcomes.length, tx });
        staged = { count: staged.count + 1, cost: staged.cost + costOf(tx, accountOf(tip.ledger, this.address)) };
        outcomes.push({ accepted: { id: tx.id, nonce: tx.nonce } });
      } catch (err) {
        if (!isRefusal(err)) {
          this.own = undefined; // the draft counted those signed before, never pooled
          throw err;
        }
        outcomes.push({ refused: err });
      }
    }
    if (signed.length === 0) return outcomes;
    // Journaled before anything else sees them: what the wallet accepted outlives the process.
    let lines: readonly string[];
    try {
      lines = this.journal.appendAll(signed.map((s) => s.tx));
    } catch (err) {
      lines = err instanceof JournalWriteError ? err.lines : [];
      this.log.error(`cannot write the wallet's journal: ${err instanceof Error ? err.message : String(err)}`);
      this.own = undefined; // the draft counted those not written
      const refusal = new NodeError(
        'JOURNAL_FAILED',
        "the node cannot write its wallet's journal (is its disk full?); this transaction was not accepted; try again once it can",
      );
      for (const { at } of signed.slice(lines.length)) outcomes[at] = { refused: refusal };
    }
    signed.slice(0, lines.length).forEach(({ tx }, k) => {
      this.pool.insert(tx, tip.ledger, tip.block.index);
      this.events.emit('ownTransaction', { tx, json: lines[k]! });
    });
    return outcomes;
  }

  /**
   * Signs `req` with the wallet's next nonce after its pending transactions and the `staged`
   * ones signed before it, checks it executes after them and that the pool admits it, and
   * advances the draft of the wallet's pending transactions by it.
   */
  private sign(req: SubmitRequest, params: NetworkParams, tip: ChainTip, staged: Staged): Transaction {
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
    this.pool.admit(tx, tip.ledger, staged); // a refusal is never journaled: retried, it would be paid twice
    applyTxToDraft(draft, tx);
    return tx;
  }

  /**
   * At a restart, after the stored chain was replayed: puts the journaled transactions whose nonce
   * that chain has not used back into the pool, so that the wallet's next nonce follows them. One
   * the pool refuses on this (perhaps old) tip is tried again once the wallet opens, after the
   * catch-up; then all are sent to the peers, which may never have had them.
   */
  restoreJournal(): void {
    const tip = this.chain.tip;
    const params = this.chain.params;
    if (!tip || !params) return;
    const used = accountOf(tip.ledger, this.address).nonce;
    const pooled: Transaction[] = [];
    const later: Transaction[] = [];
    for (const tx of this.journal.latest()) {
      if (tx.nonce < used) continue; // committed: the latest transaction journaled for a nonce is the one a block took
      try {
        // The file is the node's own, but a changed line must not reach a block it mints.
        if (tx.sender !== this.address) throw new ProtocolError('MALFORMED', 'it is not from this wallet');
        verifyTransaction(params.domain, tx, this.crypto);
      } catch (err) {
        this.log.error(
          `the wallet's journal holds a transaction that is not valid, ignored: ${err instanceof Error ? err.message : String(err)}`,
        );
        continue;
      }
      try {
        this.pool.add(tx, tip.ledger, tip.block.index);
        pooled.push(tx);
      } catch {
        later.push(tx);
      }
    }
    this.fromJournal = { pooled, later };
    this.own = undefined; // the draft of its pending transactions counts these now
    if (pooled.length + later.length > 0)
      this.log.info(
        `the wallet's journal holds ${pooled.length + later.length} transaction(s) not in the stored chain: ${pooled.length} back in the pool`,
      );
  }

  /** The wallet opens after a restart: the journal's transactions the pool refused before, again; then all go to the peers. */
  private finishRestore(): void {
    const restored = this.fromJournal;
    const tip = this.chain.tip;
    if (!restored || !tip) return;
    this.fromJournal = undefined;
    for (const tx of restored.later) {
      if (this.pool.has(tx.id) || tx.nonce < accountOf(tip.ledger, this.address).nonce) continue;
      try {
        this.pool.add(tx, tip.ledger, tip.block.index);
        restored.pooled.push(tx);
      } catch (err) {
        // GET /transactions/:id says why; its nonce is free for the next submission
        this.chain.dropped.note(
          [tx],
          `it could not be pooled again after the node restarted: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
    this.own = undefined;
    const pending = restored.pooled.filter((tx) => this.pool.has(tx.id));
    if (pending.length > 0) this.events.emit('walletRestored', pending);
  }

  /** Rewrites the journal without what the finalised block `hash` made useless, when it has grown enough. */
  private compactJournal(hash: string): void {
    if (!this.journal.due) return;
    const ledger = this.chain.tree?.get(hash)?.ledger;
    if (!ledger) return;
    try {
      this.journal.compact(accountOf(ledger, this.address).nonce);
    } catch (err) {
      this.log.error(`could not rewrite the wallet's journal: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  close(): void {
    this.journal.close();
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

  /**
   * Whether the wallet has sent a stake already, on `tip`: one committed (its stake is not 0),
   * pending in the pool, or journaled (the journal keeps its last stake through rewrites; a
   * withdrawal to 0 is a stake too). Derived from the wallet's own transactions, which a restarted
   * node restores, rather than kept as a flag that could disagree with them.
   */
  private initialStakeSent(tip: ChainTip): boolean {
    if (this.members.stakeSentByOlderVersion) return true;
    if (this.journal.holdsStake || accountOf(tip.ledger, this.address).stake > 0) return true;
    return this.pool.pendingOf(tip.ledger, this.address).some((tx) => tx.type === 'stake');
  }

  /** Sends the configured initial stake, once, as soon as the wallet holds that much. */
  maybeInitialStake(): void {
    const tip = this.chain.tip;
    if (!tip || this.stake <= 0 || this.readiness.walletHeld) return;
    const me = accountOf(tip.ledger, this.address);
    if (me.balance < this.stake || this.initialStakeSent(tip)) return;
    // The bootstrap's nonces 0 … n − 2 are the members' fundings (announce.ts, fund): its stake after them.
    if (this.members.nodes[0]?.address === this.address && this.nextNonceOn(tip) < (this.members.n ?? 0) - 1) return;
    try {
      // journaled before submit returns or sets anything off: then initialStakeSent says so
      this.submit({ type: 'stake', amount: this.stake });
    } catch (err) {
      // not sent (the pool full, the network not formed yet…): tried again at the next head
      const reason = err instanceof Error ? err.message : String(err);
      if (reason !== this.stakeRefusal) this.log.warn(`initial stake not sent yet: ${reason}`);
      this.stakeRefusal = reason;
      return;
    }
    this.log.info(`staking ${this.stake / UNITS_PER_BCC} BCC`);
  }
}
