/**
 * Every HTTP route, declared once: the server registers these (src/node/http/), and the CLI,
 * tester and explorer call them by the same paths.
 */
export const ROUTES = {
  // public, read-only
  status: '/status',
  latestBlock: '/blocks/latest',
  blocks: '/blocks',
  accounts: '/accounts',
  peers: '/peers',
  transaction: '/transactions/:id',
  /** GET: transactions by id prefix; POST: a transaction signed by its sender. */
  transactions: '/transactions',
  accountTransactions: '/accounts/:address/transactions',
  accountNonce: '/accounts/:address/nonce',
  metrics: '/metrics',
  events: '/events',
  explorer: '/',
  // the node's own wallet
  wallet: '/wallet',
  walletTransactions: '/wallet/transactions',
  walletTransactionsBatch: '/wallet/transactions/batch',
  inbox: '/wallet/inbox',
  // between nodes: signed data only
  peerJoin: '/peer/join',
  peerNetwork: '/peer/network',
  peerHello: '/peer/hello',
  peerTransactions: '/peer/transactions',
  peerBlocks: '/peer/blocks',
  peerPool: '/peer/pool',
  /** An HTTP upgrade to the one-way peer stream (src/node/network/peer-stream.ts), not a REST route. */
  peerStream: '/peer/stream',
} as const;

/** Most blocks one GET /blocks answers. */
export const MAX_BLOCKS_PER_PAGE = 500;
/** Most transactions one peer batch carries. */
export const MAX_TX_BATCH = 1000;
/** Most pending transactions one GET /peer/pool answers (oldest first: they are what a gap lacks). */
export const MAX_POOL_PAGE = 10_000;
/** Request body limit (bytes): a full batch or the largest block fits well within it. */
export const BODY_LIMIT = 4 * 1024 * 1024;
