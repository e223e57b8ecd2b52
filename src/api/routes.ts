/**
 * Every HTTP route, declared once: its method, path, schemas and answers. The server registers
 * these (src/node/http/), the typed client (client/api.ts) calls them, the OpenAPI document
 * (GET /openapi.json) is generated from them, and the peer stream checks its frames with the
 * schemas of the peer routes.
 */
import { Type, type TSchema } from 'typebox';
import * as S from './schemas.js';

export {
  BODY_LIMIT,
  MAX_ADDRESS_TXS,
  MAX_BLOCKS_PER_PAGE,
  MAX_INBOX_PAGE,
  MAX_POOL_PAGE,
  MAX_PREFIX_MATCHES,
  MAX_TX_BATCH,
} from './limits.js';

/** The paths, by name. */
export const ROUTES = {
  // public, read-only
  status: '/status',
  latestBlock: '/blocks/latest',
  blocks: '/blocks',
  block: '/blocks/:indexOrHash',
  accounts: '/accounts',
  account: '/accounts/:idOrAddress',
  peers: '/peers',
  transaction: '/transactions/:id',
  /** GET: transactions by id prefix; POST: a transaction signed by its sender. */
  transactions: '/transactions',
  accountTransactions: '/accounts/:idOrAddress/transactions',
  accountNonce: '/accounts/:idOrAddress/nonce',
  metrics: '/metrics',
  healthz: '/healthz',
  readyz: '/readyz',
  events: '/events',
  openapi: '/openapi.json',
  explorer: '/',
  // the node's own wallet
  wallet: '/wallet',
  walletTransactions: '/wallet/transactions',
  walletTransactionsBatch: '/wallet/transactions/batch',
  inbox: '/wallet/inbox',
  /** Pending transactions, oldest first (the page GET /peer/pool serves members). */
  pool: '/pool',
  // between nodes: members only (a session), signed data only
  peerChallenge: '/peer/challenge',
  peerAuth: '/peer/auth',
  peerJoin: '/peer/join',
  peerNetwork: '/peer/network',
  peerHello: '/peer/hello',
  peerTransactions: '/peer/transactions',
  peerBlocks: '/peer/blocks',
  /** Finality votes and evidence (protocol version 2). */
  peerVotes: '/peer/votes',
  peerPool: '/peer/pool',
  /** An HTTP upgrade to the one-way peer stream (src/node/network/peer-stream.ts), not a REST route. */
  peerStream: '/peer/stream',
} as const;

export interface RouteSchema {
  readonly params?: TSchema;
  readonly querystring?: TSchema;
  readonly body?: TSchema;
  readonly response: Readonly<Record<number | string, TSchema>>;
}

export interface RouteSpec {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly summary: string;
  readonly tags: readonly string[];
  /** Needs the bearer token (the wallet's signing routes). */
  readonly auth?: boolean;
  /** What the answer is when it is not JSON. */
  readonly produces?: readonly string[];
  readonly schema: RouteSchema;
}

const errors = { '4xx': S.ErrorBody, '5xx': S.ErrorBody };
const json = <T extends TSchema>(ok: T) => ({ 200: ok, ...errors });

