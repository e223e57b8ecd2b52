/**
 * The wallet's journal (src/node/wallet/journal.ts) and a restarted wallet (OwnWallet.restoreJournal):
 * what the wallet signed outlives its process — a line cut short by a crash is skipped, the
 * latest transaction journaled for a nonce wins, a rewrite keeps only what the finalised chain has
 * not used — and a restarted wallet puts its journaled transactions back into its pool, gives
 * the next nonce after them, and hands them to the peers once it opens.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { TipV2 } from '../../src/core/consensus.js';
import { DEFAULT_POOL_LIMITS, TxPool } from '../../src/core/pool.js';
import type { Transaction } from '../../src/core/types.js';
import type { ChainStore } from '../../src/node/db/index.js';
import { Emitter, type NodeEvents } from '../../src/node/events.js';
import { Membership } from '../../src/node/formation/membership.js';
import { COMPACT_EVERY, WalletJournal } from '../../src/node/wallet/index.js';
import { coinsTx, mint, NET, stakeTx } from './v2-fixtures.js';
import { journalPath, me, quiet, removeJournalDirs, walletOn, you } from './wallet-fixtures.js';

afterEach(removeJournalDirs);

const signed = coinsTx(me, you.address, 100, 0);
/** A transaction of nonce `nonce` (the journal checks no signature: only its own wallet writes it). */
const pay = (nonce: number, amount = 100): Transaction => ({
  ...signed,
  nonce,
  amount,
  id: `${signed.id.slice(0, 48)}${String(nonce).padStart(8, '0')}${String(amount).padStart(8, '0')}`,
});

describe("the wallet's journal", () => {
  it('gives back what was appended, after the process that wrote it is gone', () => {
    const path = journalPath();
    const first = new WalletJournal(path);
    for (const nonce of [0, 1, 2]) first.append(pay(nonce));
    first.close();
    expect(new WalletJournal(path).latest().map((tx) => tx.nonce)).toEqual([0, 1, 2]);
  });

  it('skips a last line cut short by a crash, and keeps appending after it', () => {
    const path = journalPath();
    const j = new WalletJournal(path);
    j.append(pay(0));
    j.close();
    appendFileSync(path, JSON.stringify(pay(1)).slice(0, 40));
    const again = new WalletJournal(path);
    expect(again.latest().map((tx) => tx.nonce)).toEqual([0]);
    again.append(pay(1));
    again.close();
    // the torn line was cut off: the line appended after it reads back whole
    expect(new WalletJournal(path).latest().map((tx) => tx.nonce)).toEqual([0, 1]);
  });

  it('gives the latest transaction journaled for a nonce (a nonce is given again after a drop)', () => {
    const path = journalPath();
    const j = new WalletJournal(path);
    const dropped = pay(0, 100);
    const again = pay(0, 250);
    j.append(dropped);
    j.append(pay(1));
    j.append(again);
    expect(j.latest().map((tx) => tx.id)).toEqual([again.id, pay(1).id]);
  });

  it('is rewritten with the nonces from the given one on, when it has grown enough', () => {
    const path = journalPath();
    const j = new WalletJournal(path);
    for (let nonce = 0; nonce < COMPACT_EVERY - 1; nonce++) j.append(pay(nonce));
    expect(j.due).toBe(false);
    j.append(pay(COMPACT_EVERY - 1));
    expect(j.due).toBe(true);
    j.compact(COMPACT_EVERY - 10);
    expect(j.due).toBe(false);
    j.append(pay(COMPACT_EVERY));
    j.close();
    const back = new WalletJournal(path).latest().map((tx) => tx.nonce);
    expect(back).toEqual(Array.from({ length: 11 }, (_, k) => COMPACT_EVERY - 10 + k));
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(11);
  });
});

