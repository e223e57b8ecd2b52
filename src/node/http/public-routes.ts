/** The public, read-only routes (SPEC C): status, blocks, accounts, peers, a transaction, metrics. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { MAX_BLOCKS_PER_PAGE, ROUTES } from '../../api/routes.js';
import { blocksQuerySchema, txIdParamsSchema } from '../../api/schemas.js';
import { NodeError } from '../errors.js';
import type { Views } from '../views/index.js';
import { refuse } from './errors.js';

/** A query number that the schema has checked, or `fallback` when absent. */
export function readIndex(text: string | undefined, fallback: number): number {
  return text === undefined ? fallback : Number(text);
}

/** Sends JSON text as it is (blocks are kept as the text they travel in). */
function sendJson(reply: FastifyReply, text: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(text);
}

export function registerPublicRoutes(app: FastifyInstance, views: Views): void {
  app.get(ROUTES.status, async () => views.status());

  app.get(ROUTES.latestBlock, async (_req, reply) => {
    const text = views.latestBlockJson();
    if (!text) return refuse(reply, new NodeError('NOT_FORMED', 'this node has no chain yet'));
    return sendJson(reply, text);
  });

  app.get<{ Querystring: { from?: string; limit?: string } }>(
    ROUTES.blocks,
    { schema: { querystring: blocksQuerySchema } },
    async (req, reply) => {
      const from = readIndex(req.query.from, 0);
      const limit = readIndex(req.query.limit, 100);
      if (limit < 1 || limit > MAX_BLOCKS_PER_PAGE) {
        return refuse(reply, new NodeError('BAD_REQUEST', `request querystring/limit must be 1 to ${MAX_BLOCKS_PER_PAGE}, not ${limit}`));
      }
      const rows = await views.blocksJson(from, limit);
      return sendJson(reply, `[${rows.join(',')}]`);
    },
  );

  app.get(ROUTES.accounts, async () => views.accounts());
  app.get(ROUTES.peers, async () => views.peerList());

  app.get<{ Params: { id: string } }>(ROUTES.transaction, { schema: { params: txIdParamsSchema } }, async (req) =>
    views.transactionStatus(req.params.id),
  );

  app.get(ROUTES.metrics, async (_req, reply) => reply.type('text/plain; version=0.0.4').send(await views.metricsText()));
}
