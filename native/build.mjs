/**
 * Builds the binding to the system's libsecp256k1 (native/secp256k1_system.c) when the library's
 * headers are installed (Debian: `apt-get install libsecp256k1-dev`); otherwise says so and
 * leaves the node on the secp256k1 package's bundled build. Never fails the install: the binding
 * is a speed-up, and src/core/crypto.ts checks whichever build loads against noble.
 *
 * node-gyp is npm's own (npm puts it on the PATH of package scripts); Node's headers come from
 * the Node installation itself, so nothing is downloaded.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const say = (line) => console.log(`native: ${line}`);

const headerDirs = ['/usr/include', '/usr/local/include', '/opt/homebrew/include'];
const hasHeader = (name) => headerDirs.some((d) => existsSync(join(d, name)) || existsSync(join(d, `${process.arch === 'x64' ? 'x86_64' : 'aarch64'}-linux-gnu`, name)));
// verify_tables.c compiles the field, scalar and group code of the libsecp256k1 release that
// the secp256k1 package (a dependency) ships as source.
const packageDir = dirname(createRequire(import.meta.url).resolve('secp256k1/package.json'));
const secp256k1Src = join(packageDir, 'src', 'secp256k1');
const skip =
  process.env.BLOCKCHAT_NO_NATIVE === '1'
    ? 'BLOCKCHAT_NO_NATIVE=1: not built'
    : !hasHeader('secp256k1.h')
      ? 'libsecp256k1 headers not found (apt-get install libsecp256k1-dev for faster signatures)'
      : !existsSync(join(secp256k1Src, 'src', 'group_impl.h'))
        ? `the secp256k1 package's libsecp256k1 sources are missing (${secp256k1Src})`
        : undefined;
if (skip) {
  rmSync(join(here, 'build'), { recursive: true, force: true }); // never a stale build against a removed library
  say(`${skip}; using the bundled build`);
  process.exit(0);
}

// Node's headers ship with a packaged Node (e.g. /usr/include/node): build against them offline.
const prefix = dirname(dirname(process.execPath));
const args = ['rebuild', '--directory', here];
if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
// npm names its node-gyp to package scripts; run by hand, the one installed with npm next to node.
const bundled = join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const gyp = process.env.npm_config_node_gyp ?? (existsSync(bundled) ? bundled : undefined);
const stdio = ['ignore', 'ignore', 'pipe'];
// GMP's inverse makes a verification ~11 µs faster (apt-get install libgmp-dev); optional.
const withGmp = hasHeader('gmp.h');
const env = { ...process.env, BLOCKCHAT_SECP256K1_SRC: secp256k1Src, BLOCKCHAT_WITH_GMP: withGmp ? '1' : '0' };
const run = gyp ? spawnSync(process.execPath, [gyp, ...args], { stdio, env }) : spawnSync('node-gyp', args, { stdio, env });
if (run.status === 0) {
  say(`built the binding to the system libsecp256k1, with per-key verification tables${withGmp ? '' : ' (no GMP headers: the slower built-in scalar inverse)'}`);
} else {
  rmSync(join(here, 'build'), { recursive: true, force: true });
  const why = run.error ? run.error.message : String(run.stderr).trim().split('\n').slice(-3).join(' | ');
  say(`could not build the binding to the system libsecp256k1 (${why}); using the bundled build`);
}
