/**
 * Hosts for the separate-hosts tests: one Linux network namespace per host, each joined by a veth
 * pair to a bridge in this namespace, each with its own address in a test range (the bridge has
 * .254, so that this process reaches every host). Needs root and iproute2; `namespacesProblem()`
 * says why they cannot be made here.
 */
import { execFileSync, spawnSync } from 'node:child_process';

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
