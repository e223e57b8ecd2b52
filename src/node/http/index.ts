/**
 * The node's HTTP server (SPEC part C): every route of the route table (src/api/routes.ts) with
 * its schemas, compiled by the API's one validator (src/api/validate.ts); the OpenAPI document
 * generated from the same table; and the one error handler that turns every failure into an
 * answer from the one table (errors.ts): never a crash, never a partial write. The routes are
 * grouped by who calls them: anyone (public-routes.ts, event-stream.ts), the wallet's user
 * (wallet-routes.ts), and the peers (peer-routes.ts, with the peer stream).
 */
import swagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { BODY_LIMIT, ROUTES } from '../../api/routes.js';
import { compileSchema } from '../../api/validate.js';
import { VERSION } from '../../version.js';
import { NodeError } from '../errors.js';
import { registerExplorer } from '../explorer.js';
import type { BlockchatNode } from '../index.js';
import { DEFAULT_SUBMIT_LIMITS, registerAccountRoutes, type SubmitLimits } from './account-routes.js';
import { answerOf, refuse } from './errors.js';
import { registerEventStream } from './event-stream.js';
import { MethodTable } from './methods.js';
import { registerHealthRoutes } from './health-routes.js';
import { DEFAULT_PAGE_READERS, PageSlots } from './page-slots.js';
import { registerPeerRoutes } from './peer-routes.js';
import { registerPublicRoutes } from './public-routes.js';
import { registerWalletRoutes } from './wallet-routes.js';

/**
 * `logger`: the node's own pino logger (its server errors go there); none in tests that leave it
 * out. `pageReaders`: the public pages sent at once (page-slots.ts, `--page-readers`).
 */
export async function buildServer(
  node: BlockchatNode,
  logger?: FastifyBaseLogger,
  limits: SubmitLimits = DEFAULT_SUBMIT_LIMITS,
  pageReaders = DEFAULT_PAGE_READERS,
): Promise<FastifyInstance> {
  const tls = node.config.tls;
  const app = Fastify({
    // HTTPS when the node has a certificate (docs/operations.md, "TLS"); the peer stream's upgrade comes through it too.
    ...(tls ? { https: { cert: tls.cert, key: tls.key } } : {}),
    ...(logger ? { loggerInstance: logger, logController: new LogController({ disableRequestLogging: true }) } : { logger: false }),
    bodyLimit: BODY_LIMIT,
    // Plain JSON.parse: no handler merges request objects, and every schema refuses unknown keys
    // (a "__proto__" key included), so the slower poisoning scan buys nothing here.
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
  });
  // Requests are checked by the API's one validator, the one the peer stream uses too.
  app.setValidatorCompiler(({ schema }) => compileSchema(schema));
  // Answers are sent as built (JSON.stringify): the response schemas document them (OpenAPI).
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  app.setErrorHandler((err, _req, reply) => {
    const { body, internal } = answerOf(err);
    if (internal) reply.log.error(err);
    return reply.code(body.statusCode).send(body);
  });
  app.addHook('onResponse', async (req, reply) => {
    // The route's pattern (not the URL, whose ids would make a series each); 'unknown' for a 404.
    node.events.emit('request', { route: req.routeOptions.url ?? 'unknown', method: req.method, status: reply.statusCode });
  });
  const methods = new MethodTable();
  app.addHook('onRoute', (route) => methods.add(route.method, route.url));
  new PageSlots(pageReaders).guard(app);
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0]!;
    const allowed = methods.allowed(path);
    if (allowed.length > 0) {
      void reply.header('allow', allowed.join(', '));
      return refuse(reply, new NodeError('METHOD_NOT_ALLOWED', `${path} answers ${allowed.join(', ')}, not ${req.method}`));
    }
    return refuse(reply, new NodeError('NOT_FOUND', `no route ${req.method} ${path}`));
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'BlockChat node API', version: VERSION, description: 'Every node serves this API on its port. See docs/api.md.' },
      tags: [
        { name: 'public', description: 'read-only, for anyone' },
        { name: 'wallet', description: "this node's own wallet; the signing routes need the bearer token" },
        { name: 'peer', description: 'between nodes: signed data only' },
      ],
      components: { securitySchemes: { token: { type: 'http', scheme: 'bearer' } } },
    },
  });

  registerPublicRoutes(app, node.views);
  registerHealthRoutes(app, {
    ready: () => node.views.status().ready,
    caughtUp: () => node.sync.caughtUp,
    height: () => node.chain.tip?.block.index ?? 0,
  });
  registerAccountRoutes(app, node, limits);
  registerEventStream(app, node.events, node.members);
  registerWalletRoutes(app, node.views, node.wallet, node.token);
  registerPeerRoutes(app, node);
  await registerExplorer(app);
  app.get(ROUTES.openapi, { schema: { hide: true } }, async () => app.swagger());
  return app;
}
