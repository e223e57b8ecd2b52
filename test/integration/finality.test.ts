/**
 * Finality on real nodes (docs/protocol.md, "Finality, accountability and the lottery seed"):
 * nodes 0, 1 and 2 are processes, node 3 is a byzantine member in this process
 * (byzantine-member.ts) that stakes as much as each of them and never votes — a quarter of the
 * stake, below the third finality tolerates.
 *
 * - a payment becomes `final` on every node, GET /status and /metrics show the finalised height,
 *   and GET /events announces it with `event: final`;
 * - an independent check, with the core's functions and GET /blocks only, replays every block
 *   (votes, reveals, draw, time rule) and obtains the finalised height every node reports;
 * - a block stamped more than 2 s ahead of the receiver's clock is refused, sent directly, after
 *   waiting in the queue of blocks ahead of the tip, fetched while catching up, and on the peer
 *   stream;
 * - a later round's block published before its round opens is refused (TOO_EARLY);
 * - a longer branch that would revert a final block is not followed.
 */
import { describe, expect, it } from 'vitest';
import type { NodeClient } from '../../client/api.js';
import type { FinalEvent } from '../../src/api/types.js';
import { signBlockV2 } from '../../src/core/blockv2.js';
import { supplyWithBurned } from '../../src/core/evidence.js';
import { MAX_FUTURE_MS, totalSupply, UNITS_PER_BCC } from '../../src/core/params.js';
import { STREAM_PROTOCOL } from '../../src/node/network/peer-stream.js';
import { ByzantineMember } from './byzantine-member.js';
import {
  metric,
  openPeerStream,
  raw,
  servedChain,
  useNetworkWithFaultyPeer,
  waitAgreement,
  waitFinal,
  waitFor,
  watchEvents,
} from './harness.js';

const N = 4;
const CAPACITY = 2;
const MEMBER = 3;

const t = useNetworkWithFaultyPeer(N, CAPACITY, MEMBER, { mode: 'reject', stake: 10 * UNITS_PER_BCC });
let byzantine: ByzantineMember | undefined;
const member = (): ByzantineMember => (byzantine ??= new ByzantineMember(t.peer, N, CAPACITY));
const port = (i: number): number => t.net.ports[i]!;
const client = (i: number): NodeClient => t.clients[i]!;

const waitFinalEverywhere = (id: string): Promise<number> => waitFinal(t.clients, id);

