/**
 * The node's HTTP server (SPEC part C): every route of src/api/routes.ts with its schema, and the
 * one error handler that turns every failure into an answer from the one table (errors.ts):
 * never a crash, never a partial write. The routes are grouped by who calls them: anyone
 * (public-routes.ts, event-stream.ts), the wallet's user (wallet-routes.ts), and the peers
 * (peer-routes.ts, with the peer stream).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { BODY_LIMIT } from '../../api/routes.js';
import { NodeError } from '../errors.js';
import { registerExplorer } from '../explorer.js';
import type { BlockchatNode } from '../index.js';
import { registerAccountRoutes } from './account-routes.js';
import { answerOf, refuse } from './errors.js';
import { registerEventStream } from './event-stream.js';
import { registerPeerRoutes } from './peer-routes.js';
import { registerPublicRoutes } from './public-routes.js';
import { registerWalletRoutes } from './wallet-routes.js';

export async function buildServer(node: BlockchatNode): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    // Plain JSON.parse: no handler merges request objects, and every schema refuses unknown keys
    // (a "__proto__" key included), so the slower poisoning scan buys nothing here.
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
    // Bodies are checked as sent: no type coercion (a "5" is not 5) and no silent removal of
    // unknown fields (they are refused).
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  });

  app.setErrorHandler((err, _req, reply) => {
    const { body, internal } = answerOf(err);
    if (internal) reply.log.error(err);
    return reply.code(body.statusCode).send(body);
  });
  app.addHook('onRequest', async (req) => {
    node.events.emit('request', `${req.method} ${req.routeOptions.url ?? 'unknown'}`);
  });
  app.setNotFoundHandler((req, reply) => refuse(reply, new NodeError('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`)));

  registerPublicRoutes(app, node.views);
  registerAccountRoutes(app, node);
  registerEventStream(app, node.events, node.members);
  registerWalletRoutes(app, node.views, node.wallet, node.token);
  registerPeerRoutes(app, node);
  await registerExplorer(app);
  return app;
}
