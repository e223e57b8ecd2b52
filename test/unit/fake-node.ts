/**
 * A fake node for the CLI's and the chain watcher's tests: a node:http server that answers the
 * REST contract (SPEC part C) from a state the tests set — wallet, accounts, chain, pool, inbox,
 * finalised height — checks the bearer token, records what the CLI posts, and holds GET /events
 * streams open for the events a test sends.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_BLOCKS_PER_PAGE } from '../../src/api/routes.js';
import type { AccountView, Block, InboxEntry, SubmitRequest, Transaction, TxType } from '../../src/api/types.js';
import { addressOf } from '../../src/core/crypto.js';
import { coinFee, messageCost } from '../../src/core/fees.js';

export const TOKEN = 'secret-token-for-tests';
const key = (k: number): string => k.toString(16).padStart(64, '0');
const ADDR = [1, 2, 3, 4].map((k) => addressOf(key(k)));
/** The address of fake node i (0 is the node the CLI talks to). */
export const addr = (i: number): string => ADDR[i] ?? '';

/** The fake node's answers; tests change them. */
export interface FakeState {
  wallet: AccountView;
  accounts: AccountView[];
  /** The chain, oldest first; its last block is the latest. */
  chain: Block[];
  pool: Transaction[];
  /** Own transactions the node dropped, by id, with the reason. */
  dropped: Record<string, string>;
  inbox: InboxEntry[];
  posts: { auth: string | undefined; body: SubmitRequest }[];
  /** The finalised checkpoint: blocks at or below it are final. */
  finalHeight: number;
}

/** A transaction with the given fields (its id is given: the CLI never checks ids or signatures). */
export function tx(
  sender: string,
  receiver: string,
  type: TxType,
  amount: number,
  message = '',
  id = 'ab'.repeat(32),
  nonce = 0,
): Transaction {
  return { sender, receiver, type, amount, message, nonce, id, signature: 'cd'.repeat(64) };
}

export function block(index: number, transactions: Transaction[], validator = addr(3)): Block {
  return {
    index,
    timestamp: Date.UTC(2025, 0, 2, 3, 4, 5),
    transactions,
    validator,
    previous_hash: '11'.repeat(32),
    current_hash: '9f8e7d6c5b4a3928'.repeat(4),
    signature: 'ef'.repeat(64),
  };
}

