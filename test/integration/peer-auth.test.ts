/**
 * Members only (docs/protocol.md, "Members only: peer sessions"): the peer routes and the peer
 * stream answer a member's session only, refuse an outsider before reading its body, and every
 * signed message between nodes (authentication, join, hello, announcement) is refused when replayed;
 * an outsider asking for challenges as fast as it can does not keep a member out.
 */
import { connect } from 'node:net';
import * as secp from '@noble/secp256k1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, NodeClient } from '../../client/api.js';
import { API } from '../../src/api/routes.js';
import { addressOf, bytesToHex } from '../../src/core/crypto.js';
import { UNITS_PER_BCC } from '../../src/core/params.js';
import { CHALLENGE_HEADER, JOIN_HEADER, SESSION_HEADER, signHello, signJoin, signNetwork, signPeerAuth } from '../../src/core/peer-auth.js';
import { STREAM_PROTOCOL } from '../../src/node/network/peer-stream.js';
import { launch, memberHeaders, openPeerStream, raw, waitAgreement, waitFor, walletKey, type TestNetwork } from './harness.js';

const N = 3;
const CAPACITY = 5;
let t: TestNetwork;

beforeAll(async () => {
  t = await launch(N, CAPACITY);
  await waitAgreement(t.clients);
}, 90_000);

afterAll(async () => {
  await t?.stop();
});

const freshKey = (): string => bytesToHex(secp.utils.randomSecretKey());
const challengeOf = (i: number) => NodeClient.forPort(t.ports[i]!).call(API.peerChallenge);

/** A signed POST /peer/auth of `key` on a fresh challenge of node i: its body and headers. */
async function authRequest(i: number, key: string) {
  const c = await challengeOf(i);
  const body = {
    address: addressOf(key),
    nonce: c.nonce,
    signature: signPeerAuth(c.domain, c.address, c.nonce, key, addressOf(key)),
    challenge: 'cd'.repeat(32),
  };
  return { body, headers: { [CHALLENGE_HEADER]: c.nonce } };
}

