/**
 * `blockchat network --tls-cert --tls-key --tls-ca` (docs/operations.md, "TLS between hosts") as
 * a user runs it: the command, a child process, starts every node with the certificate of a CA
 * made here, prints https URLs once the network is ready; a transfer commits on every node; the
 * CLI, `blockchat load` and `blockchat tester` reach the nodes at their https URLs with the CA in
 * NODE_EXTRA_CA_CERTS; SIGINT stops every node.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeClient } from '../../client/api.js';
import { readToken } from '../../src/api/token.js';
import { UNITS_PER_BCC } from '../../src/core/params.js';
import { withoutNodeSettings } from '../../src/node/settings.js';
import type { RunSummary } from '../../src/tools/metrics.js';
import { freePortBase, mainScript, trustingAgent } from '../../src/tools/network.js';
import { waitAgreement, waitCommitted, waitFor } from './harness.js';
import { makeCa, makeNodeCert, type NodeCert } from './pki.js';

const N = 3;
const root = mkdtempSync(join(tmpdir(), 'blockchat-network-tls-'));
const dataRoot = join(root, 'data');
let tls: NodeCert;
let base: number;
let network: ChildProcess;
let printed = '';
let urls: string[];
let clients: NodeClient[];
const tokenFile = (i: number) => join(dataRoot, `node-${i}`, 'token');

beforeAll(async () => {
  makeCa(root);
  tls = makeNodeCert(root, 'node', ['127.0.0.1']);
  base = await freePortBase(N);
  const argv = [mainScript(), 'network', '-n', String(N), '-capacity', '5', '-p', String(base), '--data-dir', dataRoot];
  argv.push('--tls-cert', tls.cert, '--tls-key', tls.key, '--tls-ca', tls.ca);
  network = spawn(process.execPath, argv, { env: withoutNodeSettings(process.env), stdio: ['ignore', 'pipe', 'inherit'] });
  network.stdout!.on('data', (d: Buffer) => (printed += d.toString()));
  await waitFor('blockchat network to print that it is ready', () => Promise.resolve(printed.includes('network ready')), 120_000);
  urls = Array.from({ length: N }, (_, i) => `https://127.0.0.1:${base + i}`);
  const dispatcher = trustingAgent(tls.ca);
  clients = urls.map((url, i) => new NodeClient(url, readToken(base + i, join(dataRoot, `node-${i}`)), 10_000, { dispatcher }));
}, 150_000);

afterAll(async () => {
  if (network && network.exitCode === null && network.signalCode === null) {
    const exited = new Promise((resolve) => network.once('exit', resolve));
    network.kill('SIGINT');
    await exited;
  }
  rmSync(root, { recursive: true, force: true });
});

const execFileP = promisify(execFile);
/** Runs `blockchat <args…>` trusting the test CA through NODE_EXTRA_CA_CERTS; fails unless it exits 0. */
async function blockchat(...args: string[]): Promise<string> {
  const env = { ...withoutNodeSettings(process.env), NODE_EXTRA_CA_CERTS: tls.ca };
  const { stdout } = await execFileP(process.execPath, [mainScript(), ...args], { env, timeout: 120_000 });
  return stdout;
}

describe('blockchat network over TLS', () => {
  it('prints https URLs and the way to trust the CA, and a transfer commits on every node', async () => {
    expect(printed).toContain(`https://127.0.0.1:${base}`);
    expect(printed).toContain(`NODE_EXTRA_CA_CERTS=${tls.ca}`);
    expect(printed).toContain(`--url https://127.0.0.1:${base + 1}`);
    const statuses = await Promise.all(clients.map((c) => c.status()));
    expect(statuses.map((s) => s.id)).toEqual([0, 1, 2]);
    expect(statuses.every((s) => s.ready)).toBe(true);
    const { id } = await clients[1]!.submit({ type: 'coins', to: 2, amount: 5 * UNITS_PER_BCC });
    await waitCommitted(clients, [id]);
    await waitAgreement(clients);
  });

  it('the CLI reaches a node at its https URL', async () => {
    const out = await blockchat('cli', '--url', urls[2]!, '--token-file', tokenFile(2), '--json', '--', 'balance');
    expect((JSON.parse(out) as { address?: string }).address).toBe((await clients[2]!.status()).address);
  });

  it('load and tester reach every node at its https URL', async () => {
    const nodes = ['--nodes', urls.join(','), '--token-file', [0, 1, 2].map(tokenFile).join(',')];
    const load = JSON.parse(await blockchat('load', ...nodes, '--transactions', '30', '--json')) as RunSummary;
    expect(load.submitted).toBe(30);
    expect(load.committed).toBe(30);

    const input = join(root, 'input');
    mkdirSync(input);
    writeFileSync(join(input, 'trans0.txt'), 'id1 hello\nid2 over tls\n');
    writeFileSync(join(input, 'trans1.txt'), 'id0 hi\n');
    writeFileSync(join(input, 'trans2.txt'), 'id1 yo\n');
    const tester = JSON.parse(await blockchat('tester', '-input', input, ...nodes, '--json')) as RunSummary;
    expect(tester.submitted).toBe(4);
    expect(tester.committed).toBe(4);
  }, 120_000);
});
