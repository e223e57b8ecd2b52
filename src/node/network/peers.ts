/**
 * The node's connections to its peers (SPEC A, "Broadcast and validation"): keep-alive undici
 * pools per peer. Transactions go out in adaptive batches: one batch in flight per peer, and
 * whatever is created meanwhile goes in the next one, so a quiet network sends each transaction
 * at once and a busy one sends hundreds per request (each transaction is serialised once, for all
 * peers). Blocks go out one at a time per peer, in commit order, on a connection of their own.
 * Both go on the peer stream (peer-stream.ts) when the peer speaks it, and by REST otherwise.
 */
import { Pool, type Dispatcher } from 'undici';
import { ApiError, NodeClient, type Answer, type CallParts } from '../../../client/api.js';
import { PeerLink, takeBatch, type SessionSource } from './peer-stream.js';
import { API, MAX_TX_BATCH, BODY_LIMIT, type RouteSpec } from '../../api/routes.js';
import { PeerBlock, PeerTransactions } from '../../api/schemas.js';
import { schemaCheck } from '../../api/validate.js';

/** What a peer serves is held to the schemas of what it may send. */
const blockError = schemaCheck(PeerBlock);
const transactionsError = schemaCheck(PeerTransactions);
import { ProtocolError } from '../../core/errors.js';
import { CHALLENGE_HEADER, type NodeEntry, SESSION_HEADER, signPeerAuth, verifyPeerAuth } from '../../core/peer-auth.js';
import type { PeerChallenge } from '../../api/types.js';
import type { WalletKey } from '../wallet/keys.js';
import type { Block, Transaction } from '../../core/types.js';
import type { Logger } from '../logger.js';

interface Peer {
  entry: NodeEntry;
  /** Transaction batches and requests. */
  pool: Pool;
  client: NodeClient;
  /** Blocks only: a block never waits behind transaction batches in flight on the same connections. */
  blockPool: Pool;
  blockClient: NodeClient;
  /** The tail of this peer's ordered block sends. */
  blocks: Promise<void>;
  /** Consecutive failures, to log once rather than per request. */
  failures: number;
  /** Serialised transactions waiting for the batch in flight to this peer to finish. */
  outbox: string[];
  sending: boolean;
  /** The peer streams for transactions and for blocks. */
  txLink: PeerLink;
  blockLink: PeerLink;
  /** Serialised blocks (and vote frames) waiting for the block stream to open. */
  blockQueue: Array<{ kind: 'block' | 'vote'; json: string }>;
  /** This node's session with the peer (members only), and the handshake in flight. */
  session?: { token: string; expires: number };
  handshake?: Promise<string>;
}

/** What this node proves itself with to its peers (docs/protocol.md, "Members only"). */
export interface PeerCredentials {
  key: WalletKey;
  /** The network's domain; undefined before this node has a genesis. */
  domain: () => string | undefined;
  /** `bytes` random bytes as lower-case hex. */
  random: (bytes: number) => string;
}

/** A session is renewed this long before the peer would expire it. */
const SESSION_MARGIN_MS = 30_000;

/** How this node reaches its peers over TLS (docs/operations.md, "TLS"): the CA it trusts besides the system's. */
export interface PeerTls {
  ca?: string;
}

/** A peer's base URL: https when this node speaks TLS to its peers. */
export function urlOf(entry: Pick<NodeEntry, 'host' | 'port'>, tls?: PeerTls): string {
  return `${tls ? 'https' : 'http'}://${entry.host}:${entry.port}`;
}

/** The undici connection options of a peer's pools: the CA to trust, over TLS. */
export function connectOptions(tls?: PeerTls): { connect?: { ca: string } } {
  return tls?.ca === undefined ? {} : { connect: { ca: tls.ca } };
}

/** Most bytes read of an answer from a peer, unless the request says otherwise: what a peer may send us. */
export const MAX_RESPONSE_BYTES = BODY_LIMIT;
/** Most bytes of a page of blocks a peer serves in catch-up (500 blocks of ordinary transactions fit with room). */
export const MAX_BLOCKS_RESPONSE_BYTES = 32 * 1024 * 1024;
/** Most bytes of a peer's pool page (10,000 ordinary transactions fit). */
export const MAX_POOL_RESPONSE_BYTES = 16 * 1024 * 1024;

/** A client of one peer over a pool of connections, reading at most MAX_RESPONSE_BYTES of an answer unless told. */
export function peerClient(url: string, pool: Dispatcher): NodeClient {
  return new NodeClient(url, undefined, 10_000, { dispatcher: pool, maxBytes: MAX_RESPONSE_BYTES });
}

