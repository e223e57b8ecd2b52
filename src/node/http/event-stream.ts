/**
 * GET /events (SPEC B, the explorer; the tester): server-sent events, `event: block` after every
 * committed block, `event: reorg` when the best branch switches and `event: final` when its
 * finalised checkpoint rises, built from the node's events.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { ROUTES } from '../../api/routes.js';
import type { BlockEvent, FinalEvent, ReorgEvent } from '../../api/types.js';
import type { BranchReplaced, CommittedBlock, NodeEmitter } from '../events.js';
import type { Membership } from '../formation/index.js';

export function registerEventStream(app: FastifyInstance, events: NodeEmitter, members: Membership): void {
  // Open event streams are ended on close: a hijacked response would otherwise hold the server open.
  const streams = new Set<ServerResponse>();
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
        validator_id: members.idOf(block.validator),
        transactions: block.transactions.length,
        timestamp: block.timestamp,
        tx_ids: block.transactions.map((t) => t.id),
      };
      res.write(`event: block\ndata: ${JSON.stringify(event)}\n\n`);
    };
    const onReorg = ({ fork, reverted, returned }: BranchReplaced) => {
      const event: ReorgEvent = {
        fork_index: fork,
        reverted: reverted.map((b) => b.current_hash),
        returned_tx_ids: returned.map((tx) => tx.id),
      };
      res.write(`event: reorg\ndata: ${JSON.stringify(event)}\n\n`);
    };
    const onFinal = ({ height, hash }: { height: number; hash: string }) => {
      const event: FinalEvent = { height, hash };
      res.write(`event: final\ndata: ${JSON.stringify(event)}\n\n`);
    };
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    events.on('block', onBlock);
    events.on('reorg', onReorg);
    events.on('final', onFinal);
    req.raw.on('close', () => {
      streams.delete(res);
      clearInterval(keepAlive);
      events.off('block', onBlock);
      events.off('reorg', onReorg);
      events.off('final', onFinal);
    });
  });
}
