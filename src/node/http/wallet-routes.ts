/**
 * The node's own wallet (SPEC C): its account and inbox, and the signing routes, which need the
 * bearer token from the node's data directory (SPEC B, "Security").
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ROUTES } from '../../api/routes.js';
import { inboxQuerySchema, submitBatchSchema, submitSchema } from '../../api/schemas.js';
import type { SubmitBatchItem, SubmitRequest } from '../../api/types.js';
import { NodeError } from '../errors.js';
import type { Views } from '../views/index.js';
import type { OwnWallet } from '../wallet/index.js';
import { isRefusal, refusalBody, refuse } from './errors.js';
import { readIndex } from './public-routes.js';

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer (\S+)$/.exec(header ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]!);
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

export function registerWalletRoutes(app: FastifyInstance, views: Views, wallet: OwnWallet, token: string): void {
  app.get(ROUTES.wallet, async () => views.account(wallet.address));
  app.get<{ Querystring: { limit?: string } }>(ROUTES.inbox, { schema: { querystring: inboxQuerySchema } }, async (req) =>
    views.inbox(Math.max(1, Math.min(readIndex(req.query.limit, 100), 10_000))),
  );

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

  app.post<{ Body: SubmitRequest }>(ROUTES.walletTransactions, { schema: { body: submitSchema }, onRequest: requireToken }, async (req) =>
    wallet.submit(req.body),
  );

  app.post<{ Body: SubmitRequest[] }>(
    ROUTES.walletTransactionsBatch,
    { schema: { body: submitBatchSchema }, onRequest: requireToken },
    async (req): Promise<SubmitBatchItem[]> =>
      req.body.map((item) => {
        try {
          return wallet.submit(item);
        } catch (err) {
          if (!isRefusal(err)) throw err;
          const { statusCode, code, message } = refusalBody(err);
          return { error: { statusCode, code, message } };
        }
      }),
  );
}
