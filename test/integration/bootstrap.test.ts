/**
 * The bootstrap forms the network exactly once, even when the last two joins are in flight
 * together (both wait on the store while the node list completes). A bootstrap node runs in this
 * process; the two joining nodes are plain HTTP servers that count what the bootstrap sends them.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as secp from '@noble/secp256k1';
import { afterAll, describe, expect, it } from 'vitest';
import { addressOf, bytesToHex } from '../../src/core/crypto.js';
import { UNITS_PER_BCC } from '../../src/core/params.js';
import { selectCrypto } from '../../src/crypto/select.js';
import { signJoin } from '../../src/core/peer-auth.js';
import type { Logger } from '../../src/node/logger.js';
import { BlockchatNode } from '../../src/node/index.js';
import { freePortBase, waitFor } from '../../src/tools/network.js';
import { closeServer } from './harness.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** A stand-in for a joining node: answers every peer request, counts the node lists it gets. */
async function fakeMember(port: number): Promise<{ announcements: () => number }> {
  let announcements = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/peer/network') announcements++;
      const body = req.url === '/peer/transactions' ? { accepted: 0, rejected: [] } : { ok: true };
      res.writeHead(req.url?.startsWith('/peer/stream') ? 400 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  cleanups.push(() => closeServer(server));
  return { announcements: () => announcements };
}

describe('forming the network', () => {
  it('happens once when the last two joins overlap', async () => {
    const base = await freePortBase(3);
    const dataDir = mkdtempSync(join(tmpdir(), 'blockchat-bootstrap-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const lines: string[] = [];
    const log: Logger = { debug: () => undefined, info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
    const node = new BlockchatNode({
      port: base,
      host: '127.0.0.1',
      isBootstrap: true,
      n: 3,
      capacity: 5,
      bootstrapUrl: '',
      stake: 1000,
      dataDir,
      blockTimeoutMs: 500,
      log,
      crypto: selectCrypto(process.env),
    });
    await node.open();
    cleanups.push(() => node.close());

    const members = [await fakeMember(base + 1), await fakeMember(base + 2)];
    const joins = [1, 2].map((i) => {
      const secretKey = bytesToHex(secp.utils.randomSecretKey());
      const { domain, nonce } = node.gate.challenge();
      const join = { address: addressOf(secretKey), host: '127.0.0.1', port: base + i, n: 3, capacity: 5, stake: 1000 };
      return signJoin(node.address, { ...join, domain, nonce, answer_nonce: nonce }, secretKey);
    });
    const answers = await Promise.all(joins.map((j) => node.handleJoin(j)));
    expect(answers.map((a) => a.id).sort()).toEqual([1, 2]);

    // Formed: both members have the node list, and the bootstrap's transfers to them are
    // committed (it mints at once while the network forms), each exactly once.
    const funded = () => joins.map((j) => node.account(j.address).balance);
    await waitFor('the funding of both members', async () => funded().every((b) => b > 0) && node.views.status().pool === 0, 20_000).catch(
      (err: unknown) => {
        throw new Error(`${(err as Error).message}; balances ${funded().join(', ')}; the bootstrap said:\n${lines.join('\n')}`);
      },
    );
    expect(members.map((m) => m.announcements())).toEqual([1, 1]);
    expect(funded()).toEqual([1000 * UNITS_PER_BCC, 1000 * UNITS_PER_BCC]);
  });
});
