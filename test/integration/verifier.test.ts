/**
 * Every node reports its signature verifier and the fingerprint of its answers to the fixed
 * checks (src/crypto/vectors.ts) in GET /status, and compares it with its peers': a bootstrap
 * refuses a join from a node whose verifier answers differently, a node refuses to join such a
 * bootstrap, and a restarted peer with a different one is logged as an error. The nodes run in
 * this process (their fingerprint cannot be changed from outside); peers are signed messages
 * sent to them, or a plain HTTP server standing in for a bootstrap.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as secp from '@noble/secp256k1';
import { afterAll, describe, expect, it } from 'vitest';
import { addressOf, bytesToHex, nobleCrypto } from '../../src/core/crypto.js';
import { selectCrypto } from '../../src/crypto/select.js';
import { runVectors } from '../../src/crypto/vectors.js';
import { NodeError } from '../../src/node/errors.js';
import { CHALLENGE_HEADER, signHello, signJoin } from '../../src/core/peer-auth.js';
import type { Logger } from '../../src/node/logger.js';
import { BlockchatNode } from '../../src/node/index.js';
import { buildServer } from '../../src/node/http/index.js';
import { freePortBase } from '../../src/tools/network.js';
import { closeServer } from './harness.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const crypto = selectCrypto(process.env);
const OTHER = 'ab'.repeat(32);

/** A node in this process, with its log lines by level. */
async function startNode(port: number, opts: { bootstrap: boolean; bootstrapUrl?: string }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'blockchat-verifier-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const lines = { info: [] as string[], warn: [] as string[], error: [] as string[] };
  const log: Logger = {
    debug: () => undefined,
    info: (m) => lines.info.push(m),
    warn: (m) => lines.warn.push(m),
    error: (m) => lines.error.push(m),
  };
  const node = new BlockchatNode({
    port,
    host: '127.0.0.1',
    isBootstrap: opts.bootstrap,
    n: 2,
    capacity: 5,
    bootstrapUrl: opts.bootstrapUrl ?? '',
    stake: 1000,
    dataDir,
    blockTimeoutMs: 500,
    log,
    crypto,
  });
  await node.open();
  cleanups.push(() => node.close());
  return { node, lines };
}

const freshKey = (): string => bytesToHex(secp.utils.randomSecretKey());

/** A join of `key` (at `port`) on a fresh challenge of the bootstrap `node`, its domain, and the header that names the challenge. */
function joinRequest(node: BlockchatNode, key: string, port: number, fingerprint: string | undefined) {
  const { domain, nonce } = node.gate.challenge();
  const payload = signJoin(
    node.address,
    {
      address: addressOf(key),
      host: '127.0.0.1',
      port,
      n: 2,
      capacity: 5,
      stake: 1000,
      ...(fingerprint === undefined ? {} : { verifier_fingerprint: fingerprint }),
      domain,
      nonce,
      answer_nonce: nonce,
    },
    key,
  );
  return { payload, domain, headers: { [CHALLENGE_HEADER]: nonce } };
}

describe('the verifier fingerprint', () => {
  it('is in GET /status: the one of noble, the reference, whichever suite the node uses', async () => {
    const base = await freePortBase(2);
    const { node } = await startNode(base, { bootstrap: true });
    const app = await buildServer(node);
    cleanups.push(() => app.close());
    const status = (await app.inject({ method: 'GET', url: '/status' })).json<{ verifier: string; verifier_fingerprint: string }>();
    expect(status.verifier).toBe(crypto.crypto.name);
    expect(status.verifier_fingerprint).toBe(runVectors(nobleCrypto).fingerprint);
  });

  it("of a joining node must be the bootstrap's: a different one → 409 VERIFIER_MISMATCH, and the node is not admitted", async () => {
    const base = await freePortBase(2);
    const { node, lines } = await startNode(base, { bootstrap: true });
    const app = await buildServer(node);
    cleanups.push(() => app.close());
    const key = freshKey();
    const request = (fingerprint: string | undefined) => {
      const { payload, headers } = joinRequest(node, key, base + 1, fingerprint);
      return { payload, headers };
    };

    const refused = await app.inject({ method: 'POST', url: '/peer/join', ...request(OTHER) });
    expect(refused.statusCode).toBe(409);
    expect(refused.json<{ code: string }>().code).toBe('VERIFIER_MISMATCH');
    expect(node.views.status().joined).toBe(1);
    expect(lines.error).toHaveLength(1);
    // a tampered fingerprint breaks the signature: it is part of what the node signed
    const honest = request(crypto.fingerprint);
    const tampered = await app.inject({
      method: 'POST',
      url: '/peer/join',
      headers: honest.headers,
      payload: { ...honest.payload, verifier_fingerprint: OTHER },
    });
    expect(tampered.json<{ code: string }>().code).toBe('BAD_SIGNATURE');

    const admitted = await app.inject({ method: 'POST', url: '/peer/join', ...request(crypto.fingerprint) });
    expect(admitted.statusCode).toBe(200);
    expect(admitted.json<{ id: number }>().id).toBe(1);
    expect(node.views.status().joined).toBe(2);
  });

  it('of a restarted peer is compared: a different one is logged as an error', async () => {
    const base = await freePortBase(2);
    const { node, lines } = await startNode(base, { bootstrap: true });
    const key = freshKey();
    const { payload, domain } = joinRequest(node, key, base + 1, crypto.fingerprint);
    await node.handleJoin(payload);
    const hello = (fingerprint: string) => {
      const body = { id: 1, address: addressOf(key), host: '127.0.0.1', port: base + 1, verifier_fingerprint: fingerprint };
      return signHello(domain, node.address, { ...body, nonce: node.gate.challenge().nonce }, key);
    };
    const errors = lines.error.length;
    node.formation.handleHello(hello(crypto.fingerprint), addressOf(key));
    expect(lines.error.length).toBe(errors);
    node.formation.handleHello(hello(OTHER), addressOf(key));
    expect(lines.error.length).toBe(errors + 1);
  });

  it('of the bootstrap is checked by a joining node, which refuses to join if it differs', async () => {
    const base = await freePortBase(2);
    let joins = 0;
    let statusAsked = 0;
    const fake: Server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url === '/status') {
          statusAsked++;
          const status = {
            id: 0,
            address: addressOf(freshKey()),
            n: 2,
            capacity: 5,
            height: 0,
            ready: false,
            last_hash: '',
            next_validator: '',
            pool: 0,
            verifier: 'other',
            verifier_fingerprint: OTHER,
            joined: 1,
          };
          return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(status));
        }
        if (req.url === '/peer/join') joins++;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 1, bootstrap: '' }));
      });
    });
    await new Promise<void>((resolve) => fake.listen(base, '127.0.0.1', resolve));
    cleanups.push(() => closeServer(fake));
    const { node } = await startNode(base + 1, { bootstrap: false, bootstrapUrl: `http://127.0.0.1:${base}` });
    const failure = await node.begin().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(NodeError);
    expect((failure as NodeError).code).toBe('VERIFIER_MISMATCH');
    expect(statusAsked).toBeGreaterThan(0);
    expect(joins).toBe(0);
  });
});
