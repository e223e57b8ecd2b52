/**
 * A faulty node that runs inside the test process (test/integration/faulty.test.ts and
 * failover.test.ts): it joins a real network properly — a signed join request with its stake (0
 * unless given) and the network's n and capacity, after the bootstrap counts `id` nodes, like
 * `--join-after` — and accepts the bootstrap's signed announcement (without which the network
 * cannot form); given a stake, it stakes it once funded (`stakeWhenFunded`), so that the lottery
 * names it. From then on it misbehaves — and never produces a block:
 *
 * - `reject`: it proves its key to the nodes that ask (GET /peer/challenge, POST /peer/auth), and
 *   answers 400 to every other request (transactions, blocks, hello, pool, status).
 * - `garbage`: it also sends, every `intervalMs` until stopped, invalid transactions (bad
 *   signatures, forged senders, bad ids, replays of committed transactions, unaffordable ones
 *   signed by its own key and by an unfunded key, malformed ones, a body that fails the schema)
 *   to every honest peer's /peer/transactions, and an invalid block (signed by its own key at the
 *   next index although the lottery never names it, one with a wrong previous hash, one over
 *   capacity, one naming the real validator with a tampered hash, one naming it with a forged
 *   signature, one ahead of the tip) to every honest peer's /peer/blocks.
 *
 * Bounded: one round at a time (the next starts `intervalMs` after the previous one ended), about
 * `2 · peers + 2` requests per round (≈ 160 requests/s at 50 ms), only to 127.0.0.1, and nothing
 * once stopped. It keeps counts of what it served and of the answers to what it sent.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import * as secp from '@noble/secp256k1';
import { Agent, request } from 'undici';
import { headerOf, signBlockV2, type BlockV2 } from '../../src/core/blockv2.js';
import { headerHash } from '../../src/core/header.js';
import { addressOf, bytesToHex, signHash } from '../../src/core/crypto.js';
import { signTransaction, txId } from '../../src/core/transaction.js';
import type { Block, Transaction, TxBody } from '../../src/core/types.js';
import {
  CHALLENGE_HEADER,
  type NetworkAnnouncement,
  type NodeEntry,
  signJoin,
  signPeerAuth,
  verifyNetwork,
} from '../../src/core/peer-auth.js';
import type { StatusView } from '../../src/api/types.js';
import { API } from '../../src/api/routes.js';
import { NodeClient } from '../../client/api.js';
import { WaitAborted, waitFor } from '../../src/tools/network.js';

export type FaultMode = 'reject' | 'garbage';

export interface FaultyPeerOptions {
  basePort: number;
  /** The id it joins as: it waits until the bootstrap counts this many nodes. */
  id: number;
  n: number;
  capacity: number;
  mode: FaultMode;
  /** Stake in units it joins with and commits once funded; 0 by default (never the validator). */
  stake?: number;
  /** Pause between two garbage rounds (ms). */
  intervalMs?: number;
}

/** The kinds of invalid blocks it sends, one kind per round, in turn. */
export const BLOCK_KINDS = ['not-validator', 'wrong-previous', 'over-capacity', 'tampered-hash', 'forged-signature', 'ahead'] as const;
export type BlockKind = (typeof BLOCK_KINDS)[number];

/** Answers to what it sent: `kind → HTTP status → count` (0 when the request failed). */
export type SendLog = Map<string, Map<number, number>>;

const HOST = '127.0.0.1';
const MAX_BODY = 8 * 1024 * 1024;
const randomHex = (bytes: number): string => randomBytes(bytes).toString('hex');

