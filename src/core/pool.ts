/**
 * The pool of pending transactions (SPEC A, "Broadcast and validation"). It holds transactions
 * whose signatures were verified, orders each sender's by nonce, keeps one whose nonce is ahead
 * until the gap fills, and picks the executable ones for a block: in order of arrival across
 * senders, in nonce order within a sender, each valid on the state the previous ones leave.
 */
import { ensure } from './errors.js';
import { debitOf } from './fees.js';
import { accountOf, applyTxToDraft, checkNonceUnused, checkTxAgainst, type Ledger } from './state.js';
import type { Account, Transaction } from './types.js';
import { ProtocolError } from './errors.js';

interface Entry {
  readonly tx: Transaction;
  /** Arrival order: the fair order across senders. */
  readonly seq: number;
  /** Chain height when it arrived, for evicting what never becomes executable. */
  readonly height: number;
  /** The pool's clock when it arrived (ms), for the same when no block comes. */
  readonly at: number;
  /** What it reserves of its sender's committed balance (see costOf). */
  readonly cost: number;
}

/** Transactions admitted and not inserted yet: how many, and what they reserve (see `admit`). */
export interface Staged {
  readonly count: number;
  readonly cost: number;
}

const NOTHING_STAGED: Staged = Object.freeze({ count: 0, cost: 0 });

/**
 * What a pending transaction reserves of its sender's committed available balance: its debit,
 * with a stake counted as its rise over the committed stake and never as a credit (a withdrawal
 * frees nothing until it is committed). An upper bound of what it will take: a sender whose
 * pending transactions all fit in its committed balance can pay for every one of them.
 */
export function costOf(tx: Transaction, committed: Account): number {
  return Math.max(0, debitOf(tx, committed.stake));
}

export interface PoolLimits {
  /** Most transactions held at once. */
  readonly maxSize: number;
  /** How far ahead of the sender's committed nonce a transaction may wait. */
  readonly maxNonceAhead: number;
  /** Blocks after which a transaction that never became executable is dropped. */
  readonly maxAgeBlocks: number;
  /**
   * Milliseconds after which the same is dropped, blocks or not: a network with nothing
   * executable makes no block, so an age in blocks alone would keep it pending for ever.
   */
  readonly maxAgeMs: number;
}

export const DEFAULT_POOL_LIMITS: PoolLimits = { maxSize: 200_000, maxNonceAhead: 10_000, maxAgeBlocks: 1_000, maxAgeMs: 120_000 };

function canExecute(ledger: Ledger, tx: Transaction): boolean {
  try {
    checkTxAgainst(ledger, tx);
    return true;
  } catch (err) {
    if (err instanceof ProtocolError) return false;
    throw err;
  }
}

export class TxPool {
  private readonly bySender = new Map<string, Map<number, Entry>>();
  private readonly byId = new Map<string, Entry>();
  /** Per sender, the sum of its pending transactions' costs. */
  private readonly reserved = new Map<string, number>();
  private seq = 0;

