/**
 * `blockchat node`: reads the options, starts one node and its HTTP server, and stops cleanly
 * on SIGINT/SIGTERM (the chain is flushed to disk first).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBcc } from '../core/money.js';
import { DEFAULT_STAKE_BCC, UNITS_PER_BCC } from '../core/params.js';
import { selectCrypto } from '../crypto/select.js';
import { createLogger, defaultLogFormat, LEVELS, LOG_FORMATS, type Level, type LogFormat } from './logger.js';
import { BlockchatNode } from './index.js';
import { buildServer } from './http/index.js';
import { DEFAULT_CLIENT_RATE, DEFAULT_SENDER_RATE, submitLimits } from './http/account-routes.js';
import { DEFAULT_PAGE_READERS } from './http/page-slots.js';
import { ensurePrivateDir } from './private-files.js';
import { nativeHeapTrim } from './heap-trim.js';
import { runtimeDir } from '../api/token.js';

export interface NodeArgs {
  p?: number;
  n?: number;
  capacity?: number;
  bootstrap?: boolean;
  host?: string;
  bootstrapUrl?: string;
  stake?: string;
  dataDir?: string;
  blockTimeout?: number;
  clientRate?: number;
  senderRate?: number;
  pageReaders?: number;
  quiet?: boolean;
  logLevel?: string;
  logFormat?: string;
  joinAfter?: number;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
}

/** The PEM files of --tls-cert, --tls-key and --tls-ca: both of the first two or neither. */
function readTls(args: NodeArgs): { cert: string; key: string; ca?: string } | undefined {
  if (args.tlsCert === undefined && args.tlsKey === undefined) {
    if (args.tlsCa !== undefined) fail('--tls-ca needs --tls-cert and --tls-key (a node serves HTTPS to talk HTTPS to its peers)');
    return undefined;
  }
  if (args.tlsCert === undefined || args.tlsKey === undefined) fail('--tls-cert and --tls-key go together');
  const read = (path: string, what: string): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      return fail(`cannot read ${what} ${path}: ${(err as Error).message}`);
    }
  };
  return {
    cert: read(args.tlsCert, '--tls-cert'),
    key: read(args.tlsKey, '--tls-key'),
    ...(args.tlsCa === undefined ? {} : { ca: read(args.tlsCa, '--tls-ca') }),
  };
}

function fail(message: string): never {
  throw new Error(`blockchat node: ${message}`);
}

export async function runNode(args: NodeArgs): Promise<void> {
  const port = args.p ?? fail('-p PORT is required');
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`port must be 1 to 65535, not ${port}`);
  for (const [name, v] of [
    ['n', args.n],
    ['capacity', args.capacity],
  ] as const) {
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 1)) fail(`-${name} must be a positive integer, not ${v}`);
  }
  const stake = args.stake === undefined ? DEFAULT_STAKE_BCC * UNITS_PER_BCC : parseBcc(args.stake);
  if (stake === undefined) fail(`--stake must be an amount in BCC with up to two decimals, not "${args.stake}"`);
  const tls = readTls(args);
  const blockTimeoutMs = args.blockTimeout ?? 500;
  if (!Number.isSafeInteger(blockTimeoutMs) || blockTimeoutMs < 0) fail('--block-timeout must be a whole number of ms (0 disables)');
  // The CLI's token file goes there once the node listens; a directory we may not use is refused
  // now, before anything is created.
  try {
    ensurePrivateDir(runtimeDir());
  } catch (err) {
    fail((err as Error).message);
  }
  // Without --data-dir the node is ephemeral: a fresh directory, removed when it stops.
  const ephemeral = args.dataDir === undefined;
  const dataDir = args.dataDir ?? mkdtempSync(join(tmpdir(), `blockchat-${port}-`));

  const level = args.logLevel ?? (args.quiet ? 'warn' : 'info');
  if (!(LEVELS as readonly string[]).includes(level)) fail(`--log-level must be one of ${LEVELS.join(', ')}, not '${level}'`);
  const format = args.logFormat ?? defaultLogFormat();
  if (!(LOG_FORMATS as readonly string[]).includes(format)) fail(`--log-format must be one of ${LOG_FORMATS.join(', ')}, not '${format}'`);

  // assigned once, below; the logger made before it reads it lazily for its prefix
  // eslint-disable-next-line prefer-const
  let node: BlockchatNode | undefined;
  const { log, pino } = createLogger({
    level: level as Level,
    format: format as LogFormat,
    port,
    id: () => (node ? node.id : -1),
  });
  // The fastest suite that loads, unless BLOCKCHAT_NO_NATIVE / BLOCKCHAT_NOBLE_ONLY say otherwise;
  // throws (the node does not start) if it answers the fixed checks differently from noble.
  const crypto = selectCrypto(process.env);
  for (const note of crypto.notes) log.warn(note);
  log.info(`signatures: ${crypto.crypto.name}, verifier fingerprint ${crypto.fingerprint.slice(0, 16)}`);
  node = new BlockchatNode({
    port,
    host: args.host ?? '127.0.0.1',
    isBootstrap: args.bootstrap ?? false,
    n: args.n,
    capacity: args.capacity,
    bootstrapUrl: args.bootstrapUrl ?? 'http://127.0.0.1:5000',
    stake,
    dataDir,
    blockTimeoutMs,
    joinAfter: args.joinAfter,
    tls,
    log,
    crypto,
    trimHeap: nativeHeapTrim(process.env),
  });
  await node.open();
  const limits = submitLimits(args.clientRate ?? DEFAULT_CLIENT_RATE, args.senderRate ?? DEFAULT_SENDER_RATE);
  const app = await buildServer(node, pino, limits, args.pageReaders ?? DEFAULT_PAGE_READERS);
  try {
    await app.listen({ port, host: args.host === 'localhost' ? '127.0.0.1' : (args.host ?? '127.0.0.1') });
  } catch (err) {
    // Leave nothing behind: no store lock, and no temporary directory with a wallet key in it.
    await app.close().catch(() => undefined);
    await node.close().catch(() => undefined);
    if (ephemeral) rmSync(dataDir, { recursive: true, force: true });
    fail(`cannot listen on port ${port}: ${err instanceof Error ? err.message : String(err)}`);
  }
  node.publishToken();
  log.info(`listening on ${tls ? 'https' : 'http'}://${args.host ?? '127.0.0.1'}:${port} (data in ${dataDir})`);
  // While the network forms (mostly waiting on peers), not in its first busy second on every node.
  setImmediate(() => crypto.crypto.prepare());

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`stopping (${signal})`);
    await app.close().catch(() => undefined);
    await node.close().catch(() => undefined);
    if (ephemeral) rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  await node.begin();
}