export class FaultyPeer {
  readonly secretKey = bytesToHex(secp.utils.randomSecretKey());
  readonly address = addressOf(this.secretKey);
  /** A key that never receives anything: its transactions can never be paid for. */
  private readonly unfundedKey = bytesToHex(secp.utils.randomSecretKey());
  readonly port: number;
  mode: FaultMode;
  /**
   * When set, GET /status claims a height and a latest justified checkpoint far ahead of the
   * network (and GET /blocks still fails).
   */
  lieAboutHeight = false;
  nodes: NodeEntry[] = [];
  domain = '';
  /** Requests it served, by `METHOD /path`. */
  readonly served = new Map<string, number>();
  /**
   * Answers that replace the refusal for some `METHOD /path` (e.g. a chain served by a
   * byzantine-member.ts); each gets the request's URL and returns the status and body.
   */
  readonly answers = new Map<string, (url: URL) => { status: number; body: unknown }>();
  readonly sent: SendLog = new Map();
  /** Answers to the blocks it sent, by kind: the node's `result` or error `code`. */
  readonly blockAnswers = new Map<BlockKind, Set<string>>();
  rounds = 0;
  private bootstrapAddress = '';
  /** The nonce the bootstrap's announcement to it must carry. */
  private readonly answerNonce = randomHex(32);
  /** Its sessions with the honest nodes, by port. */
  private readonly sessions = new Map<number, Promise<Record<string, string>>>();
  private readonly server: Server;
  private readonly agent = new Agent({ connections: 4, pipelining: 1, keepAliveTimeout: 5_000 });
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private stopped = false;
  private replays: Transaction[] = [];
  private counter = 0;

