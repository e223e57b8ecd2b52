/**
 * The node's HTTP server (SPEC part C): every route of src/api/routes.ts with its schema, the
 * bearer token on the wallet's signing endpoint, and the one error handler that turns every
 * failure into a 4xx/5xx with a code and a reason (never a crash, never a partial write).
 */
import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ProtocolError } from '../core/errors.js';
import type { Block, Transaction } from '../core/types.js';
import { BODY_LIMIT, MAX_BLOCKS_PER_PAGE, ROUTES } from '../api/routes.js';
import {
  blocksQuerySchema,
  inboxQuerySchema,
  peerBlockSchema,
  peerHelloSchema,
  peerJoinSchema,
  peerNetworkSchema,
  peerTransactionsSchema,
  submitBatchSchema,
  submitSchema,
  txIdParamsSchema,
} from '../api/schemas.js';
import type { BlockEvent, ErrorBody, ReorgEvent, SubmitBatchItem, SubmitRequest } from '../api/types.js';
import { schemaError } from '../api/check.js';
import { NodeError } from './errors.js';
import { acceptStream, STREAM_PROTOCOL, type FrameKind } from './network/index.js';
import { registerExplorer } from './explorer.js';
import type { BranchReplaced, CommittedBlock } from './events.js';
import type { Hello, JoinRequest, NetworkAnnouncement } from './formation/index.js';
import type { BlockchatNode } from './index.js';

/** Malformed protocol data is a bad request; anything else the core refuses is unprocessable. */
function statusOfProtocolError(err: ProtocolError): number {
  return err.code === 'MALFORMED' ? 400 : 422;
}

function errorBody(statusCode: number, code: string, message: string): ErrorBody {
  const error = statusCode === 400 ? 'Bad Request' : statusCode === 401 ? 'Unauthorized' : statusCode === 404 ? 'Not Found'
    : statusCode === 409 ? 'Conflict' : statusCode === 413 ? 'Payload Too Large' : statusCode === 415 ? 'Unsupported Media Type' : statusCode === 422 ? 'Unprocessable Entity'
    : statusCode === 503 ? 'Service Unavailable' : statusCode < 500 ? 'Client Error' : 'Internal Server Error';
  return { statusCode, error, code, message };
}

function sendError(reply: FastifyReply, statusCode: number, code: string, message: string): FastifyReply {
  return reply.code(statusCode).send(errorBody(statusCode, code, message));
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer (\S+)$/.exec(header ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]!);
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

/** Fastify's own client errors (FST_ERR_…) get the API's stable codes instead of Fastify's internal ones. */
const CODE_OF_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  431: 'HEADERS_TOO_LARGE',
};

function publicCode(fe: FastifyError): string {
  if (fe.code && !fe.code.startsWith('FST_')) return fe.code;
  return CODE_OF_STATUS[fe.statusCode ?? 400] ?? 'BAD_REQUEST';
}

function publicMessage(fe: FastifyError): string {
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'the body is not valid JSON (or it holds a forbidden "__proto__" or "constructor.prototype" key)';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'the body is empty but the content-type is application/json: send a JSON value';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `the request body is too large (the limit is ${BODY_LIMIT} bytes)`;
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return `unsupported content-type: send JSON with "content-type: application/json"`;
    default:
      return fe.message;
  }
}

