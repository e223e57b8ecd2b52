/**
 * The published package, as a user gets it: `npm pack`, then `npm install` of the tarball into an
 * empty project, offline. The registry is not reached: the project gets a lock file made from
 * this repository's (its runtime entries, plus the tarball), so npm resolves nothing and takes
 * every dependency's tarball from its cache by integrity; `npm ci` (CI runs it first) has put
 * them there. Then the installed `blockchat` runs through its own shebang.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeClient } from '../../client/api.js';
import { NODE_FLAGS, NODE_MALLOC_ENV } from '../../src/node-flags.js';
import { freePortBase } from '../../src/tools/network.js';
import { waitFor } from './harness.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  license: string;
  dependencies: Record<string, string>;
  bin: Record<string, string>;
  engines: Record<string, string>;
};
// The installed command runs through `#!/usr/bin/env node`: the node running the tests comes first on the PATH.
const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };

let dir = '';
let app = '';
let packed: { filename: string; files: { path: string }[] } = { filename: '', files: [] };
let installed = '';

/** A project that depends on the tarball, with a lock that pins every dependency as this repository's does. */
function writeProject(tarball: string): void {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const spec = `file:../${tarball}`;
  const packages: Record<string, unknown> = {
    '': { name: 'blockchat-install-test', dependencies: { blockchat: spec } },
    'node_modules/blockchat': {
      version: pkg.version,
      resolved: spec,
      license: pkg.license,
      dependencies: pkg.dependencies,
      bin: pkg.bin,
      engines: pkg.engines,
      hasInstallScript: true,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) if (path.startsWith('node_modules/') && !entry.dev) packages[path] = entry;
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'blockchat-install-test', private: true, dependencies: { blockchat: spec } }),
  );
  writeFileSync(
    join(app, 'package-lock.json'),
    JSON.stringify({ name: 'blockchat-install-test', lockfileVersion: 3, requires: true, packages }),
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'blockchat-package-'));
  app = join(dir, 'app');
  mkdirSync(app);
  // dist/ is fresh: `npm test` builds it before the tests run, so the prepare script is not run again.
  const pack = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: root, env, maxBuffer: 16 << 20 });
  packed = (JSON.parse(pack.stdout) as (typeof packed)[])[0]!;
  writeProject(packed.filename);
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', `../${packed.filename}`], { cwd: app, env, timeout: 240_000 });
  installed = join(app, 'node_modules', 'blockchat');
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs the installed `blockchat` as a user would: the .bin link, through its shebang. */
const blockchat = (...args: string[]) => run(join(app, 'node_modules', '.bin', 'blockchat'), args, { cwd: app, env, timeout: 30_000 });

/** The processes whose parent is `pid`, read from /proc. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false; // it ended while we looked
      }
    })
    .map(Number);
}

describe('the packed and installed package', () => {
  it('holds the compiled command, the explorer, the native sources, LICENSE, CHANGELOG and docs; no tests or source maps', () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths.length).toBeGreaterThan(0);
    for (const needed of [
      'bin/blockchat.js',
      'dist/src/main.js',
      'dist/src/node-flags.js',
      'dist/client/cli.js',
      'dist/src/tools/network.js',
      'src/node/explorer/index.html',
      'native/binding.gyp',
      'native/build.mjs',
      'native/binding.c',
      'native/key_tables_impl.h',
      'native/napi_args.h',
      'transactions/5nodes/trans0.txt',
      'docs/api.md',
      'LICENSE',
      'README.md',
      'CHANGELOG.md',
    ]) {
      expect(paths, needed).toContain(needed);
    }
    expect(
      paths.filter(
        (p) =>
          p.startsWith('test/') ||
          p.startsWith('dist/test/') ||
          p.startsWith('dist/scripts/') ||
          p.endsWith('.map') ||
          p.startsWith('native/build/'),
      ),
    ).toEqual([]);
  });

  it('installed offline, blockchat --help, cli --help and version work from the installed copy', async () => {
    const help = await blockchat('--help');
    for (const command of ['node', 'network', 'cli', 'version']) expect(help.stdout).toContain(`blockchat ${command}`);
    expect((await blockchat('cli', '--help')).stdout).toContain('tx <id>');
    expect((await blockchat('version')).stdout).toBe(`blockchat ${pkg.version}\n`);
    expect(JSON.parse((await blockchat('version', '--json')).stdout)).toEqual({ version: pkg.version });
    // The install built the native binding from the shipped sources exactly when this checkout's build did.
    const binding = 'native/build/Release/blockchat_secp256k1.node';
    expect(existsSync(join(installed, binding))).toBe(existsSync(join(root, binding)));
  });

  it('blockchat node runs in a node with the V8 flags, reports its version, and stops on SIGTERM', async () => {
    const port = await freePortBase(1);
    const wrapper: ChildProcess = spawn(
      join(app, 'node_modules', '.bin', 'blockchat'),
      ['node', '-p', String(port), '-n', '1', '-capacity', '1', '-bootstrap', '--quiet'],
      {
        cwd: app,
        env,
        stdio: 'ignore',
      },
    );
    const exited = new Promise<number | null>((resolve) => wrapper.once('exit', (code) => resolve(code)));
    let children: number[] = [];
    try {
      const client = NodeClient.forPort(port);
      await waitFor('the installed node to answer', async () => (await client.status()).ready);
      expect((await client.status()).version).toBe(pkg.version);
      // The node is the command's child, run again with the flags V8 takes only at start.
      children = childrenOf(wrapper.pid!);
      expect(children).toHaveLength(1);
      const argv = readFileSync(`/proc/${children[0]}/cmdline`, 'utf8').split('\0');
      for (const flag of NODE_FLAGS) expect(argv).toContain(flag);
      // ... and with the allocator settings glibc reads only from the environment at start
      const environ = readFileSync(`/proc/${children[0]}/environ`, 'utf8').split('\0');
      expect(Object.keys(NODE_MALLOC_ENV).length).toBeGreaterThan(0);
      for (const [name, value] of Object.entries(NODE_MALLOC_ENV)) expect(environ).toContain(`${name}=${value}`);
      wrapper.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(existsSync(`/proc/${children[0]}`)).toBe(false);
    } finally {
      wrapper.kill('SIGKILL');
      for (const pid of children) if (existsSync(`/proc/${pid}`)) process.kill(pid, 'SIGKILL');
    }
  }, 60_000);
});