describe('peer routes answer members only', () => {
  it('no session or a made-up one → 401 UNAUTHORIZED, on REST and on the stream', async () => {
    const variants: Array<Record<string, string>> = [{}, { [SESSION_HEADER]: 'ab'.repeat(32) }];
    for (const headers of variants) {
      const pool = await raw(t.ports[0]!, 'GET', '/peer/pool', undefined, headers);
      expect(pool.status).toBe(401);
      expect(pool.body.code).toBe('UNAUTHORIZED');
      const votes = await raw(t.ports[0]!, 'POST', '/peer/votes', { votes: [], evidence: [] }, headers);
      expect(votes.body.code).toBe('UNAUTHORIZED');
      expect(await openPeerStream(t.ports[0]!, STREAM_PROTOCOL, 'tx', headers)).toBe(401);
    }
  });

  it("a key that is no member's signs correctly → 403 UNKNOWN_NODE, and gets no session", async () => {
    const { body, headers } = await authRequest(0, freshKey());
    const res = await raw(t.ports[0]!, 'POST', '/peer/auth', body, headers);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('UNKNOWN_NODE');
  });

  it("a member's session opens the routes and the stream", async () => {
    const session = await memberHeaders(t.ports[0]!, walletKey(t, 1));
    expect((await raw(t.ports[0]!, 'GET', '/peer/pool', undefined, session)).status).toBe(200);
    // one sender's pending transactions (a restarted node asks for its own): an address, or 400
    const own = await raw(t.ports[0]!, 'GET', `/peer/pool?sender=${addressOf(walletKey(t, 1))}`, undefined, session);
    expect(own.status).toBe(200);
    expect(Array.isArray(own.body)).toBe(true);
    expect((await raw(t.ports[0]!, 'GET', '/peer/pool?sender=node1', undefined, session)).status).toBe(400);
    // another member's: refused (a member may ask for its own only)
    expect((await raw(t.ports[0]!, 'GET', `/peer/pool?sender=${addressOf(walletKey(t, 2))}`, undefined, session)).status).toBe(400);
    const socket = await openPeerStream(t.ports[0]!, STREAM_PROTOCOL, 'tx', session);
    expect(typeof socket).not.toBe('number');
    if (typeof socket !== 'number') socket.destroy();
  });

  it("an outsider's large body is not read: the 401 comes while most of the body is still unsent", async () => {
    const declared = 3 * 1024 * 1024;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(t.ports[0]!, '127.0.0.1', () => {
        socket.write(
          `POST /peer/transactions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${declared}\r\n\r\n[`,
        );
        socket.write(' '.repeat(1024)); // a first kibibyte of 3 MiB; the rest is never sent
      });
      let text = '';
      socket.on('data', (d: Buffer) => {
        text += d.toString('latin1');
        if (text.includes('\r\n\r\n')) {
          socket.destroy();
          resolve(text);
        }
      });
      socket.on('error', reject);
      socket.on('close', () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
  });
});

describe('replayed messages are refused', () => {
  it('an authentication replayed → 401 STALE_CHALLENGE', async () => {
    const { body, headers } = await authRequest(0, walletKey(t, 1));
    expect((await raw(t.ports[0]!, 'POST', '/peer/auth', body, headers)).status).toBe(200);
    const again = await raw(t.ports[0]!, 'POST', '/peer/auth', body, headers);
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('STALE_CHALLENGE');
  });

  it("a member's join replayed → 401 STALE_CHALLENGE (the first one is answered with its id)", async () => {
    const key = walletKey(t, 1);
    const c = await challengeOf(0);
    const status = await t.clients[1]!.status();
    const body = { address: status.address, host: '127.0.0.1', port: t.ports[1]!, n: N, capacity: CAPACITY, stake: 10 * UNITS_PER_BCC };
    const join = signJoin(c.address, { ...body, domain: c.domain, nonce: c.nonce, answer_nonce: 'ef'.repeat(32) }, key);
    const first = await raw(t.ports[0]!, 'POST', '/peer/join', join, { [CHALLENGE_HEADER]: c.nonce });
    expect(first.status).toBe(200);
    expect(first.body.id).toBe(1);
    const again = await raw(t.ports[0]!, 'POST', '/peer/join', join, { [CHALLENGE_HEADER]: c.nonce });
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('STALE_CHALLENGE');
  });

  it('a hello replayed, to the same node or another → 401 STALE_CHALLENGE; the peers are untouched', async () => {
    const key = walletKey(t, 1);
    const c = await challengeOf(0);
    const hello = signHello(
      c.domain,
      c.address,
      { id: 1, address: addressOf(key), host: '127.0.0.1', port: t.ports[1]!, nonce: c.nonce },
      key,
    );
    const first = await raw(t.ports[0]!, 'POST', '/peer/hello', hello, await memberHeaders(t.ports[0]!, key));
    expect(first.status).toBe(200);
    for (const i of [0, 2]) {
      const before = await t.clients[i]!.peers();
      const again = await raw(t.ports[i]!, 'POST', '/peer/hello', { ...hello, port: 1 }, await memberHeaders(t.ports[i]!, key));
      expect(again.status).toBe(401);
      expect(again.body.code).toBe('STALE_CHALLENGE');
      expect(await t.clients[i]!.peers()).toEqual(before);
    }
  });

  it("an announcement signed by the bootstrap's key, to a formed node → 401 STALE_CHALLENGE; the node list is untouched", async () => {
    const peers = await t.clients[1]!.peers();
    const nodes = peers.map((p) => ({ ...p, port: p.id === 2 ? 1 : p.port, stake: 10 * UNITS_PER_BCC }));
    const chain = await t.clients[1]!.blocks(0, 500);
    const nonce = 'ef'.repeat(32);
    const announcement = signNetwork(
      { n: N, capacity: CAPACITY, nodes, chain, to: peers[1]!.address, answer_nonce: nonce },
      walletKey(t, 0),
    );
    const res = await raw(t.ports[1]!, 'POST', '/peer/network', announcement, { [JOIN_HEADER]: nonce });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('STALE_CHALLENGE');
    expect(await t.clients[1]!.peers()).toEqual(peers);
  });
});

describe('challenges cost the node nothing to hand out', () => {
  it('an outsider asking for challenges in a loop gets every one, and a member still authenticates meanwhile', async () => {
    const asked = NodeClient.forPort(t.ports[0]!);
    const answers = new Map<string, number>();
    let flooding = true;
    const flood = async () => {
      while (flooding) {
        const code = await asked.call(API.peerChallenge).then(
          () => 'ok',
          (err: unknown) => (err instanceof ApiError ? `${err.status} ${err.code}` : String(err)),
        );
        answers.set(code, (answers.get(code) ?? 0) + 1);
      }
    };
    const workers = Array.from({ length: 8 }, flood);
    try {
      // Twice what the old table of outstanding challenges held, all within their 10 s.
      await waitFor('2,048 challenges asked', async () => [...answers.values()].reduce((a, b) => a + b, 0) >= 2048, 60_000, 10);
      const session = await memberHeaders(t.ports[0]!, walletKey(t, 2));
      expect((await raw(t.ports[0]!, 'GET', '/peer/pool', undefined, session)).status).toBe(200);
    } finally {
      flooding = false;
      await Promise.all(workers);
    }
    expect([...answers.keys()]).toEqual(['ok']);
  });
});
