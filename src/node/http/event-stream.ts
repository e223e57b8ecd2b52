/**
 * GET /events (SPEC B, the explorer; the tester): server-sent events, `event: block` after every
 * committed block and `event: reorg` when the best branch switches, built from the node's events.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { ROUTES } from '../../api/routes.js';
import type { BlockEvent, ReorgEvent } from '../../api/types.js';
import type { BranchReplaced, CommittedBlock, NodeEmitter } from '../events.js';
import { NodeError } from '../errors.js';
import type { Membership } from '../formation/index.js';
import { refuse } from './errors.js';

/** Most event streams open at once; one more is refused with 503 BUSY. */
export const MAX_EVENT_STREAMS = 64;
/**
 * Most bytes an event stream may hold unsent (a subscriber that does not read): past this, its
 * stream is ended rather than buffered without bound. A reader reconnects (retry: 1000) and
 * catches up from GET /blocks.
 */
export const MAX_EVENT_BACKLOG_BYTES = 1024 * 1024;

export function registerEventStream(app: FastifyInstance, events: NodeEmitter, members: Membership): void {
  // Open event streams are ended on close: a hijacked response would otherwise hold the server open.
  const streams = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const res of streams) res.end();
  });
  app.get(ROUTES.events, (req, reply) => {
    if (streams.size >= MAX_EVENT_STREAMS) {
      return refuse(reply, new NodeError('BUSY', `this node serves ${MAX_EVENT_STREAMS} event streams at once; try again later`));
    }
    reply.hijack();
    const res = reply.raw;
    /** Writes an event, or ends a stream whose reader lets more than MAX_EVENT_BACKLOG_BYTES wait. */
    const send = (text: string): void => {
      if (res.writableLength > MAX_EVENT_BACKLOG_BYTES) {
        res.destroy();
        return;
      }
      res.write(text);
    };
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
        validator_id: members.idOf(block.validator),
        transactions: block.transactions.length,
        timestamp: block.timestamp,
        tx_ids: block.transactions.map((t) => t.id),
      };
      send(`event: block\ndata: ${JSON.stringify(event)}\n\n`);
    };
    const onReorg = ({ fork, reverted, returned }: BranchReplaced) => {
      const event: ReorgEvent = {
        fork_index: fork,
        reverted: reverted.map((b) => b.current_hash),
        returned_tx_ids: returned.map((tx) => tx.id),
      };
      send(`event: reorg\ndata: ${JSON.stringify(event)}\n\n`);
    };
    const keepAlive = setInterval(() => send(': keep-alive\n\n'), 15_000);
    events.on('block', onBlock);
    events.on('reorg', onReorg);
    req.raw.on('close', () => {
      streams.delete(res);
      clearInterval(keepAlive);
      events.off('block', onBlock);
      events.off('reorg', onReorg);
    });
  });
}
