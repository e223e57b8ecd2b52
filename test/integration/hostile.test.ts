/**
 * Hostile input against one running 3-node network (SPEC B, "Security"): every malformed,
 * forged, replayed, oversized or unauthorised request gets a 4xx with a machine `code` and a
 * human `message` naming the problem, the node stays up, and its committed state, pool and peer
 * list are exactly as before. At the end the network still commits from every node and agrees.
 *
 * Blocks can only be signed by their validator, so a forged block is refused by the FIRST check
 * of src/core/chain.ts applyBlock that fails (index → previous hash → validator → size → hash →
 * signature → transactions). Each block case below names the validator the lottery picked and
 * links to the tip where it must, so that it is refused for the reason it tests.
 */
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import * as secp from '@noble/secp256k1';
import { beforeAll, describe, expect, it } from 'vitest';
import { headerOf, signBlockV2, type BlockV2 } from '../../src/core/blockv2.js';
import { headerHash } from '../../src/core/header.js';
import { addressOf, bytesToHex, hexToBytes, isValidAddress, signHash } from '../../src/core/crypto.js';
import { readToken } from '../../src/api/token.js';
import { UNITS_PER_BCC } from '../../src/core/params.js';
import { signTransaction, txId } from '../../src/core/transaction.js';
import type { Block, Transaction, TxBody } from '../../src/core/types.js';
import {
  CHALLENGE_HEADER,
  type Hello,
  JOIN_HEADER,
  type JoinRequest,
  type NodeEntry,
  signHello,
  signJoin,
  signNetwork,
} from '../../src/core/peer-auth.js';
import { API } from '../../src/api/routes.js';
import { NodeClient } from '../../client/api.js';
import { STREAM_PROTOCOL } from '../../src/node/network/peer-stream.js';
import {
  useNetwork,
  memberHeaders,
  metric,
  openPeerStream,
  raw,
  snapshot,
  waitAgreement,
  waitCommitted,
  waitFor,
  walletKey,
} from './harness.js';

const N = 3;
const CAPACITY = 5;
/** The order of secp256k1's group. */
const CURVE_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

const t = useNetwork(N, CAPACITY);
let domain: string;
let addresses: string[];

type RawResult = Awaited<ReturnType<typeof raw>>;

beforeAll(async () => {
  const [genesis] = await t.clients[0]!.blocks(0, 1);
  domain = genesis!.current_hash;
  addresses = (await Promise.all(t.clients.map((c) => c.status()))).map((s) => s.address);
  await waitAgreement(t.clients);
}, 90_000);

const freshKey = (): string => bytesToHex(secp.utils.randomSecretKey());
const token = (i: number): string => {
  const value = readToken(t.ports[i]!, join(t.dataRoot, `node-${i}`));
  if (!value) throw new Error(`no token for node ${i}`);
  return value;
};
const auth = (i: number): Record<string, string> => ({ authorization: `Bearer ${token(i)}` });

/** Everything a refused request must leave as it was: committed state, pool, peers. */
async function state(i: number): Promise<{ snap: string; pool: number; peers: string }> {
  const c = t.clients[i]!;
  const [snap, status, peers] = await Promise.all([snapshot(c), c.status(), c.peers()]);
  return { snap, pool: status.pool, peers: JSON.stringify(peers) };
}

/**
 * Sends a hostile request to node `i` and checks: the exact status and code, a non-empty message
 * that names the problem, the node still answers, and nothing changed.
 */
async function refused(i: number, send: () => Promise<RawResult>, status: number, code: string, mention: RegExp): Promise<RawResult> {
  const before = await state(i);
  const res = await send();
  expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(status);
  expect(res.body.code, JSON.stringify(res.body).slice(0, 500)).toBe(code);
  expect(res.body.statusCode).toBe(status); // the body agrees with the HTTP status
  expect(typeof res.body.message).toBe('string');
  expect((res.body.message as string).length).toBeGreaterThan(0);
  expect(res.body.message).toMatch(mention);
  expect((await t.clients[i]!.status()).id).toBe(i); // still up
  expect(await state(i)).toEqual(before);
  return res;
}

/** A counter of node i's /metrics, by its full name with labels (harness.metric). */
const counter = (i: number, series: string, opts: { absentIsZero?: boolean } = {}) => metric(t.clients[i]!, series, opts);

