/** Answers read from peers are bounded (client/api.ts, the one HTTP client, as src/node/network/peers.ts builds it): a peer cannot make a node buffer without bound. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeClient, ResponseTooLarge } from '../../client/api.js';
import { peerClient } from '../../src/node/network/peers.js';

let server: Server;
let pool: Pool;
let client: NodeClient;
/** GET `path` of the test server, reading at most `maxBytes` of the answer. */
const get = (path: string, maxBytes: number) =>
  client.call({ method: 'GET', url: path, summary: '', tags: [], schema: { response: {} } }, { maxBytes });
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
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  pool = new Pool(url);
  client = peerClient(url, pool);
});

afterAll(async () => {
  await pool.close();
  await new Promise((resolve) => server.close(resolve));
});

describe("a peer's answers", () => {
  it.each(['/declared', '/chunked'])('reads an answer within its limit (%s)', async (path) => {
    const answer = (await get(path, 4_000)) as { pad: string };
    expect(answer.pad).toHaveLength(2_000);
  });

  it.each(['/declared', '/chunked'])('refuses an answer over its limit (%s) with ResponseTooLarge, parsing none of it', async (path) => {
    await expect(get(path, 1_000)).rejects.toBeInstanceOf(ResponseTooLarge);
    // the pool still serves the next request
    expect(((await get(path, 4_000)) as { pad: string }).pad).toHaveLength(2_000);
  });
});
