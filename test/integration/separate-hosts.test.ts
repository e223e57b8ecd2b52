/**
 * Nodes on separate hosts: a bootstrap and 4 nodes, each in its own network namespace and bound to
 * its own address, driven by the tester, the load generator and the CLI from a sixth namespace
 * with URLs and token files only (no per-port token files, no loopback). Then a partition: one
 * node's link is cut for 10 s under load and restored; the others go on, the cut node catches
 * up, and every accepted transaction is committed on every node.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { NodeClient } from '../../client/api.js';
import { readToken } from '../../src/api/token.js';
import { mainScript, repoRoot, type RunningNetwork } from '../../src/tools/network.js';
import { metric, supply, waitAgreement, waitCommitted, waitFor } from './harness.js';
import { describeOnHosts, useHosts, type Hosts } from './netns.js';

const N = 5;
const CAPACITY = 10;
const CLIENT = N; // the sixth namespace
/** How long the partition lasts: a fault's duration, not a timing assertion. */
const PARTITION_MS = 10_000;
const CUT = 4;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describeOnHosts('separate-hosts.test.ts', 'nodes on separate hosts (network namespaces)', () => {
  const used = useHosts(N + 1, 'blockchat-hosts-', () => ({ n: N, capacity: CAPACITY }));
  let hosts: Hosts;
  let net: RunningNetwork;
  let nodesFile: string;
  let clients: NodeClient[];
  const tokenFile = (i: number) => join(used.dataDir(i), 'token');

  /** Runs `node …args` in host i's namespace. */
  const onHost = (i: number, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> =>
    new Promise((resolve, reject) => {
      const [cmd, ...rest] = [...hosts.exec(i), process.execPath, ...args];
      const child = spawn(cmd!, rest, { env: { ...process.env, ...env }, cwd: repoRoot() });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    });
  /** Runs `blockchat …args` on the client's host. */
  const inClient = (args: string[], env: NodeJS.ProcessEnv = {}) => onHost(CLIENT, [mainScript(), ...args], env);
  const lastJson = (r: Run): Record<string, unknown> => {
    const line = r.stdout.trim().split('\n').pop() ?? '';
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new Error(`no JSON from the command (exit ${r.code}): ${r.stdout}${r.stderr}`);
    }
  };

  beforeAll(() => {
    ({ hosts, net } = used);
    clients = net.urls.map((u, i) => new NodeClient(u, readToken(0, used.dataDir(i))));
    // The operator's list of nodes: one URL and token file a line.
    nodesFile = join(used.root, 'nodes.txt');
    writeFileSync(nodesFile, net.urls.map((u, i) => `${u} ${tokenFile(i)}\n`).join(''));
  });

  it('every node is bound to its own address and gives it to its peers', async () => {
    const peers = await clients[0]!.peers();
    expect(peers.length).toBe(N);
    for (const p of peers) expect(`http://${p.host}:${p.port}`).toBe(net.urls[p.id]);
    for (let i = 0; i < N; i++) expect(net.urls[i]).toContain(hosts.addresses[i]);
    // Bound to its address only: on its own host's loopback, the node's port is closed.
    const port = net.ports[0]!;
    const probe = `fetch('http://127.0.0.1:${port}/status').then(() => console.log('open'), () => console.log('closed'))`;
    expect((await onHost(0, ['-e', probe])).stdout.trim()).toBe('closed');
    const reached = `fetch('${net.urls[0]}/healthz').then((r) => console.log(r.status), () => console.log('closed'))`;
    expect((await onHost(0, ['-e', reached])).stdout.trim()).toBe('200');
  });

  it('the tester replays transactions/5nodes from a sixth host; every transaction is accounted for', async () => {
    const heightBefore = (await clients[0]!.status()).height;
    const run = await inClient(['tester', '-input', join(repoRoot(), 'transactions', '5nodes'), '--nodes', nodesFile, '--json']);
    const r = lastJson(run);
    expect(run.code, run.stderr).toBe(0);
    expect(r).toMatchObject({ submitted: 500, committed: 500, rejected: {}, nodes_agree: true });
    // Read back from every node: the 500 messages are in their chains, once each.
    const hash = await waitAgreement(clients);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    for (const c of clients) {
      const blocks = await c.blocks(heightBefore + 1, 500);
      const messages = blocks.flatMap((b) => b.transactions).filter((t) => t.type === 'message');
      expect(new Set(messages.map((t) => t.id)).size).toBe(500);
    }
  }, 120_000);

  it('the CLI sends from the sixth host with --url and a token from a file or BLOCKCHAT_TOKEN', async () => {
    const sent = await inClient(['cli', '--url', net.urls[1]!, '--token-file', tokenFile(1), '--json', '--', 't', '2', '1.5']);
    expect(sent.code, sent.stderr).toBe(0);
    const id = lastJson(sent).id as string;
    const viaEnv = await inClient(['cli', '--url', net.urls[3]!, '--json', '--', 'm', '0', 'from host 3'], {
      BLOCKCHAT_TOKEN: readToken(0, used.dataDir(3)),
    });
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
    await waitCommitted(clients, [id, lastJson(viaEnv).id as string]);
    const noToken = await inClient(['cli', '--url', net.urls[1]!, '--json', '--', 't', '2', '1']);
    expect(noToken.code).toBe(1);
    expect(lastJson(noToken)).toMatchObject({ error: { code: 'NO_TOKEN' } });
  }, 60_000);

  it(`a node cut off for ${PARTITION_MS / 1000} s under load catches up; nothing accepted is lost`, async () => {
    const total = (await clients[0]!.accounts()).reduce((s, a) => s + a.balance + a.stake, 0);
    const committedBefore = await metric(clients[0]!, 'blockchat_transactions_committed_total');
    const load = inClient(['load', '--nodes', nodesFile, '--transactions', '1000', '--rate', '60', '--json']);
    await waitFor(
      'the load to commit transactions',
      async () => (await metric(clients[0]!, 'blockchat_transactions_committed_total')) > committedBefore + 50,
      60_000,
    );
    const others = clients.filter((_, i) => i !== CUT);
    const heightAtCut = (await clients[0]!.status()).height;
    hosts.link(CUT, false);
    try {
      await new Promise((r) => setTimeout(r, PARTITION_MS));
      // The network went on without the cut node.
      expect((await clients[0]!.status()).height).toBeGreaterThan(heightAtCut);
      await expect(clients[CUT]!.status()).rejects.toMatchObject({ status: 0 });
    } finally {
      hosts.link(CUT, true);
    }
    const heightAfterCut = Math.min(...(await Promise.all(others.map(async (c) => (await c.status()).height))));
    const run = await load;
    const r = lastJson(run);
    // A submission to the cut node that got no answer is UNREACHABLE; every other was accepted,
    // and every accepted one is committed on every node, the cut one included.
    const rejected = r.rejected as Record<string, number>;
    expect(Object.keys(rejected).filter((code) => code !== 'UNREACHABLE')).toEqual([]);
    expect(r.committed).toBe((r.submitted as number) - (rejected.UNREACHABLE ?? 0));
    expect(r.committed).toBeGreaterThan(0);
    expect(r.nodes_agree).toBe(true);
    await waitAgreement(clients, 60_000);
    expect((await clients[CUT]!.status()).height).toBeGreaterThanOrEqual(heightAfterCut);
    for (const c of clients) expect(supply(await c.accounts())).toBe(total);
  }, 150_000);
});
