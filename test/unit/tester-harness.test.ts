/**
 * The tester's run loop against fake nodes on loopback (no real network): one shared chain that
 * mints a block every few ms, SSE on some nodes (one without tx ids, one without a stream at all,
 * so the REST catch-up is exercised), 422 rejections, the final JSON metrics, and nodes that
 * switch to a rival of their tip block (a reorg, as after a validator failover).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWorkload } from '../../src/tools/harness.js';
import { loadPlans } from '../../src/tools/load.js';
import { replayPlan } from '../../src/tools/tester.js';
import { parseReplayText } from '../../src/tools/replay-input.js';
import type { Block, Transaction } from '../../src/api/types.js';

interface FakeNet {
  ports: number[];
  dataDirs: string[];
  close(): Promise<void>;
}

async function listenOnConsecutivePorts(
  count: number,
  handler: (i: number) => (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ servers: Server[]; base: number }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 30_000 + Math.floor(Math.random() * 30_000);
    const servers: Server[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const srv = createServer(handler(i));
        await new Promise<void>((resolve, reject) => {
          srv.once('error', reject);
          srv.listen(base + i, '127.0.0.1', () => resolve());
        });
        servers.push(srv);
      }
      return { servers, base };
    } catch {
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    }
  }
  throw new Error('no free ports');
}

async function fakeNetwork(
  n: number,
  capacity: number,
  opts: { streamless?: number; noTxIds?: number; neverCommit?: string; reorgEvery?: number } = {},
): Promise<FakeNet> {
  const addr = (i: number) => `addr${i}`;
  const genesis: Block = {
    index: 0,
    timestamp: Date.now(),
    transactions: [],
    validator: '0',
    previous_hash: '1',
    current_hash: 'h0',
    signature: '',
  };
  const chain: Block[] = [genesis];
  const pool: Transaction[] = [];
  const nonces = new Array<number>(n).fill(0);
  const streams: Array<Set<ServerResponse>> = Array.from({ length: n }, () => new Set());
  const tokenRoot = mkdtempSync(join(tmpdir(), 'fake-tokens-'));
  const dataDirs = Array.from({ length: n }, (_, i) => {
    const d = join(tokenRoot, `node-${i}`);
    mkdirSync(d);
    writeFileSync(join(d, 'token'), `tok${i}\n`);
    return d;
  });
  let seq = 0;
  let mints = 0;
  // Node i's stream says what happened on it in the order it happened, as a real node's does
  // (src/node/http/event-stream.ts), each event `delayMs` after it happened or right after the one
  // before it, whichever is later: a timer of its own per event could fire after a later one when
  // the process is descheduled, e.g. `reorg` before the block it reverts.
  const outbox: Array<Promise<void>> = streams.map(() => Promise.resolve());
  const send = (i: number, text: string, delayMs: number) => {
    const due = Date.now() + delayMs;
    outbox[i] = outbox[i]!.then(
      () =>
        new Promise<void>((resolve) =>
          setTimeout(() => {
            for (const res of streams[i]!) res.write(text);
            resolve();
          }, due - Date.now()),
        ),
    );
  };
  const announce = (b: Block, delayMs: (i: number) => number) => {
    streams.forEach((_, i) => {
      const ev: Record<string, unknown> = {
        index: b.index,
        hash: b.current_hash,
        validator: b.validator,
        validator_id: (b.index - 1) % n,
        transactions: b.transactions.length,
        timestamp: b.timestamp,
      };
      if (i !== opts.noTxIds) ev.tx_ids = b.transactions.map((t) => t.id);
      send(i, `event: block\ndata: ${JSON.stringify(ev)}\n\n`, delayMs(i));
    });
  };
  const mint = setInterval(() => {
    const last = chain[chain.length - 1]!;
    // Only while transactions are pending, so that the run cannot have ended before the switch.
    if (opts.reorgEvery && ++mints % opts.reorgEvery === 0 && last.transactions.length > 1 && pool.length > 0) {
      // Every node switches to a rival of its tip holding only its first transaction; the others
      // are pending again and commit in a later block.
      const rival: Block = { ...last, transactions: last.transactions.slice(0, 1), current_hash: `${last.current_hash}-rival` };
      chain[chain.length - 1] = rival;
      pool.unshift(...last.transactions.slice(1));
      const reorg = {
        fork_index: rival.index - 1,
        reverted: [last.current_hash],
        returned_tx_ids: last.transactions.slice(1).map((t) => t.id),
      };
      streams.forEach((_, i) => send(i, `event: reorg\ndata: ${JSON.stringify(reorg)}\n\n`, 0));
      announce(rival, () => 0);
      return;
    }
    const ready = pool.filter((t) => t.message !== opts.neverCommit);
    if (ready.length === 0) return;
    const txs = ready.slice(0, capacity);
    for (const t of txs) pool.splice(pool.indexOf(t), 1);
    const prev = chain[chain.length - 1]!;
    const b: Block = {
      index: prev.index + 1,
      timestamp: Date.now(),
      transactions: txs,
      validator: addr(prev.index % n),
      previous_hash: prev.current_hash,
      current_hash: `h${prev.index + 1}`,
      signature: 's',
    };
    chain.push(b);
    announce(b, (i) => i * 3);
  }, 15);

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const { servers, base } = await listenOnConsecutivePorts(n, (i) => (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET' && url.pathname === '/status') {
      const tip = chain[chain.length - 1]!;
      return json(res, 200, {
        id: i,
        address: addr(i),
        n,
        capacity,
        height: tip.index,
        ready: true,
        last_hash: tip.current_hash,
        next_validator: '',
        pool: pool.length,
        verifier: 'fake',
      });
    }
    if (req.method === 'GET' && url.pathname === '/blocks/latest') return json(res, 200, chain[chain.length - 1]);
    if (req.method === 'GET' && url.pathname === '/blocks') {
      const from = Number(url.searchParams.get('from'));
      const limit = Number(url.searchParams.get('limit'));
      return json(res, 200, chain.slice(from, from + limit));
    }
    if (req.method === 'GET' && url.pathname === '/accounts') {
      return json(
        res,
        200,
        Array.from({ length: n }, (_, k) => ({ id: k, address: addr(k), balance: 0, stake: 1000, nonce: nonces[k] })),
      );
    }
    if (req.method === 'GET' && url.pathname === '/events') {
      if (i === opts.streamless) return json(res, 404, { code: 'NOT_FOUND', message: 'no stream' });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('retry: 1000\n\n');
      streams[i]!.add(res);
      req.on('close', () => streams[i]!.delete(res));
      return;
    }
    if (req.method === 'GET' && url.pathname.startsWith('/transactions/')) {
      const id = url.pathname.slice('/transactions/'.length);
      const inPool = pool.some((t) => t.id === id);
      const block = chain.find((b) => b.transactions.some((t) => t.id === id));
      return json(res, 200, block ? { id, status: 'committed', block: block.index } : { id, status: inPool ? 'pending' : 'unknown' });
    }
    if (req.method === 'POST' && url.pathname === '/wallet/transactions') {
      if (req.headers.authorization !== `Bearer tok${i}`) return json(res, 401, { code: 'UNAUTHORIZED', message: 'token' });
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        const r = JSON.parse(body) as { type: string; to: number; amount?: number; message?: string };
        if (r.message === 'poor') return json(res, 422, { code: 'INSUFFICIENT_FUNDS', message: 'not enough' });
        const nonce = nonces[i]!;
        nonces[i] = nonce + 1;
        const tx: Transaction = {
          sender: addr(i),
          receiver: addr(r.to),
          type: r.type as Transaction['type'],
          amount: r.amount ?? 0,
          message: r.message ?? '',
          nonce,
          id: `tx-${i}-${nonce}-${seq++}`,
          signature: 's',
        };
        pool.push(tx);
        json(res, 200, { id: tx.id, nonce });
      });
      return;
    }
    json(res, 404, { code: 'NOT_FOUND', message: req.url ?? '' });
  });

  return {
    ports: servers.map((_, i) => base + i),
    dataDirs,
    async close() {
      clearInterval(mint);
      for (const set of streams) for (const res of set) res.end();
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((r) => {
              s.closeAllConnections();
              s.close(() => r());
            }),
        ),
      );
    },
  };
}

describe('the tester run loop (fake nodes)', () => {
  let net: FakeNet;
  beforeAll(async () => {
    net = await fakeNetwork(4, 5, { streamless: 2, noTxIds: 3 });
  });
  afterAll(async () => {
    await net.close();
  });

  it('replays, waits until every transaction is on every node, and measures', async () => {
    const files = [0, 1, 2, 3].map((i) =>
      parseReplayText(
        Array.from({ length: 20 }, (_, k) => `id${(i + 1 + (k % 3)) % 4} ${k === 7 ? 'poor' : `msg ${k}`}`).join('\r\n'),
        `trans${i}.txt`,
        { n: 4, self: i },
      ),
    );
    const r = await runWorkload({
      host: '127.0.0.1',
      basePort: net.ports[0]!,
      n: 4,
      plans: files.map(replayPlan),
      window: 4,
      dataDirs: net.dataDirs,
      idleTimeoutMs: 5_000,
    });
    expect(r.summary.submitted).toBe(80);
    expect(r.summary.rejected).toEqual({ INSUFFICIENT_FUNDS: 4 });
    expect(r.summary.committed).toBe(76);
    expect(r.completed).toBe(true);
    expect(r.summary.nodes_agree).toBe(true);
    expect(r.summary.blocks).toBe(r.blocks.length);
    const sizes = Object.entries(r.summary.block_sizes).reduce((a, [size, count]) => a + Number(size) * count, 0);
    expect(sizes).toBe(76);
    expect(r.summary.throughput_tps).toBeGreaterThan(0);
    expect(r.summary.latency_ms.p99).toBeGreaterThanOrEqual(r.summary.latency_ms.p50);
    expect(r.summary.block_time_s).toBeGreaterThan(0);
  });

  it('runs a load with a bounded backlog', async () => {
    const r = await runWorkload({
      host: '127.0.0.1',
      basePort: net.ports[0]!,
      n: 4,
      plans: loadPlans(4, 400),
      window: 8,
      maxOutstanding: 10,
      dataDirs: net.dataDirs,
      idleTimeoutMs: 5_000,
    });
    expect(r.summary.submitted).toBe(400);
    expect(r.summary.committed).toBe(400);
    expect(r.summary.rejected).toEqual({});
    expect(r.completed).toBe(true);
  });
});

describe('nodes that switch to a rival of their tip (reorgs)', () => {
  it('count a transaction committed only once the branch every node ends on holds it', async () => {
    const net = await fakeNetwork(4, 5, { streamless: 2, noTxIds: 3, reorgEvery: 3 });
    try {
      const r = await runWorkload({
        host: '127.0.0.1',
        basePort: net.ports[0]!,
        n: 4,
        plans: loadPlans(4, 200),
        window: 8,
        dataDirs: net.dataDirs,
        idleTimeoutMs: 5_000,
      });
      expect(r.summary.committed).toBe(200);
      expect(r.completed).toBe(true);
      expect(r.summary.nodes_agree).toBe(true);
      // the run's blocks are those of the final branch: their sizes add up to the transactions
      expect(r.blocks.some((b) => b.hash.endsWith('-rival'))).toBe(true);
      const sizes = Object.entries(r.summary.block_sizes).reduce((a, [size, count]) => a + Number(size) * count, 0);
      expect(sizes).toBe(200);
    } finally {
      await net.close();
    }
  });
});

describe('a transaction that never commits', () => {
  it('is counted as TIMEOUT after the idle timeout', async () => {
    const net = await fakeNetwork(2, 5, { neverCommit: 'stuck' });
    try {
      const r = await runWorkload({
        host: '127.0.0.1',
        basePort: net.ports[0]!,
        n: 2,
        plans: [
          [
            { type: 'message', to: 1, message: 'fine' },
            { type: 'message', to: 1, message: 'stuck' },
          ],
          [{ type: 'message', to: 0, message: 'fine too' }],
        ],
        window: 2,
        dataDirs: net.dataDirs,
        idleTimeoutMs: 1_000,
      });
      expect(r.summary.committed).toBe(2);
      expect(r.summary.rejected).toEqual({ TIMEOUT: 1 });
      expect(r.completed).toBe(false);
    } finally {
      await net.close();
    }
  });
});