const submitRaw = (i: number, body: string | object, headers: Record<string, string> = auth(i)) =>
  raw(t.ports[i]!, 'POST', '/wallet/transactions', body, headers);
/** A member's session with node i (node i+1's key): the peer routes answer members only. */
const sessions = new Map<number, Promise<Record<string, string>>>();
const asMember = (i: number): Promise<Record<string, string>> => {
  if (!sessions.has(i)) sessions.set(i, memberHeaders(t.ports[i]!, walletKey(t, (i + 1) % N)));
  return sessions.get(i)!;
};
const peerTxs = async (i: number, body: string | object) => raw(t.ports[i]!, 'POST', '/peer/transactions', body, await asMember(i));
const peerBlock = async (i: number, body: string | object) => raw(t.ports[i]!, 'POST', '/peer/blocks', body, await asMember(i));

/** A well-formed, correctly signed transaction from a fresh (unfunded) key. */
function freshTx(overrides: Partial<TxBody> = {}, key = freshKey()): Transaction {
  return signTransaction(domain, key, { receiver: addresses[0]!, type: 'coins', amount: 100, message: '', nonce: 0, ...overrides });
}

/**
 * Declares a `bytes`-long JSON body and starts sending it over a raw socket. The server answers
 * 413 from the Content-Length alone and closes the connection, so an ordinary client that insists
 * on writing all 5 MB first may see EPIPE instead of the answer; this one reads the answer.
 */
function oversized(port: number, path: string, bytes: number, headers: Record<string, string>): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', () => undefined); // the server may close while we write: the answer decides
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
      const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
      try {
        resolve({ status, body: JSON.parse(body) as RawResult['body'] });
      } catch {
        reject(new Error(`not a JSON answer: ${answer.slice(0, 300)}`));
      }
    });
    socket.setTimeout(10_000, () => socket.destroy());
    const head = [
      `POST ${path} HTTP/1.1`,
      'host: 127.0.0.1',
      'content-type: application/json',
      `content-length: ${bytes}`,
      'connection: close',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    socket.write(head.join('\r\n') + '\r\n\r\n');
    socket.write('{"type":"message","to":2,"message":"' + 'x'.repeat(64 * 1024));
    socket.end();
  });
}

/** A 66-hex-character string with a valid prefix whose x is not on the curve. */
function offCurveAddress(): string {
  for (let x = 1; ; x++) {
    const candidate = '02' + x.toString(16).padStart(64, '0');
    if (!isValidAddress(candidate)) return candidate;
  }
}

