/** The API's bounds: page sizes, batch sizes and the request body limit. */

/** Most blocks one GET /blocks answers. */
export const MAX_BLOCKS_PER_PAGE = 500;
/** Most messages one GET /wallet/inbox answers. */
export const MAX_INBOX_PAGE = 10_000;
/** Most transactions one peer batch carries. */
export const MAX_TX_BATCH = 1000;
/** Most pending transactions one GET /peer/pool answers (oldest first: they are what a gap lacks). */
export const MAX_POOL_PAGE = 10_000;
/** Most transactions one GET /accounts/:address/transactions answers. */
export const MAX_ADDRESS_TXS = 500;
/** Most transactions one GET /transactions?prefix= answers. */
export const MAX_PREFIX_MATCHES = 100;
/** Request body limit (bytes): a full batch or the largest block fits well within it. */
export const BODY_LIMIT = 4 * 1024 * 1024;