export class Peers {
  private readonly peers = new Map<number, Peer>();

  constructor(
    private readonly selfId: () => number,
    private readonly log: Logger,
    private readonly credentials: PeerCredentials,
    /** TLS to the peers; plain HTTP when undefined. */
    private readonly tls?: PeerTls,
  ) {}

  /** Sets or updates the peer list (itself excluded); a peer whose address moved gets a new pool. */
  set(entries: readonly NodeEntry[]): void {
    for (const entry of entries) {
      if (entry.id === this.selfId()) continue;
      const known = this.peers.get(entry.id);
      if (known && known.entry.host === entry.host && known.entry.port === entry.port) {
        known.entry = entry;
        continue;
      }
      void known?.pool.close().catch(() => undefined);
      void known?.blockPool.close().catch(() => undefined);
      known?.txLink.close();
      known?.blockLink.close();
      const url = urlOf(entry, this.tls);
      const pool = new Pool(url, { connections: 4, pipelining: 1, keepAliveTimeout: 30_000, ...connectOptions(this.tls) });
      const blockPool = new Pool(url, { connections: 1, pipelining: 1, keepAliveTimeout: 30_000, ...connectOptions(this.tls) });
      const peer: Peer = {
        entry,
        pool,
        client: peerClient(url, pool),
        blockPool,
        blockClient: peerClient(url, blockPool),
        blocks: Promise.resolve(),
        failures: 0,
        outbox: known?.outbox ?? [],
        sending: false,
        txLink: new PeerLink(entry.host, entry.port, 'tx', () => this.sendBatch(peer), this.sessionSource(entry.id), this.tls),
        blockLink: new PeerLink(entry.host, entry.port, 'block', () => this.flushBlocks(peer), this.sessionSource(entry.id), this.tls),
        blockQueue: known?.blockQueue ?? [],
      };
      this.peers.set(entry.id, peer);
    }
  }

  ids(): number[] {
    return [...this.peers.keys()];
  }

  /** True while the last attempt to reach peer `id` failed (refused, reset or timed out). */
  unreachable(id: number): boolean {
    return (this.peers.get(id)?.failures ?? 0) > 0;
  }

  entry(id: number): NodeEntry | undefined {
    return this.peers.get(id)?.entry;
  }

  /**
   * Peer `id` restarted (its hello came): the sessions it granted died with its process, and the
   * streams to it wait out a backoff from while it was down. Take a new session and open the
   * streams at once.
   */
  revived(id: number): void {
    const peer = this.peers.get(id);
    if (!peer) return;
    peer.session = undefined;
    peer.failures = 0;
    peer.txLink.retryNow();
    peer.blockLink.retryNow();
    this.flushBlocks(peer);
    this.sendBatch(peer);
  }

  /** Queues a transaction (its JSON text) for every peer; it leaves with the next batch to each. */
  broadcastTransaction(json: string): void {
    for (const peer of this.peers.values()) {
      peer.outbox.push(json);
      if (!peer.sending) this.sendBatch(peer);
    }
  }

  /**
   * Queues `txs` again for each peer that has sent everything queued for it before (the pool's
   * resend, Resend, resend.ts): a peer that is down or slow is skipped, so that resends never
   * pile up behind it. Returns how many peers they were queued for.
   */
  resendTransactions(txs: readonly Transaction[]): number {
    if (txs.length === 0) return 0;
    const json = txs.map((tx) => JSON.stringify(tx));
    let queued = 0;
    for (const peer of this.peers.values()) {
      if (peer.sending || peer.outbox.length > 0) continue;
      peer.outbox.push(...json);
      this.sendBatch(peer);
      queued++;
    }
    return queued;
  }

  private sendBatch(peer: Peer): void {
    if (peer.sending || peer.outbox.length === 0) return;
    peer.sending = true;
    // Sent on the next turn of the event loop, so that a burst of submissions shares a batch.
    setImmediate(() => {
      while (peer.outbox.length > 0 && peer.txLink.writable()) {
        peer.txLink.write(`[${takeBatch(peer.outbox, MAX_TX_BATCH).join(',')}]`);
      }
      if (peer.outbox.length === 0 || peer.txLink.waiting()) {
        // sent, or the stream calls sendBatch again once it can take them
        peer.sending = false;
        return;
      }
      const batch = takeBatch(peer.outbox, MAX_TX_BATCH);
      this.asMember(peer, API.peerTransactions, { json: `[${batch.join(',')}]` })
        .then(
          () => this.ok(peer),
          (err: unknown) => this.failed(peer, 'transactions', err),
        )
        .finally(() => {
          peer.sending = false;
          this.sendBatch(peer);
        });
    });
  }