  /** `now`: the node's clock in ms (the default never moves: ages are then counted in blocks only). */
  constructor(
    private readonly limits: PoolLimits = DEFAULT_POOL_LIMITS,
    private readonly now: () => number = () => 0,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get(id: string): Transaction | undefined {
    return this.byId.get(id)?.tx;
  }

  /** All pending transactions in arrival order. */
  all(): Transaction[] {
    return [...this.byId.values()].map((e) => e.tx);
  }

  /** The part of `sender`'s committed balance its pending transactions reserve. */
  reservedBy(sender: string): number {
    return this.reserved.get(sender) ?? 0;
  }

  /**
   * The checks of `add` that need no signature: throws what `add` would throw for `tx` on
   * `ledger`, so that a transaction the pool would refuse costs no verification. Besides the
   * nonce rules, INSUFFICIENT_FUNDS when the sender's committed available balance does not
   * cover this transaction on top of its pending ones: a sender can only queue what it can pay.
   * `staged`: transactions of the same sender admitted before it and not inserted yet (a wallet's
   * batch, journaled in one write before any is pooled), counted as if pending.
   */
  admit(tx: Transaction, ledger: Ledger, staged: Staged = NOTHING_STAGED): void {
    ensure(!this.byId.has(tx.id), 'DUPLICATE', `transaction ${tx.id.slice(0, 12)}… is already pending`);
    const sender = accountOf(ledger, tx.sender);
    checkNonceUnused(sender, tx.nonce);
    const next = sender.nonce;
    ensure(
      tx.nonce - next <= this.limits.maxNonceAhead,
      'NONCE_AHEAD',
      `nonce ${tx.nonce} is too far ahead of the sender's next nonce ${next}`,
    );
    ensure(
      !this.bySender.get(tx.sender)?.has(tx.nonce),
      'DUPLICATE',
      `another pending transaction of this sender already has nonce ${tx.nonce}`,
    );
    const total = this.reservedBy(tx.sender) + staged.cost + costOf(tx, sender);
    ensure(
      total <= sender.balance,
      'INSUFFICIENT_FUNDS',
      `the sender's pending transactions would cost ${total} units and its committed available balance is ${sender.balance}`,
    );
    ensure(this.byId.size + staged.count < this.limits.maxSize, 'POOL_FULL', 'the pool is full; try again later');
  }

  /**
   * Adds a verified transaction that is not stale on `ledger`. Throws DUPLICATE (same id, or
   * another transaction already holds the sender's nonce), NONCE_USED, NONCE_AHEAD (too far),
   * INSUFFICIENT_FUNDS (the sender cannot pay for it after its pending ones) or POOL_FULL.
   */
  add(tx: Transaction, ledger: Ledger, height: number): void {
    this.admit(tx, ledger);
    this.insert(tx, ledger, height);
  }

  /**
   * Adds `tx` that `admit` has just accepted on `ledger`, with nothing changed in between: for a
   * caller that must do something between the check and the insertion (the wallet journals it).
   */
  insert(tx: Transaction, ledger: Ledger, height: number): void {
    const queue = this.bySender.get(tx.sender) ?? new Map<number, Entry>();
    const entry: Entry = { tx, seq: this.seq++, height, at: this.now(), cost: costOf(tx, accountOf(ledger, tx.sender)) };
    queue.set(tx.nonce, entry);
    this.bySender.set(tx.sender, queue);
    this.byId.set(tx.id, entry);
    this.reserved.set(tx.sender, this.reservedBy(tx.sender) + entry.cost);
  }

  /**
   * Up to `max` transactions that execute in order on `ledger`. A sender whose next transaction
   * cannot execute (its funds do not cover it yet) is passed over for this block.
   */
  select(ledger: Ledger, max: number): Transaction[] {
    const draft = new Map<string, Account>(ledger);
    const picked: Transaction[] = [];
    // Each sender's next executable entry; only a sender's own transactions move its nonce, so
    // a head only advances along its own queue (every node runs this once per block or more).
    const heads: Array<{ queue: Map<number, Entry>; nonce: number; entry: Entry }> = [];
    for (const [sender, queue] of this.bySender) {
      const nonce = accountOf(draft, sender).nonce;
      const entry = queue.get(nonce);
      if (entry) heads.push({ queue, nonce, entry });
    }
    while (picked.length < max && heads.length > 0) {
      let best = 0;
      for (let i = 1; i < heads.length; i++) if (heads[i]!.entry.seq < heads[best]!.entry.seq) best = i;
      const head = heads[best]!;
      try {
        applyTxToDraft(draft, head.entry.tx);
        picked.push(head.entry.tx);
        const next = head.queue.get(++head.nonce);
        if (next) {
          head.entry = next;
          continue;
        }
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw err;
        // it cannot pay yet: the sender is passed over for this block
      }
      heads.splice(best, 1);
    }
    return picked;
  }

  /** The nonce a new transaction of `sender` takes: after its committed and pending ones. */
  nextNonce(ledger: Ledger, sender: string): number {
    let nonce = accountOf(ledger, sender).nonce;
    const queue = this.bySender.get(sender);
    while (queue?.has(nonce)) nonce++;
    return nonce;
  }

  /** The pending transactions of `sender` from its committed nonce on, in nonce order. */
  pendingOf(ledger: Ledger, sender: string): Transaction[] {
    const out: Transaction[] = [];
    const queue = this.bySender.get(sender);
    for (let nonce = accountOf(ledger, sender).nonce; queue?.has(nonce); nonce++) out.push(queue.get(nonce)!.tx);
    return out;
  }

  /**
   * After a block: drops what it included and what its commit made stale — another pending
   * transaction of the same sender and nonce (only the block's transactions move nonces, so
   * this costs O(block), not O(pool)) — and, now and then, what is stranded (see evictStranded). Returns the dropped transactions that the block did not include, so that
   * their owners can be told.
   */
  prune(included: readonly Transaction[], ledger: Ledger, height: number): Transaction[] {
    const dropped: Transaction[] = [];
    for (const tx of included) {
      this.remove(tx.id);
      const rival = this.bySender.get(tx.sender)?.get(tx.nonce);
      if (rival) {
        dropped.push(rival.tx);
        this.remove(rival.tx.id);
      }
    }
    // A sender's balance falls only by its own transactions: those of this block may have been
    // others than the pooled ones, and leave the pooled ones unpayable.
    dropped.push(...this.evictUnaffordable(ledger, new Set(included.map((tx) => tx.sender))));
    if (height % 64 === 0) dropped.push(...this.evictStranded(ledger, height));
    return dropped;
  }

  /**
   * Drops, per sender, the transactions behind a nonce gap that has lasted `maxAgeBlocks` or
   * `maxAgeMs`: they cannot execute until the gap fills, and every later nonce waits on them. A
   * contiguous run from the committed nonce is never dropped for its age alone, however long a
   * backlog keeps it waiting (dropping one would strand all that follow) — only when its first
   * transaction has waited that long and still cannot be paid for.
   */
  evictStranded(ledger: Ledger, height: number): Transaction[] {
    const dropped: Transaction[] = [];
    const now = this.now();
    const tooOld = (e: Entry): boolean => height - e.height > this.limits.maxAgeBlocks || now - e.at > this.limits.maxAgeMs;
    for (const [sender, queue] of [...this.bySender]) {
      const first = accountOf(ledger, sender).nonce;
      const head = queue.get(first);
      if (head && tooOld(head) && !canExecute(ledger, head.tx)) {
        // Its next transaction has long been unaffordable: nothing of this sender can run.
        for (const e of [...queue.values()]) {
          dropped.push(e.tx);
          this.remove(e.tx.id);
        }
        continue;
      }
      let nonce = first;
      while (queue.has(nonce)) nonce++;
      // Stryker disable next-line ArithmeticOperator: a shortcut; with no gap the lines below find nothing stranded either
      if (queue.size === nonce - accountOf(ledger, sender).nonce) continue; // no gap
      const stranded = [...queue.values()].filter((e) => e.tx.nonce > nonce);
      if (!stranded.some(tooOld)) continue;
      for (const e of stranded) {
        dropped.push(e.tx);
        this.remove(e.tx.id);
      }
    }
    return dropped;
  }

  /**
   * Drops, per sender whose pending transactions cost more than its committed available balance
   * on `ledger` (its funds went elsewhere, e.g. in blocks holding transactions this pool never
   * had), its highest nonces until the rest fit. Needs no new block: the node runs it on a timer
   * as well as after each commit, so that nothing unpayable holds the pool's room.
   */
  evictUnaffordable(ledger: Ledger, senders: Iterable<string> = [...this.bySender.keys()]): Transaction[] {
    const dropped: Transaction[] = [];
    for (const sender of senders) {
      const queue = this.bySender.get(sender);
      if (!queue) continue;
      const balance = accountOf(ledger, sender).balance;
      if (this.reservedBy(sender) <= balance) continue;
      const nonces = [...queue.keys()].sort((a, b) => b - a);
      for (const nonce of nonces) {
        if (this.reservedBy(sender) <= balance) break;
        const e = queue.get(nonce)!;
        dropped.push(e.tx);
        this.remove(e.tx.id);
      }
    }
    return dropped;
  }

  /**
   * Of `offered` (a peer's pending transactions, for a repair), those this pool does not hold
   * that fill a gap: per sender, the ones that, with what the pool holds, make an unbroken run of
   * nonces from the sender's committed nonce on `ledger`; in the order offered. One behind a gap
   * that neither pool fills is left out: taken, its age would count from now, and pools repairing
   * from each other would keep a stranded transaction young for ever (evictStranded).
   *
   * Of two offered for one sender and nonce, the first is kept, and none once the pool holds that
   * nonce. Any one will do: two such are signed by one sender and at most one is ever committed;
   * whichever a block commits, prune drops the other from every pool that holds it, and the
   * sender's later nonces follow either. (One pool never holds both: the two come from two
   * peers, taken one repair at a time, or from a peer that is not honest.)
   */
  gapFillers(offered: readonly Transaction[], ledger: Ledger): Transaction[] {
    const bySender = new Map<string, Map<number, Transaction>>();
    for (const tx of offered) {
      if (this.byId.has(tx.id)) continue;
      const nonces = bySender.get(tx.sender) ?? new Map<number, Transaction>();
      if (!nonces.has(tx.nonce)) nonces.set(tx.nonce, tx);
      bySender.set(tx.sender, nonces);
    }
    const taken = new Set<Transaction>();
    for (const [sender, nonces] of bySender) {
      const held = this.bySender.get(sender);
      for (let nonce = accountOf(ledger, sender).nonce; ; nonce++) {
        if (held?.has(nonce)) continue;
        const tx = nonces.get(nonce);
        if (!tx) break;
        taken.add(tx);
      }
    }
    return offered.filter((tx) => taken.has(tx));
  }

  /** Whether some sender's next transaction is missing while later ones wait (a gap to repair). */
  hasGap(ledger: Ledger): boolean {
    for (const [sender, queue] of this.bySender) if (!queue.has(accountOf(ledger, sender).nonce)) return true;
    return false;
  }

  remove(id: string): void {
    const entry = this.byId.get(id);
    if (!entry) return;
    this.byId.delete(id);
    const left = this.reservedBy(entry.tx.sender) - entry.cost;
    if (left > 0) this.reserved.set(entry.tx.sender, left);
    else this.reserved.delete(entry.tx.sender);
    const queue = this.bySender.get(entry.tx.sender);
    // Stryker disable next-line OptionalChaining: the sender of a pooled entry always has a queue
    queue?.delete(entry.tx.nonce);
    if (queue && queue.size === 0) this.bySender.delete(entry.tx.sender);
  }
}