export function initialState(): FakeState {
  const accounts: AccountView[] = ADDR.map((address, id) => ({ id, address, balance: 100_000, stake: 1000, nonce: 0 }));
  accounts[0] = { id: 0, address: addr(0), balance: 50_000, stake: 1000, nonce: 7 };
  return {
    wallet: accounts[0],
    accounts,
    chain: [
      block(42, [tx(addr(0), addr(3), 'coins', 950), tx(addr(1), addr(2), 'message', 0, 'hello world'), tx(addr(2), '0', 'stake', 2000)]),
    ],
    pool: [],
    dropped: {},
    inbox: [
      { id: 'aa'.repeat(32), from: addr(1), from_id: 1, message: 'newest ünïcode ✓', block: 40, position: 0, timestamp: 2 },
      { id: 'bb'.repeat(32), from: addr(3), from_id: 3, message: 'older one', block: 12, position: 3, timestamp: 1 },
    ],
    posts: [],
    finalHeight: 0,
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export function fail(res: ServerResponse, status: number, code: string, message: string): void {
  const error = status === 401 ? 'Unauthorized' : status === 400 ? 'Bad Request' : status === 404 ? 'Not Found' : 'Unprocessable Entity';
  send(res, status, { statusCode: status, error, code, message });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Resolves `to` as the real node would: a node id (3, "3", "id3") or an address. */
function resolveTo(to: unknown): string | undefined {
  if (typeof to === 'number') return addr(to) || undefined;
  if (typeof to === 'string') {
    const m = /^(?:id)?(\d+)$/.exec(to);
    if (m) return addr(Number(m[1])) || undefined;
    return ADDR.includes(to) ? to : undefined;
  }
  return undefined;
}

export class FakeNode {
  state = initialState();
  /** GET requests answered, by path without the query (to check what the CLI read). */
  readonly gets: string[] = [];
  /** The open GET /events streams. */
  readonly streams = new Set<ServerResponse>();
  private server?: Server;
  port = 0;

  reset(): void {
    this.state = initialState();
    this.gets.length = 0;
  }

  latest(): Block {
    const last = this.state.chain[this.state.chain.length - 1];
    if (!last) throw new Error('the fake chain is empty');
    return last;
  }

  async start(): Promise<number> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => fail(res, 500, 'INTERNAL', String(err)));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  async stop(): Promise<void> {
    for (const res of this.streams) res.end();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** Sends `event` with `data` (as JSON) on every open event stream. */
  event(event: string, data: unknown): void {
    for (const res of this.streams) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    const state = this.state;
    if (req.method === 'GET') {
      this.gets.push(path);
      if (path === '/status') {
        return send(res, 200, {
          id: state.wallet.id,
          address: state.wallet.address,
          n: 4,
          capacity: 5,
          height: this.latest().index,
          ready: true,
          last_hash: this.latest().current_hash,
          next_validator: addr(1),
          pool: state.pool.length,
          verifier: 'noble',
          joined: 4,
          version: '0.0.0-test',
          final_height: state.finalHeight,
        });
      }
      if (path === '/events') {
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
        res.write('retry: 1000\n\n');
        this.streams.add(res);
        req.on('close', () => this.streams.delete(res));
        return;
      }
      if (path === '/accounts') return send(res, 200, state.accounts);
      if (path === '/wallet') return send(res, 200, state.wallet);
      if (path === '/wallet/inbox') return send(res, 200, state.inbox);
      if (path === '/blocks/latest') return send(res, 200, this.latest());
      if (path === '/pool') return send(res, 200, state.pool);
      if (path === '/blocks') {
        const from = Number(url.searchParams.get('from') ?? 0);
        const limit = Number(url.searchParams.get('limit') ?? 100);
        if (!(limit >= 1 && limit <= MAX_BLOCKS_PER_PAGE))
          return fail(res, 400, 'BAD_REQUEST', `limit must be 1 to ${MAX_BLOCKS_PER_PAGE}`);
        return send(
          res,
          200,
          state.chain.filter((b) => b.index >= from && b.index < from + limit),
        );
      }
      const txPath = /^\/transactions\/([0-9a-f]{64})$/.exec(path);
      if (txPath) {
        const id = txPath[1]!;
        if (state.pool.some((t) => t.id === id)) return send(res, 200, { id, status: 'pending' });
        const holder = state.chain.find((b) => b.transactions.some((t) => t.id === id));
        if (holder) return send(res, 200, { id, status: holder.index <= state.finalHeight ? 'final' : 'committed', block: holder.index });
        const reason = state.dropped[id];
        if (reason) return send(res, 200, { id, status: 'dropped', reason });
        return fail(res, 404, 'NOT_FOUND', `this node knows no transaction ${id}`);
      }
      return fail(res, 404, 'NOT_FOUND', `no route ${path}`);
    }
    if (req.method === 'POST' && path === '/wallet/transactions') {
      const auth = req.headers.authorization;
      if (auth !== `Bearer ${TOKEN}`) return fail(res, 401, 'UNAUTHORIZED', 'a valid bearer token is required');
      const body = JSON.parse(await readBody(req)) as SubmitRequest;
      state.posts.push({ auth, body });
      const w = state.wallet;
      let cost: number;
      if (body.type === 'coins' || body.type === 'message') {
        const to = resolveTo(body.to);
        if (!to) return fail(res, 422, 'UNKNOWN_RECIPIENT', `no node or address ${String(body.to)}`);
        if (to === w.address) return fail(res, 422, 'SELF_TRANSFER', 'sender and receiver must differ');
        cost = body.type === 'coins' ? (body.amount ?? 0) + coinFee(body.amount ?? 0) : messageCost(body.message ?? '');
      } else {
        cost = (body.amount ?? 0) - w.stake;
      }
      if (cost > w.balance) {
        return fail(
          res,
          422,
          'INSUFFICIENT_FUNDS',
          `insufficient funds: the transaction costs ${cost} units and the available balance is ${w.balance}`,
        );
      }
      return send(res, 200, { id: '0123456789abcdef'.repeat(4), nonce: w.nonce });
    }
    return fail(res, 404, 'NOT_FOUND', `no route ${path}`);
  }
}
