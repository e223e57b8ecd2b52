/**
 * A chain the test scripts, shown to the explorer in place of its node's: playwright's request
 * interception answers the page's GET /status and GET /blocks from it and serves its event stream
 * (GET /events) when the test says so. The rest (the assets, /accounts, /wallet/inbox) still comes
 * from the real node.
 *
 * Why scripted: a real reorg needs a validator failover with a rival branch (the machinery of the
 * failover tests). The page only reads what the REST API and the events say, so the test shows it
 * a branch switch in exactly that shape (ReorgEvent, BlockEvent of src/api/types.ts), at the
 * moment the test chooses. Blocks above the real ones are made up: the page verifies no hash.
 */
import { randomBytes } from 'node:crypto';
import type { Page, Route } from 'playwright-core';
import type { Block, BlockEvent, ReorgEvent, StatusView } from '../../src/api/types.js';

/** The page's stream stays done after the scripted events: it would reconnect after an hour. */
const NO_RECONNECT = 'retry: 3600000\n\n';

/**
 * Counts, in the page, the events its EventSource delivers (window.sseSeen), through a listener
 * added before the page's own: once an event shows there, the page has handled it. A string, not a
 * function, so that nothing of the test's compiled code has to run in the browser.
 */
const COUNT_EVENTS = `(() => {
  const Native = window.EventSource;
  const seen = [];
  window.sseSeen = seen;
  window.EventSource = class extends Native {
    constructor(url, init) {
      super(url, init);
      for (const type of ['reorg', 'block']) this.addEventListener(type, () => seen.push(type));
    }
  };
})();`;

function sse(type: string, data: unknown): string {
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

function blockEvent(block: Block): BlockEvent {
  return {
    index: block.index,
    hash: block.current_hash,
    validator: block.validator,
    validator_id: null,
    transactions: block.transactions.length,
    timestamp: block.timestamp,
    tx_ids: block.transactions.map((tx) => tx.id),
  };
}

export class ScriptedChain {
  private blocks: Block[];
  /** The page's open GET /events requests, answered by `sendEvents`. */
  private streams: Route[] = [];
  private hold: { answer?: Block[]; release?: () => void } | undefined;

  /** Starts from a real node's status and blocks. */
  constructor(
    private readonly status: StatusView,
    blocks: readonly Block[],
  ) {
    if (blocks.length === 0) throw new Error('a chain starts with its genesis block');
    this.blocks = [...blocks];
  }

  get tip(): Block {
    return this.blocks[this.blocks.length - 1]!;
  }

  /** The chain, oldest first. */
  get chain(): readonly Block[] {
    return this.blocks;
  }

  /** Adds `count` empty blocks by `validator` on top of the tip; returns them. */
  extend(validator: string, count: number): Block[] {
    const added: Block[] = [];
    for (let i = 0; i < count; i++) {
      const previous = this.tip;
      const block: Block = {
        index: previous.index + 1,
        timestamp: previous.timestamp + 1_000,
        transactions: [],
        validator,
        previous_hash: previous.current_hash,
        current_hash: randomBytes(32).toString('hex'),
        signature: randomBytes(64).toString('hex'),
      };
      this.blocks.push(block);
      added.push(block);
    }
    return added;
  }

  /**
   * Switches to a rival branch that shares the blocks up to `forkIndex` and has `count` blocks by
   * `validator` above it; returns the events the node sends for it: `reorg`, then `block` for each
   * block of the new branch (src/node/node.ts).
   */
  switchBranch(forkIndex: number, validator: string, count: number): { reverted: Block[]; events: string } {
    const reverted = this.blocks.filter((b) => b.index > forkIndex);
    if (reverted.length === 0) throw new Error(`nothing above block ${forkIndex} to revert`);
    this.blocks = this.blocks.filter((b) => b.index <= forkIndex);
    const applied = this.extend(validator, count);
    const reorg: ReorgEvent = {
      fork_index: forkIndex,
      reverted: reverted.map((b) => b.current_hash).reverse(),
      returned_tx_ids: [],
    };
    return { reverted, events: sse('reorg', reorg) + applied.map((b) => sse('block', blockEvent(b))).join('') };
  }

  /**
   * The next GET /blocks is answered from the chain as it is when the request arrives, but only
   * once `release` is called: an answer still on its way when the chain changes.
   */
  holdNextBlocks(): { arrived: () => boolean; release: () => void } {
    const hold: NonNullable<ScriptedChain['hold']> = {};
    this.hold = hold;
    return {
      arrived: () => hold.answer !== undefined,
      release: () => {
        if (!hold.release) throw new Error('no GET /blocks held yet');
        hold.release();
      },
    };
  }

  /** Whether the page has an event stream open that `sendEvents` can answer. */
  get streamOpen(): boolean {
    return this.streams.length > 0;
  }

  /** Answers the page's open event stream with `events`; the stream then ends. */
  async sendEvents(events: string): Promise<void> {
    const route = this.streams.shift();
    if (!route) throw new Error('the page has no event stream open');
    await route.fulfill({
      status: 200,
      headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
      body: NO_RECONNECT + events,
    });
  }

  /** Installs the interception on `page` (before it loads). */
  async install(page: Page): Promise<void> {
    await page.addInitScript(COUNT_EVENTS);
    await page.route(
      (url) => url.pathname === '/status',
      (route) => route.fulfill({ json: { ...this.status, height: this.tip.index, last_hash: this.tip.current_hash, pool: 0 } }),
    );
    await page.route(
      (url) => url.pathname === '/blocks',
      async (route) => {
        const query = new URL(route.request().url()).searchParams;
        const from = Number(query.get('from') ?? 0);
        const limit = Number(query.get('limit') ?? 100);
        const answer = this.blocks.filter((b) => b.index >= from).slice(0, limit);
        const hold = this.hold;
        if (hold) {
          this.hold = undefined;
          const released = new Promise<void>((resolve) => (hold.release = resolve));
          hold.answer = answer;
          await released;
        }
        await route.fulfill({ json: answer });
      },
    );
    // Held open until the test sends events on it, as a real stream stays open between events.
    await page.route(
      (url) => url.pathname === '/events',
      (route) => {
        this.streams.push(route);
      },
    );
  }
}

/** What a page's window holds once COUNT_EVENTS ran. */
export interface CountedEvents {
  sseSeen?: string[];
}
