/**
 * Nodes over TLS (docs/operations.md, "TLS"): a network of real nodes, each serving HTTPS with a
 * certificate of a CA made here with openssl and trusting that CA for its peers, forms (join,
 * announcement, sessions, the peer stream all over TLS) and commits a transfer on every node;
 * the CLI reaches a node at its https URL with the CA in NODE_EXTRA_CA_CERTS; a plain-HTTP
 * request to a TLS node gets no answer.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeClient } from '../../client/api.js';
import { readToken } from '../../src/api/token.js';
import { UNITS_PER_BCC } from '../../src/core/params.js';
import { mainScript, trustingAgent } from '../../src/tools/network.js';
import { launch, metric, raw, waitAgreement, waitCommitted, type TestNetwork } from './harness.js';
import { makeCa, makeNodeCert } from './pki.js';

const N = 3;
const pki = mkdtempSync(join(tmpdir(), 'blockchat-tls-'));
const file = (name: string) => join(pki, name);

let t: TestNetwork;
let clients: NodeClient[];

beforeAll(async () => {
  // A CA, and one certificate it signs for 127.0.0.1 (every node of the test listens there).
  makeCa(pki);
  const tls = makeNodeCert(pki, 'node', ['127.0.0.1']);
  t = await launch(N, 5, { tls });
  const dispatcher = trustingAgent(tls.ca);
  clients = t.net.urls.map((url, i) => new NodeClient(url, readToken(t.ports[i]!, join(t.dataRoot, `node-${i}`)), 10_000, { dispatcher }));
}, 120_000);

afterAll(async () => {
  await t?.stop();
  rmSync(pki, { recursive: true, force: true });
});

describe('a network over TLS', () => {
  it('forms, and a transfer commits on every node; the peer stream carries frames', async () => {
    expect(t.net.urls.every((u) => u.startsWith('https://'))).toBe(true);
    const statuses = await Promise.all(clients.map((c) => c.status()));
    expect(statuses.map((s) => s.id)).toEqual([0, 1, 2]);
    const { id } = await clients[1]!.submit({ type: 'coins', to: 2, amount: 5 * UNITS_PER_BCC });
    await waitCommitted(clients, [id]);
    await waitAgreement(clients);
    const frames = await Promise.all(
      clients.map((c) => metric(c, 'blockchat_peer_stream_frames_total{kind="block"}', { absentIsZero: true })),
    );
    expect(frames.some((f) => f > 0)).toBe(true);
  });

  it('the CLI talks to a node at its https URL, trusting the CA through NODE_EXTRA_CA_CERTS', async () => {
    const argv = [
      mainScript(),
      'cli',
      '--url',
      t.net.urls[1]!,
      '--token-file',
      join(t.dataRoot, 'node-1', 'token'),
      '--json',
      '--',
      'balance',
    ];
    const { stdout } = await promisify(execFile)(process.execPath, argv, {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: file('ca.pem') },
      timeout: 20_000,
    });
    const balance = JSON.parse(stdout) as { address?: string };
    expect(balance.address).toBe((await clients[1]!.status()).address);
  });

  it('a plain-HTTP request to a TLS node gets no answer', async () => {
    await expect(raw(t.ports[0]!, 'GET', '/status')).rejects.toMatchObject({
      code: expect.stringMatching(/^(UND_ERR_SOCKET|ECONNRESET)$/),
    });
  });
});