  /** Sends a committed block to every peer, after the blocks sent before it. */
  broadcastBlock(json: string): void {
    for (const peer of this.peers.values()) {
      peer.blockQueue.push({ kind: 'block', json });
      this.flushBlocks(peer);
    }
  }

  /**
   * Sends votes and evidence (`{"votes": […], "evidence": […]}`) to the peers whose addresses
   * `to` lists, or to every peer without it, in order with the blocks.
   */
  broadcastVotes(json: string, to?: readonly string[]): void {
    for (const peer of this.peers.values()) {
      if (to !== undefined && !to.includes(peer.entry.address)) continue;
      peer.blockQueue.push({ kind: 'vote', json });
      this.flushBlocks(peer);
    }
  }

  private flushBlocks(peer: Peer): void {
    const link = peer.blockLink;
    while (peer.blockQueue.length > 0) {
      // In order on the stream; a socket that is draining still takes them (blocks are few).
      if (link.connected() || link.writable()) {
        const { kind, json } = peer.blockQueue.shift()!;
        link.write(json, kind);
        continue;
      }
      if (!link.off()) return; // connecting: the link calls flushBlocks once it is open
      const { kind, json } = peer.blockQueue.shift()!;
      const route = kind === 'block' ? API.peerBlocks : API.peerVotes;
      peer.blocks = peer.blocks.then(() =>
        this.asMember(peer, route, { json }, peer.blockClient).then(
          () => this.ok(peer),
          (err: unknown) => this.failed(peer, kind, err),
        ),
      );
    }
  }

  /** Calls a route of one peer without a session (the public routes, POST /peer/network to a joining node). */
  call<R extends RouteSpec>(id: number, route: R, parts: CallParts = {}): Promise<Answer<R>> {
    const peer = this.peers.get(id);
    if (!peer) return Promise.reject(new Error(`no peer ${id}`));
    return peer.client.call(route, parts);
  }

  /** Calls a members-only route of one peer, with this node's session. */
  callAsMember<R extends RouteSpec>(id: number, route: R, parts: CallParts = {}): Promise<Answer<R>> {
    const peer = this.peers.get(id);
    if (!peer) return Promise.reject(new Error(`no peer ${id}`));
    return this.asMember(peer, route, parts);
  }

  /** A fresh challenge of peer `id`, checked to come from the member the list names, on this network. */
  async challenge(id: number, timeoutMs = 5_000): Promise<string> {
    const peer = this.peers.get(id);
    if (!peer) throw new Error(`no peer ${id}`);
    return (await this.challengeOf(peer, timeoutMs)).nonce;
  }

  private async challengeOf(peer: Peer, timeoutMs: number): Promise<PeerChallenge> {
    const domain = this.credentials.domain();
    if (domain === undefined) throw new Error('this node has no genesis yet: it cannot authenticate to its peers');
    const ch = await peer.client.call(API.peerChallenge, { timeoutMs });
    if (ch.domain !== domain || ch.address !== peer.entry.address) {
      throw new Error(`the node at ${urlOf(peer.entry, this.tls)} is not member ${peer.entry.id} of this network`);
    }
    return ch;
  }

  /** This node's session with a peer: the one held, or a new handshake (one at a time per peer). */
  private session(peer: Peer): Promise<string> {
    if (peer.session && peer.session.expires > Date.now()) return Promise.resolve(peer.session.token);
    peer.handshake ??= this.authenticate(peer).finally(() => (peer.handshake = undefined));
    return peer.handshake;
  }

  private sessionSource(id: number): SessionSource {
    const current = (): Peer => {
      const peer = this.peers.get(id);
      if (!peer) throw new Error(`no peer ${id}`);
      return peer;
    };
    return {
      session: async () => this.session(current()),
      forget: (token) => {
        const peer = this.peers.get(id);
        if (peer?.session?.token === token) peer.session = undefined;
      },
    };
  }

