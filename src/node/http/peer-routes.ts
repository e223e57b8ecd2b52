/**
 * The routes between nodes (SPEC A, "Joining" and "Broadcast and validation"): signed data only.
 * Transactions and blocks come two ways, as REST bodies and as frames of the one-way peer stream
 * (network/peer-stream.ts); both are held to the same schema and go to the same intake
 * (ingest/): one function per kind of data.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { API, ROUTES, SMALL_BODY_LIMIT } from '../../api/routes.js';
import { PeerBlock, PeerTransactions, PeerVotes } from '../../api/schemas.js';
import { schemaCheck } from '../../api/validate.js';
import { ProtocolError } from '../../core/errors.js';
import type { Evidence } from '../../core/evidence.js';
import { CHALLENGE_HEADER, JOIN_HEADER, SESSION_HEADER } from '../../core/peer-auth.js';
import type { Block, Transaction } from '../../core/types.js';
import type { Vote } from '../../core/vote.js';
import type { BlockchatNode } from '../index.js';
import { acceptStream, maxBlockFrameBytes, STREAM_PROTOCOL, type FrameKind } from '../network/index.js';
import { NodeError } from '../errors.js';
import { isRefusal } from '../errors.js';
import { errorBody, refuse, statusOf } from './errors.js';
import type { PeerGate } from './peer-auth.js';
import { routeOptions } from './route.js';

/**
 * Most peer streams open at once: each peer opens two, and each stream holds at most a partial
 * frame and 1 MiB of whole ones (network/peer-stream.ts), so this bounds what streams can hold.
 */
const MAX_PEER_STREAMS = 64;

/** The frames' checks: the compiled validators of the REST peer routes' bodies. */
const transactionsFrameError = schemaCheck(PeerTransactions);
const blockFrameError = schemaCheck(PeerBlock);
const votesFrameError = schemaCheck(PeerVotes);

type PeerParts = Pick<BlockchatNode, 'formation' | 'transactions' | 'blocks' | 'sync' | 'voting' | 'events' | 'config' | 'chain' | 'gate'>;

const headerOf = (req: Pick<IncomingMessage, 'headers'>, name: string): string | undefined => {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
};

/**
 * A refusal sent when the headers have arrived, before any body is read: the connection is closed
 * after it, so that whatever body follows is never read.
 */
function refuseEarly(reply: FastifyReply, err: NodeError): FastifyReply {
  void reply.header('connection', 'close');
  return refuse(reply, err);
}

/** onRequest of the members-only peer routes: a valid session, or 401 before the body. */
function membersOnly(gate: PeerGate) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (gate.member(headerOf(req.raw, SESSION_HEADER)) === undefined) {
      await refuseEarly(reply, new NodeError('UNAUTHORIZED', `peer routes answer members only: send a valid ${SESSION_HEADER}`));
    }
  };
}

/** onRequest of POST /peer/auth and /peer/join: the header names an outstanding challenge, or 401 before the body. */
function challenged(gate: PeerGate) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!gate.outstanding(headerOf(req.raw, CHALLENGE_HEADER))) {
      await refuseEarly(reply, new NodeError('STALE_CHALLENGE', `${CHALLENGE_HEADER} does not name an outstanding challenge of this node`));
    }
  };
}

/** How long one serialisation of the pool page answers GET /peer/pool. */
const POOL_PAGE_REUSE_MS = 1_000;

/**
 * A peer stream's frame gets the checks of the REST peer route of the same data: the same
 * schema, the same intake. Nothing is answered; a refused frame is counted like a refused request.
 */
async function handleFrame(node: PeerParts, kind: FrameKind, json: string): Promise<void> {
  node.events.emit('streamFrame', kind === 'tx' ? 'transactions' : kind === 'block' ? 'block' : 'votes');
  let body: unknown;
  try {
    body = JSON.parse(json);
  } catch {
    node.events.emit('transactionRejected', 'MALFORMED');
    return;
  }
  try {
    if (kind === 'tx') {
      const reason = transactionsFrameError(body, 'frame');
      if (reason !== undefined) throw new ProtocolError('MALFORMED', reason);
      await node.transactions.receive(body as Transaction[]);
    } else if (kind === 'vote') {
      const reason = votesFrameError(body, 'frame');
      if (reason !== undefined) throw new ProtocolError('MALFORMED', reason);
      const { votes, evidence } = body as { votes: Vote[]; evidence: Evidence[] };
      node.voting.receive(votes, evidence);
    } else {
      const reason = blockFrameError(body, 'frame');
      if (reason !== undefined) throw new ProtocolError('MALFORMED', reason);
      await node.blocks.receive(body as Block, true);
    }
  } catch (err) {
    if (!isRefusal(err)) throw err;
    node.config.log.debug(`refused a ${kind} frame: ${err.message}`);
  }
}