describe('finality', () => {
  it('forms, and passes two seed epochs (from then on the draw names every staker)', async () => {
    const m = member();
    await m.passTwoEpochs(t.clients);
    const tips = await m.chainOf(client(0));
    expect(m.roundAt(tips[tips.length - 1]!)).toBeGreaterThanOrEqual(0);
  }, 180_000);

  it('a payment becomes final on every node; /status, /metrics and /events say so', async () => {
    const streams = await Promise.all([0, 1, 2].map((i) => watchEvents(port(i))));
    try {
      const { id } = await client(0).submit({ type: 'coins', to: 1, amount: 321 });
      const block = await waitFinalEverywhere(id);
      expect(block).toBeGreaterThan(0);
      for (const c of t.clients) {
        const s = await c.status();
        expect(s.final_height).toBeGreaterThanOrEqual(block);
        expect(await metric(c, 'blockchat_final_height')).toBeGreaterThanOrEqual(block);
        expect(await metric(c, 'blockchat_finality_lag_blocks')).toBeGreaterThanOrEqual(0);
      }
      for (const stream of streams) {
        await waitFor('a final event at or above the block', () =>
          Promise.resolve(stream.events.some((e) => e.event === 'final' && (e.data as FinalEvent).height >= block)),
        );
        const finals = stream.events.filter((e) => e.event === 'final').map((e) => (e.data as FinalEvent).height);
        expect(finals.length).toBeGreaterThan(0);
        // announced once per rise, in increasing order
        expect([...finals].sort((a, b) => a - b)).toEqual(finals);
        expect(new Set(finals).size).toBe(finals.length);
      }
    } finally {
      for (const s of streams) s.close();
    }
  });

  it('an independent check from GET /blocks alone finds the finalised height every node reports', async () => {
    const hash = await waitAgreement(t.clients);
    for (const c of t.clients) {
      const { tips } = await servedChain(c, N, CAPACITY); // every rule of version 2, votes and reveals included
      const last = tips[tips.length - 1]!;
      expect(last.block.current_hash).toBe(hash);
      const status = await c.status();
      expect(last.finality.finalized).toEqual({ height: status.final_height, hash: status.final_hash });
      expect(status.final_height).toBeGreaterThan(0);
      // the votes that prove it are on chain
      expect(tips.some((x) => ((x.block as { votes?: unknown[] }).votes ?? []).length > 0)).toBe(true);
      expect(supplyWithBurned(last.ledger, last.slashing)).toBe(totalSupply(N));
    }
  });

  it('a block stamped more than 2 s ahead is refused directly, from the queue ahead of the tip, and in catch-up', async () => {
    const m = member();
    await waitAgreement(t.clients);
    const tips = await m.chainOf(client(0));
    const tip = tips[tips.length - 1]!;
    const ahead = Date.now() + MAX_FUTURE_MS + 60_000;
    const future = m.mint(tip, [], ahead);
    // sent directly
    expect(await m.postBlocks(port(1), [future.block])).toEqual([{ status: 422, answer: 'FUTURE_BLOCK' }]);
    // a block after it, stamped near now+61 s too: queued ahead of the tip is refused as well
    const next = m.mint(future, [], ahead + 5_000);
    const queued = await m.postBlocks(port(2), [next.block]);
    expect(queued).toEqual([{ status: 422, answer: 'FUTURE_BLOCK' }]);
    // served to a node that catches up from the member: never applied
    const before = await client(0).status();
    m.serve([...tips.map((x) => x.block), future.block, next.block]);
    try {
      await waitFor('node 0 to finish a catch-up', async () => (await metric(client(0), 'blockchat_catch_ups_total')) > 0);
      const catchUps = await metric(client(0), 'blockchat_catch_ups_total');
      await waitFor('another catch-up', async () => (await metric(client(0), 'blockchat_catch_ups_total')) > catchUps);
    } finally {
      m.stopServing();
    }
    for (const c of t.clients) {
      const blocks = await c.blocks(tip.block.index + 1, 5);
      expect(blocks.map((b) => b.current_hash)).not.toContain(future.block.current_hash);
    }
    expect((await client(0).status()).height).toBeGreaterThanOrEqual(before.height);
  });

  it('a block stamped more than 2 s ahead is refused on the peer stream too, even when its parent follows it there', async () => {
    const m = member();
    await waitAgreement(t.clients);
    const tips = await m.chainOf(client(0));
    const parent = m.mint(tips[tips.length - 1]!, []); // on time
    await m.untilNotAhead([parent.block]);
    const child = m.mint(parent, [], Date.now() + MAX_FUTURE_MS + 60_000);
    const socket = await openPeerStream(port(0), STREAM_PROTOCOL, 'block', await m.peer.sessionHeaders(port(0)));
    if (typeof socket === 'number') throw new Error(`the block stream was refused (${socket})`);
    try {
      // frames are handled in order: the child (its parent not known yet), then the parent
      socket.write(`B${JSON.stringify(child.block)}\n`);
      socket.write(`B${JSON.stringify(parent.block)}\n`);
      await waitFor(
        'node 0 to take the parent from the stream',
        async () => (await client(0).blocks(parent.block.index, 1))[0]?.current_hash === parent.block.current_hash,
      );
    } finally {
      socket.destroy();
    }
    await waitAgreement(t.clients);
    for (const i of [0, 1, 2]) {
      expect((await raw(port(i), 'GET', `/blocks/${parent.block.current_hash}`)).status).toBe(200);
      expect((await raw(port(i), 'GET', `/blocks/${child.block.current_hash}`)).status).toBe(404);
    }
  });

  it("a later round's block published before its round opens is refused (TOO_EARLY)", async () => {
    const m = member();
    await waitAgreement(t.clients);
    const tips = await m.chainOf(client(0));
    const tip = tips[tips.length - 1]!;
    const round = m.roundAt(tip);
    // one ms before its round opens (round 0: at its parent's time, timestamps strictly increase)
    const stamp = tip.block.timestamp + Math.max(0, m.openingOf(tip, round) - 1);
    const contents = { transactions: [], reveal: m.revealAfter(tip), votes: [], evidence: [] };
    const early = signBlockV2(m.params.domain, tip.block, round, contents, stamp, m.secretKey);
    await m.untilNotAhead([early]); // not refused as FUTURE_BLOCK first
    for (const i of [0, 1, 2]) expect(await m.postBlocks(port(i), [early])).toEqual([{ status: 422, answer: 'TOO_EARLY' }]);
  });

  it('a longer branch that would revert a final block is not followed, sent or served', { timeout: 180_000 }, async () => {
    const m = member();
    await waitAgreement(t.clients);
    const tips = await m.chainOf(client(0));
    const { final_height: F, final_hash } = await client(0).status();
    expect(F).toBeGreaterThan(0);
    // A rival branch of the member's from the final block's parent, longer than the honest chain
    // (each block of the first round the draw gives the member, stamped when it opens).
    const branch = m.branch(
      tips[F - 1]!,
      Array.from({ length: tips.length - F + 2 }, () => []),
    );
    expect(branch[0]!.block.current_hash).not.toBe(final_hash);
    const last = branch[branch.length - 1]!.block.timestamp;
    await waitFor('the branch to be no longer ahead of the clock', () => Promise.resolve(Date.now() >= last), 120_000);
    const answers = await m.postBlocks(
      port(1),
      branch.map((x) => x.block),
    );
    expect(answers.length).toBeGreaterThan(0);
    for (const a of answers) expect(a.answer).not.toBe('committed');
    m.serve([...tips.slice(0, F).map((x) => x.block), ...branch.map((x) => x.block)]);
    try {
      const catchUps = await metric(client(2), 'blockchat_catch_ups_total');
      await waitFor('node 2 to catch up once more', async () => (await metric(client(2), 'blockchat_catch_ups_total')) > catchUps + 1);
    } finally {
      m.stopServing();
    }
    for (const c of t.clients) {
      const [atF] = await c.blocks(F, 1);
      expect(atF!.current_hash).toBe(final_hash);
      expect((await c.status()).final_height).toBeGreaterThanOrEqual(F);
    }
  });
});
