/**
 * A small record the node must not lose across a crash of its process (the highest height its
 * validator signed, what its staker voted: docs/protocol.md, "Liveness"), kept in one file of its
 * data directory and overwritten in place: one `pwrite` of RECORD_BYTES bytes at offset 0, on a
 * descriptor held open (fs-exact.ts writes the rest if the kernel ever takes fewer). The kernel
 * copies a write that fits in one page in one step, and a killed process's write either happened
 * entirely or not at all, so the file holds the old record or the new one, never a mix; once the
 * write returns, the record survives the process. (A power loss is not covered, as with the
 * temporary file and rename this replaces: neither is synced.) The rename cost a file-system
 * journal operation per block and per vote, the largest cost of version 2 under load; this costs
 * a copy into the page cache.
 */
import { closeSync, constants, openSync } from 'node:fs';
import { readUpTo, writeAll } from './fs-exact.js';

/** The length of every record on disk; the text is padded with spaces and ends with a newline. */
export const RECORD_BYTES = 128;

export class RecordFile {
  private fd: number | undefined;
  /** The record found when the file was opened, without padding ('' when there was none). */
  readonly initial: string;

  constructor(readonly path: string) {
    this.fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
    const buf = Buffer.alloc(RECORD_BYTES);
    const read = readUpTo(this.fd, buf, RECORD_BYTES, 0);
    this.initial = buf.subarray(0, read).toString('utf8').trim();
  }

  /** Replaces the record with `text` (one line, at most RECORD_BYTES − 1 bytes) before returning. */
  write(text: string): void {
    if (this.fd === undefined) throw new Error(`${this.path}: the record file is closed`);
    const buf = Buffer.alloc(RECORD_BYTES, ' ');
    const length = Buffer.byteLength(text);
    if (text.includes('\n') || length > RECORD_BYTES - 1) throw new RangeError(`a record is one line of at most ${RECORD_BYTES - 1} bytes`);
    buf.write(text, 0);
    buf[RECORD_BYTES - 1] = 0x0a;
    writeAll(this.fd, buf, 0);
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}
