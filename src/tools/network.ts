/**
 * A local network on loopback, one process per node (SPEC C, `blockchat network`): used by the
 * command itself, the tests, the tester's demo and the benchmarks. Waits on conditions (every node
 * reports ready), never on fixed sleeps.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent } from 'undici';
import { NodeClient, closeClients } from '../../client/api.js';
import { parseBcc } from '../core/money.js';
import { UNITS_PER_BCC } from '../core/params.js';
import { NODE_FLAGS, withNodeMalloc } from '../node-flags.js';
import { withoutNodeSettings } from '../node/settings.js';

export interface NetworkOptions {
  n: number;
  capacity: number;
  basePort: number;
  /** Initial stake of every node in BCC (default 10). */
  stakeBcc?: number;
  /** Per-node initial stakes in BCC, by id; overrides stakeBcc. */
  stakesBcc?: number[];
  /** Node i keeps its data in `dataRoot/node-i`; without it the nodes are ephemeral. */
  dataRoot?: string;
  blockTimeoutMs?: number;
  /**
   * The address node i binds and gives its peers: one for every node, or one per node (e.g. each
   * in its own network namespace). 127.0.0.1 by default.
   */
  hosts?: readonly string[];
  /** Words put before node i's command, e.g. `ip netns exec ns-i` to run it in a namespace. */
  wrap?: (i: number) => string[];
  /** Node i's output goes to `logDir/node-i.log` (appended) instead of `stdio`. */
  logDir?: string;
  /** Extra flags for every node (e.g. `--log-level debug`). */
  nodeFlags?: readonly string[];
  /** Log warnings only. */
  quiet?: boolean;
  /** Where the nodes' output goes: inherited by default, 'ignore' to drop it. */
  stdio?: 'inherit' | 'ignore';
  /** How long to wait for readiness (ms); readyTimeout(n) by default. */
  readyTimeoutMs?: number;
  /**
   * Every node serves HTTPS with this PEM certificate and key (files; or node i the i-th of each,
   * e.g. a certificate per host) and trusts the CA file for its peers; the URLs are https and the
   * readiness wait trusts the CA too.
   */
  tls?: { cert: string | readonly string[]; key: string | readonly string[]; ca?: string };
  /**
   * Ids of nodes that something else provides (e.g. a test's fake peer on `basePort + id`, which
   * joins by itself): they are not spawned, the readiness wait polls only the spawned nodes, and
   * stopNode/restartNode/stop leave them alone.
   */
  external?: number[];
}

