/**
 * Micro-benchmark of the signature suites (src/crypto/): µs per signing, per verification
 * (plain, and through a key's precomputed table where the suite has them), per point check, and
 * per SHA-256 of a transaction-sized preimage; and how long the fixed checks a node runs as it
 * starts take. Every figure is the median of `rounds` runs of `ops` operations, with the range
 * over the runs. Times are the process's CPU time (process.cpuUsage), which a machine shared
 * with other work disturbs far less than the clock; the load average is printed with them.
 *
 *   npx tsc -p tsconfig.build.json && node dist/scripts/bench-crypto.js [rounds] [ops]
 */
import { createHash, hash as oneShot } from 'node:crypto';
import { loadavg } from 'node:os';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { addressOf } from '../src/core/crypto.js';
import { loadBinding } from '../src/crypto/native.js';
import { availableSuites, type NodeCrypto } from '../src/crypto/select.js';
import { runVectors } from '../src/crypto/vectors.js';

const rounds = Number(process.argv[2] ?? 5);
const ops = Number(process.argv[3] ?? 2000);
const h = (s: string): string => createHash('sha256').update(s).digest('hex');

/** CPU µs since `t0` (a process.cpuUsage() reading). */
const cpuSince = (t0: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(t0);
  return d.user + d.system;
};

/** CPU µs per call of `run(i)` for i in 0..n-1, over `rounds` runs: [median, min, max]. */
function time(run: (i: number) => unknown, n = ops): [number, number, number] {
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.cpuUsage();
    for (let i = 0; i < n; i++) run(i);
    samples.push(cpuSince(t0) / n);
  }
  samples.sort((a, b) => a - b);
  return [samples[Math.floor(samples.length / 2)]!, samples[0]!, samples[samples.length - 1]!];
}

const show = ([median, min, max]: [number, number, number]): string => `${median.toFixed(2)} µs (${min.toFixed(2)}–${max.toFixed(2)})`;

// A few signers, as in a network: each signs many distinct hashes.
const secrets = [0, 1, 2, 3].map((k) => h(`bench-crypto-key-${k}`));
const addresses = secrets.map((s) => addressOf(s));
const hashes = Array.from({ length: ops }, (_, i) => h(`bench-crypto-msg-${i}`));

function bench(name: string, b: NodeCrypto): void {
  // noble is two orders of magnitude slower: a tenth of the operations
  const n = name === 'noble' ? Math.ceil(ops / 10) : ops;
  const sigs = hashes.slice(0, n).map((hash, i) => b.signHash(hash, secrets[i % 4]!));
  const out: string[] = [`${name}:`];
  out.push(`  sign   ${show(time((i) => b.signHash(hashes[i]!, secrets[i % 4]!), n))}`);
  // warms the backend: memoised points, and key tables where it makes them
  for (let i = 0; i < n; i++)
    if (!b.verifyHash(hashes[i]!, sigs[i]!, addresses[i % 4]!)) throw new Error(`${name} rejects a valid signature`);
  out.push(`  verify ${show(time((i) => b.verifyHash(hashes[i]!, sigs[i]!, addresses[i % 4]!), n))}`);
  out.push(`  point  ${show(time((i) => b.isValidAddress(addresses[i % 4]!), n))}`);
  console.log(out.join('\n'));
}

const preimage = new TextEncoder().encode(
  JSON.stringify({
    domain: h('domain'),
    sender: addresses[0],
    receiver: addresses[1],
    type: 'coins',
    amount: 12345,
    message: '',
    nonce: 17,
  }),
);
console.log(`${rounds} runs of ${ops} operations each; median (min–max) CPU time per operation; load average ${loadavg()[0]!.toFixed(1)}`);
const binding = loadBinding();
console.log(`binding: ${binding instanceof Error ? `not loaded (${binding.message.split('\n')[0]})` : binding.library()}`);
console.log(
  `sha256 of ${preimage.length} bytes: node:crypto ${show(time(() => oneShot('sha256', preimage, 'hex')))}, noble ${show(time(() => nobleSha256(preimage)))}`,
);
const { suites, missing } = availableSuites(process.env);
for (const line of missing) console.log(`(${line})`);
for (const suite of suites) {
  const t0 = process.cpuUsage();
  const report = runVectors(suite.make());
  console.log(
    `${suite.name}: ${report.checks} fixed checks against noble in ${Math.round(cpuSince(t0) / 1000)} ms of CPU, ${report.disagreements.length} disagreements`,
  );
  bench(suite.name, suite.make());
}