/** The REST routes (the peer stream's upgrade and the explorer's files are not REST). */
export const API = {
  status: { method: 'GET', url: ROUTES.status, summary: 'The node', tags: ['public'], schema: { response: json(S.StatusView) } },
  latestBlock: {
    method: 'GET',
    url: ROUTES.latestBlock,
    summary: 'The last block of the best branch',
    tags: ['public'],
    schema: { response: json(S.Block) },
  },
  blocks: {
    method: 'GET',
    url: ROUTES.blocks,
    summary: 'Blocks in order from `from`; a `Link: <…>; rel="next"` header names the next page',
    tags: ['public'],
    schema: { querystring: S.BlocksQuery, response: json(Type.Array(S.Block)) },
  },
  block: {
    method: 'GET',
    url: ROUTES.block,
    summary: 'One block of the best branch, by index or hash',
    tags: ['public'],
    schema: { params: S.BlockParams, response: json(S.Block) },
  },
  accounts: {
    method: 'GET',
    url: ROUTES.accounts,
    summary: 'Every account of the committed state',
    tags: ['public'],
    schema: { response: json(Type.Array(S.AccountView)) },
  },
  account: {
    method: 'GET',
    url: ROUTES.account,
    summary: 'One account of the committed state, by node id or address',
    tags: ['public'],
    schema: { params: S.AccountParams, response: json(S.AccountView) },
  },
  peers: {
    method: 'GET',
    url: ROUTES.peers,
    summary: 'The node list',
    tags: ['public'],
    schema: { response: json(Type.Array(S.PeerView)) },
  },
  transaction: {
    method: 'GET',
    url: ROUTES.transaction,
    summary: 'Where a transaction is: pending, committed or dropped (404 when this node knows nothing of it)',
    tags: ['public'],
    schema: { params: S.TxIdParams, response: json(S.TxStatusView) },
  },
  metrics: {
    method: 'GET',
    url: ROUTES.metrics,
    summary: 'Prometheus text',
    tags: ['public'],
    produces: ['text/plain'],
    schema: { response: { 200: S.Text('Prometheus text format 0.0.4') } },
  },
  events: {
    method: 'GET',
    url: ROUTES.events,
    summary: 'Server-sent events `block`, `reorg` and `final`, with ids; send `Last-Event-ID` to resume',
    tags: ['public'],
    produces: ['text/event-stream'],
    schema: { response: { 200: S.Text('an event stream') } },
  },
  accountTransactions: {
    method: 'GET',
    url: ROUTES.accountTransactions,
    summary: "An address's committed transactions, newest first (any address, node or not)",
    tags: ['public'],
    schema: { params: S.AddressParams, querystring: S.AddressTxQuery, response: json(Type.Array(S.AddressTxView)) },
  },
  accountNonce: {
    method: 'GET',
    url: ROUTES.accountNonce,
    summary: 'The nonce the next transaction of an address takes',
    tags: ['public'],
    schema: { params: S.AddressParams, response: json(S.NonceView) },
  },
  transactionsByPrefix: {
    method: 'GET',
    url: ROUTES.transactions,
    summary: 'Transactions whose id starts with `prefix`',
    tags: ['public'],
    schema: { querystring: S.TxPrefixQuery, response: json(Type.Array(S.TxStatusView)) },
  },
  submitTransaction: {
    method: 'POST',
    url: ROUTES.transactions,
    summary: "A transaction signed by its sender's own key (a wallet that is no node's): the peers' checks, rate-limited",
    tags: ['public'],
    schema: { body: S.Transaction, response: { 202: S.AcceptedView, ...errors } },
  },
  healthz: {
    method: 'GET',
    url: ROUTES.healthz,
    summary: 'Live: 200 while the process serves requests',
    tags: ['public'],
    schema: { response: { 200: S.LiveView } },
  },
  readyz: {
    method: 'GET',
    url: ROUTES.readyz,
    summary: 'Ready: 200 once the network is formed and this node has caught up, 503 before',
    tags: ['public'],
    schema: { response: { 200: S.ReadyView, 503: S.ReadyView } },
  },
  wallet: {
    method: 'GET',
    url: ROUTES.wallet,
    summary: "This node's account",
    tags: ['wallet'],
    schema: { response: json(S.AccountView) },
  },
  inbox: {
    method: 'GET',
    url: ROUTES.inbox,
    summary: 'Messages committed to this node, newest first',
    tags: ['wallet'],
    schema: { querystring: S.InboxQuery, response: json(Type.Array(S.InboxEntry)) },
  },
  walletTransactions: {
    method: 'POST',
    url: ROUTES.walletTransactions,
    summary: "Send coins, a message or a stake from this node's wallet",
    tags: ['wallet'],
    auth: true,
    schema: { body: S.SubmitRequest, response: json(S.SubmitResponse) },
  },
  walletTransactionsBatch: {
    method: 'POST',
    url: ROUTES.walletTransactionsBatch,
    summary: 'Up to 1000 wallet requests, each answered on its own',
    tags: ['wallet'],
    auth: true,
    schema: { body: S.SubmitBatch, response: json(Type.Array(S.SubmitBatchItem)) },
  },
  pool: {
    method: 'GET',
    url: ROUTES.pool,
    summary: 'Pending transactions, oldest first (at most 10,000)',
    tags: ['public'],
    schema: { response: json(Type.Array(S.Transaction)) },
  },
  peerChallenge: {
    method: 'GET',
    url: ROUTES.peerChallenge,
    summary: 'A nonce valid once, for 10 s, with the domain and the address of this node',
    tags: ['peer'],
    schema: { response: json(S.PeerChallenge) },
  },
  peerAuth: {
    method: 'POST',
    url: ROUTES.peerAuth,
    summary: 'A member proves its key on a challenge; answered with a session and a counter-signature',
    tags: ['peer'],
    schema: { body: S.PeerAuth, response: json(S.PeerSession) },
  },
  peerJoin: {
    method: 'POST',
    url: ROUTES.peerJoin,
    summary: 'A node asks the bootstrap to join',
    tags: ['peer'],
    schema: { body: S.PeerJoin, response: json(Type.Object({ id: Type.Integer(), bootstrap: Type.String() })) },
  },
  peerNetwork: {
    method: 'POST',
    url: ROUTES.peerNetwork,
    summary: "The bootstrap's announcement of the node list and the chain",
    tags: ['peer'],
    schema: { body: S.PeerNetwork, response: json(Type.Object({ ok: Type.Boolean() })) },
  },
  peerHello: {
    method: 'POST',
    url: ROUTES.peerHello,
    summary: 'A member is back after a restart',
    tags: ['peer'],
    schema: { body: S.PeerHello, response: json(Type.Object({ height: Type.Integer() })) },
  },
  peerTransactions: {
    method: 'POST',
    url: ROUTES.peerTransactions,
    summary: 'A batch of transactions from a peer',
    tags: ['peer'],
    schema: { body: S.PeerTransactions, response: json(S.PeerTransactionsResult) },
  },
  peerBlocks: {
    method: 'POST',
    url: ROUTES.peerBlocks,
    summary: 'A block from a peer',
    tags: ['peer'],
    schema: { body: S.PeerBlock, response: json(S.PeerBlockResult) },
  },
  peerVotes: {
    method: 'POST',
    url: ROUTES.peerVotes,
    summary: 'Finality votes and evidence of equivocation from a peer',
    tags: ['peer'],
    schema: { body: S.PeerVotes, response: json(Type.Object({ ok: Type.Boolean() })) },
  },
  peerPool: {
    method: 'GET',
    url: ROUTES.peerPool,
    summary: "Pending transactions, oldest first (at most 10,000); or one sender's, in nonce order",
    tags: ['peer'],
    schema: { querystring: S.PoolQuery, response: json(Type.Array(S.Transaction)) },
  },
} as const satisfies Record<string, RouteSpec>;

export type RouteName = keyof typeof API;

/** The peer routes any caller may use: each carries its own proof (docs/protocol.md, "Members only"). */
export const OPEN_PEER_ROUTES: ReadonlySet<string> = new Set([ROUTES.peerChallenge, ROUTES.peerAuth, ROUTES.peerJoin, ROUTES.peerNetwork]);
/** Most bytes of the body of POST /peer/auth and POST /peer/join. */
export const SMALL_BODY_LIMIT = 4 * 1024;
