#!/usr/bin/env node
// The `blockchat` command: the compiled entry point (built by `npm ci` through the prepare script).
// `blockchat node` runs in a node with the V8 flags and the allocator settings of src/node-flags.ts:
// V8 takes heap sizes only on its command line, glibc its settings only from the environment when
// the process starts, and `#!/usr/bin/env -S node …` is not portable, so this script runs itself
// again with them (signals go on to the node; its exit code is this command's).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { hasNodeMalloc, NODE_FLAGS, withNodeMalloc } from '../dist/src/node-flags.js';

const args = process.argv.slice(2);
if (args[0] === 'node' && (!NODE_FLAGS.every((flag) => process.execArgv.includes(flag)) || !hasNodeMalloc(process.env))) {
  const flags = NODE_FLAGS.filter((flag) => !process.execArgv.includes(flag));
  const child = spawn(process.execPath, [...process.execArgv, ...flags, fileURLToPath(import.meta.url), ...args], {
    stdio: 'inherit',
    env: withNodeMalloc(process.env),
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('error', (err) => {
    console.error(`blockchat: cannot start node: ${err.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      // End the same way the node did, so that a parent sees the signal.
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else {
      process.exit(code ?? 1);
    }
  });
} else {
  await import('../dist/src/main.js');
}
