/**
 * `node dist/scripts/flooder.js CONFIG.json`: one hostile connection set for the flood test
 * (test/integration/flood.test.ts), in a process of its own so that its work does not stall the
 * test's honest load and sampling. It sends, as fast as its bounded concurrency lets it,
 * everything a node takes from strangers to every node it is given — peer streams (many at once,
 * frames over the size limit, frames that never end, garbage frames, replayed frames), POST
 * /peer/* bodies up to and past the body limit, GET /events subscriptions held without reading,
 * POST /transactions of keys that own nothing — until SIGTERM, then prints one JSON line: the
 * answers it got by kind and status, and the most streams and subscriptions each node let it hold.
 *
 * It never assumes it is let in: a peer stream or a request refused (400, 401, 403, 413, 429,
 * 503…) is counted and tried again, so it serves whether the nodes authenticate their peers or not.
 * CONFIG: `{ ports, stock: { blocks, votes, unpaid } }` (what it replays and sends, taken from the
 * chain by the test).
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { Agent, request } from 'undici';
import type { Block, Transaction } from '../src/core/types.js';
import type { Vote } from '../src/core/vote.js';
import { STREAM_PROTOCOL } from '../src/node/network/peer-stream.js';

/** What the flooders replay and send: taken from the chain before the flood starts. */
export interface FloodStock {
  /** Blocks of the chain (with their transactions and votes), replayed as frames and bodies. */
  blocks: readonly Block[];
  /** Votes carried by those blocks. */
  votes: readonly Vote[];
  /** Transactions signed by keys that own nothing (or cannot pay), ready to send. */
  unpaid: readonly Transaction[];
}

/** Answers by kind of request: `kind → HTTP status (0: no answer, the connection ended) → count`. */
export type Tally = Map<string, Map<number, number>>;

/** Per node port: the most peer streams and event subscriptions it let this flooder hold at once. */
export interface Held {
  streams: number;
  events: number;
  streamsNow: number;
  eventsNow: number;
}

