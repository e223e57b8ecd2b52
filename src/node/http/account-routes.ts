/**
 * Routes of any address, node or not: its committed transactions (the explorer's account pages
 * and conversations, any wallet's inbox) and the next nonce a wallet that signs for itself takes;
 * transactions by id prefix (GET /transactions?prefix=, for search boxes); and POST /transactions,
 * where such a wallet sends what it signed. A transaction sent there goes through the peers'
 * intake (ingest/), so it meets exactly their checks and admission rules.
 */
import type { FastifyInstance } from 'fastify';
import {
  MAX_ADDRESS_TXS,
  MAX_PREFIX_MATCHES,
  addressParamsSchema,
  addressTxQuerySchema,
  txPrefixQuerySchema,
} from '../../api/account-schemas.js';
import { ROUTES } from '../../api/routes.js';
import { transactionSchema } from '../../api/schemas.js';
import type { AcceptedView, Transaction, TxType } from '../../api/types.js';
import { NodeError } from '../errors.js';
import type { NodeEmitter } from '../events.js';
import type { TransactionsResult } from '../ingest/index.js';
import type { AddressViews } from '../views/addresses.js';
import { errorBody, refuse, statusOf } from './errors.js';
import { TokenBuckets, type RateLimit } from './rate-limit.js';
import { readIndex } from './public-routes.js';

export interface SubmitLimits {
  /** Requests to POST /transactions per client address. */
  perClient: RateLimit;
  /** Transactions accepted per sender. */
  perSender: RateLimit;
}

export const DEFAULT_SUBMIT_LIMITS: SubmitLimits = {
  perClient: { burst: 60, perSecond: 20 },
  perSender: { burst: 20, perSecond: 5 },
};

export interface AccountRouteParts {
  addressViews: AddressViews;
  transactions: { receive(txs: readonly Transaction[]): Promise<TransactionsResult> };
  events: NodeEmitter;
}

interface AddressTxQueryText {
  limit?: string;
  before?: string;
  type?: TxType;
  direction?: 'in' | 'out';
  with?: string;
}

export function registerAccountRoutes(app: FastifyInstance, parts: AccountRouteParts, limits = DEFAULT_SUBMIT_LIMITS): void {
  const { addressViews, transactions, events } = parts;

  app.get<{ Params: { address: string }; Querystring: AddressTxQueryText }>(
    ROUTES.accountTransactions,
    { schema: { params: addressParamsSchema, querystring: addressTxQuerySchema } },
    async (req, reply) => {
      const limit = readIndex(req.query.limit, 100);
      if (limit < 1 || limit > MAX_ADDRESS_TXS) {
        return refuse(reply, new NodeError('BAD_REQUEST', `limit must be 1 to ${MAX_ADDRESS_TXS}, not ${limit}`));
      }
      const { type, direction } = req.query;
      return addressViews.transactions(req.params.address, {
        limit,
        type,
        direction,
        with: req.query.with,
        before: req.query.before === undefined ? undefined : Number(req.query.before),
      });
    },
  );

  app.get<{ Params: { address: string } }>(ROUTES.accountNonce, { schema: { params: addressParamsSchema } }, (req, reply) =>
    reply.send(addressViews.nonce(req.params.address)),
  );

  app.get<{ Querystring: { prefix: string; limit?: string } }>(
    ROUTES.transactions,
    { schema: { querystring: txPrefixQuerySchema } },
    async (req, reply) => {
      const limit = readIndex(req.query.limit, 20);
      if (limit < 1 || limit > MAX_PREFIX_MATCHES) {
        return refuse(reply, new NodeError('BAD_REQUEST', `limit must be 1 to ${MAX_PREFIX_MATCHES}, not ${limit}`));
      }
      return addressViews.byPrefix(req.query.prefix, limit);
    },
  );

  const byClient = new TokenBuckets(limits.perClient);
  const bySender = new TokenBuckets(limits.perSender);
  app.post<{ Body: Transaction }>(ROUTES.transactions, { schema: { body: transactionSchema } }, async (req, reply) => {
    const tx = req.body;
    // The client pays for every request (each costs a signature check); the sender only for what
    // is accepted, so that nobody can spend someone else's allowance with transactions it cannot sign.
    const wait = Math.max(byClient.wait(req.ip), bySender.wait(tx.sender));
    if (wait > 0) {
      reply.header('Retry-After', String(wait));
      return refuse(reply, new NodeError('RATE_LIMITED', `too many transactions; try again in ${wait} s`));
    }
    byClient.take(req.ip);
    const result = await transactions.receive([tx]);
    const refused = result.rejected[0];
    if (refused) {
      const status = statusOf(refused.code);
      return reply.code(status).send(errorBody(status, refused.code, refused.message));
    }
    bySender.take(tx.sender);
    events.emit('clientTransaction', tx);
    const answer: AcceptedView = { id: tx.id, status: 'pending' };
    return reply.code(202).send(answer);
  });
}