/** A schema failure as one line that names the field, e.g. `request body/amount must be integer`. */
function validationMessage(fe: FastifyError): string {
  let text = `request ${fe.validationContext ?? ''} ${fe.message.replace(/^(body|querystring|params)\s*/, '')}`;
  const first = fe.validation?.[0];
  const extra = first?.keyword === 'additionalProperties' ? (first.params as { additionalProperty?: unknown }).additionalProperty : undefined;
  if (typeof extra === 'string') text += ` (unknown field "${extra.slice(0, 64)}")`;
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * The peer stream's frames get the checks of the REST peer routes: the same schemas, the same
 * node methods. Nothing is answered; a refused frame is counted like a refused request.
 */
async function handleFrame(node: BlockchatNode, kind: FrameKind, json: string): Promise<void> {
  node.events.emit('request', kind === 'tx' ? 'STREAM transactions' : 'STREAM block');
  let body: unknown;
  try {
    body = JSON.parse(json);
  } catch {
    node.events.emit('transactionRejected', 'MALFORMED');
    return;
  }
  try {
    if (kind === 'tx') {
      if (schemaError(peerTransactionsSchema, body) !== undefined) throw new ProtocolError('MALFORMED', 'a transaction frame fails the schema');
      await node.transactions.receive(body as Transaction[]);
    } else {
      if (schemaError(peerBlockSchema, body) !== undefined) throw new ProtocolError('MALFORMED', 'a block frame fails the schema');
      await node.blocks.receive(body as Block, true);
    }
  } catch (err) {
    if (err instanceof ProtocolError || err instanceof NodeError) {
      node.config.log.debug(`refused a ${kind} frame: ${err.message}`);
      return;
    }
    throw err;
  }
}

/** Most peer streams open at once (each peer opens two). */
const MAX_PEER_STREAMS = 256;

function readIndex(text: string | undefined, fallback: number): number {
  return text === undefined ? fallback : Number(text);
}

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

  app.setErrorHandler((err: FastifyError | ProtocolError | NodeError | Error, _req, reply) => {
    if (err instanceof ProtocolError) return sendError(reply, statusOfProtocolError(err), err.code, err.message);
    if (err instanceof NodeError) return sendError(reply, err.statusCode, err.code, err.message);
    const fe = err as FastifyError;
    if (fe.validation) return sendError(reply, 400, 'BAD_REQUEST', validationMessage(fe));
    if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      return sendError(reply, fe.statusCode, publicCode(fe), publicMessage(fe));
    }
    reply.log.error(err);
    return sendError(reply, 500, 'INTERNAL', 'the node failed to handle the request; see its log');
  });
  app.addHook('onRequest', async (req) => {
    node.events.emit('request', `${req.method} ${req.routeOptions.url ?? 'unknown'}`);
  });
  app.setNotFoundHandler((req, reply) => sendError(reply, 404, 'NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`));

  const json = (reply: FastifyReply, text: string) => reply.type('application/json; charset=utf-8').send(text);

  // ------------------------------------------------------------ public, read-only
  app.get(ROUTES.status, async () => node.views.status());

  app.get(ROUTES.latestBlock, async (_req, reply) => {
    const text = node.views.latestBlockJson();
    if (!text) return sendError(reply, 503, 'NOT_FORMED', 'this node has no chain yet');
    return json(reply, text);
  });

  app.get<{ Querystring: { from?: string; limit?: string } }>(
    ROUTES.blocks,
    { schema: { querystring: blocksQuerySchema } },
    async (req, reply) => {
      const from = readIndex(req.query.from, 0);
      const limit = readIndex(req.query.limit, 100);
      if (limit < 1 || limit > MAX_BLOCKS_PER_PAGE) {
        return sendError(reply, 400, 'BAD_REQUEST', `request querystring/limit must be 1 to ${MAX_BLOCKS_PER_PAGE}, not ${limit}`);
      }
      const rows = await node.views.blocksJson(from, limit);
      return json(reply, `[${rows.join(',')}]`);
    },
  );

  app.get(ROUTES.accounts, async () => node.views.accounts());
  app.get(ROUTES.peers, async () => node.views.peerList());

  app.get<{ Params: { id: string } }>(ROUTES.transaction, { schema: { params: txIdParamsSchema } }, async (req) =>
    node.views.transactionStatus(req.params.id),
  );

  app.get(ROUTES.metrics, async (_req, reply) =>
    reply
      .type('text/plain; version=0.0.4')
      .send(node.views.metricsText()),
  );

  // Open event streams are ended on close: a hijacked response would otherwise hold the server open.
  const streams = new Set<import('node:http').ServerResponse>();
  app.addHook('preClose', async () => {
    for (const res of streams) res.end();
  });
  app.get(ROUTES.events, (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    streams.add(res);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 1000\n\n`);
    const onBlock = ({ block }: CommittedBlock) => {
      const event: BlockEvent = {
        index: block.index,
        hash: block.current_hash,
        validator: block.validator,
        validator_id: node.members.idOf(block.validator),
        transactions: block.transactions.length,
        timestamp: block.timestamp,
        tx_ids: block.transactions.map((t) => t.id),
      };
      res.write(`event: block\ndata: ${JSON.stringify(event)}\n\n`);
    };
    const onReorg = ({ fork, reverted, returned }: BranchReplaced) => {
      const event: ReorgEvent = { fork_index: fork, reverted: reverted.map((b) => b.current_hash), returned_tx_ids: returned.map((tx) => tx.id) };
      res.write(`event: reorg\ndata: ${JSON.stringify(event)}\n\n`);
    };
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    node.events.on('block', onBlock);
    node.events.on('reorg', onReorg);
    req.raw.on('close', () => {
      streams.delete(res);
      clearInterval(keepAlive);
      node.events.off('block', onBlock);
      node.events.off('reorg', onReorg);
    });
  });

  // ------------------------------------------------------------ the node's own wallet
  app.get(ROUTES.wallet, async () => node.views.account(node.address));
  app.get<{ Querystring: { limit?: string } }>(ROUTES.inbox, { schema: { querystring: inboxQuerySchema } }, async (req) =>
    node.views.inbox(Math.max(1, Math.min(readIndex(req.query.limit, 100), 10_000))),
  );

  const requireToken = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!tokenMatches(req.headers.authorization, node.token)) {
      return sendError(reply, 401, 'UNAUTHORIZED', 'this endpoint spends from the wallet: send "Authorization: Bearer <token>" with the token from the node\'s data directory');
    }
  };

  app.post<{ Body: SubmitRequest }>(
    ROUTES.walletTransactions,
    { schema: { body: submitSchema }, onRequest: requireToken },
    async (req) => node.wallet.submit(req.body),
  );

  app.post<{ Body: SubmitRequest[] }>(
    ROUTES.walletTransactionsBatch,
    { schema: { body: submitBatchSchema }, onRequest: requireToken },
    async (req): Promise<SubmitBatchItem[]> =>
      req.body.map((item) => {
        try {
          return node.wallet.submit(item);
        } catch (err) {
          if (err instanceof ProtocolError) return { error: { statusCode: statusOfProtocolError(err), code: err.code, message: err.message } };
          if (err instanceof NodeError) return { error: { statusCode: err.statusCode, code: err.code, message: err.message } };
          throw err;
        }
      }),
  );

  // ------------------------------------------------------------ between nodes: signed data only
  app.post<{ Body: JoinRequest }>(ROUTES.peerJoin, { schema: { body: peerJoinSchema } }, async (req) => node.formation.handleJoin(req.body));

  app.post<{ Body: NetworkAnnouncement }>(ROUTES.peerNetwork, { schema: { body: peerNetworkSchema } }, async (req) => {
    await node.formation.handleNetwork(req.body);
    return { ok: true };
  });

  app.post<{ Body: Hello }>(ROUTES.peerHello, { schema: { body: peerHelloSchema } }, async (req) => node.formation.handleHello(req.body));

  app.post<{ Body: Transaction[] }>(
    ROUTES.peerTransactions,
    { schema: { body: peerTransactionsSchema } },
    async (req, reply) => {
      const result = await node.transactions.receive(req.body);
      if (result.accepted === 0 && result.rejected.length > 0) {
        const first = result.rejected[0]!;
        const status = first.code === 'MALFORMED' ? 400 : 422;
        return reply.code(status).send({ ...errorBody(status, first.code, first.message), ...result });
      }
      return result;
    },
  );

  app.get(ROUTES.peerPool, async () => node.sync.poolPage());

  app.post<{ Body: Block }>(ROUTES.peerBlocks, { schema: { body: peerBlockSchema } }, async (req) => {
    return { result: await node.blocks.receive(req.body, false) };
  });

  const peerStreams = new Set<import('node:stream').Duplex>();
  app.addHook('preClose', async () => {
    for (const socket of peerStreams) socket.destroy();
  });
  app.server.on('upgrade', (req: import('node:http').IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => {
    if ((req.url ?? '').split('?')[0] !== ROUTES.peerStream || req.headers.upgrade !== STREAM_PROTOCOL || peerStreams.size >= MAX_PEER_STREAMS) {
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    node.events.emit('request', `GET ${ROUTES.peerStream}`);
    peerStreams.add(socket);
    socket.on('close', () => peerStreams.delete(socket));
    acceptStream(socket, head, (kind, json) => handleFrame(node, kind, json), (err) =>
      node.config.log.warn(`a peer stream frame failed: ${err instanceof Error ? err.message : String(err)}`),
    );
  });

  await registerExplorer(app);
  return app;
}
