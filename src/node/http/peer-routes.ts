/**
 * The routes between nodes (SPEC A, "Joining" and "Broadcast and validation"): signed data only.
 * Transactions and blocks come two ways, as REST bodies and as frames of the one-way peer stream
 * (network/peer-stream.ts); both are held to the same schema and go to the same intake
 * (ingest/): one function per kind of data.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { ROUTES } from '../../api/routes.js';
import { peerBlockSchema, peerHelloSchema, peerJoinSchema, peerNetworkSchema, peerTransactionsSchema } from '../../api/schemas.js';
import { schemaError } from '../../api/check.js';
import { ProtocolError } from '../../core/errors.js';
import type { Block, Transaction } from '../../core/types.js';
import type { Hello, JoinRequest, NetworkAnnouncement } from '../formation/index.js';
import type { BlockchatNode } from '../index.js';
import { acceptStream, STREAM_PROTOCOL, type FrameKind } from '../network/index.js';
import { errorBody, isRefusal, statusOf } from './errors.js';

/** Most peer streams open at once (each peer opens two). */
const MAX_PEER_STREAMS = 256;

type PeerParts = Pick<BlockchatNode, 'formation' | 'transactions' | 'blocks' | 'sync' | 'events' | 'config'>;

/**
 * A peer stream's frame gets the checks of the REST peer route of the same data: the same
 * schema, the same intake. Nothing is answered; a refused frame is counted like a refused request.
 */
async function handleFrame(node: PeerParts, kind: FrameKind, json: string): Promise<void> {
  node.events.emit('streamFrame', kind === 'tx' ? 'transactions' : 'block');
  let body: unknown;
  try {
    body = JSON.parse(json);
  } catch {
    node.events.emit('transactionRejected', 'MALFORMED');
    return;
  }
  try {
    if (kind === 'tx') {
      if (schemaError(peerTransactionsSchema, body) !== undefined)
        throw new ProtocolError('MALFORMED', 'a transaction frame fails the schema');
      await node.transactions.receive(body as Transaction[]);
    } else {
      if (schemaError(peerBlockSchema, body) !== undefined) throw new ProtocolError('MALFORMED', 'a block frame fails the schema');
      await node.blocks.receive(body as Block, true);
    }
  } catch (err) {
    if (!isRefusal(err)) throw err;
    node.config.log.debug(`refused a ${kind} frame: ${err.message}`);
  }
}

export function registerPeerRoutes(app: FastifyInstance, node: PeerParts): void {
  const { formation, transactions, blocks, sync } = node;
  app.post<{ Body: JoinRequest }>(ROUTES.peerJoin, { schema: { body: peerJoinSchema } }, async (req) => formation.handleJoin(req.body));

  app.post<{ Body: NetworkAnnouncement }>(ROUTES.peerNetwork, { schema: { body: peerNetworkSchema } }, async (req) => {
    await formation.handleNetwork(req.body);
    return { ok: true };
  });

  app.post<{ Body: Hello }>(ROUTES.peerHello, { schema: { body: peerHelloSchema } }, async (req) => formation.handleHello(req.body));

  app.post<{ Body: Transaction[] }>(ROUTES.peerTransactions, { schema: { body: peerTransactionsSchema } }, async (req, reply) => {
    const result = await transactions.receive(req.body);
    if (result.accepted === 0 && result.rejected.length > 0) {
      // Nothing taken: the batch is refused, for its first transaction's reason.
      const first = result.rejected[0]!;
      const status = statusOf(first.code);
      return reply.code(status).send({ ...errorBody(status, first.code, first.message), ...result });
    }
    return result;
  });

  app.get(ROUTES.peerPool, async () => sync.poolPage());

  app.post<{ Body: Block }>(ROUTES.peerBlocks, { schema: { body: peerBlockSchema } }, async (req) => ({
    result: await blocks.receive(req.body, false),
  }));

  const peerStreams = new Set<Duplex>();
  app.addHook('preClose', async () => {
    for (const socket of peerStreams) socket.destroy();
  });
  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (
      (req.url ?? '').split('?')[0] !== ROUTES.peerStream ||
      req.headers.upgrade !== STREAM_PROTOCOL ||
      peerStreams.size >= MAX_PEER_STREAMS
    ) {
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
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
    );
  });
}