describe('POST /wallet/transactions (with the token)', () => {
  it('malformed JSON → 400', async () => {
    await refused(1, () => submitRaw(1, '{"type":"coins","to":2,'), 400, 'BAD_REQUEST', /JSON/i);
  });

  it('a body that is not an object → 400', async () => {
    for (const body of ['[1,2]', '"coins"', '42', 'null']) {
      await refused(1, () => submitRaw(1, body), 400, 'BAD_REQUEST', /must be an object/);
    }
  });

  it('an unknown field → 400 naming it', async () => {
    await refused(1, () => submitRaw(1, { type: 'coins', to: 2, amount: 5, fee: 0 }), 400, 'BAD_REQUEST', /unknown field "fee"/);
  });

  it('a prototype-polluting body → 400', async () => {
    await refused(1, () => submitRaw(1, '{"type":"coins","to":2,"amount":5,"__proto__":{"admin":true}}'), 400, 'BAD_REQUEST', /__proto__/);
  });

  it('a body that is not JSON (form-encoded) → 415', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded', ...auth(1) };
    await refused(
      1,
      () => raw(t.ports[1]!, 'POST', '/wallet/transactions', 'type=coins&to=2&amount=5', form),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      /content-type/,
    );
  });

  it('wrong types → 400', async () => {
    await refused(1, () => submitRaw(1, { type: 'coins', to: 2, amount: '5' }), 400, 'BAD_REQUEST', /amount.*integer/);
    await refused(1, () => submitRaw(1, { type: 'coins', to: { id: 2 }, amount: 5 }), 400, 'BAD_REQUEST', /"to" must be a node id/);
    await refused(1, () => submitRaw(1, { type: 'gift', to: 2, amount: 5 }), 400, 'BAD_REQUEST', /"type" must be one of/);
  });

  it('negative, fractional and huge amounts → 400', async () => {
    await refused(1, () => submitRaw(1, { type: 'coins', to: 2, amount: -5 }), 400, 'BAD_REQUEST', /"amount" must be at least 0/);
    await refused(1, () => submitRaw(1, { type: 'coins', to: 2, amount: 1.5 }), 400, 'BAD_REQUEST', /"amount" must be an integer/);
    await refused(
      1,
      () => submitRaw(1, '{"type":"coins","to":2,"amount":9007199254740993}'),
      400,
      'BAD_REQUEST',
      /"amount" must be at most 9007199254740991/,
    );
    // 1e400 parses to Infinity, which is no integer
    await refused(1, () => submitRaw(1, '{"type":"coins","to":2,"amount":1e400}'), 400, 'BAD_REQUEST', /"amount" must be an integer/);
  });

  it('coins with amount 0, and a message that carries an amount → 400 MALFORMED', async () => {
    await refused(1, () => submitRaw(1, { type: 'coins', to: 2, amount: 0 }), 400, 'MALFORMED', /positive amount/);
    await refused(1, () => submitRaw(1, { type: 'message', to: 2, message: 'hi', amount: 5 }), 400, 'MALFORMED', /amount 0/);
  });

  it('an unknown recipient id, or an address that is not a curve point → 422 UNKNOWN_RECIPIENT', async () => {
    await refused(1, () => submitRaw(1, { type: 'coins', to: 99, amount: 5 }), 422, 'UNKNOWN_RECIPIENT', /no node 99/);
    const bad = offCurveAddress();
    expect(bad).toMatch(/^[0-9a-f]{66}$/);
    await refused(1, () => submitRaw(1, { type: 'coins', to: bad, amount: 5 }), 422, 'UNKNOWN_RECIPIENT', /valid address/);
  });

  it('a message to oneself → 422 SELF_TRANSFER', async () => {
    await refused(1, () => submitRaw(1, { type: 'message', to: 1, message: 'me' }), 422, 'SELF_TRANSFER', /differ/);
    await refused(1, () => submitRaw(1, { type: 'coins', to: addresses[1]!, amount: 5 }), 422, 'SELF_TRANSFER', /differ/);
  });

  it('an empty message and one of 1025 code points → 400 MALFORMED', async () => {
    await refused(1, () => submitRaw(1, { type: 'message', to: 2, message: '' }), 400, 'MALFORMED', /1 to 1024 characters.*has 0/);
    await refused(1, () => submitRaw(1, { type: 'message', to: 2, message: 'a'.repeat(1025) }), 400, 'MALFORMED', /has 1025/);
    await refused(1, () => submitRaw(1, { type: 'message', to: 2, message: '😀'.repeat(1025) }), 400, 'MALFORMED', /has 1025/);
  });

  it('a body over the size limit (5 MB) → 413, refused before it is read', async () => {
    await refused(1, () => oversized(t.ports[1]!, '/wallet/transactions', 5 * 1024 * 1024, auth(1)), 413, 'PAYLOAD_TOO_LARGE', /too large/);
  });

  it('a missing, wrong or malformed bearer token → 401 UNAUTHORIZED', async () => {
    const body = { type: 'coins', to: 2, amount: 5 };
    await refused(1, () => submitRaw(1, body, {}), 401, 'UNAUTHORIZED', /token/);
    await refused(1, () => submitRaw(1, body, { authorization: `Bearer ${'0'.repeat(token(1).length)}` }), 401, 'UNAUTHORIZED', /token/);
    await refused(1, () => submitRaw(1, body, auth(0)), 401, 'UNAUTHORIZED', /token/); // another node's token
    await refused(1, () => submitRaw(1, body, { authorization: token(1) }), 401, 'UNAUTHORIZED', /token/); // no "Bearer"
    await refused(1, () => submitRaw(1, body, { authorization: `Basic ${token(1)}` }), 401, 'UNAUTHORIZED', /token/);
    await refused(1, () => submitRaw(1, body, { authorization: `Bearer ${token(1)} extra` }), 401, 'UNAUTHORIZED', /token/);
    // refused before the body is even read
    await refused(1, () => submitRaw(1, '{not json', {}), 401, 'UNAUTHORIZED', /token/);
  });

  it('an unaffordable transfer → 422 INSUFFICIENT_FUNDS', async () => {
    await refused(
      1,
      () => submitRaw(1, { type: 'coins', to: 2, amount: 5000 * UNITS_PER_BCC }),
      422,
      'INSUFFICIENT_FUNDS',
      /insufficient funds/,
    );
    await refused(1, () => submitRaw(1, { type: 'stake', amount: 5000 * UNITS_PER_BCC }), 422, 'INSUFFICIENT_FUNDS', /insufficient funds/);
  });

  it('a message of 1024 emoji (2048 UTF-16 units, 1024 code points) is accepted and committed', async () => {
    // 1024 BCC is more than a node starts with: nodes 1 and 2 fund node 0 first.
    const funding = await Promise.all([1, 2].map((i) => t.clients[i]!.submit({ type: 'coins', to: 0, amount: 600 * UNITS_PER_BCC })));
    await waitCommitted(
      t.clients,
      funding.map((r) => r.id),
    );
    const message = '😀'.repeat(1024);
    expect(message.length).toBe(2048);
    const res = await submitRaw(0, { type: 'message', to: 1, message });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const id = res.body.id as string;
    await waitCommitted(t.clients, [id]);
    const inbox = await t.clients[1]!.inbox();
    expect(inbox.find((m) => m.id === id)?.message).toBe(message);
    await waitAgreement(t.clients);
  });
});

