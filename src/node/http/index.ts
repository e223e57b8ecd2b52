/**
 * The node's HTTP server (SPEC part C): every route of src/api/routes.ts with its schema, and the
 * one error handler that turns every failure into an answer from the one table (errors.ts):
 * never a crash, never a partial write. The routes are grouped by who calls them: anyone
 * (public-routes.ts, event-stream.ts), the wallet's user (wallet-routes.ts), and the peers
 * (peer-routes.ts, with the peer stream).
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { BODY_LIMIT } from '../../api/routes.js';
import { NodeError } from '../errors.js';
import { registerExplorer } from '../explorer.js';
import type { BlockchatNode } from '../index.js';
import { answerOf, refuse } from './errors.js';
import { registerEventStream } from './event-stream.js';
import { registerHealthRoutes } from './health-routes.js';
import { registerPeerRoutes } from './peer-routes.js';
import { registerPublicRoutes } from './public-routes.js';
import { registerWalletRoutes } from './wallet-routes.js';

/** `logger`: the node's own pino logger (its server errors go there); none in tests that leave it out. */
export async function buildServer(node: BlockchatNode, logger?: FastifyBaseLogger): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    ...(logger ? { loggerInstance: logger, logController: new LogController({ disableRequestLogging: true }) } : { logger: false }),
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
  app.addHook('onResponse', async (req, reply) => {
    // The route's pattern (not the URL, whose ids would make a series each); 'unknown' for a 404.
    node.events.emit('request', { route: req.routeOptions.url ?? 'unknown', method: req.method, status: reply.statusCode });
  });
  app.setNotFoundHandler((req, reply) => refuse(reply, new NodeError('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`)));

  registerPublicRoutes(app, node.views);
  registerHealthRoutes(app, {
    ready: () => node.views.status().ready,
    caughtUp: () => node.sync.caughtUp,
    height: () => node.chain.tip?.block.index ?? 0,
  });
  registerEventStream(app, node.events, node.members);
  registerWalletRoutes(app, node.views, node.wallet, node.token);
  registerPeerRoutes(app, node);
  await registerExplorer(app);
  return app;
}
