/**
 * The node's own wallet (SPEC C): its account and inbox, and the signing routes, which need the
 * bearer token from the node's data directory (SPEC B, "Security").
 */
import { timingSafeEqual } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { API, MAX_INBOX_PAGE } from '../../api/routes.js';
import type { SubmitBatchItem } from '../../api/types.js';
import { NodeError } from '../errors.js';
import type { Views } from '../views/index.js';
import type { OwnWallet } from '../wallet/index.js';
import { refusalBody, refuse } from './errors.js';
import { cursorAfter, readCursor } from '../chain/cursor.js';
import { linkNext, pageLimit } from './paging.js';
import { routeOptions } from './route.js';

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer (\S+)$/.exec(header ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]!);
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

export function registerWalletRoutes(server: FastifyInstance, views: Views, wallet: OwnWallet, token: string): void {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  app.route({ ...routeOptions(API.wallet), handler: async () => views.account(wallet.address) });
  app.route({
    ...routeOptions(API.inbox),
    handler: async (req, reply) => {
      const limit = pageLimit(req.query.limit, MAX_INBOX_PAGE);
      const page = views.inbox(limit, readCursor(req.query.before));
      const last = page[page.length - 1];
      if (page.length === limit && last !== undefined) linkNext(reply, API.inbox.url, { limit, before: cursorAfter(last) });
      return page;
    },
  });

  const requireToken = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!tokenMatches(req.headers.authorization, token)) {
      return refuse(
        reply,
        new NodeError(
          'UNAUTHORIZED',
          'this endpoint spends from the wallet: send "Authorization: Bearer <token>" with the token from the node\'s data directory',
        ),
      );
    }
  };

  app.route({
    ...routeOptions(API.walletTransactions),
    onRequest: requireToken,
    handler: async (req) => {
      await wallet.opened();
      return wallet.submit(req.body);
    },
  });

  app.route({
    ...routeOptions(API.walletTransactionsBatch),
    onRequest: requireToken,
    handler: async (req): Promise<SubmitBatchItem[]> => {
      await wallet.opened();
      return wallet.submitAll(req.body).map((outcome) => {
        if ('accepted' in outcome) return outcome.accepted;
        const { statusCode, code, message } = refusalBody(outcome.refused);
        return { error: { statusCode, code, message } };
      });
    },
  });
}