describe('POST /peer/transactions', () => {
  it('a body that is not an array → 400', async () => {
    await refused(2, () => peerTxs(2, freshTx()), 400, 'BAD_REQUEST', /must be an array/);
    await refused(2, () => peerTxs(2, '{"oops":'), 400, 'BAD_REQUEST', /JSON/i);
  });

  it('more than 1000 transactions → 400', async () => {
    const tx = freshTx();
    await refused(
      2,
      () =>
        peerTxs(
          2,
          Array.from({ length: 1001 }, () => tx),
        ),
      400,
      'BAD_REQUEST',
      /at most 1000 items/,
    );
  });

  it('an extra field → 400', async () => {
    await refused(2, () => peerTxs(2, [{ ...freshTx(), fee: 1 }]), 400, 'BAD_REQUEST', /unknown field/);
  });

  it('an invalid sender address → 400 MALFORMED', async () => {
    const good = freshTx();
    const bad = { ...good, sender: offCurveAddress() };
    await refused(2, () => peerTxs(2, [{ ...bad, id: txId(domain, bad) }]), 400, 'MALFORMED', /sender is not a valid address/);
  });

  it('a transaction whose id is not the hash of its fields → 422 BAD_ID', async () => {
    const good = freshTx();
    await refused(2, () => peerTxs(2, [{ ...good, amount: good.amount + 1 }]), 422, 'BAD_ID', /id does not match/);
  });

  it('a forged signature → 422 BAD_SIGNATURE', async () => {
    // Claims to be from node 1's wallet, with an honest id, signed by another key.
    const victim = await t.clients[1]!.wallet();
    const thief = freshKey();
    const body: TxBody = {
      sender: victim.address,
      receiver: addressOf(thief),
      type: 'coins',
      amount: 100, // affordable: the signature is all that is wrong
      message: '',
      nonce: victim.nonce,
    };
    const id = txId(domain, body);
    await refused(2, () => peerTxs(2, [{ ...body, id, signature: signHash(id, thief) }]), 422, 'BAD_SIGNATURE', /signature/);
  });

  it('a high-S signature (s → n − s of a valid one) → 422 BAD_SIGNATURE', async () => {
    // by a funded member with its next nonce, so that only the signature is wrong
    const good = freshTx({ nonce: (await t.clients[1]!.wallet()).nonce }, walletKey(t, 1));
    const r = good.signature.slice(0, 64);
    const s = BigInt('0x' + good.signature.slice(64));
    const highS = r + (CURVE_N - s).toString(16).padStart(64, '0');
    // the malleated signature is mathematically valid: only the low-S rule refuses it
    expect(secp.verify(hexToBytes(highS), hexToBytes(good.id), hexToBytes(good.sender), { prehash: false, lowS: false })).toBe(true);
    await refused(2, () => peerTxs(2, [{ ...good, signature: highS }]), 422, 'BAD_SIGNATURE', /low-S/);
  });

  it('a replayed committed transaction → 422 NONCE_USED', async () => {
    const [block1] = await t.clients[0]!.blocks(1, 1);
    const first = block1!.transactions[0]!;
    await refused(2, () => peerTxs(2, [first]), 422, 'NONCE_USED', /replay/);
  });
});

