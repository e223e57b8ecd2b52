/**
 * The typed HTTP client of one node's REST API, derived from the route table
 * (src/api/routes.ts): each method names its route, and its answer's type is the route's
 * response schema's. Used by the CLI, the tools (tester, load, network, harness, watcher) and the
 * benchmarks. Errors come back as ApiError with the node's code and reason.
 */
import { randomBytes } from 'node:crypto';
import type { Static, TSchema } from 'typebox';
import { Agent, request, type Dispatcher } from 'undici';
import { API, ROUTES, type RouteSpec } from '../src/api/routes.js';
import { CHALLENGE_HEADER, SESSION_HEADER, signPeerAuth, verifyPeerAuth } from '../src/core/peer-auth.js';
import type {
  AcceptedView,
  AccountView,
  AddressTxView,
  Block,
  ErrorBody,
  InboxEntry,
  NonceView,
  PeerView,
  StatusView,
  SubmitBatchItem,
  SubmitRequest,
  SubmitResponse,
  Transaction,
  TxStatusView,
} from '../src/api/types.js';

/** A transaction's status as the client reports it: the node's answer, or `unknown` for its 404. */
export type TxLookupStatus = TxStatusView | { id: string; status: 'unknown'; block?: undefined; reason?: undefined };

/** What a route answers with 200, as its schema says. */
export type Answer<R extends RouteSpec> = R['schema']['response'][200] extends TSchema ? Static<R['schema']['response'][200]> : never;

/** A request's parts: the path's parameters, the query, the body. */
export interface CallParts {
  readonly params?: Readonly<Record<string, string | number>>;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly body?: unknown;
  /** The body as JSON text already (sent as it is, instead of `body`). */
  readonly json?: string;
  /** Headers of this request (a peer session, a challenge). */
  readonly headers?: Readonly<Record<string, string>>;
  /** This request's timeout, instead of the client's. */
  readonly timeoutMs?: number;
  /** Most bytes of the answer read, instead of the client's (ResponseTooLarge beyond). */
  readonly maxBytes?: number;
}

/** What a client is built with besides its URL, token and timeout. */
export interface ClientOptions {
  /** The connections to use (a node keeps a pool per peer); a shared agent otherwise. */
  readonly dispatcher?: Dispatcher;
  /** Most bytes of an answer read (none by default): a node reading its peers bounds them. */
  readonly maxBytes?: number;
}

