/**
 * Hosts for the separate-hosts tests: one Linux network namespace per host, each joined by a veth
 * pair to a bridge in this namespace, each with its own address in a test range (the bridge has
 * .254, so that this process reaches every host). Needs root and iproute2; `namespacesProblem()`
 * says why they cannot be made here, and `describeOnHosts` runs a file's tests only where they can
 * (CI runs them as root). `useHosts` makes the hosts for one test file and removes them after it.
 */
import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { freePortBase, startNetwork, type NetworkOptions, type RunningNetwork } from '../../src/tools/network.js';
import { stopProcess } from './harness.js';

export interface Hosts {
  /** Namespace names, one per host. */
  names: string[];
  /** Each host's address. */
  addresses: string[];
  /** Words that run a command in host i's namespace. */
  exec(i: number): string[];
  /** Cuts (false) or restores (true) host i's link to the bridge. */
  link(i: number, up: boolean): void;
  /** Removes every namespace, link and the bridge (also after a failed setup). */
  remove(): void;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Why namespaces cannot be made here, or undefined when they can. */
export function namespacesProblem(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  const probe = `bcprobe${process.pid % 100_000}`;
  const add = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (add.error) return `iproute2's ip is missing (${add.error.message})`;
  if (add.status !== 0) return `ip netns add failed: ${add.stderr.trim()}`;
  spawnSync('ip', ['netns', 'del', probe]);
  return undefined;
}

/**
 * Makes `count` hosts on a /24 of 10.223.0.0/16 picked from the process id (so that two runs at
 * once do not share one); host i gets .(10 + i).
 */
export function makeHosts(count: number): Hosts {
  const tag = `bc${process.pid % 100_000}`;
  const subnet = `10.223.${process.pid % 250}`;
  const names = Array.from({ length: count }, (_, i) => `${tag}-h${i}`);
  const addresses = names.map((_, i) => `${subnet}.${10 + i}`);
  const bridge = `${tag}br`;
  const outside = (i: number) => `${tag}v${i}`;
  const remove = () => {
    for (const name of names) spawnSync('ip', ['netns', 'del', name]);
    for (let i = 0; i < count; i++) spawnSync('ip', ['link', 'del', outside(i)]);
    spawnSync('ip', ['link', 'del', bridge]);
  };
  try {
    ip('link', 'add', bridge, 'type', 'bridge');
    ip('addr', 'add', `${subnet}.254/24`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    names.forEach((name, i) => {
      const inside = `${tag}p${i}`;
      ip('netns', 'add', name);
      ip('link', 'add', outside(i), 'type', 'veth', 'peer', 'name', inside);
      ip('link', 'set', inside, 'netns', name);
      ip('link', 'set', outside(i), 'master', bridge);
      ip('link', 'set', outside(i), 'up');
      ip('-n', name, 'addr', 'add', `${addresses[i]}/24`, 'dev', inside);
      ip('-n', name, 'link', 'set', inside, 'up');
      ip('-n', name, 'link', 'set', 'lo', 'up');
    });
  } catch (err) {
    remove();
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`cannot make the test hosts: ${stderr || String(err)}`, { cause: err });
  }
  return {
    names,
    addresses,
    exec: (i) => ['ip', 'netns', 'exec', names[i]!],
    link: (i, up) => ip('link', 'set', outside(i), up ? 'up' : 'down'),
    remove,
  };
}

/**
 * `describe(title, body)` where namespaces can be made; elsewhere skipped, saying why once for
 * `file` (the test file's name).
 */
export function describeOnHosts(file: string, title: string, body: () => void): void {
  const problem = namespacesProblem();
  if (problem) console.log(`${file}: not run here: ${problem} (CI runs it as root)`);
  describe.skipIf(problem !== undefined)(title, body);
}

/** The options of a network started on the hosts; the rest have the defaults of `useHosts`. */
export type HostedNetworkOptions = Pick<NetworkOptions, 'n' | 'capacity'> & Partial<NetworkOptions>;

/** What `useHosts` gives one test file: set before its tests, torn down after them. */
export interface HostsInUse {
  hosts: Hosts;
  /** The file's own directory, removed after its tests; a network keeps node i's data in `dataDir(i)`. */
  root: string;
  /** Node i's data directory in `root`. */
  dataDir(i: number): string;
  /** The network started on the hosts, when `useHosts` was given one. */
  net: RunningNetwork;
  /** Node processes a test starts on the hosts itself: stopped after the file's tests, before the hosts go. */
  children: ChildProcess[];
}

/**
 * `count` hosts for one test file, made before its tests (with a directory of the file's own, its
 * name starting with `prefix`) and, after them, everything stopped and removed: the network, the test's own processes, the
 * hosts, the directory, also after a failed setup. With `network`, a network is started on the
 * hosts (node i on host i, from options that may use the hosts and the directory, e.g. to make
 * certificates there): on free ports, bound to the hosts' addresses, its logs in `root/logs`.
 */
export function useHosts(count: number, prefix: string, network?: (hosts: Hosts, root: string) => HostedNetworkOptions): HostsInUse {
  const used = { children: [] as ChildProcess[] } as Partial<HostsInUse> & Pick<HostsInUse, 'children'>;
  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), prefix));
    used.root = root;
    used.dataDir = (i) => join(root, `node-${i}`);
    const hosts = makeHosts(count);
    used.hosts = hosts;
    if (!network) return;
    const opts = network(hosts, root);
    used.net = await startNetwork({
      basePort: await freePortBase(opts.n),
      dataRoot: root,
      hosts: hosts.addresses.slice(0, opts.n),
      wrap: (i) => hosts.exec(i),
      logDir: join(root, 'logs'),
      quiet: true,
      readyTimeoutMs: 90_000,
      ...opts,
    });
  }, 120_000);
  // Runs after a failed setup too (vitest runs afterAll whatever beforeAll did).
  afterAll(async () => {
    await used.net?.stop();
    await Promise.all(used.children.map((c) => stopProcess(c)));
    used.hosts?.remove();
    if (used.root) rmSync(used.root, { recursive: true, force: true });
  });
  return used as HostsInUse;
}