describe('POST /peer/blocks', () => {
  /** The tip, the validator the lottery names next, and a valid transaction to fill blocks. */
  async function context() {
    await waitAgreement(t.clients);
    const tip = await t.clients[1]!.latestBlock();
    const named = (await t.clients[1]!.status()).next_validator;
    return { tip, named };
  }
  /** A block as the named validator would make it, but signed by someone else (nobody has its key). */
  function asNamed(tip: Block, named: string, txs: Transaction[], overrides: Partial<BlockV2> = {}): BlockV2 {
    const b: BlockV2 = {
      index: tip.index + 1,
      round: 0,
      timestamp: Date.now(),
      transactions: txs,
      validator: named,
      previous_hash: tip.current_hash,
      reveal: 'ab'.repeat(32),
      votes: [],
      evidence: [],
      current_hash: '',
      signature: '',
      ...overrides,
    };
    const current_hash = headerHash(domain, headerOf(domain, b));
    return { ...b, current_hash, signature: signHash(current_hash, freshKey()) };
  }
  /** A version-2 block of `txs` after `previous`, signed by `key`. */
  const signed = (previous: Pick<Block, 'index' | 'current_hash'>, txs: Transaction[], key: string): BlockV2 =>
    signBlockV2(domain, previous, 0, { transactions: txs, reveal: 'ab'.repeat(32), votes: [], evidence: [] }, Date.now(), key);

  it('from a validator the lottery did not name → 422 WRONG_VALIDATOR', async () => {
    const { tip } = await context();
    const impostor = freshKey();
    const block = signed(tip, [freshTx()], impostor);
    await refused(1, () => peerBlock(1, block), 422, 'WRONG_VALIDATOR', /not the validator of round 0/);
  });

  it('with a wrong previous hash → 422 BAD_PREVIOUS_HASH', async () => {
    const { tip, named } = await context();
    const block = asNamed(tip, named, [freshTx()], { previous_hash: 'ab'.repeat(32) });
    await refused(1, () => peerBlock(1, block), 422, 'BAD_PREVIOUS_HASH', /does not link/);
  });

  it('over capacity → 422 BAD_BLOCK_SIZE (checked before the seal); empty is a valid size', async () => {
    const { tip, named } = await context();
    const txs = Array.from({ length: CAPACITY + 1 }, () => freshTx());
    await refused(
      1,
      () => peerBlock(1, asNamed(tip, named, txs)),
      422,
      'BAD_BLOCK_SIZE',
      new RegExp(`0 to ${CAPACITY} transactions, this one ${CAPACITY + 1}`),
    );
    // an empty block (how an idle network finalises) goes on to the seal, which is not the validator's
    await refused(1, () => peerBlock(1, asNamed(tip, named, [])), 422, 'BAD_SIGNATURE', /signed/);
  });

  it('with a tampered hash → 422 BAD_HASH', async () => {
    const { tip, named } = await context();
    const block = asNamed(tip, named, [freshTx()]);
    const tampered = { ...block, current_hash: (block.current_hash[0] === 'a' ? 'b' : 'a') + block.current_hash.slice(1) };
    await refused(1, () => peerBlock(1, tampered), 422, 'BAD_HASH', /does not match/);
  });

  it('with a correct hash but no valid signature of the named validator → 422 BAD_SIGNATURE', async () => {
    const { tip, named } = await context();
    await refused(1, () => peerBlock(1, asNamed(tip, named, [freshTx()])), 422, 'BAD_SIGNATURE', /signed/);
  });

  it('the current tip again → 2xx "known", nothing changes', async () => {
    const { tip } = await context();
    const before = await state(1);
    const res = await peerBlock(1, tip);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ result: 'known' });
    expect(await state(1)).toEqual(before);
  });

  it("a block far ahead of the tip is kept only with a member's valid seal, and never applied out of order", async () => {
    const { tip, named } = await context();
    const before = await state(1);
    // claims the named validator, but the seal is not its signature: refused, not kept
    const unsealed = asNamed(tip, named, [freshTx()], { index: tip.index + 5, previous_hash: 'cd'.repeat(32) });
    await refused(1, () => peerBlock(1, unsealed), 422, 'BAD_SIGNATURE', /not signed/);
    // sealed by a member (node 2's own key, from its data directory) but far ahead: kept, not applied
    const memberKey = walletKey(t, 2);
    const sealed = signed({ index: tip.index + 4, current_hash: 'cd'.repeat(32) }, [freshTx()], memberKey);
    const res = await peerBlock(1, sealed);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ result: 'queued' });
    // The catch-up it starts finds no peer ahead: the state is the same once a catch-up that
    // began after the block was queued has finished. Catch-ups run one at a time, so the second
    // to finish after this read began after it (the first may have begun before the block).
    const catchUps = await counter(1, 'blockchat_catch_ups_total');
    await waitFor('two catch-ups after the far-ahead block', async () => (await counter(1, 'blockchat_catch_ups_total')) >= catchUps + 2);
    expect(await state(1)).toEqual(before);
  });

  it('a far-ahead block over capacity is refused outright (never held in memory) → 422 BAD_BLOCK_SIZE', async () => {
    const { tip, named } = await context();
    const filler = { ...freshTx(), message: 'm'.repeat(2048) }; // only the schema looks at a block this size
    const huge = asNamed(
      tip,
      named,
      Array.from({ length: 1500 }, () => filler),
      { index: tip.index + 1000 },
    );
    await refused(1, () => peerBlock(1, huge), 422, 'BAD_BLOCK_SIZE', /this one 1500/);
  });

  it('a rival of a recent block is validated like any block (→ 422 WRONG_VALIDATOR); one of a final block → 409 CONFLICT', async () => {
    const { tip } = await context();
    const [older] = await t.clients[1]!.blocks(tip.index - 1, 1);
    const rival = signed({ index: older!.index - 1, current_hash: older!.previous_hash }, [freshTx()], freshKey());
    expect(rival.index).toBe(older!.index);
    expect(rival.current_hash).not.toBe(older!.current_hash);
    await refused(1, () => peerBlock(1, rival), 422, 'WRONG_VALIDATOR', /not the validator of round 0/);
    const genesisRival = { ...(await t.clients[1]!.blocks(0, 1))[0]!, timestamp: 1 };
    await refused(1, () => peerBlock(1, { ...genesisRival, current_hash: 'ee'.repeat(32) }), 409, 'CONFLICT', /conflicts/);
  });

  it('a malformed body → 400', async () => {
    const { tip } = await context();
    await refused(1, () => peerBlock(1, '{"index":'), 400, 'BAD_REQUEST', /JSON/i);
    await refused(1, () => peerBlock(1, [tip]), 400, 'BAD_REQUEST', /must be an object/);
    await refused(1, () => peerBlock(1, { ...tip, index: -1 }), 400, 'BAD_REQUEST', /"index" must be at least 0/);
    await refused(1, () => peerBlock(1, { ...tip, timestamp: 'now' }), 400, 'BAD_REQUEST', /"timestamp" must be an integer/);
    await refused(1, () => peerBlock(1, { ...tip, extra: true }), 400, 'BAD_REQUEST', /unknown field/);
    const { transactions: _omit, ...noTxs } = tip;
    await refused(1, () => peerBlock(1, noTxs), 400, 'BAD_REQUEST', /transactions/);
  });
});

