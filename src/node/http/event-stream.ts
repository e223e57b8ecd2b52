/**
 * GET /events (SPEC B, the explorer; the tester): server-sent events, `event: block` after every
 * committed block, `event: reorg` when the best branch switches and `event: final` when its
 * finalised checkpoint rises, built from the node's events.
 *
 * Every event has an id (`id:` line): this process's run tag and a sequence number. The last
 * REPLAY_EVENTS events are kept, so a client that reconnects with `Last-Event-ID` gets those it
 * missed first; one whose id is older than that, or from an earlier run of the node, gets
 * `event: resync` instead and reads GET /blocks for what it missed.
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { API } from '../../api/routes.js';
import type { BlockEvent, FinalEvent, ReorgEvent } from '../../api/types.js';
import type { BranchReplaced, CommittedBlock, NodeEmitter } from '../events.js';
import { NodeError } from '../errors.js';
import type { Membership } from '../formation/index.js';
import { refuse } from './errors.js';
import { routeOptions } from './route.js';

/** How many past events a reconnecting client can be sent. */
export const REPLAY_EVENTS = 1024;

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
  /** Writes an event, or ends a stream whose reader lets more than MAX_EVENT_BACKLOG_BYTES wait. */
  const send = (res: ServerResponse, text: string): void => {
    if (res.writableLength > MAX_EVENT_BACKLOG_BYTES) {
      res.destroy();
      return;
    }
    res.write(text);
  };
  const run = randomBytes(4).toString('hex');
  /** The last events as sent, oldest first; `seq` of the newest is `sent`. */
  const recent: string[] = [];
  let sent = 0;
  const publish = (event: string, data: unknown): void => {
    sent++;
    const text = `id: ${run}-${sent}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    recent.push(text);
    if (recent.length > REPLAY_EVENTS) recent.shift();
    for (const res of streams) send(res, text);
  };
  events.on('block', ({ block }: CommittedBlock) => {
    const event: BlockEvent = {
      index: block.index,
      hash: block.current_hash,
      validator: block.validator,
      validator_id: members.idOf(block.validator),
      transactions: block.transactions.length,
      timestamp: block.timestamp,
      tx_ids: block.transactions.map((t) => t.id),
    };
    publish('block', event);
  });
  events.on('reorg', ({ fork, reverted, returned }: BranchReplaced) => {
    const event: ReorgEvent = {
      fork_index: fork,
      reverted: reverted.map((b) => b.current_hash),
      returned_tx_ids: returned.map((tx) => tx.id),
    };
    publish('reorg', event);
  });
  events.on('final', ({ height, hash }) => {
    const event: FinalEvent = { height, hash };
    publish('final', event);
  });

  /** The events after `lastId`, or undefined when they are no longer all kept. */
  const since = (lastId: string): string[] | undefined => {
    const m = /^([0-9a-f]{8})-([0-9]{1,15})$/.exec(lastId);
    if (!m || m[1] !== run) return undefined;
    const seq = Number(m[2]);
    const oldest = sent - recent.length + 1;
    if (seq > sent || seq < oldest - 1) return undefined;
    return recent.slice(seq - oldest + 1);
  };

  app.route({
    ...routeOptions(API.events),
    handler: (req, reply) => {
      if (streams.size >= MAX_EVENT_STREAMS) {
        return refuse(reply, new NodeError('BUSY', `this node serves ${MAX_EVENT_STREAMS} event streams at once; try again later`));
      }
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(`retry: 1000\n\n`);
      const lastId = req.headers['last-event-id'];
      if (typeof lastId === 'string' && lastId !== '') {
        const missed = since(lastId.trim());
        if (missed) for (const text of missed) res.write(text);
        else res.write(`event: resync\ndata: ${JSON.stringify({ last_event_id: lastId.slice(0, 64), newest: `${run}-${sent}` })}\n\n`);
      }
      streams.add(res);
      const keepAlive = setInterval(() => send(res, ': keep-alive\n\n'), 15_000);
      req.raw.on('close', () => {
        streams.delete(res);
        clearInterval(keepAlive);
      });
    },
  });
}