export function registerPeerRoutes(server: FastifyInstance, node: PeerParts): void {
  const { formation, transactions, blocks, sync, gate } = node;
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const onRequest = membersOnly(gate);
  app.route({ ...routeOptions(API.peerChallenge), handler: async () => gate.challenge() });
  app.route({
    ...routeOptions(API.peerAuth),
    onRequest: challenged(gate),
    bodyLimit: SMALL_BODY_LIMIT,
    handler: async (req) => gate.authenticate(req.body),
  });
  app.route({
    ...routeOptions(API.peerJoin),
    onRequest: challenged(gate),
    bodyLimit: SMALL_BODY_LIMIT,
    handler: async (req) => formation.handleJoin(req.body),
  });

  app.route({
    ...routeOptions(API.peerNetwork),
    onRequest: async (req, reply) => {
      if (!formation.awaits(headerOf(req.raw, JOIN_HEADER))) {
        await refuseEarly(reply, new NodeError('STALE_CHALLENGE', 'this node awaits no announcement with this nonce'));
      }
    },
    handler: async (req) => {
      await formation.handleNetwork(req.body);
      return { ok: true };
    },
  });

  app.route({
    ...routeOptions(API.peerHello),
    onRequest,
    handler: async (req) => formation.handleHello(req.body, gate.member(headerOf(req.raw, SESSION_HEADER)) ?? ''),
  });

  app.route({
    ...routeOptions(API.peerTransactions),
    onRequest,
    handler: async (req, reply) => {
      const result = await transactions.receive(req.body);
      if (result.accepted === 0 && result.rejected.length > 0) {
        // Nothing taken: the batch is refused, for its first transaction's reason.
        const first = result.rejected[0]!;
        const status = statusOf(first.code);
        return reply.code(status).send({ ...errorBody(status, first.code, first.message), ...result });
      }
      return result;
    },
  });

  // A peer repairing its pool reads up to 10,000 transactions, a restarted member up to 10,001 of
  // its own: each answer serialised at most once a second (per member for the latter), not once
  // per request, so that asking again and again costs no more than it.
  const sendReused = (reply: FastifyReply, cache: Map<string, { at: number; json: Buffer }>, key: string, make: () => unknown) => {
    const now = Date.now();
    let entry = cache.get(key);
    if (entry === undefined || now - entry.at >= POOL_PAGE_REUSE_MS) {
      entry = { at: now, json: Buffer.from(JSON.stringify(make())) };
      cache.set(key, entry); // one entry per member at most
    }
    // Bytes, not a string: a connection that has not taken them all yet holds on to these same
    // bytes, where a string would be encoded into a copy of its own for each.
    return reply.type('application/json; charset=utf-8').send(entry.json);
  };
  const pages = new Map<string, { at: number; json: Buffer }>();
  const servePool = async (_req: FastifyRequest, reply: FastifyReply) => sendReused(reply, pages, '', () => sync.poolPage());
  const serveOwnPool = async (req: FastifyRequest, reply: FastifyReply, sender: string) => {
    if (sender !== gate.member(headerOf(req.raw, SESSION_HEADER)))
      return refuse(
        reply,
        new NodeError('BAD_REQUEST', "a member may ask for its own pending transactions only: sender must be this session's address"),
      );
    return sendReused(reply, pages, sender, () => sync.poolOf(sender));
  };
  app.route({
    ...routeOptions(API.peerPool),
    onRequest,
    handler: async (req, reply) => (req.query.sender === undefined ? servePool(req, reply) : serveOwnPool(req, reply, req.query.sender)),
  });
  app.route({ ...routeOptions(API.pool), handler: servePool });

  app.route({ ...routeOptions(API.peerBlocks), onRequest, handler: async (req) => ({ result: await blocks.receive(req.body, false) }) });

  app.route({
    ...routeOptions(API.peerVotes),
    onRequest,
    handler: async (req) => {
      node.voting.receive(req.body.votes, req.body.evidence);
      return { ok: true };
    },
  });

  const peerStreams = new Set<Duplex>();
  app.addHook('preClose', async () => {
    for (const socket of peerStreams) socket.destroy();
  });
  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // The HTTP server hands the socket over without its error listener: a peer that resets the
    // connection (refused or not) would otherwise crash the process with an unhandled 'error'.
    socket.on('error', () => undefined);
    if (
      (req.url ?? '').split('?')[0] !== ROUTES.peerStream ||
      req.headers.upgrade !== STREAM_PROTOCOL ||
      peerStreams.size >= MAX_PEER_STREAMS
    ) {
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    if (gate.member(headerOf(req, SESSION_HEADER)) === undefined) {
      node.events.emit('request', { route: ROUTES.peerStream, method: 'GET', status: 401 });
      socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    node.events.emit('request', { route: ROUTES.peerStream, method: 'GET', status: 101 });
    peerStreams.add(socket);
    socket.on('close', () => peerStreams.delete(socket));
    acceptStream(
      socket,
      head,
      (kind, json) => handleFrame(node, kind, json),
      (err) => node.config.log.warn(`a peer stream frame failed: ${err instanceof Error ? err.message : String(err)}`),
      { blockFrameBytes: maxBlockFrameBytes(node.chain.params?.capacity) },
    );
  });
}
