/**
 * The chain watcher (src/tools/watcher.ts) on `event: resync`: a node says its stream missed
 * events (docs/api.md, GET /events), and the watcher reads what it missed by REST at once. Its
 * slow poll is made an hour long, so that only the resync can bring the block in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/tools/network.js';
import { ChainWatcher } from '../../src/tools/watcher.js';
import { FakeNode, addr, block, tx } from './fake-node.js';

const HOUR_MS = 3_600_000;

describe('the chain watcher on event: resync', () => {
  const node = new FakeNode();
  beforeAll(() => node.start());
  afterAll(() => node.stop());

  it('catches the node up by REST at once: the skipped block is committed and final', async () => {
    node.state.chain = [block(42, [])];
    node.state.finalHeight = 42;
    const watcher = await ChainWatcher.open({ urls: [`http://127.0.0.1:${node.port}`], pollMs: HOUR_MS });
    try {
      await waitFor('the watcher to open its event stream', () => Promise.resolve(node.streams.size === 1));
      await watcher.syncAll(); // what open() set off is done: nothing more is read until told
      expect(watcher.tracksFinality).toBe(true);
      expect(watcher.heights()).toEqual([42]);

      // Block 43 is committed and finalised without its events: the node says the stream missed them.
      const id = 'ce'.repeat(32);
      node.state.chain.push(block(43, [tx(addr(1), addr(2), 'coins', 500, '', id)]));
      node.state.finalHeight = 43;
      node.event('resync', { last_event_id: 'aaaaaaaa-1', newest: 'aaaaaaaa-9' });

      await waitFor('the skipped block final on the node', () => Promise.resolve(watcher.finalOnAllAt(id) !== undefined));
      expect(watcher.committedOnAllAt(id)).toBeDefined();
      expect(watcher.blockOf(id)).toBe(43);
      expect(watcher.heights()).toEqual([43]);
    } finally {
      await watcher.close();
    }
  });
});
