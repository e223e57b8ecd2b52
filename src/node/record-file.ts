/**
 * A small record the node must not lose across a crash of its process (the highest height its
 * validator signed, what its staker voted: docs/protocol.md, "Liveness"), kept in one file of its
 * data directory and overwritten in place: a `pwrite` of RECORD_BYTES bytes at offset 0, on a
 * descriptor held open. Once the write returns, the record survives the process. (A power loss is
 * not covered, as with the temporary file and rename this replaces: neither is synced.) The
 * rename cost a file-system journal operation per block and per vote, the largest cost of version
 * 2 under load; this costs a copy into the page cache.
 *
 * Whole or not at all holds while the write is one step. On Linux, a write to a regular file on a
 * local file system that lies within one page, from memory the process holds, is copied into the
 * page cache in one step: all of it, or nothing and an error (a full disk, where the write needs a
 * new block: the file's first write, or any on a copy-on-write file system); a process killed
 * meanwhile dies after the copy or before it. Then the file holds the old record or the new one.
 * fs-exact's writeAll would take a second step only if the kernel took fewer bytes than asked
 * (which a network or FUSE file system may do): a process killed between the two would leave the
 * new record's start over the old one's end. That mix most likely reads as no record: the
 * proposal record then refuses to sign blocks (SignedProposals), while the vote memory reads it
 * as never having voted (VoteMemory). Keep the data directory on a local file system.
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
