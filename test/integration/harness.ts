/**
 * Shared fixtures of the integration tests: a real network of node processes on free loopback
 * ports, clients with their API tokens, and waits on conditions (never fixed sleeps).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import { NodeClient } from '../../client/api.js';
import { request } from 'undici';
import { readToken } from '../../src/api/token.js';
import type { AccountView, Block, StatusView } from '../../src/api/types.js';
import type { BlockV2 } from '../../src/core/blockv2.js';
import { addressOf } from '../../src/core/crypto.js';
import { applyBlockV2, genesisTipV2, type TipV2 } from '../../src/core/consensus.js';
import type { NetworkParams } from '../../src/core/params.js';
import {
  freePortBase,
  mainScript,
  readyTimeout,
  startNetwork,
  waitFor,
  type NetworkOptions,
  type RunningNetwork,
} from '../../src/tools/network.js';
import { SseParser } from '../../src/tools/sse.js';
import { FaultyPeer, type FaultyPeerOptions } from './faulty-peer.js';

export { waitFor };

export interface TestNetwork {
  net: RunningNetwork;
  ports: number[];
  clients: NodeClient[];
  dataRoot: string;
  /** A client of node i with a freshly read token (after a restart the token is the same file). */
  client(i: number): NodeClient;
  stop(): Promise<void>;
}

export async function launch(n: number, capacity: number, opts: Partial<NetworkOptions> = {}): Promise<TestNetwork> {
  const dataRoot = mkdtempSync(join(tmpdir(), 'blockchat-test-'));
  const basePort = await freePortBase(n);
  const net = await startNetwork({ n, capacity, basePort, dataRoot, quiet: true, stdio: 'ignore', ...opts });
  const client = (i: number) => NodeClient.forPort(net.ports[i]!, '127.0.0.1', readToken(net.ports[i]!, join(dataRoot, `node-${i}`)));
  return {
    net,
    ports: net.ports,
    clients: net.ports.map((_, i) => client(i)),
    dataRoot,
    client,
    async stop() {
      await net.stop();
      rmSync(dataRoot, { recursive: true, force: true });
    },
  };
}

/** Waits until transaction `id` is final on every given node; resolves to the index of the block holding it. */
export async function waitFinal(clients: readonly NodeClient[], id: string, timeoutMs = 30_000): Promise<number> {
  let block = -1;
  await waitFor(
    `transaction ${id.slice(0, 8)} final on ${clients.length} nodes`,
    async () => {
      const states = await Promise.all(clients.map((c) => c.transaction(id)));
      block = states[0]!.block ?? -1;
      return states.every((s) => s.status === 'final');
    },
    timeoutMs,
  );
  return block;
}

/** Opens a peer stream to the node at `port` (GET /peer/stream upgraded): the socket, or the status of a refusal. */
export function openPeerStream(
  port: number,
  protocol: string,
  kind = 'tx',
  headers: Readonly<Record<string, string>> = {},
): Promise<Socket | number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      path: `/peer/stream?kind=${kind}`,
      headers: { connection: 'Upgrade', upgrade: protocol, ...headers },
    });
    req.on('upgrade', (_res, socket) => resolve(socket));
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Node i's wallet key, read from its data directory (for tests that sign in a member's name). */
export function walletKey(t: Pick<TestNetwork, 'dataRoot'>, i: number): string {
  return readFileSync(join(t.dataRoot, `node-${i}`, 'wallet.key'), 'utf8').trim();
}

/**
 * Headers of a member's session with the node on `port` (docs/protocol.md, "Members only"),
 * taken with the secret key `secretKey` (a member's: walletKey).
 */
export async function memberHeaders(port: number, secretKey: string): Promise<Record<string, string>> {
  return NodeClient.forPort(port).peerSession({ address: addressOf(secretKey), secretKey });
}

/** Waits until every transaction id is committed (or final) on every given node. */
export async function waitCommitted(clients: readonly NodeClient[], ids: readonly string[], timeoutMs = 30_000): Promise<void> {
  const pending = new Set(ids);
  await waitFor(
    `${ids.length} transactions committed on ${clients.length} nodes`,
    async () => {
      for (const id of [...pending]) {
        const states = await Promise.all(clients.map((c) => c.transaction(id)));
        if (states.every((s) => s.status === 'committed' || s.status === 'final')) pending.delete(id);
        else return false;
      }
      return pending.size === 0;
    },
    timeoutMs,
  );
}