  /** The mutual handshake: this node signs the peer's challenge, the peer signs this node's. */
  private async authenticate(peer: Peer): Promise<string> {
    const { key, random } = this.credentials;
    const ch = await this.challengeOf(peer, 5_000);
    const mine = random(32);
    const body = {
      address: key.address,
      nonce: ch.nonce,
      signature: signPeerAuth(ch.domain, ch.address, ch.nonce, key.secretKey, key.address),
      challenge: mine,
    };
    const answer = await peer.client.call(API.peerAuth, { body, timeoutMs: 5_000, headers: { [CHALLENGE_HEADER]: ch.nonce } });
    if (!verifyPeerAuth(ch.domain, key.address, mine, peer.entry.address, answer.signature)) {
      throw new Error(`the node at ${urlOf(peer.entry, this.tls)} cannot sign for member ${peer.entry.id}`);
    }
    peer.session = { token: answer.session, expires: Date.now() + Math.max(0, answer.ttl_ms - SESSION_MARGIN_MS) };
    this.log.debug(`session with peer ${peer.entry.id}`);
    return answer.session;
  }

  /** A request to a members-only route, with this node's session; a 401 takes a new session once. */
  private async asMember<R extends RouteSpec>(peer: Peer, route: R, parts: CallParts, client = peer.client): Promise<Answer<R>> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.session(peer);
      try {
        return await client.call(route, { ...parts, headers: { ...parts.headers, [SESSION_HEADER]: token } });
      } catch (err) {
        if (attempt > 0 || !(err instanceof ApiError) || err.status !== 401) throw err;
        if (peer.session?.token === token) peer.session = undefined;
      }
    }
  }

  /**
   * A page of a peer's blocks for catching up, each held to the schema of a streamed block (no
   * extra field, no oversized string: MALFORMED otherwise), the page to MAX_BLOCKS_RESPONSE_BYTES.
   */
  async fetchBlocks(id: number, from: number, limit: number): Promise<Block[]> {
    const peer = this.peers.get(id);
    if (!peer) throw new Error(`no peer ${id}`);
    const page: unknown = await peer.client.call(API.blocks, {
      query: { from, limit },
      timeoutMs: 20_000,
      maxBytes: MAX_BLOCKS_RESPONSE_BYTES,
    });
    if (!Array.isArray(page) || page.length > limit)
      throw new ProtocolError('MALFORMED', `node ${id} answered a page of blocks that is not one`);
    for (const block of page) {
      const why = blockError(block);
      if (why !== undefined) throw new ProtocolError('MALFORMED', `node ${id} served a block that fails the schema: ${why}`);
    }
    return page as Block[];
  }

  /**
   * A peer's pending transactions (pool repair), or only `sender`'s, held to the schema of a
   * batch, the page to MAX_POOL_RESPONSE_BYTES.
   */
  async fetchPool(id: number, timeoutMs = 20_000, sender?: string): Promise<Transaction[]> {
    const peer = this.peers.get(id);
    if (!peer) throw new Error(`no peer ${id}`);
    const query = sender === undefined ? undefined : { sender };
    const page: unknown = await this.asMember(peer, API.peerPool, { timeoutMs, maxBytes: MAX_POOL_RESPONSE_BYTES, query });
    // (a batch holds at most MAX_TX_BATCH: the page is checked in batches of that size)
    if (!Array.isArray(page)) throw new ProtocolError('MALFORMED', `node ${id} answered a pool that is not a list`);
    for (let i = 0; i < page.length; i += MAX_TX_BATCH) {
      const why = transactionsError(page.slice(i, i + MAX_TX_BATCH));
      if (why !== undefined) throw new ProtocolError('MALFORMED', `node ${id} served pending transactions that fail the schema: ${why}`);
    }
    return page as Transaction[];
  }

  private ok(peer: Peer): void {
    if (peer.failures > 0) this.log.info(`peer ${peer.entry.id} reachable again`);
    peer.failures = 0;
  }

  private failed(peer: Peer, what: string, err: unknown): void {
    if (err instanceof ApiError && err.status >= 400 && err.status < 500) {
      // The peer answered: it refused this content (e.g. it is a block behind), it is not down.
      this.log.debug(`peer ${peer.entry.id} refused a ${what}: ${err.message}`);
      return;
    }
    peer.failures++;
    if (peer.failures === 1) {
      this.log.warn(
        `cannot reach peer ${peer.entry.id} at ${urlOf(peer.entry, this.tls)}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  async close(): Promise<void> {
    for (const p of this.peers.values()) {
      p.txLink.close();
      p.blockLink.close();
    }
    await Promise.all([...this.peers.values()].flatMap((p) => [p.pool.close(), p.blockPool.close()]).map((c) => c.catch(() => undefined)));
  }
}