export interface RunningNetwork {
  ports: number[];
  /** Node i's base URL (its host and port). */
  urls: string[];
  /** Ms from the first spawn to every node reporting ready. */
  readyMs: number;
  processes: ChildProcess[];
  /** Stops node i (SIGKILL when `kill`, else SIGTERM) and waits for it to exit. */
  stopNode(i: number, kill?: boolean): Promise<void>;
  /**
   * Starts node i again from its data directory (needs dataRoot), waiting up to `timeoutMs`
   * (RESTART_TIMEOUT_MS) for it to answer.
   */
  restartNode(i: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * How long a restarted node is given to answer: it starts a process (about 2 s of CPU: loading
 * the modules, checking the signature suite, compiling the routes' schemas) and replays its
 * stored chain before it listens. On a quiet machine that takes 2–4 s; on two cores at a load of
 * 25, where a process gets a twelfth of a core, the start alone takes about 25 s.
 */
export const RESTART_TIMEOUT_MS = 120_000;

/**
 * How long a network of n nodes is given to become ready: two minutes, and 12 s a node beyond
 * ten. Forming is CPU-bound: every node's start (about 2 s of CPU), its join, its announcement
 * (the whole chain, checked by the member), its funding and its stake. On a quiet machine a
 * network forms in a few seconds; with each node held to about 8 % of a core, as on two cores at
 * a load of 25, 4 nodes took 45 s and 10 nodes 55 s (23 s until the bootstrap listened, 10 s of
 * joins, 4 s of announcements, 9 s until the stakes were committed).
 */
export function readyTimeout(n: number): number {
  return Math.max(120_000, 12_000 * n);
}

/**
 * Extra flags for every node process, for measuring (Node refuses --cpu-prof and
 * --heapsnapshot-signal in NODE_OPTIONS), e.g.
 * `BLOCKCHAT_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" blockchat network -n 5 -capacity 20`.
 */
function extraNodeFlags(): string[] {
  return (process.env.BLOCKCHAT_NODE_FLAGS ?? '').split(/\s+/).filter((f) => f !== '');
}

/** The repository root (where package.json is), from this file in src/tools/ or dist/src/tools/. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the repository root');
    dir = up;
  }
  return dir;
}

/** The compiled command (`npm ci` and `npm test` build it). */
export function mainScript(): string {
  const path = join(repoRoot(), 'dist', 'src', 'main.js');
  if (!existsSync(path)) throw new Error(`${path} is missing: run "npm run build" first`);
  return path;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Where to look for free ports: below the kernel's ephemeral range, from which outgoing
 * connections (the nodes' own peer connections among them) take their local ports, so that a
 * port found free is not taken by a connection before its node binds it.
 */
function listeningPortRange(): { low: number; high: number } {
  let ephemeralLow = 32_768;
  try {
    ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || ephemeralLow;
  } catch {
    // not Linux: keep the usual default
  }
  return ephemeralLow - 10_000 >= 1_000 ? { low: 10_000, high: ephemeralLow } : { low: 20_000, high: 60_000 };
}

/** A base port with `count` consecutive free ports on loopback. */
export async function freePortBase(count: number): Promise<number> {
  const { low, high } = listeningPortRange();
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = low + Math.floor(Math.random() * (high - low - count));
    let ok = true;
    for (let i = 0; i < count && ok; i++) ok = await portFree(base + i);
    if (ok) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

/** Thrown by a wait's check to stop waiting at once (a transient error only means "not yet"). */
export class WaitAborted extends Error {}

/** Polls `check` until it returns true, or fails after `timeoutMs` with `what`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const done = await check().catch((err: unknown) => {
      if (err instanceof WaitAborted) throw err;
      return false;
    });
    if (done) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Node i's address: its own from `hosts`, the one given for all, or loopback. */
export function hostOf(hosts: readonly string[] | undefined, i: number): string {
  if (!hosts || hosts.length === 0) return '127.0.0.1';
  return hosts.length === 1 ? hosts[0]! : (hosts[i] ?? '127.0.0.1');
}

/** http://host:port (https:// when `secure`), with an IPv6 address in brackets. */
export function urlOf(host: string, port: number, secure = false): string {
  return `${secure ? 'https' : 'http'}://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
}

/** Connections that trust the CA in the PEM file `caFile` (besides the system's roots). */
export function trustingAgent(caFile: string): Agent {
  return new Agent({ connect: { ca: readFileSync(caFile, 'utf8') } });
}

/** The one value for every node, or node i's. */
function nth(value: string | readonly string[], i: number): string {
  if (typeof value === 'string') return value;
  const mine = value[i];
  if (mine === undefined) throw new Error(`no TLS file for node ${i}`);
  return mine;
}

function nodeArgs(opts: NetworkOptions, i: number, restart: boolean): string[] {
  const port = opts.basePort + i;
  const args = ['node', '-p', String(port), '--host', hostOf(opts.hosts, i), ...(opts.nodeFlags ?? [])];
  if (opts.dataRoot) args.push('--data-dir', join(opts.dataRoot, `node-${i}`));
  if (opts.tls) args.push('--tls-cert', nth(opts.tls.cert, i), '--tls-key', nth(opts.tls.key, i));
  if (opts.tls?.ca !== undefined) args.push('--tls-ca', opts.tls.ca);
  if (restart) return opts.quiet ? [...args, '--quiet'] : args;
  args.push(
    '-n',
    String(opts.n),
    '-capacity',
    String(opts.capacity),
    '--bootstrap-url',
    urlOf(hostOf(opts.hosts, 0), opts.basePort, opts.tls !== undefined),
  );
  if (i === 0) args.push('-bootstrap');
  else args.push('--join-after', String(i)); // node i joins after nodes 0 … i-1, so its id is i
  const stake = opts.stakesBcc?.[i] ?? opts.stakeBcc;
  if (stake !== undefined) args.push('--stake', String(stake));
  if (opts.blockTimeoutMs !== undefined) args.push('--block-timeout', String(opts.blockTimeoutMs));
  if (opts.quiet) args.push('--quiet');
  return args;
}

export async function startNetwork(opts: NetworkOptions): Promise<RunningNetwork> {
  const main = mainScript();
  const ports = Array.from({ length: opts.n }, (_, i) => opts.basePort + i);
  const urls = ports.map((p, i) => urlOf(hostOf(opts.hosts, i), p, opts.tls !== undefined));
  const dispatcher = opts.tls?.ca === undefined ? undefined : trustingAgent(opts.tls.ca);
  const clientOf = (i: number) => new NodeClient(urls[i]!, undefined, 10_000, { dispatcher });
  if (opts.logDir) mkdirSync(opts.logDir, { recursive: true });
  const external = new Set(opts.external ?? []);
  const spawned = ports.map((_, i) => i).filter((i) => !external.has(i));
  const processes: ChildProcess[] = [];
  // With output dropped, each node's last error lines are still kept, to explain a failed start.
  const lastErrors: string[] = [];
  const spawnNode = (i: number, restart: boolean) => {
    const quietOutput = opts.stdio === 'ignore' || opts.logDir !== undefined;
    const logFd = opts.logDir ? openSync(join(opts.logDir, `node-${i}.log`), 'a') : undefined;
    const command = [...(opts.wrap?.(i) ?? []), process.execPath, ...NODE_FLAGS, ...extraNodeFlags(), main, ...nodeArgs(opts, i, restart)];
    const child = spawn(command[0]!, command.slice(1), {
      // The nodes get their options as flags only: an operator's BLOCKCHAT_PORT and the like are
      // for one node, not for every node of the network.
      env: withNodeMalloc(withoutNodeSettings(process.env)),
      stdio: ['ignore', logFd ?? opts.stdio ?? 'inherit', quietOutput ? 'pipe' : 'inherit'],
    });
    if (logFd !== undefined) {
      // Errors go to the log file too, and the last lines are kept to explain a failed start.
      const log = createWriteStream('', { fd: logFd });
      child.stderr?.pipe(log);
    }
    lastErrors[i] = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      lastErrors[i] = (lastErrors[i] + chunk.toString()).slice(-2_000);
    });
    processes[i] = child;
    return child;
  };
  const started = Date.now();
  for (const i of spawned) spawnNode(i, false);
  const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;
  const stopNode = (i: number, kill = false) =>
    new Promise<void>((resolve) => {
      const child = processes[i];
      if (external.has(i) || !child || exited(child)) return resolve();
      child.once('exit', () => resolve());
      child.kill(kill ? 'SIGKILL' : 'SIGTERM');
    });
  const stop = async () => {
    await Promise.all(spawned.map((i) => stopNode(i)));
  };
  /** Ends a wait on node i at once if its process has exited, saying so with its last error lines. */
  const abortIfExited = (i: number, before: string) => {
    const c = processes[i]!;
    if (!exited(c)) return;
    const said = lastErrors[i]?.trim().split('\n').slice(-3).join(' | ');
    throw new WaitAborted(`node ${i} exited (${c.signalCode ?? `code ${c.exitCode}`}) before ${before}${said ? `: ${said}` : ''}`);
  };
  try {
    await waitFor(
      `${spawned.length} nodes to be ready`,
      async () => {
        for (const i of spawned) abortIfExited(i, 'the network was ready');
        const statuses = await Promise.all(spawned.map((i) => clientOf(i).status()));
        return statuses.every((s) => s.ready);
      },
      opts.readyTimeoutMs ?? readyTimeout(opts.n),
      25,
    );
  } catch (err) {
    // Say where each node stood, so that a network that did not form can be diagnosed.
    const states = await Promise.all(
      spawned.map((i) =>
        clientOf(i)
          .status()
          .then(
            (s) => `node ${i}: id ${s.id}, joined ${s.joined}/${opts.n}, height ${s.height}, pool ${s.pool}, ready ${s.ready}`,
            (e: unknown) => `node ${i}: ${e instanceof Error ? e.message : String(e)}`,
          ),
      ),
    );
    await stop();
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n  ${states.join('\n  ')}`, { cause: err });
  }
  const readyMs = Date.now() - started;
  return {
    ports,
    urls,
    readyMs,
    processes,
    stopNode,
    async restartNode(i: number, timeoutMs?: number) {
      if (external.has(i)) return;
      if (!opts.dataRoot) throw new Error('restarting a node needs a data directory (dataRoot)');
      spawnNode(i, true);
      await waitFor(
        `node ${i} to answer after restart`,
        async () => {
          abortIfExited(i, 'answering after its restart');
          return (await clientOf(i).status()).id === i;
        },
        timeoutMs ?? RESTART_TIMEOUT_MS,
      );
    },
    stop,
  };
}

export interface NetworkCommandArgs {
  n: number;
  capacity: number;
  p: number;
  stake?: string;
  stakes?: string;
  dataDir?: string;
  blockTimeout?: number;
  host?: string;
  logDir?: string;
  logLevel?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
}

/**
 * The TLS files of `blockchat network` (absolute, as every node gets them): --tls-cert and
 * --tls-key together or neither, --tls-ca only with them, as `blockchat node` takes them.
 */
export function networkTls(args: Pick<NetworkCommandArgs, 'tlsCert' | 'tlsKey' | 'tlsCa'>): NetworkOptions['tls'] {
  const { tlsCert, tlsKey, tlsCa } = args;
  if (tlsCert === undefined && tlsKey === undefined) {
    if (tlsCa !== undefined) throw new Error('--tls-ca needs --tls-cert and --tls-key (a node serves HTTPS to talk HTTPS to its peers)');
    return undefined;
  }
  if (tlsCert === undefined || tlsKey === undefined) throw new Error('--tls-cert and --tls-key go together');
  for (const [flag, path] of [
    ['--tls-cert', tlsCert],
    ['--tls-key', tlsKey],
    ['--tls-ca', tlsCa],
  ] as const) {
    if (path !== undefined && !existsSync(path)) throw new Error(`cannot read ${flag} ${path}: no such file`);
  }
  return { cert: resolvePath(tlsCert), key: resolvePath(tlsKey), ...(tlsCa === undefined ? {} : { ca: resolvePath(tlsCa) }) };
}

/** `blockchat network`: start, print one line when ready, stop every node on Ctrl-C. */
export async function runNetworkCommand(args: NetworkCommandArgs): Promise<void> {
  // Amounts are checked here exactly as a node checks --stake, so that a bad one is refused
  // before any node starts.
  const bcc = (text: string, what: string): number => {
    const units = parseBcc(text);
    if (units === undefined) throw new Error(`${what} takes amounts in BCC with up to two decimals, not "${text}"`);
    return units / UNITS_PER_BCC;
  };
  const stakesBcc = args.stakes?.split(',').map((s) => bcc(s.trim(), '--stakes'));
  if (stakesBcc && stakesBcc.length !== args.n) throw new Error(`--stakes needs ${args.n} amounts in BCC, comma separated`);
  const stakeBcc = args.stake === undefined ? undefined : bcc(args.stake, '--stake');
  const logDir = args.logDir ?? args.dataDir;
  const tls = networkTls(args);
  const net = await startNetwork({
    n: args.n,
    capacity: args.capacity,
    basePort: args.p,
    stakeBcc,
    stakesBcc,
    dataRoot: args.dataDir,
    blockTimeoutMs: args.blockTimeout,
    hosts: args.host === undefined ? undefined : [args.host],
    // With a log file per node, each file has the node's whole log; on the terminal, warnings only.
    logDir,
    nodeFlags: args.logLevel === undefined ? undefined : ['--log-level', args.logLevel],
    quiet: logDir === undefined && args.logLevel === undefined,
    tls,
  });
  await closeClients();
  const host = net.urls[0]!;
  const hostFlag = args.host === undefined || args.host === '127.0.0.1' ? '' : ` --host ${args.host}`;
  // Over TLS the CLI needs the https URL, and a private CA trusted (NODE_EXTRA_CA_CERTS).
  const cli = tls
    ? `${tls.ca === undefined ? '' : `NODE_EXTRA_CA_CERTS=${tls.ca} `}npx blockchat cli --url ${net.urls[1] ?? host}`
    : `npx blockchat cli -p ${args.p + 1}${hostFlag}`;
  console.log(
    `network ready: ${args.n} nodes on ${host}–${args.p + args.n - 1} (capacity ${args.capacity}) in ${(net.readyMs / 1000).toFixed(2)} s. ` +
      `Try: ${cli}   ·   explorer: ${host}/   ·   ` +
      `${logDir ? `logs: ${logDir}/node-i.log   ·   ` : ''}Ctrl-C stops every node.`,
  );
  await new Promise<void>((resolve) => {
    const onSignal = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      console.log('stopping every node…');
      void net.stop().then(resolve);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