describe('joining and forming: signed data only', () => {
  /** A join signed by `key` on a fresh challenge of node i, and the header that names it. */
  const joinTo = async (i: number, key: string, port = 1) => {
    const c = await NodeClient.forPort(t.ports[i]!).call(API.peerChallenge);
    const body = { address: addressOf(key), host: '127.0.0.1', port, n: N, capacity: CAPACITY, stake: 10 * UNITS_PER_BCC };
    const join = signJoin(c.address, { ...body, domain: c.domain, nonce: c.nonce, answer_nonce: 'ab'.repeat(32) }, key);
    return { join, headers: { [CHALLENGE_HEADER]: c.nonce } };
  };
  const sendJoin = async (i: number, key: string, tamper: (j: JoinRequest) => JoinRequest = (j) => j) => {
    const { join, headers } = await joinTo(i, key);
    return raw(t.ports[i]!, 'POST', '/peer/join', tamper(join), headers);
  };

  it('POST /peer/join to a node that is not the bootstrap → 403 UNKNOWN_NODE', async () => {
    await refused(1, () => sendJoin(1, freshKey()), 403, 'UNKNOWN_NODE', /not the bootstrap/);
  });

  it('POST /peer/join to the full bootstrap, validly signed by a fresh key → 409 NETWORK_FULL', async () => {
    await refused(0, () => sendJoin(0, freshKey()), 409, 'NETWORK_FULL', /full/);
    expect((await t.clients[0]!.status()).joined).toBe(N);
  });

  it('POST /peer/join with a bad signature → 422 BAD_SIGNATURE (even in the name of a member)', async () => {
    await refused(0, () => sendJoin(0, freshKey(), (j) => ({ ...j, address: addresses[2]! })), 422, 'BAD_SIGNATURE', /not signed/);
  });

  it('POST /peer/network to a formed node → 401 STALE_CHALLENGE, whoever signed it; the node list is untouched', async () => {
    const attacker = freshKey();
    const peers = await t.clients[1]!.peers();
    // redirect node 2 to the attacker's port, signed by the attacker instead of the bootstrap
    const nodes: NodeEntry[] = peers.map((p) => ({ ...p, port: p.id === 2 ? 1 : p.port, stake: 10 * UNITS_PER_BCC }));
    const chain = await t.clients[1]!.blocks(0, 500);
    const nonce = 'ab'.repeat(32);
    for (const i of [0, 1, 2]) {
      const announcement = signNetwork({ n: N, capacity: CAPACITY, nodes, chain, to: addresses[i]!, answer_nonce: nonce }, attacker);
      await refused(
        i,
        () => raw(t.ports[i]!, 'POST', '/peer/network', announcement, { [JOIN_HEADER]: nonce }),
        401,
        'STALE_CHALLENGE',
        /announcement/,
      );
    }
  });

  it("POST /peer/hello with a wrong signature, from an unknown id, or not the session's member → refused; peers untouched", async () => {
    const attacker = freshKey();
    const hello = async (id: number, signer: string, address = addressOf(signer)) => {
      const c = await NodeClient.forPort(t.ports[0]!).call(API.peerChallenge);
      const body = { id, address: addressOf(signer), host: '127.0.0.1', port: 1, nonce: c.nonce };
      return { ...signHello(c.domain, c.address, body, signer), address };
    };
    const session = await memberHeaders(t.ports[0]!, walletKey(t, 1));
    const send = async (h: Promise<Hello>) => raw(t.ports[0]!, 'POST', '/peer/hello', await h, session);
    await refused(0, () => send(hello(1, attacker, addresses[1])), 422, 'BAD_SIGNATURE', /not signed/);
    await refused(0, () => send(hello(99, walletKey(t, 1))), 403, 'UNKNOWN_NODE', /node 99/);
    await refused(0, () => send(hello(1, attacker)), 403, 'UNKNOWN_NODE', /session/);
  });
});