describe('a restarted wallet', () => {
  it('puts its journaled transactions back into its pool, goes on after them, and sends them once open', () => {
    const path = journalPath();
    const before = walletOn(path);
    const sent = [0, 1, 2].map(() => before.wallet.submit({ type: 'coins', to: you.address, amount: 100 }));
    expect(sent.map((s) => s.nonce)).toEqual([0, 1, 2]);
    before.wallet.close();

    // The process died with its pool; the stored chain is still the genesis.
    const after = walletOn(path);
    expect(after.wallet.nextNonce()).toBe(0); // what a restart knew without the journal
    after.wallet.restoreJournal();
    expect(sent.every((s) => after.pool.has(s.id))).toBe(true);
    expect(after.wallet.nextNonce()).toBe(3);
    expect(after.restored).toEqual([]);
    after.open();
    expect(after.restored.map((txs) => txs.map((tx) => tx.id))).toEqual([sent.map((s) => s.id)]);
    // and a new submission takes the next nonce, never one given before the restart
    expect(after.wallet.submit({ type: 'coins', to: you.address, amount: 100 }).nonce).toBe(3);
    after.wallet.close();
  });

  it('journals no transaction the pool refused: retried, it would be paid twice', () => {
    const path = journalPath();
    const full = walletOn(path, new TxPool({ ...DEFAULT_POOL_LIMITS, maxSize: 1 }));
    const accepted = full.wallet.submit({ type: 'coins', to: you.address, amount: 100 });
    expect(() => full.wallet.submit({ type: 'coins', to: you.address, amount: 777 })).toThrow(/pool is full/);
    full.wallet.close();
    expect(new WalletJournal(path).latest().map((tx) => [tx.id, tx.amount])).toEqual([[accepted.id, 100]]);
  });

  it('ignores a journaled transaction that does not verify or is not its own', () => {
    const path = journalPath();
    const before = walletOn(path);
    const good = before.wallet.submit({ type: 'coins', to: you.address, amount: 100 });
    before.wallet.close();
    const tampered = { ...before.pool.all()[0]!, nonce: 1, amount: 5_000 };
    const foreign = coinsTx(you, me.address, 100, 2);
    appendFileSync(path, JSON.stringify(tampered) + '\n' + JSON.stringify(foreign) + '\n');
    const after = walletOn(path);
    after.wallet.restoreJournal();
    expect(after.pool.all().map((tx) => tx.id)).toEqual([good.id]);
    expect(after.errors).toHaveLength(2);
    expect(after.errors.every((m) => m.includes('not valid, ignored'))).toBe(true);
    expect(after.wallet.nextNonce()).toBe(1);
    after.wallet.close();
  });
});

