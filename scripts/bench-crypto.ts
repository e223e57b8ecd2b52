/**
 * Micro-benchmark of the signature backends: µs per signing, per verification (plain, and
 * through a key's precomputed table where the backend has them), per point check, and per
 * SHA-256 of a transaction-sized preimage. Every figure is the median of `rounds` timed runs of
 * `ops` operations; the range over the runs is printed next to it.
 *
 *   npx tsc -p tsconfig.build.json && node dist/scripts/bench-crypto.js [rounds] [ops]
 */
import { createHash, hash as oneShot } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { addressOf } from '../src/core/crypto.js';
import { availableSuites, type NodeCrypto } from '../src/crypto/select.js';
import { runVectors } from '../src/crypto/vectors.js';

const rounds = Number(process.argv[2] ?? 5);
const ops = Number(process.argv[3] ?? 2000);
const h = (s: string): string => createHash('sha256').update(s).digest('hex');

/** µs per call of `run(i)` for i in 0..ops-1, over `rounds` runs: [median, min, max]. */
function time(run: (i: number) => unknown, n = ops): [number, number, number] {
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) run(i);
    samples.push(((performance.now() - t0) * 1000) / n);
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
  for (let i = 0; i < n; i++) if (!b.verifyHash(hashes[i]!, sigs[i]!, addresses[i % 4]!)) throw new Error(`${name} rejects a valid signature`);
  out.push(`  verify ${show(time((i) => b.verifyHash(hashes[i]!, sigs[i]!, addresses[i % 4]!), n))}`);
  out.push(`  point  ${show(time((i) => b.isValidAddress(addresses[i % 4]!), n))}`);
  console.log(out.join('\n'));
}

const preimage = new TextEncoder().encode(JSON.stringify({ domain: h('domain'), sender: addresses[0], receiver: addresses[1], type: 'coins', amount: 12345, message: '', nonce: 17 }));
console.log(`${rounds} runs of ${ops} operations each; median (min–max) per operation`);
console.log(`sha256 of ${preimage.length} bytes: node:crypto ${show(time(() => oneShot('sha256', preimage, 'hex')))}, noble ${show(time(() => nobleSha256(preimage)))}`);
const { suites, missing } = availableSuites(process.env);
for (const line of missing) console.log(`(${line})`);
for (const suite of suites) {
  const t0 = performance.now();
  const report = runVectors(suite.make());
  console.log(`${suite.name}: ${report.checks} fixed checks against noble in ${Math.round(performance.now() - t0)} ms, ${report.disagreements.length} disagreements`);
  bench(suite.name, suite.make());
}
