/**
 * What one node holds for others is bounded (docs/operations.md, "Bounds"): event streams are
 * capped, a peer stream's frames are held to what an honest peer sends (a block frame to what the
 * network's capacity allows, a transaction frame to 1 MiB), and a transaction is refused by the
 * cheap checks before its signature costs anything. Each case fails on the unbounded code.
 */
import { connect, type Socket } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { STREAM_PROTOCOL } from '../../src/node/network/peer-stream.js';
import { signTransaction } from '../../src/core/transaction.js';
import { useNetwork, memberHeaders, metric, openPeerStream, raw, waitAgreement, waitFor, walletKey } from './harness.js';

const N = 2;
const CAPACITY = 5;
const t = useNetwork(N, CAPACITY);
let domain: string;

beforeAll(async () => {
  domain = (await t.clients[0]!.blocks(0, 1))[0]!.current_hash;
  await waitAgreement(t.clients);
}, 90_000);

/** Opens node 0's peer stream of `kind`; fails the test if the upgrade is refused. */
async function stream(kind: 'tx' | 'block'): Promise<Socket> {
  const socket = await openPeerStream(t.ports[0]!, STREAM_PROTOCOL, kind, await memberHeaders(t.ports[0]!, walletKey(t, 1)));
  if (typeof socket === 'number') throw new Error(`the upgrade was refused with ${socket}`);
  socket.on('error', () => undefined);
  return socket;
}

/** Writes `bytes` of one unfinished frame (its tag, then spaces), or until the node closes the socket. */
async function sendUnfinishedFrame(socket: Socket, tag: string, bytes: number): Promise<void> {
  const closed = new Promise((resolve) => socket.once('close', resolve));
  const chunk = ' '.repeat(16 * 1024);
  socket.write(tag + '[');
  for (let sent = 2; sent < bytes && !socket.destroyed; sent += chunk.length) {
    if (!socket.write(chunk)) await Promise.race([new Promise((r) => socket.once('drain', r)), closed]);
  }
}

describe('peer stream frames', () => {
  it('a block frame longer than the capacity allows ends the connection (5 × 7 KiB here, not the 4 MiB REST limit)', async () => {
    const socket = await stream('block');
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await sendUnfinishedFrame(socket, 'B', 256 * 1024);
    await closed;
    expect((await t.clients[0]!.status()).id).toBe(0);
  });

  it('a transaction frame longer than 1 MiB ends the connection', async () => {
    const socket = await stream('tx');
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await sendUnfinishedFrame(socket, 'T', 2 * 1024 * 1024);
    await closed;
    expect((await t.clients[0]!.status()).id).toBe(0);
  });

  it('a block frame within the limit is read and handled, and the connection stays open', async () => {
    const frames = 'blockchat_peer_stream_frames_total{kind="block"}';
    const before = await metric(t.clients[0]!, frames, { absentIsZero: true });
    const socket = await stream('block');
    await sendUnfinishedFrame(socket, 'B', 16 * 1024);
    socket.write('\n'); // a whole frame (not JSON: dropped, as any garbage)
    await waitFor('the frame to be handled', async () => (await metric(t.clients[0]!, frames)) > before);
    expect(socket.destroyed).toBe(false);
    socket.destroy();
  });
});

/**
 * Asks node 0 for a peer stream it refuses (an unknown protocol), reads the refusal, then resets
 * the connection (TCP RST) instead of closing it; resolves once the socket is closed.
 */
function resetAfterRefusal(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
    socket.on('data', (chunk: string) => {
      answer += chunk;
      if (answer.includes('\r\n\r\n')) socket.resetAndDestroy();
    });
    socket.write('GET /peer/stream?kind=tx HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: Upgrade\r\nupgrade: not-a-peer/1\r\n\r\n');
  });
}

describe('a refused peer stream upgrade', () => {
  it('whose client resets the connection leaves the node up (no unhandled socket error)', async () => {
    for (let i = 0; i < 5; i++) {
      const answer = await resetAfterRefusal(t.ports[0]!);
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect((await t.clients[0]!.status()).id).toBe(0);
    }
  });
});

describe('GET /events', () => {
  it('serves 64 streams at once; the 65th is refused with 503 BUSY, and a closed one frees its place', async () => {
    const aborters: AbortController[] = [];
    try {
      for (let i = 0; i < 64; i++) {
        const aborter = new AbortController();
        aborters.push(aborter);
        const res = await request(`http://127.0.0.1:${t.ports[1]!}/events`, { signal: aborter.signal, bodyTimeout: 0 });
        expect(res.statusCode).toBe(200);
        res.body.on('error', () => undefined);
      }
      const refused = await raw(t.ports[1]!, 'GET', '/events');
      expect(refused.status).toBe(503);
      expect(refused.body.code).toBe('BUSY');
      aborters.pop()!.abort();
      await waitFor('a freed place', async () => {
        const aborter = new AbortController();
        const res = await request(`http://127.0.0.1:${t.ports[1]!}/events`, { signal: aborter.signal, bodyTimeout: 0 });
        aborters.push(aborter);
        res.body.on('error', () => undefined);
        return res.statusCode === 200;
      });
    } finally {
      for (const a of aborters) a.abort();
    }
  });
});

describe('cheap checks before the signature', () => {
  it("a member's transaction it cannot pay is refused INSUFFICIENT_FUNDS, forged signature or not: no verification spent", async () => {
    const wallet = await t.clients[1]!.wallet();
    expect(wallet.balance).toBeGreaterThan(0);
    const tx = signTransaction(domain, walletKey(t, 1), {
      receiver: (await t.clients[0]!.status()).address,
      type: 'coins',
      amount: wallet.balance, // plus its fee: more than the balance
      message: '',
      nonce: wallet.nonce,
    });
    const forged = { ...tx, signature: tx.signature.replace(/^./, (c) => (c === '0' ? '1' : '0')) };
    const badSignatures = await metric(t.clients[0]!, 'blockchat_transactions_rejected_total{code="BAD_SIGNATURE"}', {
      absentIsZero: true,
    });
    const res = await raw(t.ports[0]!, 'POST', '/peer/transactions', [forged], await memberHeaders(t.ports[0]!, walletKey(t, 1)));
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('INSUFFICIENT_FUNDS');
    expect(await metric(t.clients[0]!, 'blockchat_transactions_rejected_total{code="BAD_SIGNATURE"}', { absentIsZero: true })).toBe(
      badSignatures,
    );
  });
});
