/**
 * A BlockChat node, built here in order from its parts (the composition root):
 *
 *   db/         the chain and the network record on disk
 *   metrics/    the counters of GET /metrics
 *   network/    the peers: batched broadcast, the peer streams, requests, resending what no block takes
 *   chain/      the chain follower: blocks, fork choice, the recent blocks, inbox, dropped transactions
 *   formation/  genesis, joining, the announcement, restart; the member list and readiness
 *   wallet/     the node's own wallet: submissions and the initial stake
 *   voting/     this staker's votes, the pool of verified votes, equivocation and evidence
 *   minter/     when to mint, and minting
 *   ingest/     transactions and blocks from peers (REST and the peer stream alike)
 *   sync/       catch-up and pool repair
 *   views/      what the read-only routes show
 *
 * The parts announce what happened on one typed emitter (events.ts); the store, the metrics and
 * the peers follow it, subscribed first and in that order, and the HTTP layer (http/) reads the
 * views and calls the parts. See docs/architecture.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_POOL_LIMITS, TxPool } from '../core/pool.js';
import { runtimeDir, runtimeTokenPath } from '../api/token.js';
import type { AccountView } from '../api/types.js';
import { BlockHistory, ChainFollower } from './chain/index.js';
import type { NodeConfig } from './config.js';
import { ChainStore, subscribeStore } from './db/index.js';
import { Emitter, type NodeEvents } from './events.js';
import { Formation, Membership, Readiness, type JoinRequest } from './formation/index.js';
import { BlockIntake, TransactionIntake } from './ingest/index.js';
import { Metrics, subscribeMetrics } from './metrics/index.js';
import { Minter } from './minter/index.js';
import { Peers, Resend, subscribePeers } from './network/index.js';
import { ChainSync } from './sync/index.js';
import { AddressViews } from './views/addresses.js';
import { Views } from './views/index.js';
import { Voting } from './voting/index.js';
import { ensurePrivateDir, writePrivateFile } from './private-files.js';
import { HEAP_TRIM_MIN_GROWTH, trimEvery, trimWhenGrown } from './heap-trim.js';
import { PeerGate } from './http/peer-auth.js';
import { JOURNAL_FILE, loadToken, loadWallet, OwnWallet, WalletJournal, type WalletKey } from './wallet/index.js';

export { type NodeConfig } from './config.js';

export class BlockchatNode {
  readonly key: WalletKey;
  /** The bearer token of the wallet's signing routes. */
  readonly token: string;
  readonly events = new Emitter<NodeEvents>();
  readonly members: Membership;
  /** The challenges and sessions of the members-only peer routes. */
  readonly gate: PeerGate;
  readonly chain: ChainFollower;
  readonly wallet: OwnWallet;
  /** Transactions from peers (REST and the peer stream). */
  readonly transactions: TransactionIntake;
  /** Blocks from peers (REST and the peer stream). */
  readonly blocks: BlockIntake;
  readonly sync: ChainSync;
  readonly formation: Formation;
  readonly views: Views;
  /** Votes and evidence: this staker's votes, the pool of verified votes, equivocation. */
  readonly voting: Voting;
  /** Any address's transactions and next nonce (GET /accounts/:address/…). */
  readonly addressViews: AddressViews;
  private readonly store: ChainStore;
  private readonly metrics: Metrics;
  private readonly pool: TxPool;
  private readonly peers: Peers;
  /** Sends the pooled transactions no block takes to the peers again. */
  private readonly resend: Resend;
  private readonly readiness: Readiness;
  private readonly minter: Minter;
  private tokenPublished = false;
  /** Stops the periodic trim of the C library's heap (config.trimHeap). */
  private stopTrim: (() => void) | undefined;

  constructor(readonly config: NodeConfig) {
    const { log } = config;
    // Every hash, signature and verification of this node goes through its chosen suite.
    const crypto = config.crypto.crypto;
    this.metrics = new Metrics(crypto);
    const now = config.now ?? Date.now;
    // A monotonic clock: a step of the wall clock must not age every pending transaction at once.
    this.pool = new TxPool(DEFAULT_POOL_LIMITS, () => performance.now());
    const events = this.events;
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    this.key = loadWallet(config.dataDir);
    this.token = loadToken(config.dataDir);
    const address = this.key.address;

    // The followers first: the store writes a block before anything else sees it.
    this.store = new ChainStore(join(config.dataDir, 'chain'));
    subscribeStore(events, this.store);
    subscribeMetrics(events, this.metrics);
    this.members = new Membership(config.n, config.capacity, this.store, events, log);
    const random = (bytes: number): string => randomBytes(bytes).toString('hex');
    const domain = (): string | undefined => this.chain.params?.domain;
    this.peers = new Peers(() => this.members.id, log, { key: this.key, domain, random }, config.tls);
    this.gate = new PeerGate({
      domain,
      address,
      secretKey: this.key.secretKey,
      isMember: (a) => this.members.idOf(a) !== null,
      now,
      random,
    });
    subscribePeers(events, this.peers);

    // Then the parts, each after those it uses. On `head` (the tip moved) readiness is checked
    // first, then the wallet's initial stake, then the minter looks again.
    const history = new BlockHistory(join(config.dataDir, 'index'), (err) =>
      log.error(`the index files on disk failed, new entries stay in memory: ${err instanceof Error ? err.message : String(err)}`),
    );
    this.chain = new ChainFollower(address, this.members, this.pool, events, now, log, crypto, history);
    this.readiness = new Readiness(this.members, events, log);
    const journal = new WalletJournal(join(config.dataDir, JOURNAL_FILE));
    this.wallet = new OwnWallet(this.key, config.stake, this.chain, this.members, this.readiness, this.pool, events, log, crypto, journal);
    this.voting = new Voting(this.key, this.chain, this.readiness, events, log, crypto, config.dataDir);
    this.minter = new Minter(
      this.key,
      { blockTimeoutMs: config.blockTimeoutMs },
      this.chain,
      this.members,
      this.readiness,
      this.pool,
      this.voting,
      events,
      now,
      log,
      crypto,
      config.dataDir,
    );
    this.transactions = new TransactionIntake(this.chain, this.pool, events, crypto);
    this.blocks = new BlockIntake(this.chain, events);
    this.sync = new ChainSync(this.chain, address, this.readiness, this.pool, this.transactions, this.peers, events, now, log);
    this.resend = new Resend(() => this.chain.tip, this.pool, this.peers, now, log);
    this.formation = new Formation(
      config,
      this.key,
      this.members,
      this.chain,
      this.readiness,
      this.wallet,
      this.sync,
      this.peers,
      this.store,
      now,
      log,
      crypto,
      this.gate,
      random,
    );
    this.views = new Views(
      address,
      this.members,
      this.readiness,
      this.chain,
      this.pool,
      this.peers,
      this.store,
      this.metrics,
      config.crypto.fingerprint,
    );
    this.addressViews = new AddressViews(this.chain, this.pool, this.store, (a) => this.members.idOf(a));
  }

  get address(): string {
    return this.key.address;
  }

  /** This node's id in the network; -1 until it has one. */
  get id(): number {
    return this.members.id;
  }

  /** Opens the store and restores a previous run, or creates the genesis if bootstrap. */
  async open(): Promise<void> {
    await this.store.open();
    await this.formation.open();
    const trim = this.config.trimHeap;
    if (trim) {
      // A restart has just replayed its whole stored chain: what that freed goes back now.
      const trims = this.metrics.counter(
        'blockchat_native_heap_trims_total',
        `Times the C library's free memory was given back to the system (released: whether there was any; skipped: the periodic trim did not run, resident memory having grown by less than ${HEAP_TRIM_MIN_GROWTH >> 20} MB since the last).`,
        ['released'],
      );
      const trimmed = (released: boolean | undefined) => trims.inc({ released: released === undefined ? 'skipped' : String(released) });
      trimmed(trim());
      this.stopTrim ??= trimEvery(
        trimWhenGrown(trim, () => process.memoryUsage.rss()),
        trimmed,
      );
    }
  }

  /**
   * Writes the token to the per-port runtime file the CLI reads. Called once the server listens,
   * so that a second node started on a busy port never replaces the running node's token.
   */
  publishToken(): void {
    ensurePrivateDir(runtimeDir());
    writePrivateFile(runtimeTokenPath(this.config.port), this.token + '\n');
    this.tokenPublished = true;
  }

  /** After the server listens: join the network (or announce a restart), then keep catching up. */
  async begin(): Promise<void> {
    await this.formation.begin();
    this.sync.start();
    this.resend.start();
    this.transactions.startEviction();
  }

  async close(): Promise<void> {
    this.stopTrim?.();
    this.formation.close();
    this.minter.close();
    this.voting.close();
    this.wallet.close();
    this.sync.close();
    this.resend.close();
    this.transactions.close();
    await this.peers.close();
    // The index files first: once the store is closed its lock is free for another process.
    this.chain.history.close();
    await this.store.close();
    if (this.tokenPublished) rmSync(runtimeTokenPath(this.config.port), { force: true });
  }

  /** Bootstrap: registers a joining node (formation/). */
  handleJoin(req: JoinRequest): Promise<{ id: number; bootstrap: string }> {
    return this.formation.handleJoin(req);
  }

  /** An account on the committed state (views/). */
  account(address: string): AccountView {
    return this.views.account(address);
  }
}
