/**
 * Routes of any address, node or not: its committed transactions (the explorer's account pages
 * and conversations, any wallet's inbox) and the next nonce a wallet that signs for itself takes;
 * transactions by id prefix (GET /transactions?prefix=, for search boxes); and POST /transactions,
 * where such a wallet sends what it signed. A transaction sent there goes through the peers'
 * intake (ingest/), so it meets exactly their checks and admission rules.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { API, MAX_ADDRESS_TXS, MAX_PREFIX_MATCHES } from '../../api/routes.js';
import type { AcceptedView, Transaction } from '../../api/types.js';
import { NodeError } from '../errors.js';
import type { NodeEmitter } from '../events.js';
import type { TransactionsResult } from '../ingest/index.js';
import type { AddressViews } from '../views/addresses.js';
import { errorBody, refuse, statusOf } from './errors.js';
import { cursorAfter, readCursor } from '../chain/cursor.js';
import { linkNext, pageLimit } from './paging.js';
import { TokenBuckets, type RateLimit } from './rate-limit.js';
import { routeOptions } from './route.js';

export interface SubmitLimits {
  /** Requests to POST /transactions per client address. */
  perClient: RateLimit;
  /** Transactions accepted per sender. */
  perSender: RateLimit;
}

/** A client may send 3 s of its rate at once, a sender 4 s of its. */
const CLIENT_BURST_S = 3;
const SENDER_BURST_S = 4;

/** The limits of `--client-rate` and `--sender-rate` (per second). */
export function submitLimits(clientRate: number, senderRate: number): SubmitLimits {
  return {
    perClient: { burst: CLIENT_BURST_S * clientRate, perSecond: clientRate },
    perSender: { burst: SENDER_BURST_S * senderRate, perSecond: senderRate },
  };
}

export const DEFAULT_CLIENT_RATE = 20;
export const DEFAULT_SENDER_RATE = 5;
export const DEFAULT_SUBMIT_LIMITS: SubmitLimits = submitLimits(DEFAULT_CLIENT_RATE, DEFAULT_SENDER_RATE);

export interface AccountRouteParts {
  addressViews: AddressViews;
  transactions: { receive(txs: readonly Transaction[]): Promise<TransactionsResult> };
  events: NodeEmitter;
}

export function registerAccountRoutes(server: FastifyInstance, parts: AccountRouteParts, limits = DEFAULT_SUBMIT_LIMITS): void {
  const { addressViews, transactions, events } = parts;
  const app = server.withTypeProvider<TypeBoxTypeProvider>();

  app.route({
    ...routeOptions(API.accountTransactions),
    handler: async (req, reply) => {
      const { type, direction } = req.query;
      const limit = pageLimit(req.query.limit, MAX_ADDRESS_TXS);
      const page = await addressViews.transactions(req.params.idOrAddress, {
        limit,
        type,
        direction,
        with: req.query.with,
        before: readCursor(req.query.before),
      });
      const last = page[page.length - 1];
      if (page.length === limit && last !== undefined) {
        linkNext(reply, req.url.split('?')[0]!, { ...req.query, limit, before: cursorAfter(last) });
      }
      return page;
    },
  });

  app.route({ ...routeOptions(API.accountNonce), handler: async (req) => addressViews.nonce(req.params.idOrAddress) });

  app.route({
    ...routeOptions(API.transactionsByPrefix),
    handler: async (req) => addressViews.byPrefix(req.query.prefix, pageLimit(req.query.limit, MAX_PREFIX_MATCHES)),
  });

  const byClient = new TokenBuckets(limits.perClient);
  const bySender = new TokenBuckets(limits.perSender);
  app.route({
    ...routeOptions(API.submitTransaction),
    handler: async (req, reply) => {
      const tx = req.body as Transaction;
      // The client pays for every request (each costs a signature check); the sender only for what
      // is accepted, so that nobody can spend someone else's allowance with transactions it cannot sign.
      const wait = Math.max(byClient.wait(req.ip), bySender.wait(tx.sender));
      if (wait > 0) {
        void reply.header('Retry-After', String(wait));
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
    },
  });
}
