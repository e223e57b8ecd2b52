/**
 * The public pages' bound (src/node/http/page-slots.ts, `--page-readers`), on a real server and
 * real sockets: connections that ask for the pool page and never read hold at most that many
 * pages; one more is refused with 503 BUSY and Retry-After, while a member's GET /peer/pool is
 * still answered; a reader that goes away frees its page.
 */
import { connect, type Socket } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SESSION_HEADER } from '../../src/core/peer-auth.js';
import { PageSlots } from '../../src/node/http/page-slots.js';
import { registerPeerRoutes } from '../../src/node/http/peer-routes.js';
import type { BlockchatNode } from '../../src/node/index.js';

/** Far more than a loopback socket's buffers take: a reader that does not read leaves it unsent. */
const PAGE = ['x'.repeat(32 * 1024 * 1024)];
const MEMBER_SESSION = 'session-of-member-1';

let app: FastifyInstance | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await app?.close();
  app = undefined;
});

async function serve(readers: number): Promise<{ port: number; slots: PageSlots }> {
  app = Fastify();
  const slots = new PageSlots(readers);
  slots.guard(app);
  const parts = {
    sync: { poolPage: () => PAGE, poolOf: () => [] },
    gate: { member: (session: string | undefined) => (session === MEMBER_SESSION ? 'member-1' : undefined) },
  } as unknown as BlockchatNode;
  registerPeerRoutes(app, parts);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, slots };
}

/** Asks for GET /pool on a connection of its own, takes the first bytes of the answer, then stops reading. */
function stalledReader(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('GET /pool HTTP/1.1\r\nhost: node\r\n\r\n'));
    sockets.push(socket);
    socket.once('error', reject);
    socket.once('data', (first) => {
      expect(first.toString('latin1')).toMatch(/^HTTP\/1\.1 200/);
      socket.pause();
      resolve(socket);
    });
  });
}

describe('the public pages (--page-readers)', () => {
  it('are sent to so many readers at once: one more gets 503 BUSY, a member still gets its page', async () => {
    const { port, slots } = await serve(2);
    await stalledReader(port);
    const second = await stalledReader(port);
    expect(slots.inUse).toBe(2);

    const refused = await fetch(`http://127.0.0.1:${port}/pool`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toMatchObject({ code: 'BUSY', message: expect.stringMatching(/--page-readers/) });

    // the members' route takes no slot
    const member = await fetch(`http://127.0.0.1:${port}/peer/pool`, { headers: { [SESSION_HEADER]: MEMBER_SESSION } });
    expect(member.status).toBe(200);
    expect(((await member.json()) as string[])[0]).toHaveLength(PAGE[0]!.length);

    // a reader that goes away frees its page for the next one
    second.destroy();
    await vi.waitFor(() => expect(slots.inUse).toBe(1), { timeout: 10_000 });
    const next = await fetch(`http://127.0.0.1:${port}/pool`);
    expect(next.status).toBe(200);
    expect(((await next.json()) as string[])[0]).toHaveLength(PAGE[0]!.length);
    expect(slots.inUse).toBe(1);
  });

  it('gives back every slot of requests pipelined on one connection once it closes, answered or not', async () => {
    const { port, slots } = await serve(16);
    for (let round = 1; round <= 3; round++) {
      // four requests in one burst: the first answer stalls, the three behind it wait with no socket of their own
      const socket = connect(port, '127.0.0.1', () => socket.write('GET /pool HTTP/1.1\r\nhost: node\r\n\r\n'.repeat(4)));
      sockets.push(socket);
      await new Promise<void>((resolve) =>
        socket.once('data', () => {
          socket.pause();
          resolve();
        }),
      );
      await vi.waitFor(() => expect(slots.inUse).toBeGreaterThan(0), { timeout: 10_000 });
      socket.destroy();
      await vi.waitFor(() => expect(slots.inUse).toBe(0), { timeout: 10_000 });
    }
  });

  it('counts HEAD as GET: the page is built for it as well', async () => {
    const { port, slots } = await serve(1);
    await stalledReader(port);
    expect(slots.inUse).toBe(1);
    expect((await fetch(`http://127.0.0.1:${port}/pool`, { method: 'HEAD' })).status).toBe(503);
  });
});
