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

/** The environment variable that gives a client the API token (flags win over it). */
export const TOKEN_ENV = 'BLOCKCHAT_TOKEN';

/** Reads a token file given by the user; throws with the path when it cannot be read or is empty. */
export function readTokenFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new Error(`cannot read the token file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
  if (!text) throw new Error(`the token file ${path} is empty`);
  return text;
}

/**
 * The token a client uses for one node, first found of: `--token-file`, the node's data directory
 * (`--data-dir`), `BLOCKCHAT_TOKEN`, and the per-port runtime file of a node on this machine.
 */
export function resolveToken(opts: { tokenFile?: string; dataDir?: string; port?: number; env?: NodeJS.ProcessEnv }): string | undefined {
  if (opts.tokenFile) return readTokenFile(opts.tokenFile);
  if (opts.dataDir) return readToken(opts.port ?? 0, opts.dataDir);
  const fromEnv = (opts.env ?? process.env)[TOKEN_ENV]?.trim();
  if (fromEnv) return fromEnv;
  return opts.port === undefined ? undefined : readToken(opts.port);
}
