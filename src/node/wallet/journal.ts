/**
 * The wallet's journal: every transaction the node's wallet signs, one JSON line each, appended
 * to a file of the data directory before the transaction is pooled or sent (docs/protocol.md,
 * "Liveness", "The wallet's journal"). A node killed before it sent what its wallet accepted, or
 * whose peers refused it (a full pool), would otherwise lose it with the process — and its
 * restarted wallet would give that nonce again, stranding every later transaction of its own in
 * the peers' pools. Ethereum clients keep a journal of their local transactions for the same
 * reason.
 *
 * Each append is one write on a descriptor held open, not synced: it survives the process, not a
 * power loss (as the proposal record, record-file.ts). The file is rewritten (a temporary file
 * and rename) keeping only what may still be needed, once it has grown by COMPACT_EVERY lines
 * and twice what was kept the last time.
 */
import { closeSync, constants, existsSync, ftruncateSync, openSync, readFileSync, truncateSync } from 'node:fs';
import type { Transaction } from '../../core/types.js';
import { writeAll } from '../fs-exact.js';
import { writePrivateFile } from '../private-files.js';

/** The journal's file in the data directory. */
export const JOURNAL_FILE = 'wallet-journal';

/** Lines appended after which (at the least) the journal may be rewritten. */
export const COMPACT_EVERY = 4_096;

export class WalletJournal {
  private fd: number | undefined;
  /** The latest line journaled for each nonce: what `latest` gives and a rewrite keeps. */
  private byNonce = new Map<number, string>();
  /** The nonces whose latest line is a stake: a rewrite keeps the last of them (`holdsStake`). */
  private stakes = new Set<number>();
  /** Lines in the file (a nonce journaled again counts twice), and how many the last rewrite left. */
  private lines = 0;
  private kept = 0;
  /** The file's length in bytes: where a failed append is cut back to. */
  private size = 0;

  /** Opens (or creates) the journal at `path`; `latest` then gives what it held. */
  constructor(readonly path: string) {
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      // A last line without its newline was cut short by a crash: cut it off, or the next line
      // appended would be read as part of it.
      const whole = text.lastIndexOf('\n') + 1;
      this.size = Buffer.byteLength(text.slice(0, whole));
      if (whole < text.length) truncateSync(path, this.size);
      for (const line of text.slice(0, whole).split('\n')) {
        const tx = parseLine(line);
        if (tx) {
          this.keep(tx, line);
          this.lines++;
        }
      }
    }
    this.kept = this.lines;
    this.fd = this.open();
  }

  /**
   * The latest transaction journaled for each nonce (a nonce is journaled again only when its
   * transaction left the pool without a block: dropped), in nonce order.
   */
  latest(): Transaction[] {
    return [...this.byNonce.keys()].sort((a, b) => a - b).map((nonce) => parseLine(this.byNonce.get(nonce)!)!);
  }

  /**
   * Whether the wallet ever signed a stake (the latest line of some nonce is one): a rewrite keeps
   * the last stake even when the finalised chain has used its nonce, so that this outlives it
   * (OwnWallet.initialStakeSent).
   */
  get holdsStake(): boolean {
    return this.stakes.size > 0;
  }

  /** Appends `tx` before returning (one write; see appendAll); gives its line. */
  append(tx: Transaction): string {
    return this.appendAll([tx])[0]!;
  }

  /**
   * Appends `txs` before returning, one line each, in one write (a batch of the wallet's); gives
   * their lines, the JSON text the peers get too. A write that fails part-way is cut back to the
   * last whole line it wrote, so that the next line does not start inside it; the
   * JournalWriteError holds the lines written whole (they are journaled).
   */
  appendAll(txs: readonly Transaction[]): string[] {
    if (this.fd === undefined) throw new JournalWriteError([], new Error(`${this.path}: the wallet's journal is closed`));
    const lines = txs.map((tx) => JSON.stringify(tx));
    const ends: number[] = [];
    let length = 0;
    for (const line of lines) ends.push((length += Buffer.byteLength(line) + 1));
    const bytes = Buffer.from(lines.join('\n') + '\n');
    const progress = { written: 0 };
    let whole = txs.length;
    try {
      writeAll(this.fd, bytes, undefined, progress);
    } catch (err) {
      whole = ends.filter((end) => end <= progress.written).length;
      try {
        ftruncateSync(this.fd, this.size + (whole === 0 ? 0 : ends[whole - 1]!));
      } catch {
        // the disk refuses even that: a start cuts a torn last line off
      }
      this.recordWritten(txs, lines, whole, ends);
      throw new JournalWriteError(lines.slice(0, whole), err);
    }
    this.recordWritten(txs, lines, whole, ends);
    return lines;
  }

  /** Counts the first `whole` of `txs` as journaled (their lines end at `ends`, from the old end). */
  private recordWritten(txs: readonly Transaction[], lines: readonly string[], whole: number, ends: readonly number[]): void {
    for (let k = 0; k < whole; k++) this.keep(txs[k]!, lines[k]!);
    this.lines += whole;
    this.size += whole === 0 ? 0 : ends[whole - 1]!;
  }

  private keep(tx: Transaction, line: string): void {
    this.byNonce.set(tx.nonce, line);
    if (tx.type === 'stake') this.stakes.add(tx.nonce);
    else this.stakes.delete(tx.nonce);
  }

  /** Whether enough was appended since the last rewrite for `compact` to be worth its cost. */
  get due(): boolean {
    return this.lines - this.kept >= Math.max(COMPACT_EVERY, 2 * this.kept);
  }

  /**
   * Rewrites the journal with only the latest transaction of each nonce from `from` on (what the
   * finalised chain has not used: anything below can never be needed again), and the last stake.
   */
  compact(from: number): void {
    let lastStake = -1;
    for (const nonce of this.stakes) lastStake = Math.max(lastStake, nonce);
    for (const nonce of [...this.byNonce.keys()]) {
      if (nonce >= from || nonce === lastStake) continue;
      this.byNonce.delete(nonce);
      this.stakes.delete(nonce);
    }
    const keep = [...this.byNonce.keys()].sort((a, b) => a - b).map((nonce) => this.byNonce.get(nonce)! + '\n');
    const text = keep.join('');
    writePrivateFile(this.path, text);
    const fresh = this.open(); // before the old one closes: a failure leaves the journal usable
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = fresh;
    this.lines = this.kept = keep.length;
    this.size = Buffer.byteLength(text);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private open(): number {
    return openSync(this.path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  }
}

/** A journal write that failed: `lines`, the first of its lines, were journaled whole, the rest not. */
export class JournalWriteError extends Error {
  override readonly name = 'JournalWriteError';
  constructor(
    readonly lines: readonly string[],
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** A journal line's transaction; undefined for an empty or unreadable line. */
function parseLine(line: string): Transaction | undefined {
  if (line.length === 0) return undefined;
  try {
    const tx = JSON.parse(line) as Transaction;
    return typeof tx === 'object' && tx !== null && Number.isSafeInteger(tx.nonce) ? tx : undefined;
  } catch {
    return undefined;
  }
}
