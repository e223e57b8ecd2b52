/** The public, read-only routes (SPEC C): status, blocks, accounts, peers, a transaction, metrics. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { API, MAX_BLOCKS_PER_PAGE, ROUTES } from '../../api/routes.js';
import { NodeError } from '../errors.js';
import type { Views } from '../views/index.js';
import { refuse } from './errors.js';
import { linkNext, pageLimit, readIndex } from './paging.js';
import { routeOptions } from './route.js';

/** Sends JSON text as it is (blocks are kept as the text they travel in). */
function sendJson(reply: FastifyReply, text: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(text);
}

export function registerPublicRoutes(server: FastifyInstance, views: Views): void {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  app.route({ ...routeOptions(API.status), handler: async () => views.status() });

  app.route({
    ...routeOptions(API.latestBlock),
    handler: async (_req, reply) => {
      const text = views.latestBlockJson();
      if (!text) return refuse(reply, new NodeError('NOT_FORMED', 'this node has no chain yet'));
      return sendJson(reply, text);
    },
  });

  app.route({
    ...routeOptions(API.blocks),
    handler: async (req, reply) => {
      const from = readIndex(req.query.from, 0);
      const limit = pageLimit(req.query.limit, MAX_BLOCKS_PER_PAGE);
      const rows = await views.blocksJson(from, limit);
      if (rows.length === limit && from + limit <= views.height()) linkNext(reply, ROUTES.blocks, { from: from + limit, limit });
      return sendJson(reply, `[${rows.join(',')}]`);
    },
  });

  app.route({
    ...routeOptions(API.block),
    handler: async (req, reply) => {
      const text = await views.blockJson(req.params.indexOrHash);
      if (text === undefined) return refuse(reply, new NodeError('NOT_FOUND', `the best branch has no block ${req.params.indexOrHash}`));
      return sendJson(reply, text);
    },
  });

  app.route({ ...routeOptions(API.accounts), handler: async () => views.accounts() });

  app.route({
    ...routeOptions(API.account),
    handler: async (req, reply) => {
      const account = views.accountOf(req.params.idOrAddress);
      if (!account)
        return refuse(reply, new NodeError('NOT_FOUND', `no node has id ${req.params.idOrAddress} and no account has that address`));
      return account;
    },
  });

  app.route({ ...routeOptions(API.peers), handler: async () => views.peerList() });

  app.route({
    ...routeOptions(API.transaction),
    handler: async (req, reply) => {
      const status = await views.transactionStatus(req.params.id);
      if (!status) return refuse(reply, new NodeError('NOT_FOUND', `this node knows no transaction ${req.params.id}`));
      return status;
    },
  });

  app.route({
    ...routeOptions(API.metrics),
    handler: async (_req, reply) => reply.type('text/plain; version=0.0.4').send(await views.metricsText()),
  });
}
