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
import { closeSync, constants, existsSync, openSync, readFileSync, truncateSync } from 'node:fs';
import type { Transaction } from '../../core/types.js';
import { writeAll } from '../fs-exact.js';
import { writePrivateFile } from '../private-files.js';

/** The journal's file in the data directory. */
export const JOURNAL_FILE = 'wallet-journal';

/** Lines appended after which (at the least) the journal may be rewritten. */
export const COMPACT_EVERY = 4_096;

export class WalletJournal {
  private fd: number;
  /** The lines of the file, with each one's nonce: what a rewrite chooses from. */
  private lines: Array<{ nonce: number; line: string }> = [];
  /** Lines kept by the last rewrite (or read at start). */
  private kept = 0;

  /** Opens (or creates) the journal at `path`; `read` then gives what it held. */
  constructor(readonly path: string) {
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      // A last line without its newline was cut short by a crash: cut it off, or the next line
      // appended would be read as part of it.
      const whole = text.lastIndexOf('\n') + 1;
      if (whole < text.length) truncateSync(path, Buffer.byteLength(text.slice(0, whole)));
      for (const line of text.slice(0, whole).split('\n')) {
        const tx = parseLine(line);
        if (tx) this.lines.push({ nonce: tx.nonce, line });
      }
    }
    this.kept = this.lines.length;
    this.fd = this.open();
  }

  /**
   * The transactions journaled, one per nonce (the latest journaled for it: a nonce is given
   * again only after its transaction was dropped), in nonce order.
   */
  read(): Transaction[] {
    const byNonce = new Map<number, Transaction>();
    for (const { line } of this.lines) {
      const tx = parseLine(line)!;
      byNonce.set(tx.nonce, tx);
    }
    return [...byNonce.values()].sort((a, b) => a.nonce - b.nonce);
  }

  /** Appends `tx` before returning (one write). */
  append(tx: Transaction): void {
    const line = JSON.stringify(tx);
    writeAll(this.fd, Buffer.from(line + '\n'));
    this.lines.push({ nonce: tx.nonce, line });
  }

  /** Whether enough was appended since the last rewrite for `compact` to be worth its cost. */
  get due(): boolean {
    return this.lines.length - this.kept >= Math.max(COMPACT_EVERY, 2 * this.kept);
  }

  /**
   * Rewrites the journal with only the transactions of nonce `from` or above (what the finalised
   * chain has not used: anything below can never be needed again).
   */
  compact(from: number): void {
    const keep = this.lines.filter((l) => l.nonce >= from);
    writePrivateFile(this.path, keep.map((l) => l.line + '\n').join(''));
    closeSync(this.fd);
    this.fd = this.open();
    this.lines = keep;
    this.kept = keep.length;
  }

  close(): void {
    closeSync(this.fd);
  }

  private open(): number {
    return openSync(this.path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
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