/** Waits until every node reports the same last block hash; returns it. */
export async function waitAgreement(clients: readonly NodeClient[], timeoutMs = 30_000): Promise<string> {
  let hash = '';
  let last: unknown[] = [];
  try {
    await waitFor(
      'every node on the same last block with an empty pool, and every block with content final',
      async () => {
        const statuses = await Promise.all(clients.map((c) => c.status()));
        last = statuses.map((s) => ({
          id: s.id,
          height: s.height,
          hash: s.last_hash.slice(0, 8),
          pool: s.pool,
          next: s.next_validator.slice(0, 8),
        }));
        hash = statuses[0]!.last_hash;
        if (!statuses.every((s) => s.last_hash === hash && s.pool === 0)) return false;
        return isSettled(clients[0]!, statuses[0]!);
      },
      timeoutMs,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; last seen: ${JSON.stringify(last)}`, { cause: err });
  }
  return hash;
}

export function supply(accounts: readonly AccountView[]): number {
  return accounts.reduce((sum, a) => sum + a.balance + a.stake, 0);
}

/**
 * True when the blocks above the node's finalised height hold no transactions nor evidence: the
 * network is quiet (idle finality makes blocks only while such a block is not final).
 */
export async function isSettled(c: NodeClient, status: StatusView): Promise<boolean> {
  if (status.final_height >= status.height) return true;
  const above = (await c.blocks(status.final_height + 1, status.height - status.final_height)) as Array<Block & { evidence?: unknown[] }>;
  return above.every((b) => b.transactions.length === 0 && (b.evidence?.length ?? 0) === 0);
}

/** What a node's committed state looks like: to check a refused input changed nothing. */
export async function snapshot(c: NodeClient): Promise<string> {
  const [status, accounts] = await Promise.all([c.status(), c.accounts()]);
  return JSON.stringify({ height: status.height, hash: status.last_hash, accounts });
}

/**
 * One series of a node's /metrics, by its full name with labels: `blockchat_reorgs_total`,
 * `blockchat_http_requests_total{route="GET /status"}`. A missing series throws, so a metric that
 * was renamed or dropped fails the test that reads it instead of reading as NaN. A labelled
 * series appears with its first count: `absentIsZero` reads one not counted yet as 0, but only
 * if the node declares its family (`# TYPE`).
 */
export async function metric(c: NodeClient, series: string, opts: { absentIsZero?: boolean } = {}): Promise<number> {
  const lines = (await c.metrics()).split('\n');
  const family = series.split('{')[0]!;
  const line = lines.find((l) => l.startsWith(`${series} `));
  if (line === undefined) {
    const declared = lines.some((l) => l.startsWith(`# TYPE ${family} `));
    if (opts.absentIsZero && series !== family && declared) return 0;
    throw new Error(`${c.baseUrl}/metrics has no ${series}${declared ? '' : ` (nor a # TYPE ${family})`}`);
  }
  const value = Number(line.slice(series.length + 1));
  if (!Number.isFinite(value)) throw new Error(`${c.baseUrl}/metrics: not a number: ${line}`);
  return value;
}

const execFileP = promisify(execFile);

/**
 * The whole chain a node serves, replayed from its genesis by the core's rules of protocol
 * version 2, without a clock (throws on any rule broken): `tips[i]` is the block of index i with
 * the state after it — ledger, seed, finality record and slashings.
 */
export async function servedChain(c: NodeClient, n: number, capacity: number): Promise<{ params: NetworkParams; tips: TipV2[] }> {
  const blocks: Block[] = [];
  for (let from = 0; ; from += 500) {
    const page = await c.blocks(from, 500);
    blocks.push(...page);
    if (page.length < 500) break;
  }
  const { params, tip: genesis } = genesisTipV2(blocks[0]!, n, capacity);
  const tips = [genesis];
  for (const block of blocks.slice(1)) tips.push(applyBlockV2(params, tips[tips.length - 1]!, block as BlockV2));
  return { params, tips };
}

/** One event of GET /events, its data parsed. */
export interface NodeEvent {
  event: string;
  data: unknown;
}

/**
 * Follows a node's GET /events: resolves once the stream is open (the node then announces every
 * event to it) with the list that each event is pushed to, in order, and a way to close it.
 */
export async function watchEvents(port: number, lastEventId?: string): Promise<{ events: NodeEvent[]; ids: string[]; close(): void }> {
  const aborter = new AbortController();
  const headers = lastEventId === undefined ? {} : { 'last-event-id': lastEventId };
  const res = await request(`http://127.0.0.1:${port}/events`, { signal: aborter.signal, bodyTimeout: 0, headers });
  if (res.statusCode !== 200) throw new Error(`GET /events answered ${res.statusCode}`);
  const events: NodeEvent[] = [];
  /** The `id:` of each event, in the same order. */
  const ids: string[] = [];
  const parser = new SseParser((event, data, id) => {
    events.push({ event, data: JSON.parse(data) as unknown });
    ids.push(id);
  });
  const decoder = new TextDecoder();
  const reading = (async () => {
    for await (const chunk of res.body) parser.push(decoder.decode(chunk as Uint8Array, { stream: true }));
  })();
  // The stream ends when closed here (an abort) or when the node stops: what was read is kept.
  reading.catch(() => undefined);
  return { events, ids, close: () => aborter.abort() };
}

/** Runs `blockchat cli -p PORT -- …args` and returns its exit code and output. */
export function cli(
  port: number,
  dataDir: string | undefined,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCli(port, dataDir, [], args);
}

/** Runs `blockchat cli -p PORT --json -- …args`: the exit code and the one JSON object it printed. */
export async function cliJson(
  port: number,
  dataDir: string | undefined,
  ...args: string[]
): Promise<{ code: number; json: Record<string, unknown>; stderr: string }> {
  const { code, stdout, stderr } = await runCli(port, dataDir, ['--json'], args);
  const lines = stdout.trimEnd().split('\n');
  if (lines.length !== 1)
    throw new Error(`cli --json ${args.join(' ')} printed ${lines.length} lines, not one JSON object: ${stdout}${stderr}`);
  return { code, json: JSON.parse(lines[0]!) as Record<string, unknown>, stderr };
}

async function runCli(
  port: number,
  dataDir: string | undefined,
  options: string[],
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const argv = [mainScript(), 'cli', '-p', String(port), ...(dataDir ? ['--data-dir', dataDir] : []), ...options, '--', ...args];
  try {
    const { stdout, stderr } = await execFileP(process.execPath, argv, { timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Sends a raw request (any body, even malformed) and returns the status and parsed answer. */
export async function raw(
  port: number,
  method: 'GET' | 'POST',
  path: string,
  body?: string | object,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: { code?: string; message?: string; [k: string]: unknown } }> {
  const { request } = await import('undici');
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const res = await request(`http://127.0.0.1:${port}${path}`, {
    method,
    body: text,
    headers: text === undefined ? headers : { 'content-type': 'application/json', ...headers },
  });
  const answer = await res.body.text();
  let parsed: { code?: string; message?: string } = {};
  try {
    parsed = JSON.parse(answer) as typeof parsed;
  } catch {
    parsed = { message: answer };
  }
  return { status: res.statusCode, body: parsed };
}

/** Stops a process (SIGTERM unless told) and waits for it to exit; at once if it has exited. */
export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** Closes a test's own HTTP server (a fake bootstrap or peer), its open connections first. */
export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A real network whose node `faultyId` is a faulty peer in this process (faulty-peer.ts). */
export interface NetworkWithFaultyPeer {
  net: RunningNetwork;
  peer: FaultyPeer;
  dataRoot: string;
  /** Clients of the honest nodes, by id order. */
  clients: NodeClient[];
  stop(): Promise<void>;
}

export async function launchWithFaultyPeer(
  n: number,
  capacity: number,
  faultyId: number,
  peerOpts: Pick<FaultyPeerOptions, 'mode' | 'stake'>,
  netOpts: Partial<NetworkOptions> = {},
): Promise<NetworkWithFaultyPeer> {
  const dataRoot = mkdtempSync(join(tmpdir(), 'blockchat-faulty-'));
  const basePort = await freePortBase(n);
  const peer = await FaultyPeer.start({ basePort, id: faultyId, n, capacity, ...peerOpts });
  const joined = peer.join().then(async (id) => {
    if ((peerOpts.stake ?? 0) > 0) await peer.stakeWhenFunded();
    return id;
  });
  joined.catch(() => undefined); // awaited below; startNetwork's error, if any, comes first
  const net = await startNetwork({ n, capacity, basePort, dataRoot, quiet: true, stdio: 'ignore', external: [faultyId], ...netOpts });
  const id = await joined;
  if (id !== faultyId) throw new Error(`the faulty peer joined as node ${id}, not ${faultyId}`);
  const honest = net.ports.map((_, i) => i).filter((i) => i !== faultyId);
  return {
    net,
    peer,
    dataRoot,
    clients: honest.map((i) => NodeClient.forPort(basePort + i, '127.0.0.1', readToken(basePort + i, join(dataRoot, `node-${i}`)))),
    async stop() {
      await peer.stop();
      await net.stop();
      rmSync(dataRoot, { recursive: true, force: true });
    },
  };
}

/**
 * What `start` launches, for one test file: launched before its tests, stopped after them. The
 * returned object holds its parts once launched.
 */
function useLaunched<T extends { stop(): Promise<void> }>(start: () => Promise<T>, timeoutMs: number): T {
  const launched = {} as T;
  beforeAll(async () => {
    Object.assign(launched, await start());
  }, timeoutMs);
  afterAll(async () => {
    await (launched as Partial<T>).stop?.();
  });
  return launched;
}

/**
 * A network for one test file (`launch`), launched before its tests and stopped after them: given
 * more than the network itself waits to form (readyTimeout), so that a failure says why.
 */
export function useNetwork(...args: Parameters<typeof launch>): TestNetwork {
  return useLaunched(() => launch(...args), readyTimeout(args[0]) + 30_000);
}

/** A network with a faulty peer for one test file, launched before its tests and stopped after them (as useNetwork). */
export function useNetworkWithFaultyPeer(...args: Parameters<typeof launchWithFaultyPeer>): NetworkWithFaultyPeer {
  return useLaunched(() => launchWithFaultyPeer(...args), readyTimeout(args[0]) + 30_000);
}
