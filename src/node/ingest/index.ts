/**
 * What peers send, taken in one place per kind of data: transactions (transactions.ts) and blocks
 * (blocks.ts). The REST peer routes and the peer stream (http/peer-routes.ts) both call these, after
 * the same schema.
 */
export { TransactionIntake, type Rejection, type TransactionsResult } from './transactions.js';
export { BlockIntake } from './blocks.js';
