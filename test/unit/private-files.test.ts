/**
 * Secrets on disk (the wallet key, the API token): written atomically without following links,
 * kept in directories that are this user's own and closed to others.
 */
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensurePrivateDir, writePrivateFile } from '../../src/node/private-files.js';
import { KEY_FILE, loadToken, loadWallet } from '../../src/node/wallet/keys.js';

const made: string[] = [];
const scratch = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'blockchat-private-'));
  made.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const modeOf = (path: string): number => statSync(path).mode & 0o777;

describe('writePrivateFile', () => {
  it('writes 0600 and leaves no temporary file behind', () => {
    const dir = scratch();
    writePrivateFile(join(dir, 'token'), 'abc\n');
    expect(readFileSync(join(dir, 'token'), 'utf8')).toBe('abc\n');
    expect(modeOf(join(dir, 'token'))).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['token']);
  });

  it('replaces a link planted at the path instead of writing through it', () => {
    const dir = scratch();
    const victim = join(scratch(), 'victim');
    writeFileSync(victim, 'untouched', { mode: 0o644 });
    symlinkSync(victim, join(dir, 'token'));
    writePrivateFile(join(dir, 'token'), 'secret\n');
    expect(readFileSync(victim, 'utf8')).toBe('untouched');
    expect(lstatSync(join(dir, 'token')).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(dir, 'token'), 'utf8')).toBe('secret\n');
    expect(modeOf(join(dir, 'token'))).toBe(0o600);
  });

  it('replaces an older file whole (the old contents or the new, never a mix)', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'token'), 'old contents that are longer\n', { mode: 0o644 });
    writePrivateFile(join(dir, 'token'), 'new\n');
    expect(readFileSync(join(dir, 'token'), 'utf8')).toBe('new\n');
    expect(modeOf(join(dir, 'token'))).toBe(0o600);
  });
});

describe('ensurePrivateDir', () => {
  it('makes a missing directory 0700', () => {
    const dir = join(scratch(), 'run');
    ensurePrivateDir(dir);
    expect(modeOf(dir)).toBe(0o700);
  });

  it('tightens a loose directory of our own', () => {
    const dir = join(scratch(), 'run');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    ensurePrivateDir(dir);
    expect(modeOf(dir)).toBe(0o700);
  });

  it('refuses a link in place of the directory', () => {
    const target = scratch();
    const dir = join(scratch(), 'run');
    symlinkSync(target, dir);
    expect(() => ensurePrivateDir(dir)).toThrow(/not a directory/);
  });

  // Making a directory that belongs to someone else takes root (CI runs as root).
  it.runIf(process.getuid?.() === 0)('refuses a directory another user made, and changes nothing in it', () => {
    const dir = join(scratch(), 'run');
    mkdirSync(dir, { mode: 0o777 });
    chmodSync(dir, 0o777);
    chownSync(dir, 65534, 65534);
    expect(() => ensurePrivateDir(dir)).toThrow(/belongs to user 65534/);
    expect(modeOf(dir)).toBe(0o777);
  });
});

describe('the wallet and token files', () => {
  it('loadWallet tightens a loose data directory and key file and keeps the key', () => {
    const dataDir = join(scratch(), 'node');
    const first = loadWallet(dataDir);
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, KEY_FILE), 0o644);
    const again = loadWallet(dataDir);
    expect(again).toEqual(first);
    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(join(dataDir, KEY_FILE))).toBe(0o600);
    expect(loadToken(dataDir)).toBe(loadToken(dataDir));
    expect(readdirSync(dataDir).sort()).toEqual([KEY_FILE, 'token'].sort());
  });

  it('refuses an empty key file with its path and a way out, instead of making a new wallet', () => {
    const dataDir = join(scratch(), 'node');
    loadWallet(dataDir);
    writeFileSync(join(dataDir, KEY_FILE), '');
    expect(() => loadWallet(dataDir)).toThrow(/wallet\.key does not hold a valid secp256k1 secret key/);
    expect(existsSync(join(dataDir, KEY_FILE))).toBe(true);
  });
});
