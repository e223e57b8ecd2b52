/**
 * Files only the node's user may read (the wallet key, the API token) and the directories that
 * hold them. A key written in place can be left empty by a power loss, and a directory under a
 * shared /tmp can be made in advance by another local user, or hold a symbolic link planted to
 * read what we write; so every write goes to a fresh temporary file (O_EXCL | O_NOFOLLOW, mode
 * 0600), is synced, renamed over the target (a rename replaces a link, never follows it) and the
 * directory is synced; and a directory is used only when it is ours, not a link, and closed to
 * others.
 */
import { closeSync, constants, fsyncSync, lstatSync, mkdirSync, openSync, renameSync, rmSync, chmodSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { writeAll } from './fs-exact.js';

/** The user id this process runs as, where the platform has one. */
const uid = (): number | undefined => process.getuid?.();

/**
 * Makes `dir` (mode 0700) or checks the one there: it must be a real directory owned by this
 * user. Loose permissions of our own directory are tightened; anyone else's directory, or a
 * link, is refused with the reason, since what we write there could be read by its owner.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (st.isSymbolicLink() || !st.isDirectory()) {
    throw new Error(`${dir} is not a directory (a link or a file is there); remove it and start again`);
  }
  const me = uid();
  if (me !== undefined && st.uid !== me) {
    throw new Error(
      `${dir} belongs to user ${st.uid}, not to this user (${me}): refusing to keep secrets there; remove it or choose another directory`,
    );
  }
  if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    fsyncSync(fd);
  } catch {
    // Some platforms (and file systems) cannot sync a directory; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Writes `contents` to `path` readable by its owner only (0600), atomically and durably: after a
 * crash `path` holds either the old contents or the new, never a part. Never follows a link at
 * `path` or at the temporary name.
 */
export function writePrivateFile(path: string, contents: string): void {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    writeAll(fd, Buffer.from(contents));
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  fsyncDir(dir);
}

/** Tightens an existing private file to 0600 (a key restored from a backup may come looser). */
export function tightenPrivateFile(path: string): void {
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
}
