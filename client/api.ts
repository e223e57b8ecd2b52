/**
 * A typed HTTP client of one node's REST API, shared by the CLI, the tester and the load
 * generator. Errors come back as ApiError with the node's code and reason.
 */
import { Agent, request } from 'undici';
import { ROUTES } from '../src/api/routes.js';
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
  ) {}

  static forPort(port: number, host = '127.0.0.1', token?: string): NodeClient {
    return new NodeClient(`http://${host}:${port}`, token);
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let res;
    try {
      res = await request(this.baseUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        dispatcher: sharedAgent,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new ApiError(0, 'UNREACHABLE', `cannot reach the node at ${this.baseUrl}: ${reason}`);
    }
    const text = await res.body.text();
    if (res.statusCode >= 400) {
      let parsed: Partial<ErrorBody> = {};
      try {
        parsed = JSON.parse(text) as Partial<ErrorBody>;
      } catch {
        // not JSON: keep the raw text as the reason
      }
      throw new ApiError(res.statusCode, parsed.code ?? 'HTTP_' + res.statusCode, parsed.message ?? text);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  status(): Promise<StatusView> {
    return this.call('GET', ROUTES.status);
  }
  latestBlock(): Promise<Block> {
    return this.call('GET', ROUTES.latestBlock);
  }
  blocks(from: number, limit = 100): Promise<Block[]> {
    return this.call('GET', `${ROUTES.blocks}?from=${from}&limit=${limit}`);
  }
  /** Pending transactions in the node's pool, oldest first (at most MAX_POOL_PAGE). */
  pool(): Promise<Transaction[]> {
    return this.call('GET', ROUTES.peerPool);
  }
  accounts(): Promise<AccountView[]> {
    return this.call('GET', ROUTES.accounts);
  }
  peers(): Promise<PeerView[]> {
    return this.call('GET', ROUTES.peers);
  }
  wallet(): Promise<AccountView> {
    return this.call('GET', ROUTES.wallet);
  }
  inbox(): Promise<InboxEntry[]> {
    return this.call('GET', ROUTES.inbox);
  }
  transaction(id: string): Promise<TxStatusView> {
    return this.call('GET', ROUTES.transaction.replace(':id', id));
  }
  submit(req: SubmitRequest): Promise<SubmitResponse> {
    return this.call('POST', ROUTES.walletTransactions, req);
  }
  /** Up to 1,000 requests in one call; each item is answered with its transaction or its refusal. */
  submitBatch(reqs: readonly SubmitRequest[]): Promise<SubmitBatchItem[]> {
    return this.call('POST', ROUTES.walletTransactionsBatch, reqs);
  }
  /** A transaction signed by its sender (a wallet that is no node's): pending once accepted. */
  submitSigned(tx: Transaction): Promise<AcceptedView> {
    return this.call('POST', ROUTES.transactions, tx);
  }
  /** The committed and the next nonce of any address. */
  nonce(address: string): Promise<NonceView> {
    return this.call('GET', ROUTES.accountNonce.replace(':address', address));
  }
  /** Committed transactions of any address, newest first; `query` as GET /accounts/:address/transactions takes it. */
  addressTransactions(address: string, query: Record<string, string | number> = {}): Promise<AddressTxView[]> {
    const q = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
    return this.call('GET', ROUTES.accountTransactions.replace(':address', address) + (q ? `?${q}` : ''));
  }
  metrics(): Promise<string> {
    return request(this.baseUrl + ROUTES.metrics, { dispatcher: sharedAgent }).then((r) => r.body.text());
  }
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
