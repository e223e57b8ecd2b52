/**
 * A bootstrap that restarts before the network is formed (docs/protocol.md, "Forming the
 * network"): the nodes that joined before its restart still get the announcement, so the network
 * forms and commits; and a join whose challenge the bootstrap forgot (it restarted between the
 * challenge and the join: STALE_CHALLENGE) is sent again on a new challenge.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeClient } from '../../client/api.js';
import { readToken } from '../../src/api/token.js';
import type { PeerChallenge } from '../../src/api/types.js';
import { UNITS_PER_BCC } from '../../src/core/params.js';
import { askToJoin } from '../../src/node/formation/join.js';
import type { JoinRequest } from '../../src/core/peer-auth.js';
import type { Logger } from '../../src/node/logger.js';
import { NODE_FLAGS } from '../../src/node-flags.js';
import { withoutNodeSettings } from '../../src/node/settings.js';
import { freePortBase, mainScript, readyTimeout } from '../../src/tools/network.js';
import { closeServer, stopProcess, waitAgreement, waitCommitted, waitFor } from './harness.js';

const N = 3;
const root = mkdtempSync(join(tmpdir(), 'blockchat-bootstrap-restart-'));
const children: ChildProcess[] = [];
afterAll(async () => {
  await Promise.all(children.map((c) => stopProcess(c)));
  rmSync(root, { recursive: true, force: true });
});

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

describe('a bootstrap restarted before the network formed', () => {
  it('still sends the announcement to the nodes that joined before: the network forms and commits', async () => {
    const base = await freePortBase(N);
    const dataDir = (i: number) => join(root, `node-${i}`);
    /** `blockchat node` i with its data directory; `args` for a first start, none for a restart. */
    const start = (i: number, args: string[]) => {
      const argv = [...NODE_FLAGS, mainScript(), 'node', '-p', String(base + i), '--data-dir', dataDir(i), '--quiet', ...args];
      const child = spawn(process.execPath, argv, { env: withoutNodeSettings(process.env), stdio: 'ignore' });
      children.push(child);
      return child;
    };
    const first = ['-n', String(N), '-capacity', '5', '--bootstrap-url', `http://127.0.0.1:${base}`];
    const bootstrap = NodeClient.forPort(base);
    const joined = (count: number) => waitFor(`${count} nodes joined`, async () => (await bootstrap.status()).joined === count, 60_000);

    const before = start(0, [...first, '-bootstrap']);
    await joined(1);
    start(1, first);
    await joined(2);
    await stopProcess(before);
    start(0, []); // from its data directory
    await joined(2);
    start(2, first);

    const clients = [0, 1, 2].map((i) => NodeClient.forPort(base + i, '127.0.0.1', readToken(base + i, dataDir(i))));
    await waitFor(
      'every node ready',
      async () => (await Promise.all(clients.map((c) => c.status()))).every((s) => s.ready),
      readyTimeout(N),
    );
    expect((await clients[1]!.status()).id).toBe(1);
    const { id } = await clients[1]!.submit({ type: 'coins', to: 2, amount: 5 * UNITS_PER_BCC });
    await waitCommitted(clients, [id]);
    await waitAgreement(clients);
  }, 300_000);
});

describe('a join whose challenge the bootstrap forgot', () => {
  it('is sent again on a new challenge (STALE_CHALLENGE, then the id)', async () => {
    const port = await freePortBase(1);
    const joins: string[] = [];
    let challenges = 0;
    // A bootstrap that restarted between the first challenge and its join: it forgot that one.
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const reply = (status: number, answer: object) =>
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
        if (req.url === '/status') return reply(200, { joined: 1, n: N });
        if (req.url === '/peer/challenge') {
          challenges++;
          return reply(200, {
            domain: 'ab'.repeat(32),
            address: '02' + 'cd'.repeat(32),
            nonce: String(challenges).repeat(64),
            ttl_ms: 10_000,
          });
        }
        joins.push((JSON.parse(body) as JoinRequest).nonce);
        if (joins.length === 1) return reply(401, { statusCode: 401, code: 'STALE_CHALLENGE', error: 'Unauthorized', message: 'stale' });
        return reply(200, { id: 1, bootstrap: '02' + 'cd'.repeat(32) });
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      const request = (c: PeerChallenge) => ({ nonce: c.nonce }) as JoinRequest;
      const id = await askToJoin(
        `http://127.0.0.1:${port}`,
        request,
        undefined,
        () => undefined,
        () => undefined,
        Date.now,
        silent,
      );
      expect(id).toBe(1);
      expect(joins).toEqual(['1'.repeat(64), '2'.repeat(64)]);
    } finally {
      await closeServer(server);
    }
  });
});
