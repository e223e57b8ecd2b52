/**
 * Reads and writes that move every byte asked for: one `readSync` or `writeSync` may move fewer
 * than asked (the kernel may stop at any point: a signal, a full disk, the end of the file), so
 * each of these goes on until all are through, or says why not. Used by the index runs on disk
 * (chain/index-runs.ts) and the records kept across a crash (record-file.ts).
 */
import { readSync, writeSync } from 'node:fs';

/** A read that met the end of the file before the bytes it needed. */
export class ShortReadError extends Error {
  override readonly name = 'ShortReadError';
  constructor(
    /** Bytes asked for. */
    readonly wanted: number,
    /** Bytes the file had from that position. */
    readonly got: number,
  ) {
    super(`read ${got} of ${wanted} bytes: the file ends first`);
  }
}

/**
 * Writes all of `bytes` to `fd`: at `position`, or at the file's position when none is given.
 * Throws what the disk reports, or an error when it takes nothing; `progress.written` then says
 * how many bytes it took before (for a caller that keeps the whole records among them).
 */
export function writeAll(fd: number, bytes: Uint8Array, position?: number, progress: { written: number } = { written: 0 }): void {
  progress.written = 0;
  while (progress.written < bytes.length) {
    const done = progress.written;
    const n = writeSync(fd, bytes, done, bytes.length - done, position === undefined ? null : position + done);
    if (n <= 0) throw new Error('the disk took no more bytes');
    progress.written += n;
  }
}

/**
 * Reads `length` bytes of `fd` from `position` into the start of `into`, or as many as the file
 * has there; returns how many it read (fewer than `length` only where the file ends).
 */
export function readUpTo(fd: number, into: Uint8Array, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, into, done, length - done, position + done);
    if (n <= 0) break;
    done += n;
  }
  return done;
}

/** Reads exactly `length` bytes of `fd` from `position` into the start of `into`; a ShortReadError if the file ends first. */
export function readExactly(fd: number, into: Uint8Array, length: number, position: number): void {
  const got = readUpTo(fd, into, length, position);
  if (got < length) throw new ShortReadError(length, got);
}