/** Streams each flooder keeps trying to hold per node: four flooders ask a node for more than its 64. */
const STREAMS_PER_NODE = 20;
/** Event subscriptions each flooder keeps trying to hold per node. */
const EVENTS_PER_NODE = 20;
/** Requests each flooder keeps in flight. */
const REQUESTS_IN_FLIGHT = 3;
/** A body a little under the REST limit (4 MiB), and one over it. */
const NEAR_LIMIT_BYTES = 4 * 1024 * 1024 - 64 * 1024;
const OVER_LIMIT_BYTES = 4 * 1024 * 1024 + 64 * 1024;

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Flooder {
  readonly tally: Tally = new Map();
  private running = false;
  private readonly sockets = new Set<Socket>();
  private readonly aborters = new Set<AbortController>();
  private readonly agent = new Agent({ connections: REQUESTS_IN_FLIGHT + 1, pipelining: 1 });
  private loops: Promise<void>[] = [];
  private k = 0;

  readonly held = new Map<number, Held>();

  constructor(
    readonly ports: readonly number[],
    readonly stock: FloodStock,
  ) {
    for (const port of ports) this.held.set(port, { streams: 0, events: 0, streamsNow: 0, eventsNow: 0 });
  }

  count(kind: string, status: number): void {
    const byStatus = this.tally.get(kind) ?? new Map<number, number>();
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    this.tally.set(kind, byStatus);
  }

  start(): void {
    this.running = true;
    this.loops = [
      ...this.ports.flatMap((port) => Array.from({ length: STREAMS_PER_NODE }, (_, s) => this.streamLoop(port, s))),
      ...this.ports.map((port) => this.eventsLoop(port)),
      ...Array.from({ length: REQUESTS_IN_FLIGHT }, () => this.requestLoop()),
    ];
  }

  /** Stops sending and closes every connection it holds. */
  async stop(): Promise<void> {
    this.running = false;
    for (const s of this.sockets) s.destroy();
    for (const a of this.aborters) a.abort();
    await Promise.all(this.loops);
    await this.agent.close();
  }

  private next<T>(items: readonly T[]): T {
    return items[this.k++ % items.length]!;
  }

  // ------------------------------------------------------------------ peer streams

  /** Holds one peer stream to `port` while running, reopening it whenever it is refused or closed. */
  private async streamLoop(port: number, slot: number): Promise<void> {
    const kinds = ['oversized', 'partial', 'garbage', 'replay'] as const;
    for (let round = 0; this.running; round++) {
      const kind = kinds[(slot + round) % kinds.length]!;
      let socket: Socket | number;
      try {
        socket = await openPeerStream(port, kind === 'replay' && round % 2 ? 'block' : 'tx');
      } catch {
        socket = 0;
      }
      if (typeof socket === 'number') {
        this.count('stream:upgrade', socket);
        await pause(200);
        continue;
      }
      this.count('stream:upgrade', 101);
      const h = this.held.get(port)!;
      h.streamsNow++;
      h.streams = Math.max(h.streams, h.streamsNow);
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      try {
        await this.feed(socket, kind, closed);
      } finally {
        socket.destroy();
        await closed;
        this.sockets.delete(socket);
        h.streamsNow--;
      }
    }
  }

  /** Writes `bytes` to the socket in 64 KiB chunks, waiting for it to drain, every `everyMs`; stops when it closes. */
  private async trickle(socket: Socket, closed: Promise<void>, text: string, everyMs: number): Promise<void> {
    const chunk = 64 * 1024;
    for (let at = 0; at < text.length && this.running && !socket.destroyed; at += chunk) {
      if (!socket.write(text.slice(at, at + chunk))) await Promise.race([new Promise((r) => socket.once('drain', r)), closed]);
      if (everyMs > 0) await Promise.race([pause(everyMs), closed]);
    }
  }

  private async feed(socket: Socket, kind: 'oversized' | 'partial' | 'garbage' | 'replay', closed: Promise<void>): Promise<void> {
    switch (kind) {
      case 'oversized':
        // one transaction frame longer than 1 MiB: the node ends the connection
        await this.trickle(socket, closed, 'T[' + ' '.repeat(3 * 1024 * 1024), 0);
        break;
      case 'partial':
        // a frame just under the limit, a chunk at a time, never finished: the frame timeout ends it
        await this.trickle(socket, closed, 'T[' + ' '.repeat(1024 * 1024 - 64 * 1024), 1_000);
        await Promise.race([closed, this.whileRunning()]);
        break;
      case 'garbage':
        for (let i = 0; i < 50 && this.running && !socket.destroyed; i++) {
          const frames = Array.from({ length: 200 }, (_, j) => (j % 3 === 0 ? 'Tnot json\n' : j % 3 === 1 ? 'T[{"x":1}]\n' : 'B{}\n'));
          if (!socket.write(frames.join(''))) await Promise.race([new Promise((r) => socket.once('drain', r)), closed]);
          await Promise.race([pause(100), closed]);
        }
        break;
      case 'replay': {
        // old transactions, blocks and votes, as frames
        const { blocks, votes } = this.stock;
        for (let i = 0; i < 50 && this.running && !socket.destroyed; i++) {
          const block = this.next(blocks);
          const frames = [
            `T${JSON.stringify(block.transactions.length > 0 ? block.transactions : this.stock.unpaid.slice(0, 10))}\n`,
            `B${JSON.stringify(block)}\n`,
            ...(votes.length > 0 ? [`V${JSON.stringify({ votes: [this.next(votes)], evidence: [] })}\n`] : []),
          ];
          if (!socket.write(frames.join(''))) await Promise.race([new Promise((r) => socket.once('drain', r)), closed]);
          await Promise.race([pause(50), closed]);
        }
        break;
      }
    }
  }

  /** Resolves once stop() was called (polled: the loops check `running` anyway). */
  private async whileRunning(): Promise<void> {
    while (this.running) await pause(250);
  }

  // ------------------------------------------------------------------ event subscriptions

  /** Keeps trying to hold EVENTS_PER_NODE subscriptions to `port`'s GET /events, reading none of them. */
  private async eventsLoop(port: number): Promise<void> {
    const mine = new Set<AbortController>();
    while (this.running) {
      if (mine.size >= EVENTS_PER_NODE) {
        // drop one now and then, so that places freed by others are contended for again
        const first = mine.values().next().value!;
        first.abort();
        mine.delete(first);
        this.aborters.delete(first);
        this.held.get(port)!.eventsNow--;
        await pause(500);
        continue;
      }
      const aborter = new AbortController();
      try {
        const res = await request(`http://127.0.0.1:${port}/events`, { signal: aborter.signal, bodyTimeout: 0, headersTimeout: 10_000 });
        this.count('events', res.statusCode);
        if (res.statusCode === 200) {
          res.body.on('error', () => undefined);
          res.body.pause(); // never read: the node's backlog bound is what holds
          mine.add(aborter);
          this.aborters.add(aborter);
          const h = this.held.get(port)!;
          h.eventsNow++;
          h.events = Math.max(h.events, h.eventsNow);
          res.body.once('close', () => {
            if (!mine.delete(aborter)) return;
            this.aborters.delete(aborter);
            h.eventsNow--;
          });
        } else {
          await res.body.dump();
          await pause(200);
        }
      } catch {
        this.count('events', 0);
        await pause(200);
      }
    }
    for (const a of mine) a.abort();
  }

  // ------------------------------------------------------------------ requests

  private async post(kind: string, port: number, path: string, body: string): Promise<void> {
    try {
      const res = await request(`http://127.0.0.1:${port}${path}`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
        dispatcher: this.agent,
        headersTimeout: 20_000,
        bodyTimeout: 20_000,
      });
      await res.body.dump();
      this.count(kind, res.statusCode);
    } catch {
      this.count(kind, 0); // e.g. the node closed the connection on a body over the limit
    }
  }

  /** One request after the other, each to the next node, of the next kind. */
  private async requestLoop(): Promise<void> {
    const { blocks, votes, unpaid } = this.stock;
    // built once: a near-limit array of transactions that fail the schema, and a body over the limit
    const junk = JSON.stringify({ sender: 'x'.repeat(60), amount: -1 });
    const nearLimit = '[' + Array.from({ length: Math.floor(NEAR_LIMIT_BYTES / (junk.length + 1)) }, () => junk).join(',') + ']';
    const overLimit = '[' + ' '.repeat(OVER_LIMIT_BYTES) + ']';
    const sends: Array<(port: number) => Promise<void>> = [
      (port) => this.post('peer:transactions:near-limit', port, '/peer/transactions', nearLimit),
      (port) => this.post('peer:transactions:over-limit', port, '/peer/transactions', overLimit),
      (port) => this.post('peer:transactions:unpaid', port, '/peer/transactions', JSON.stringify(unpaid.slice(0, 1000))),
      (port) => this.post('peer:transactions:replay', port, '/peer/transactions', JSON.stringify(this.next(blocks).transactions)),
      (port) => this.post('peer:blocks:replay', port, '/peer/blocks', JSON.stringify(this.next(blocks))),
      (port) => this.post('peer:blocks:garbage', port, '/peer/blocks', JSON.stringify({ ...this.next(blocks), index: 1e9 })),
      (port) => this.post('peer:votes:replay', port, '/peer/votes', JSON.stringify({ votes: votes.slice(0, 256), evidence: [] })),
      (port) => this.post('peer:hello:forged', port, '/peer/hello', JSON.stringify({ id: 1, address: '02' + '1'.repeat(64) })),
      (port) => this.post('transactions:unpaid', port, '/transactions', JSON.stringify(this.next(unpaid))),
    ];
    // its own counter: the sends draw their stock from `next`, whose counter would skip some kinds
    for (let i = 0; this.running; i++) await sends[i % sends.length]!(this.ports[i % this.ports.length]!);
  }
}

/** Opens a peer stream to the node at `port`: the socket, or the status of a refusal (0: no answer). */
function openPeerStream(port: number, kind: string): Promise<Socket | number> {
  return new Promise((resolve) => {
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      path: `/peer/stream?kind=${kind}`,
      headers: { connection: 'Upgrade', upgrade: STREAM_PROTOCOL },
      timeout: 10_000,
    });
    req.on('upgrade', (_res, socket: Socket) => resolve(socket));
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

/** What a flooder prints when it stops. */
export interface FloodReport {
  tally: Record<string, Record<string, number>>;
  held: Record<string, Held>;
}

async function main(): Promise<void> {
  const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as { ports: number[]; stock: FloodStock };
  const flooder = new Flooder(config.ports, config.stock);
  flooder.start();
  await new Promise((resolve) => process.once('SIGTERM', resolve));
  await flooder.stop();
  const report: FloodReport = {
    tally: Object.fromEntries([...flooder.tally].map(([k, v]) => [k, Object.fromEntries(v)])),
    held: Object.fromEntries(flooder.held),
  };
  process.stdout.write(JSON.stringify(report) + '\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
