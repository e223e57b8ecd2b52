/** Answers read from peers are bounded (src/node/network/peers.ts, requestJson): a peer cannot make a node buffer without bound. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResponseTooLarge, requestJson } from '../../src/node/network/peers.js';

let server: Server;
let pool: Pool;
const body = JSON.stringify({ pad: 'x'.repeat(2_000) });

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/declared') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    // chunked: no length announced, the body streams in pieces
    res.writeHead(200, { 'content-type': 'application/json' });
    for (let i = 0; i < body.length; i += 100) res.write(body.slice(i, i + 100));
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});

afterAll(async () => {
  await pool.close();
  await new Promise((resolve) => server.close(resolve));
});

describe('requestJson', () => {
  it.each(['/declared', '/chunked'])('reads an answer within its limit (%s)', async (path) => {
    const answer = await requestJson<{ pad: string }>(pool, 'GET', path, undefined, 5_000, 4_000);
    expect(answer.pad).toHaveLength(2_000);
  });

  it.each(['/declared', '/chunked'])('refuses an answer over its limit (%s) with ResponseTooLarge, parsing none of it', async (path) => {
    await expect(requestJson(pool, 'GET', path, undefined, 5_000, 1_000)).rejects.toBeInstanceOf(ResponseTooLarge);
    // the pool still serves the next request
    expect((await requestJson<{ pad: string }>(pool, 'GET', path, undefined, 5_000, 4_000)).pad).toHaveLength(2_000);
  });
});
