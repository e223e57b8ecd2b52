/**
 * Builds the node's libsecp256k1 binding (native/binding.c with binding.gyp): the library source
 * that the secp256k1 package ships, compiled with our glue and key tables. It needs a C compiler
 * and Node's headers only (GMP's, optionally); nothing is downloaded.
 *
 * The build either succeeds or says loudly why not, on stderr: without it a node falls back to
 * the secp256k1 package's prebuilt addon (the same library source, without key tables: its
 * verifications take three times as long), and reports that in GET /status. BLOCKCHAT_NO_NATIVE=1
 * skips the build on purpose. src/crypto/select.ts checks whichever backend a node uses against noble
 * before the node starts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The secp256k1 package whose libsecp256k1 source binding.c compiles (package-lock.json pins
 * it). key_tables_impl.h uses the library's internal field, scalar and group functions, which
 * change between releases: another version must be checked by hand (test/unit/crypto*.test.ts)
 * before this line changes.
 */
const SECP256K1_PACKAGE = '5.0.2';

const here = dirname(fileURLToPath(import.meta.url));
const say = (line) => console.log(`native: ${line}`);
/** A failure nobody should miss in npm's output: the node would verify three times slower. */
function shout(why) {
  rmSync(join(here, 'build'), { recursive: true, force: true }); // never a stale build
  const lines = [
    'NOT BUILT: the libsecp256k1 binding with key tables (native/binding.c).',
    ...why.map((line, i) => (i === 0 ? `Why: ${line}` : `  ${line}`)),
    "Nodes fall back to the secp256k1 package's prebuilt addon: the same library source without",
    'key tables, whose verifications take about three times as long; GET /status names the verifier.',
    'Set BLOCKCHAT_NO_NATIVE=1 to skip this build on purpose.',
  ];
  const bar = '!'.repeat(Math.min(100, Math.max(...lines.map((l) => l.length)) + 2));
  console.error(['', bar, ...lines.map((l) => `! ${l}`), bar, ''].join('\n'));
}

/** What to show of node-gyp's stderr: the compiler's and make's own lines, else gyp's error. */
function reasonOf(stderr) {
  const all = stderr.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
  const own = all.filter((l) => !l.startsWith('gyp ') && !/^(Warning: failed to get compiler predefines|cmd: |status: )/.test(l));
  const errors = own.filter((l) => /error|\*\*\*/i.test(l));
  const chosen = errors.length > 0 ? errors : own.length > 0 ? own : all.filter((l) => /^gyp ERR! (stack Error|build error)/.test(l));
  return chosen.slice(0, 6).map((l) => (l.length > 160 ? `${l.slice(0, 157)}...` : l));
}

if (process.env.BLOCKCHAT_NO_NATIVE === '1') {
  rmSync(join(here, 'build'), { recursive: true, force: true });
  say('BLOCKCHAT_NO_NATIVE=1: not built');
  process.exit(0);
}

let packageDir;
try {
  packageDir = dirname(createRequire(import.meta.url).resolve('secp256k1/package.json'));
} catch {
  shout(['the secp256k1 package is not installed (npm ci installs it)']);
  process.exit(0);
}
const version = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).version;
if (version !== SECP256K1_PACKAGE) {
  shout([`the secp256k1 package is ${version}; binding.c is written for the libsecp256k1 source of ${SECP256K1_PACKAGE} (see native/build.mjs)`]);
  process.exit(0);
}
if (!existsSync(join(packageDir, 'src', 'secp256k1', 'src', 'secp256k1.c'))) {
  shout([`the secp256k1 package has no libsecp256k1 source (${join(packageDir, 'src', 'secp256k1')})`]);
  process.exit(0);
}

const headerDirs = ['/usr/include', '/usr/local/include', '/opt/homebrew/include'];
const triplet = `${process.arch === 'x64' ? 'x86_64' : 'aarch64'}-linux-gnu`;
const hasHeader = (name) => headerDirs.some((d) => existsSync(join(d, name)) || existsSync(join(d, triplet, name)));
// GMP's inverses make a verification faster (apt-get install libgmp-dev); optional.
const withGmp = hasHeader('gmp.h');

// Node's headers ship with a packaged Node (e.g. /usr/include/node): build against them offline.
const prefix = dirname(dirname(process.execPath));
const args = ['rebuild', '--directory', here];
if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
// npm names its node-gyp to package scripts; run by hand, the one installed with npm next to node.
const bundled = join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const gyp = process.env.npm_config_node_gyp ?? (existsSync(bundled) ? bundled : undefined);
const stdio = ['ignore', 'ignore', 'pipe'];
const env = { ...process.env, BLOCKCHAT_WITH_GMP: withGmp ? '1' : '0' };
const run = gyp ? spawnSync(process.execPath, [gyp, ...args], { stdio, env }) : spawnSync('node-gyp', args, { stdio, env });
if (run.status === 0) {
  say(`built libsecp256k1 of secp256k1@${version} with key tables${withGmp ? ' and GMP inverses' : ' (no GMP headers: the slower built-in inverses; apt-get install libgmp-dev)'}`);
} else {
  shout(run.error ? [`node-gyp could not run: ${run.error.message}`] : ['node-gyp failed:', ...reasonOf(String(run.stderr))]);
}