  private constructor(readonly opts: FaultyPeerOptions) {
    this.port = opts.basePort + opts.id;
    this.mode = opts.mode;
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  static async start(opts: FaultyPeerOptions): Promise<FaultyPeer> {
    const peer = new FaultyPeer(opts);
    await new Promise<void>((resolve, reject) => {
      peer.server.once('error', reject);
      peer.server.listen(peer.port, HOST, () => resolve());
    });
    return peer;
  }

  private url(port: number, path: string): string {
    return `http://${HOST}:${port}${path}`;
  }

  /** Joins through the bootstrap once it counts `id` nodes; resolves to the id it was given. */
  async join(timeoutMs = 60_000): Promise<number> {
    const { basePort, id, n, capacity } = this.opts;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.stopped) throw new Error('stopped before joining');
      try {
        const res = await request(this.url(basePort, '/status'), { dispatcher: this.agent });
        const status = (await res.body.json()) as StatusView;
        this.bootstrapAddress = status.address;
        if (res.statusCode === 200 && status.joined >= id) break;
      } catch {
        // the bootstrap is not up yet
      }
      if (Date.now() > deadline) throw new Error(`the bootstrap never counted ${id} nodes`);
      await new Promise((r) => setTimeout(r, 20));
    }
    // A join on a fresh challenge of the bootstrap, naming the nonce its announcement must carry.
    const challenge = await NodeClient.forPort(basePort).call(API.peerChallenge);
    this.bootstrapAddress = challenge.address;
    const join = signJoin(
      challenge.address,
      {
        address: this.address,
        host: HOST,
        port: this.port,
        n,
        capacity,
        stake: this.opts.stake ?? 0,
        domain: challenge.domain,
        nonce: challenge.nonce,
        answer_nonce: this.answerNonce,
      },
      this.secretKey,
    );
    const res = await request(this.url(basePort, '/peer/join'), {
      method: 'POST',
      body: JSON.stringify(join),
      headers: { 'content-type': 'application/json', [CHALLENGE_HEADER]: challenge.nonce },
      dispatcher: this.agent,
    });
    const answer = (await res.body.json()) as { id?: number; message?: string };
    if (res.statusCode !== 200 || answer.id === undefined) throw new Error(`join refused (${res.statusCode}): ${answer.message ?? ''}`);
    return answer.id;
  }

  /**
   * Once the bootstrap's coins to it are committed (as an honest node sees them), signs its stake
   * transaction and sends it to every honest node, as a real node would. Resolves to that transaction's id.
   */
  async stakeWhenFunded(timeoutMs = 30_000): Promise<string> {
    const amount = this.opts.stake ?? 0;
    if (amount <= 0) throw new Error('this faulty peer has no stake to commit');
    await waitFor(
      'the faulty peer to be funded',
      async () => {
        if (this.stopped) throw new WaitAborted('the faulty peer stopped before it was funded');
        const source = this.honest()[0];
        if (!source || !this.domain) return false;
        const res = await request(this.url(source.port, '/accounts'), { dispatcher: this.agent });
        const accounts = (await res.body.json()) as Array<{ address: string; balance: number }>;
        const mine = res.statusCode === 200 ? accounts.find((a) => a.address === this.address) : undefined;
        return (mine?.balance ?? 0) >= amount;
      },
      timeoutMs,
      20,
    );
    const tx = signTransaction(this.domain, this.secretKey, { receiver: '0', type: 'stake', amount, message: '', nonce: 0 });
    await Promise.all(this.honest().map((p) => this.post(p.port, '/peer/transactions', JSON.stringify([tx]), 'stake')));
    return tx.id;
  }

  /** Switches behaviour; `garbage` starts the sending rounds. */
  setMode(mode: FaultMode): void {
    this.mode = mode;
    if (mode === 'garbage' && !this.timer && !this.round) this.schedule();
  }

  /** Closes its server: from then on connections to it are refused, as to a crashed node. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.round;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.agent.close();
  }

  /** Stops sending garbage (it keeps rejecting). */
  async quiet(): Promise<void> {
    this.mode = 'reject';
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.round;
  }

  // ------------------------------------------------------------------ serving

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const route = `${req.method ?? 'GET'} ${path}`;
    this.served.set(route, (this.served.get(route) ?? 0) + 1);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY) {
        res.writeHead(413).end();
        return;
      }
      chunks.push(chunk);
    }
    const send = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (route === 'POST /peer/network') {
      try {
        const a = JSON.parse(Buffer.concat(chunks).toString('utf8')) as NetworkAnnouncement;
        if (a.answer_nonce !== this.answerNonce || a.to !== this.address) throw new Error('not the announcement of its join');
        verifyNetwork(a, this.bootstrapAddress);
        this.nodes = a.nodes;
        this.domain = a.chain[0]!.current_hash;
        this.replays = a.chain.slice(1).flatMap((b) => b.transactions);
        send(200, { ok: true });
        if (this.mode === 'garbage' && !this.timer && !this.round) this.schedule();
      } catch (err) {
        send(400, { statusCode: 400, code: 'BAD_REQUEST', message: String(err) });
      }
      return;
    }
    if (route === 'GET /peer/challenge' && this.domain) {
      // a member like any: it proves its key to the nodes that ask (and refuses what they send)
      send(200, { domain: this.domain, address: this.address, nonce: randomHex(32), ttl_ms: 10_000 });
      return;
    }
    if (route === 'POST /peer/auth' && this.domain) {
      const { address, challenge } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { address: string; challenge: string };
      const signature = signPeerAuth(this.domain, address, challenge, this.secretKey, this.address);
      send(200, { session: randomHex(32), ttl_ms: 600_000, signature });
      return;
    }
    const answer = this.answers.get(route);
    if (answer) {
      const { status, body } = answer(new URL(req.url ?? '/', `http://${HOST}`));
      send(status, body as object);
      return;
    }
    if (route === 'GET /status' && this.lieAboutHeight) {
      send(200, {
        id: 3,
        address: this.address,
        n: this.nodes.length,
        capacity: 0,
        height: 1_000_000,
        ready: true,
        last_hash: '',
        justified_height: 1_000_000,
        justified_hash: 'ab'.repeat(32),
        next_validator: '',
        pool: 0,
        verifier: '',
        joined: this.nodes.length,
      });
      return;
    }
    send(400, { statusCode: 400, error: 'Bad Request', code: 'FAULTY', message: 'this node refuses everything' });
  }

  // ------------------------------------------------------------------ sending garbage

  private schedule(): void {
    if (this.stopped || this.mode !== 'garbage') return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.round = this.sendRound()
        .catch(() => undefined)
        .finally(() => {
          this.round = undefined;
          this.schedule();
        });
    }, this.opts.intervalMs ?? 50);
  }

  private honest(): NodeEntry[] {
    return this.nodes.filter((x) => x.address !== this.address && x.host === HOST);
  }

  private log(kind: string, status: number): void {
    const byStatus = this.sent.get(kind) ?? new Map<number, number>();
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    this.sent.set(kind, byStatus);
  }

  /**
   * Headers of its session with the honest node on `port`: it is a member, so it proves its key
   * like any (docs/protocol.md, "Members only"); one session per node, renewed after a 401.
   */
  sessionHeaders(port: number): Promise<Record<string, string>> {
    let headers = this.sessions.get(port);
    if (!headers) {
      headers = NodeClient.forPort(port).peerSession({ address: this.address, secretKey: this.secretKey });
      headers.catch(() => this.sessions.delete(port));
      this.sessions.set(port, headers);
    }
    return headers;
  }

  private async post(port: number, path: string, body: string, kind: string): Promise<unknown> {
    try {
      const session = await this.sessionHeaders(port);
      const res = await request(this.url(port, path), {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...session },
        dispatcher: this.agent,
        headersTimeout: 5_000,
        bodyTimeout: 5_000,
      });
      const text = await res.body.text();
      if (res.statusCode === 401) this.sessions.delete(port);
      this.log(kind, res.statusCode);
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return undefined;
      }
    } catch {
      this.log(kind, 0);
      return undefined;
    }
  }

  private async sendRound(): Promise<void> {
    const peers = this.honest();
    if (peers.length === 0 || !this.domain) return;
    const round = this.rounds++;
    const source = peers[round % peers.length]!;
    const res = await request(this.url(source.port, '/status'), { dispatcher: this.agent, headersTimeout: 5_000, bodyTimeout: 5_000 });
    const tip = (await res.body.json()) as StatusView;
    if (res.statusCode !== 200) return;
    if (this.replays.length < 8) await this.loadReplays(source.port);
    const txs = JSON.stringify(this.invalidTransactions());
    const kind = BLOCK_KINDS[round % BLOCK_KINDS.length]!;
    const block = JSON.stringify(this.invalidBlock(kind, tip));
    await Promise.all([
      ...peers.flatMap((p) => [
        this.post(p.port, '/peer/transactions', txs, 'transactions'),
        this.post(p.port, '/peer/blocks', block, `block:${kind}`).then((answer) => {
          const a = answer as { result?: string; code?: string } | undefined;
          const seen = this.blockAnswers.get(kind) ?? new Set<string>();
          seen.add(a?.result ?? a?.code ?? 'none');
          this.blockAnswers.set(kind, seen);
        }),
      ]),
      // a body that fails the schema, to one peer per round
      this.post(source.port, '/peer/transactions', round % 2 ? '[{"sender":5}]' : '{"not json', 'schema'),
    ]);
  }

  /** Committed transactions of the honest nodes, to replay. */
  private async loadReplays(port: number): Promise<void> {
    const res = await request(this.url(port, '/blocks?from=1&limit=20'), { dispatcher: this.agent });
    const blocks = (await res.body.json()) as Block[];
    if (res.statusCode === 200) this.replays = blocks.flatMap((b) => b.transactions);
  }

  /** A transaction of its own key: `fields` may break the shape (it is hashed and signed anyway). */
  private own(fields: Omit<TxBody, 'sender'>, key = this.secretKey): Transaction {
    const body: TxBody = { sender: addressOf(key), ...fields };
    const id = txId(this.domain, body);
    return { ...body, id, signature: signHash(id, key) };
  }

  private invalidTransactions(): Transaction[] {
    const k = this.counter++;
    const victim = this.honest()[k % this.honest().length]!.address;
    const coins = (nonce: number, amount = 100) =>
      signTransaction(this.domain, this.secretKey, { receiver: victim, type: 'coins', amount, message: '', nonce });
    const good = coins(1 + (k % 50));
    // a forged sender: an honest node's address, far ahead of its nonce, signed by this key
    const forgedBody: TxBody = {
      sender: victim,
      receiver: this.address,
      type: 'coins',
      amount: 100 + k,
      message: '',
      nonce: 1_000_000 + k,
    };
    const forgedId = txId(this.domain, forgedBody);
    const replay = this.replays[k % Math.max(1, this.replays.length)];
    return [
      // bad signature: a valid signature, but over another hash
      { ...good, signature: signHash(randomHex(32), this.secretKey) },
      { ...forgedBody, id: forgedId, signature: signHash(forgedId, this.secretKey) },
      // bad id: the signature is over the (wrong) id it carries
      (() => {
        const id = randomHex(32);
        return { ...good, id, signature: signHash(id, this.secretKey) };
      })(),
      ...(replay ? [replay] : []),
      // never affordable: more than the whole supply, at this key's next nonce (it never gets
      // anything committed, so that is 0); the first one is pooled, the rest take the same nonce
      coins(0, 1_000_000_000 + k),
      // an unfunded key
      signTransaction(this.domain, this.unfundedKey, { receiver: victim, type: 'coins', amount: 100, message: '', nonce: 0 }),
      // malformed, past the schema: not a curve point, zero amount, a message with an amount,
      // paying itself, a stake to someone
      this.own({ receiver: 'ff'.repeat(33), type: 'coins', amount: 100, message: '', nonce: 0 }),
      this.own({ receiver: victim, type: 'coins', amount: 0, message: '', nonce: 0 }),
      this.own({ receiver: victim, type: 'message', amount: 5, message: 'hi', nonce: 0 }),
      this.own({ receiver: this.address, type: 'coins', amount: 100, message: '', nonce: 0 }),
      this.own({ receiver: victim, type: 'stake', amount: 100, message: '', nonce: 0 }),
    ];
  }

  private invalidBlock(kind: BlockKind, tip: StatusView): Block {
    const k = this.counter;
    const tx = signTransaction(this.domain, this.secretKey, {
      receiver: tip.address,
      type: 'coins',
      amount: 100 + k,
      message: '',
      nonce: 0,
    });
    const previous = { index: tip.height, current_hash: tip.last_hash };
    const now = Date.now();
    const signBlock = (prev: Pick<Block, 'index' | 'current_hash'>, txs: Transaction[]): Block =>
      signBlockV2(this.domain, prev, 0, { transactions: txs, reveal: randomHex(32), votes: [], evidence: [] }, now, this.secretKey);
    /** Names the validator the draw picked and links to the tip, with a hash of its fields or not. */
    const asNamed = (hash: string | undefined): Block => {
      const b: BlockV2 = {
        index: tip.height + 1,
        round: 0,
        timestamp: now,
        transactions: [tx],
        validator: tip.next_validator,
        previous_hash: tip.last_hash,
        reveal: randomHex(32),
        votes: [],
        evidence: [],
        current_hash: '',
        signature: '',
      };
      const current_hash = hash ?? headerHash(this.domain, headerOf(this.domain, b));
      return { ...b, current_hash, signature: signHash(current_hash, this.secretKey) };
    };
    switch (kind) {
      case 'not-validator':
        return signBlock(previous, [tx]);
      case 'wrong-previous':
        return signBlock({ index: tip.height, current_hash: randomHex(32) }, [tx]);
      case 'over-capacity': {
        const txs = Array.from({ length: this.opts.capacity + 1 }, (_, i) =>
          signTransaction(this.domain, this.secretKey, { receiver: tip.address, type: 'coins', amount: 100 + i, message: '', nonce: i }),
        );
        return signBlock(previous, txs);
      }
      case 'tampered-hash':
        // names the validator the draw picked, links to the tip, but the hash is not its fields'
        return asNamed(randomHex(32));
      case 'forged-signature':
        return asNamed(undefined);
      case 'ahead':
        // sealed by a member (this node), two ahead of the tip: a node may keep it until the gap fills
        return signBlock({ index: tip.height + 1, current_hash: randomHex(32) }, [tx]);
    }
  }
}
