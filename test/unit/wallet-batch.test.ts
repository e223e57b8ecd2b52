/**
 * The wallet's batch (OwnWallet.submitAll, POST /wallet/transactions/batch): every transaction it
 * accepts is journaled in one write, before any is pooled or sent, and the line journaled is the
 * JSON text the peers get (one serialisation); the pool admits each counting those before it in
 * the batch. A write the disk cuts short keeps the lines it took whole: their transactions are
 * pooled and sent, the rest refused with JOURNAL_FAILED, and the next nonce follows what was kept.
 * `writeSync` is wrapped here so that the disk can take only so many bytes and then fail.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_POOL_LIMITS, TxPool } from '../../src/core/pool.js';
import type { SubmitOutcome } from '../../src/node/wallet/index.js';
import { journalPath, removeJournalDirs, walletOn, you } from './wallet-fixtures.js';

const disk = vi.hoisted(() => ({ writes: 0, room: Infinity }));
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  return {
    ...real,
    writeSync: (fd: number, bytes: Uint8Array, offset: number, length: number, position: number | null) => {
      disk.writes++;
      if (disk.room <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      const n = real.writeSync(fd, bytes, offset, Math.min(length, disk.room), position);
      disk.room -= n;
      return n;
    },
  };
});

beforeEach(() => {
  disk.writes = 0;
  disk.room = Infinity;
});
afterEach(removeJournalDirs);

const pay = (amount: number) => ({ type: 'coins' as const, to: you.address, amount });
const codes = (outcomes: SubmitOutcome[]) => outcomes.map((o) => ('accepted' in o ? o.accepted.nonce : o.refused.code));
const journaled = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean);

describe("the wallet's batch", () => {
  it('journals every accepted transaction in one write, before pooling, with the text the peers get', () => {
    const path = journalPath();
    const w = walletOn(path);
    // the third is more than the wallet holds: refused, and takes no nonce
    const outcomes = w.wallet.submitAll([pay(100), pay(200), pay(10 ** 15), pay(300)]);
    expect(codes(outcomes)).toEqual([0, 1, 'INSUFFICIENT_FUNDS', 2]);
    expect(disk.writes).toBe(1);
    const lines = journaled(path);
    expect(lines.map((line) => (JSON.parse(line) as { amount: number }).amount)).toEqual([100, 200, 300]);
    expect(w.pool.all().map((tx) => tx.amount)).toEqual([100, 200, 300]);
    // the peers get the journal's lines, serialised once
    expect(w.announced.map((a) => a.json)).toEqual(lines);
    expect(w.announced.map((a) => a.tx.id)).toEqual(w.pool.all().map((tx) => tx.id));
    w.wallet.close();
  });

  it('admits each counting those before it in the batch: the pool never holds more than it may', () => {
    const w = walletOn(journalPath(), new TxPool({ ...DEFAULT_POOL_LIMITS, maxSize: 2 }));
    expect(codes(w.wallet.submitAll([pay(100), pay(200), pay(300)]))).toEqual([0, 1, 'POOL_FULL']);
    expect(w.pool.size).toBe(2);
    w.wallet.close();
  });

  it('a write cut short: the lines taken whole are journaled, pooled and sent, the rest refused with JOURNAL_FAILED', () => {
    const path = journalPath();
    const w = walletOn(path);
    const first = w.wallet.submit(pay(50)); // journaled whole before the disk fills
    const lineBytes = Buffer.byteLength(journaled(path)[0]!) + 1;
    disk.room = Math.floor(1.5 * lineBytes); // one more line and half of the next, then no room
    const outcomes = w.wallet.submitAll([pay(100), pay(200), pay(300)]);
    expect(codes(outcomes)).toEqual([1, 'JOURNAL_FAILED', 'JOURNAL_FAILED']);
    // the half line is cut off: the file holds exactly the lines written whole
    const lines = journaled(path);
    expect(lines.map((line) => (JSON.parse(line) as { amount: number }).amount)).toEqual([50, 100]);
    expect(readFileSync(path, 'utf8').endsWith('\n')).toBe(true);
    expect(w.pool.all().map((tx) => tx.amount)).toEqual([50, 100]);
    expect(w.announced.map((a) => a.json)).toEqual(lines);
    expect(w.errors.some((m) => m.includes("cannot write the wallet's journal"))).toBe(true);
    // the disk has room again: the next transaction takes the nonce after what was kept
    disk.room = Infinity;
    expect(w.wallet.submit(pay(400)).nonce).toBe(2);
    expect(first.nonce).toBe(0);
    w.wallet.close();
  });

  it('a write that takes nothing refuses every accepted item and pools none', () => {
    const w = walletOn(journalPath());
    disk.room = 0;
    expect(codes(w.wallet.submitAll([pay(100), pay(10 ** 15), pay(200)]))).toEqual([
      'JOURNAL_FAILED',
      'INSUFFICIENT_FUNDS',
      'JOURNAL_FAILED',
    ]);
    expect(w.pool.size).toBe(0);
    expect(w.announced).toEqual([]);
    disk.room = Infinity;
    expect(w.wallet.submit(pay(100)).nonce).toBe(0);
    w.wallet.close();
  });
});
