/**
 * The public pages that can weigh megabytes — the pool page (up to 10,000 transactions), blocks,
 * an address's transactions — are sent to at most `--page-readers` requests at once (the inbox
 * is the token holder's: an outsider gets 401 before any page is built).
 * A page that the reader does not take is held in its connection's write buffer, a copy per
 * connection (the pool page's bytes are shared, peer-routes.ts, but every other page is built for
 * its request): without a bound, anyone opening connections that never read could make the
 * node's memory grow without end. One more such request is refused with 503 BUSY and `Retry-After`, and
 * a page not sent within PAGE_SEND_MS has its connection closed, so that readers that never read
 * cannot keep the pages from everyone else for ever either.
 *
 * A slot is taken from the start of the request until its answer is handed to the kernel (or the
 * connection closes): a page that fits the socket's buffers, or a reader that reads, frees it at
 * once. The members' own routes (`/peer/…`, authenticated) and the event stream (its own bound)
 * take no slot: what outsiders do here never holds up the members' traffic.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { ROUTES } from '../../api/routes.js';
import { NodeError } from '../errors.js';
import { refuse } from './errors.js';

/** The pages that take a slot: GET only. */
const PAGES: ReadonlySet<string> = new Set([ROUTES.pool, ROUTES.blocks, ROUTES.accountTransactions]);

/** `--page-readers`: pages sent at once, at most (the pool page's 10,000 transactions are about 4 MB). */
export const DEFAULT_PAGE_READERS = 16;

/** How long a page may take to reach its reader before its connection is closed. */
export const PAGE_SEND_MS = 60_000;

export class PageSlots {
  private sending = 0;

  constructor(
    readonly max: number = DEFAULT_PAGE_READERS,
    private readonly sendMs: number = PAGE_SEND_MS,
  ) {}

  /** Pages being sent now. */
  get inUse(): number {
    return this.sending;
  }

  /** onRequest of a page: takes a slot until the answer is out, or refuses with 503 BUSY. */
  readonly take = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (this.sending >= this.max) {
      void reply.header('retry-after', '1');
      await refuse(reply, new NodeError('BUSY', `this node sends ${this.max} pages at once (--page-readers); try again in a second`));
      return;
    }
    this.sending++;
    const socket = req.raw.socket;
    let held = true;
    const release = (): void => {
      if (!held) return;
      held = false;
      this.sending--;
      clearTimeout(deadline);
      socket.off('close', release);
    };
    // The connection is what the deadline closes, and its end releases the slot too: the answer to
    // a request pipelined behind a stalled one is attached to no socket yet, and neither closes
    // nor can be destroyed on its own.
    const deadline = setTimeout(() => socket.destroy(), this.sendMs);
    deadline.unref();
    // the answer's 'close' comes once it is handed over, or when the connection ends first
    reply.raw.once('close', release);
    socket.once('close', release);
  };

  /** Makes every page route registered from now on on `app` take a slot (call before registering them). */
  guard(app: FastifyInstance): void {
    app.addHook('onRoute', (route) => {
      const methods = [route.method].flat();
      if (!methods.some((m) => m === 'GET' || m === 'HEAD') || !PAGES.has(route.url)) return;
      const own: onRequestHookHandler[] = route.onRequest === undefined ? [] : [route.onRequest].flat();
      if (own.some((hook) => (hook as unknown) === this.take)) return; // a HEAD route made from its GET route's options
      route.onRequest = [this.take, ...own];
    });
  }
}
