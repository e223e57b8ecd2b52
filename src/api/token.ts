/**
 * Where the API token lives. The node writes it to `<data-dir>/token` (mode 0600) and, so that
 * `blockchat cli -p PORT` finds it without being told the data directory, to a per-port runtime
 * file, like a daemon's pid file, in a directory of this user's own: `$XDG_RUNTIME_DIR/blockchat`
 * where the system provides one, else `blockchat-<uid>` in the temporary directory (the node
 * refuses a directory there that another user made; src/node/private-files.ts).
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TOKEN_FILE = 'token';

export function runtimeDir(): string {
  const xdg = process.env.XDG_RUNTIME_DIR;
  if (xdg) return join(xdg, 'blockchat');
  return join(tmpdir(), `blockchat-${process.getuid?.() ?? 'user'}`);
}

export function runtimeTokenPath(port: number): string {
  return join(runtimeDir(), `port-${port}.token`);
}

/** Reads the token of the node on `port`: from `dataDir` if given, else the runtime file. */
export function readToken(port: number, dataDir?: string): string | undefined {
  const path = dataDir ? join(dataDir, TOKEN_FILE) : runtimeTokenPath(port);
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}