describe("a restarted wallet's initial stake (derived from its own transactions; an older version's flag kept)", () => {
  const STAKE = 10 * 100;
  const stakesIn = (txs: readonly Transaction[]) => txs.filter((tx) => tx.type === 'stake');

  /** The wallet restarted from the journal at `path` on `tip`, open (it sends its stake then, if it does). */
  const restarted = (path: string, tip: TipV2 = NET.tip) => {
    const after = walletOn(path, new TxPool(), STAKE, tip);
    after.wallet.restoreJournal();
    after.open();
    return after;
  };

  it('is not sent again when the journal holds it, pending', () => {
    const path = journalPath();
    const before = walletOn(path, new TxPool(), STAKE);
    before.open(); // sends it: the wallet holds enough
    expect(stakesIn(before.pool.all())).toHaveLength(1);
    before.wallet.close();
    const after = restarted(path);
    expect(stakesIn(after.pool.all()).map((tx) => tx.nonce)).toEqual([0]);
    expect(after.wallet.nextNonce()).toBe(1);
    after.wallet.close();
  });

  it('is not sent again when the chain committed it, whatever the journal kept', () => {
    // a journal lost, or from before it kept its last stake
    const after = restarted(journalPath(), mint(NET.tip, { transactions: [stakeTx(me, STAKE, 0)] }));
    expect(after.pool.size).toBe(0);
    after.wallet.close();
  });

  it('is not sent again after a withdrawal to 0 and a rewrite of the journal past both: the rewrite keeps the last stake', () => {
    const path = journalPath();
    const [stake, withdrawal] = [stakeTx(me, STAKE, 0), stakeTx(me, 0, 1)];
    const j = new WalletJournal(path);
    for (const tx of [stake, withdrawal, pay(2), pay(3), pay(4)]) j.append(tx);
    j.compact(5);
    j.close();
    expect(new WalletJournal(path).latest().map((tx) => tx.id)).toEqual([withdrawal.id]);
    const after = restarted(path, mint(mint(NET.tip, { transactions: [stake] }), { transactions: [withdrawal] }));
    expect(after.pool.size).toBe(0);
    after.wallet.close();
  });

  it('is sent, once, by a restarted wallet that never sent it', () => {
    const path = journalPath();
    const before = walletOn(path);
    before.wallet.submit({ type: 'coins', to: you.address, amount: 100 });
    before.wallet.close();
    const after = restarted(path);
    after.open();
    expect(stakesIn(after.pool.all()).map((tx) => [tx.nonce, tx.amount])).toEqual([[1, STAKE]]);
    after.wallet.close();
  });

  it("keeps an older data directory's flag that the stake was sent: that version's journal rewrites dropped stake lines", async () => {
    // the stake committed, then withdrawn to 0; the journal shows neither (an older rewrite, or lost)
    const path = journalPath();
    const tip = mint(mint(NET.tip, { transactions: [stakeTx(me, STAKE, 0)] }), { transactions: [stakeTx(me, 0, 1)] });
    const flagged = walletOn(path, new TxPool(), STAKE, tip);
    flagged.members.load({ id: 1, n: 4, capacity: 5, nodes: flagged.members.nodes, initialStakeSent: true });
    flagged.wallet.restoreJournal();
    flagged.open();
    expect(flagged.pool.size).toBe(0);
    flagged.wallet.close();
    // without the flag, nothing on chain or in the journal says so: it would stake again
    const unflagged = restarted(journalPath(), tip);
    expect(stakesIn(unflagged.pool.all())).toHaveLength(1);
    unflagged.wallet.close();

    const saved: unknown[] = [];
    const members = new Membership(
      4,
      5,
      { saveMeta: (m: unknown) => Promise.resolve(void saved.push(m)) } as unknown as ChainStore,
      new Emitter<NodeEvents>(),
      quiet,
    );
    members.load({ id: 1, n: 4, capacity: 5, nodes: [], initialStakeSent: true });
    await members.save();
    expect(saved).toEqual([{ id: 1, n: 4, capacity: 5, nodes: [], joinNonces: {}, initialStakeSent: true }]);
    members.load({ id: 1, n: 4, capacity: 5, nodes: [] });
    await members.save();
    expect(saved[1]).toEqual({ id: 1, n: 4, capacity: 5, nodes: [], joinNonces: {} });
  });
});

describe('a journal that cannot be written', () => {
  it('refuses the transaction with JOURNAL_FAILED and pools nothing: the wallet signs nothing it could lose', () => {
    const w = walletOn(journalPath());
    w.journal.close(); // every append now fails, as on a full disk
    let code: string | undefined;
    try {
      w.wallet.submit({ type: 'coins', to: you.address, amount: 100 });
    } catch (err) {
      code = (err as { code?: string }).code;
    }
    expect(code).toBe('JOURNAL_FAILED');
    expect(w.pool.size).toBe(0);
    expect(w.errors.some((m) => m.includes("cannot write the wallet's journal"))).toBe(true);
  });
});

describe('a closed journal', () => {
  it('refuses to append (its descriptor may be another file by then)', () => {
    const j = new WalletJournal(journalPath());
    j.close();
    expect(() => j.append(pay(0))).toThrow(/closed/);
  });
});