/** An answer longer than the caller would read: the connection is dropped, nothing of it is parsed. */
export class ResponseTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the answer is longer than ${limit} bytes`);
  }
}

/** The path of `route` with its parameters filled in and the query appended. */
export function pathOf(route: Pick<RouteSpec, 'url'>, parts: CallParts = {}): string {
  const path = route.url.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = parts.params?.[name];
    if (value === undefined) throw new Error(`${route.url} needs :${name}`);
    return encodeURIComponent(String(value));
  });
  const query = Object.entries(parts.query ?? {}).filter((e): e is [string, string | number] => e[1] !== undefined);
  return query.length === 0 ? path : `${path}?${new URLSearchParams(query.map(([k, v]) => [k, String(v)])).toString()}`;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const sharedAgent = new Agent({ keepAliveTimeout: 10_000, connections: 64, pipelining: 1 });

export class NodeClient {
  constructor(
    readonly baseUrl: string,
    private readonly token?: string,
    private readonly timeoutMs = 10_000,
    private readonly options: ClientOptions = {},
  ) {}

  static forPort(port: number, host = '127.0.0.1', token?: string): NodeClient {
    return new NodeClient(`http://${host}:${port}`, token);
  }

  /** Calls a route of the table; resolves to its answer, or throws ApiError. */
  async call<R extends RouteSpec>(route: R, parts: CallParts = {}): Promise<Answer<R>> {
    const text = await this.send(
      route.method,
      pathOf(route, parts),
      parts.json ?? (parts.body === undefined ? undefined : JSON.stringify(parts.body)),
      parts,
    );
    return (text ? JSON.parse(text) : undefined) as Answer<R>;
  }

  /** Sends one request (`body`: JSON text); resolves to the answer's text, or throws ApiError or ResponseTooLarge. */
  private async send(method: 'GET' | 'POST', path: string, body?: string, parts: CallParts = {}): Promise<string> {
    const headers: Record<string, string> = { ...parts.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const timeoutMs = parts.timeoutMs ?? this.timeoutMs;
    let res;
    try {
      res = await request(this.baseUrl + path, {
        method,
        headers,
        body,
        dispatcher: this.options.dispatcher ?? sharedAgent,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new ApiError(0, 'UNREACHABLE', `cannot reach the node at ${this.baseUrl}: ${reason}`);
    }
    const text = await readBounded(res, parts.maxBytes ?? this.options.maxBytes ?? Infinity);
    if (res.statusCode >= 400) {
      let parsed: Partial<ErrorBody> = {};
      try {
        parsed = JSON.parse(text) as Partial<ErrorBody>;
      } catch {
        // not JSON: keep the raw text as the reason
      }
      throw new ApiError(res.statusCode, parsed.code ?? 'HTTP_' + res.statusCode, parsed.message ?? text);
    }
    return text;
  }

  status(): Promise<StatusView> {
    return this.call(API.status);
  }
  latestBlock(): Promise<Block> {
    return this.call(API.latestBlock);
  }
  blocks(from: number, limit = 100): Promise<Block[]> {
    return this.call(API.blocks, { query: { from, limit } });
  }
  /** One block of the best branch by index or hash; undefined when there is none. */
  block(indexOrHash: number | string): Promise<Block | undefined> {
    return this.orNotFound(this.call(API.block, { params: { indexOrHash } }));
  }
  /** Pending transactions in the node's pool, oldest first (at most MAX_POOL_PAGE). */
  pool(): Promise<Transaction[]> {
    return this.call(API.pool);
  }

  /**
   * A member's session with this node (docs/protocol.md, "Members only"): signs the node's
   * challenge with `key` and checks the node's counter-signature (of `expect.address` when
   * given). Resolves to the headers that carry it on peer requests.
   */
  async peerSession(key: { address: string; secretKey: string }, expect: { address?: string } = {}): Promise<Record<string, string>> {
    const ch = await this.call(API.peerChallenge);
    if (expect.address !== undefined && ch.address !== expect.address) throw new Error(`${this.baseUrl} is not ${expect.address}`);
    const challenge = randomBytes(32).toString('hex');
    const signature = signPeerAuth(ch.domain, ch.address, ch.nonce, key.secretKey, key.address);
    const answer = await this.call(API.peerAuth, {
      body: { address: key.address, nonce: ch.nonce, signature, challenge },
      headers: { [CHALLENGE_HEADER]: ch.nonce },
    });
    if (!verifyPeerAuth(ch.domain, key.address, challenge, ch.address, answer.signature)) {
      throw new Error(`${this.baseUrl} did not sign the challenge for ${ch.address}`);
    }
    return { [SESSION_HEADER]: answer.session };
  }
  accounts(): Promise<AccountView[]> {
    return this.call(API.accounts);
  }
  /** One account by node id or address; undefined when the node knows none. */
  account(idOrAddress: number | string): Promise<AccountView | undefined> {
    return this.orNotFound(this.call(API.account, { params: { idOrAddress } }));
  }
  peers(): Promise<PeerView[]> {
    return this.call(API.peers);
  }
  wallet(): Promise<AccountView> {
    return this.call(API.wallet);
  }
  inbox(limit?: number): Promise<InboxEntry[]> {
    return this.call(API.inbox, { query: { limit } });
  }
  /** Where a transaction is; `unknown` when the node knows nothing of it (it answers 404). */
  async transaction(id: string): Promise<TxLookupStatus> {
    return (await this.orNotFound(this.call(API.transaction, { params: { id } }))) ?? { id, status: 'unknown' };
  }
  submit(req: SubmitRequest): Promise<SubmitResponse> {
    return this.call(API.walletTransactions, { body: req });
  }
  /** Up to 1,000 requests in one call; each item is answered with its transaction or its refusal. */
  submitBatch(reqs: readonly SubmitRequest[]): Promise<SubmitBatchItem[]> {
    return this.call(API.walletTransactionsBatch, { body: reqs });
  }
  /** A transaction signed by its sender (a wallet that is no node's): pending once accepted. */
  submitSigned(tx: Transaction): Promise<AcceptedView> {
    return this.call(API.submitTransaction, { body: tx });
  }
  /** The committed and the next nonce of any address. */
  nonce(address: string): Promise<NonceView> {
    return this.call(API.accountNonce, { params: { idOrAddress: address } });
  }
  /** Committed transactions of any address, newest first; `query` as GET /accounts/:address/transactions takes it. */
  addressTransactions(address: string, query: Record<string, string | number> = {}): Promise<AddressTxView[]> {
    return this.call(API.accountTransactions, { params: { idOrAddress: address }, query });
  }
  metrics(): Promise<string> {
    return this.send('GET', ROUTES.metrics);
  }

  /**
   * Opens GET /events (server-sent events); `lastEventId` resumes after that event. Resolves to
   * the open stream's body, or undefined when the node answers with anything but the stream.
   */
  async events(
    opts: { signal?: AbortSignal; lastEventId?: string; dispatcher?: Dispatcher } = {},
  ): Promise<AsyncIterable<Uint8Array> | undefined> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (opts.lastEventId !== undefined) headers['last-event-id'] = opts.lastEventId;
    const res = await request(this.baseUrl + ROUTES.events, {
      method: 'GET',
      headers,
      dispatcher: opts.dispatcher ?? sharedAgent,
      signal: opts.signal,
      headersTimeout: this.timeoutMs,
      bodyTimeout: 0,
    });
    if (res.statusCode !== 200) {
      await res.body.dump().catch(() => undefined);
      return undefined;
    }
    return res.body as AsyncIterable<Uint8Array>;
  }

  private async orNotFound<T>(answer: Promise<T>): Promise<T | undefined> {
    try {
      return await answer;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404 && err.code === 'NOT_FOUND') return undefined;
      throw err;
    }
  }
}

/**
 * An answer's text, reading at most `maxBytes` (ResponseTooLarge beyond, with the connection
 * dropped: a peer cannot make a node buffer without bound).
 */
async function readBounded(res: Dispatcher.ResponseData, maxBytes: number): Promise<string> {
  if (maxBytes === Infinity) return res.body.text();
  const declared = Number(res.headers['content-length'] ?? 0);
  const chunks: Buffer[] = [];
  let size = declared;
  if (declared <= maxBytes) {
    size = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) break;
      chunks.push(chunk);
    }
  }
  if (size > maxBytes) {
    res.body.on('error', () => undefined); // the abort below is ours
    res.body.destroy();
    throw new ResponseTooLarge(maxBytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The part of NodeClient the CLI's commands use (a fake can stand in for it). */
export type NodeApi = Pick<
  NodeClient,
  'status' | 'wallet' | 'accounts' | 'inbox' | 'latestBlock' | 'blocks' | 'pool' | 'transaction' | 'submit'
>;

/** Closes the shared connection pool so that a one-shot command can exit promptly. */
export function closeClients(): Promise<void> {
  return sharedAgent.close();
}