describe('read-only routes', () => {
  it('GET /blocks with a bad from or limit → 400', async () => {
    for (const q of ['from=-1', 'from=abc', 'limit=100000', 'limit=0', 'from=1.5', 'from=1&from=2', 'other=1']) {
      await refused(0, () => raw(t.ports[0]!, 'GET', `/blocks?${q}`), 400, 'BAD_REQUEST', /query/);
    }
    const ok = await raw(t.ports[0]!, 'GET', '/blocks?from=0&limit=500');
    expect(ok.status).toBe(200);
  });

  it('GET /transactions/nothex → 400', async () => {
    await refused(0, () => raw(t.ports[0]!, 'GET', '/transactions/nothex'), 400, 'BAD_REQUEST', /id/);
  });

  it('an unknown route → 404 NOT_FOUND; a known path with another method → 405 METHOD_NOT_ALLOWED', async () => {
    await refused(0, () => raw(t.ports[0]!, 'GET', '/nope'), 404, 'NOT_FOUND', /\/nope/);
    await refused(0, () => raw(t.ports[0]!, 'POST', '/status', {}), 405, 'METHOD_NOT_ALLOWED', /\/status answers GET, HEAD, not POST/);
  });
});

const peerStream = async (i: number, protocol = STREAM_PROTOCOL): Promise<Socket | number> =>
  openPeerStream(t.ports[i]!, protocol, 'tx', await asMember(i));

