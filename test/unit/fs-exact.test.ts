/**
 * Reads and writes that move every byte asked for (src/node/fs-exact.ts). The kernel may move
 * fewer bytes than asked in one call; here `readSync` and `writeSync` are made to move at most
 * `limit.bytes` per call, so that the loops are what gets the bytes through.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readExactly, readUpTo, ShortReadError, writeAll } from '../../src/node/fs-exact.js';

const limit = vi.hoisted(() => ({ bytes: Infinity, calls: 0 }));
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  return {
    ...real,
    writeSync: (fd: number, bytes: Uint8Array, offset: number, length: number, position: number | null) => {
      limit.calls++;
      return real.writeSync(fd, bytes, offset, Math.min(length, limit.bytes), position);
    },
    readSync: (fd: number, into: Uint8Array, offset: number, length: number, position: number) => {
      limit.calls++;
      return real.readSync(fd, into, offset, Math.min(length, limit.bytes), position);
    },
  };
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fs-exact-'));
  limit.bytes = Infinity;
  limit.calls = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** `length` bytes that differ from one position to the next. */
const pattern = (length: number, seed = 0): Uint8Array => Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);

describe('writeAll', () => {
  it('writes a large buffer completely when each write takes only part of it', () => {
    const path = join(dir, 'large');
    const bytes = pattern(8 << 20);
    limit.bytes = 100_000;
    const fd = openSync(path, 'w');
    writeAll(fd, bytes);
    closeSync(fd);
    expect(Buffer.compare(readFileSync(path), Buffer.from(bytes))).toBe(0);
    expect(limit.calls).toBeGreaterThan(1);
  });

  it('at a position: writes every byte there, leaving the rest of the file as it was', () => {
    const path = join(dir, 'placed');
    writeFileSync(path, Buffer.alloc(64, 0x20));
    limit.bytes = 5;
    const fd = openSync(path, 'r+');
    writeAll(fd, pattern(32, 7), 16);
    closeSync(fd);
    const expected = Buffer.alloc(64, 0x20);
    expected.set(pattern(32, 7), 16);
    expect(Buffer.compare(readFileSync(path), expected)).toBe(0);
    expect(limit.calls).toBeGreaterThan(1);
  });
});

describe('readExactly and readUpTo', () => {
  it('read every byte asked for when each read gives only part of them', () => {
    const path = join(dir, 'whole');
    const bytes = pattern(50_000, 3);
    writeFileSync(path, bytes);
    limit.bytes = 999;
    const fd = openSync(path, 'r');
    const into = new Uint8Array(40_000);
    readExactly(fd, into, 40_000, 10_000);
    expect(Buffer.compare(into, bytes.subarray(10_000))).toBe(0);
    expect(readUpTo(fd, new Uint8Array(50_000), 50_000, 0)).toBe(50_000);
    closeSync(fd);
  });

  it('report a short read where the file ends first: readUpTo by its count, readExactly by a ShortReadError', () => {
    const path = join(dir, 'short');
    writeFileSync(path, pattern(100));
    limit.bytes = 30;
    const fd = openSync(path, 'r');
    const into = new Uint8Array(128);
    expect(readUpTo(fd, into, 128, 0)).toBe(100);
    expect(Buffer.compare(into.subarray(0, 100), pattern(100))).toBe(0);
    expect(readUpTo(fd, into, 128, 200)).toBe(0);
    let caught: unknown;
    try {
      readExactly(fd, into, 60, 50);
    } catch (err) {
      caught = err;
    }
    closeSync(fd);
    expect(caught).toBeInstanceOf(ShortReadError);
    expect(caught).toMatchObject({ wanted: 60, got: 50 });
  });
});