describe('the peer stream (GET /peer/stream, upgraded): the same checks as the REST peer routes', () => {
  it('an upgrade to another protocol → 400, nothing changes', async () => {
    const before = await state(1);
    expect(await peerStream(1, 'websocket')).toBe(400);
    expect(await state(1)).toEqual(before);
  });

  it('garbage, schema failures, unknown tags, forged and unfunded transactions and bad blocks are dropped; state unchanged, node up', async () => {
    const before = await state(1);
    const txFrames = 'blockchat_peer_stream_frames_total{kind="transactions"}';
    const blockFrames = 'blockchat_peer_stream_frames_total{kind="block"}';
    const frames = await counter(1, txFrames, { absentIsZero: true });
    const blocks = await counter(1, blockFrames, { absentIsZero: true });
    const forged = await counter(1, 'blockchat_transactions_rejected_total{code="BAD_SIGNATURE"}', { absentIsZero: true });
    const socket = await peerStream(1);
    if (typeof socket === 'number') throw new Error(`the upgrade was refused with ${socket}`);
    const tx = freshTx();
    // forged in the name of a funded member (an unfunded sender is refused before its signature is checked)
    const funded = freshTx({ receiver: addresses[1]!, nonce: (await t.clients[0]!.wallet()).nonce }, walletKey(t, 0));
    const lines = [
      'T{"not json',
      'T[{"sender":5}]',
      `T${JSON.stringify([{ ...tx, extra: 1 }])}`,
      'Xwhat is this',
      '',
      `T${JSON.stringify([{ ...funded, signature: funded.signature.replace(/^./, (c) => (c === '0' ? '1' : '0')) }])}`,
      `T${JSON.stringify([tx])}`, // well formed and signed, but its sender has no funds
      `B${JSON.stringify({ index: 999, timestamp: 1, transactions: [], validator: addresses[0], previous_hash: '0'.repeat(64), current_hash: '0'.repeat(64), signature: '0'.repeat(128) })}`,
      'B[]',
      // Frames are handled one at a time, in order, and counted as their handling starts: once
      // this last one is counted, every frame above has been handled.
      'T{"last',
    ];
    socket.write(lines.join('\n') + '\n');
    await waitFor(
      'every frame to be handled',
      async () => (await counter(1, txFrames)) >= frames + 6 && (await counter(1, blockFrames)) >= blocks + 2,
    );
    expect(await counter(1, 'blockchat_transactions_rejected_total{code="BAD_SIGNATURE"}')).toBe(forged + 1);
    expect((await t.clients[1]!.status()).id).toBe(1);
    expect(await state(1)).toEqual(before);
    socket.destroy();
  });

  it('a frame longer than the body limit ends the connection; the node stays up and unchanged', async () => {
    const before = await state(2);
    const socket = await peerStream(2);
    if (typeof socket === 'number') throw new Error(`the upgrade was refused with ${socket}`);
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
    const chunk = 'T[' + ' '.repeat(64 * 1024);
    for (let sent = 0; sent < 5 * 1024 * 1024 && !socket.destroyed; sent += chunk.length) {
      if (!socket.write(chunk)) await new Promise((r) => socket.once('drain', r).once('close', r));
    }
    await closed;
    expect((await t.clients[2]!.status()).id).toBe(2);
    expect(await state(2)).toEqual(before);
  });
});

describe('afterwards', () => {
  it('the network still commits from every node, past the queued far-ahead block, and every node agrees', async () => {
    const start = (await t.clients[0]!.status()).height;
    // enough rounds that the chain grows past the index of the garbage block queued above
    for (let round = 0; round < 6; round++) {
      const ids = await Promise.all(
        t.clients.map((c, i) => c.submit({ type: 'coins', to: (i + 1) % N, amount: 10 + round }).then((r) => r.id)),
      );
      await waitCommitted(t.clients, ids);
    }
    await waitFor('the chain to grow', async () => (await t.clients[1]!.status()).height >= start + 6);
    await waitAgreement(t.clients);
    const views = await Promise.all(t.clients.map((c) => c.accounts()));
    for (const v of views) expect(v).toEqual(views[0]);
  });
});
