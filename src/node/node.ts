/**
 * A BlockChat node: the composition root that holds the committed chain tip, the pool, the
 * wallet and the peers, and runs the protocol around the pure core (SPEC A and B). HTTP routes
 * (server.ts) call into it; it emits `block` after each committed block, which the event stream,
 * the metrics and the explorer follow.
 */
import { EventEmitter } from 'node:events';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { applyBlock, earliestTimestamp, genesisTip, nextValidator, roundFor, validatorsOfRounds, type ChainTip } from '../core/chain.js';
import { BlockTree, type BranchSwitch } from '../core/forkchoice.js';
import { genesisBlock, signBlock, verifyBlockSeal } from '../core/block.js';
import { ProtocolError } from '../core/errors.js';
import { NO_ONE, ROUND_MS, UNITS_PER_BCC, totalSupply, type NetworkParams } from '../core/params.js';
import { debitOf } from '../core/fees.js';
import { TxPool } from '../core/pool.js';
import { accountOf, applyTxToDraft, checkTxAgainst } from '../core/state.js';
import { signTransaction, verifyTransaction } from '../core/transaction.js';
import type { Account, Block, Transaction, TxBody } from '../core/types.js';
import { ROUTES, MAX_BLOCKS_PER_PAGE, MAX_POOL_PAGE } from '../api/routes.js';
import { runtimeDir, runtimeTokenPath } from '../api/token.js';
import type { AccountView, BlockEvent, InboxEntry, ReorgEvent, StatusView, SubmitRequest, SubmitResponse, TxStatusView } from '../api/types.js';
import type { CryptoChoice, NodeCrypto } from '../crypto/select.js';
import { NodeError } from './errors.js';
import {
  signHello,
  signJoin,
  signNetwork,
  verifyHello,
  verifyJoin,
  verifyNetwork,
  type Hello,
  type JoinRequest,
  type NetworkAnnouncement,
  type NodeEntry,
} from './handshake.js';
import type { Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { Peers, requestJson } from './peers.js';
import { ChainStore, type NetworkMeta } from './store.js';
import { TxIndex } from './tx-index.js';
import { loadToken, loadWallet, writePrivateFile, type Wallet } from './wallet.js';
import { Pool } from 'undici';

export interface NodeConfig {
  port: number;
  /** Host peers reach this node at. */
  host: string;
  isBootstrap: boolean;
  /** Network size and block capacity; a restarting node takes them from its data directory. */
  n?: number;
  capacity?: number;
  bootstrapUrl: string;
  /** Initial stake in units. */
  stake: number;
  dataDir: string;
  /** Ms a validator waits before minting a partial block; 0 disables partial blocks. */
  blockTimeoutMs: number;
  /**
   * Ms the network waits for each lottery round's validator before the next round's may produce
   * the block (SPEC B, "Validator failure"); at least ROUND_MS.
   */
  failoverMs?: number;
  /**
   * Join only once the bootstrap counts this many nodes (itself included): lets a launcher start
   * processes in parallel yet give node i the id i.
   */
  joinAfter?: number;
  log: Logger;
  /** The cryptography suite, chosen and checked against noble as the node starts (src/crypto/select.ts). */
  crypto: CryptoChoice;
  /** The clock, injected so that nothing below reads time on its own. */
  now?: () => number;
}

/** How many recent blocks are kept in memory; older ones are read from the store. */
const RECENT_BLOCKS = 256;
/** Blocks received ahead of the tip, kept until the gap is filled. */
const MAX_FUTURE_BLOCKS = 256;
/** Own transactions that were dropped, remembered for GET /transactions/:id. */
const MAX_DROPPED = 10_000;
const SYNC_INTERVAL_MS = 2_000;
const POOL_REPAIR_INTERVAL_MS = 5_000;
/** Transactions verified between two turns of the event loop (~2 ms of work). */
const VERIFY_SLICE = 32;
/** How long each round's validator is waited for, unless configured. */
export const DEFAULT_FAILOVER_MS = 2_000;
/** A block stamped further ahead of this node's clock is refused: it would open rounds early. */
const MAX_CLOCK_AHEAD_MS = 10_000;

function sameTx(a: Transaction, b: Transaction): boolean {
  return (
    a.id === b.id && a.signature === b.signature && a.sender === b.sender && a.receiver === b.receiver &&
    a.type === b.type && a.amount === b.amount && a.message === b.message && a.nonce === b.nonce
  );
}

export class BlockchatNode extends EventEmitter {
  readonly wallet: Wallet;
  readonly token: string;
  readonly metrics: Metrics;
  readonly pool = new TxPool();
  readonly peers: Peers;
  private readonly store: ChainStore;
  private readonly now: () => number;
  private readonly log: Logger;
  /** Every hash, signature and verification of this node goes through it. */
  private readonly crypto: NodeCrypto;

  id = -1;
  n: number | undefined;
  capacity: number | undefined;
  params: NetworkParams | undefined;
  /** The recent blocks this node validated, and the best branch among them (fork choice). */
  private tree: BlockTree | undefined;
  nodes: NodeEntry[] = [];
  ready = false;
  private initialStakeSent = false;
  private bootstrapAddress: string | undefined;
  private readonly recent: Array<{ block: Block; json: string }> = [];
  /** Which block holds each committed transaction (rebuilt from the chain on start). */
  private readonly txIndex = new TxIndex();
  private readonly future = new Map<number, Block>();
  private readonly inbox: InboxEntry[] = [];
  private readonly dropped = new Map<string, string>();
  /** This node's first later round after the tip `hash`, and the validators before it (laterRounds). */
  private laterCache: { hash: string; myRound: number; before: string[] } | undefined;
  /**
   * Since when a block has been due on the tip (SPEC B, "Validator failure"): when a full block
   * could first be made, or a partial one's timeout ran out. Round r's validator produces the
   * block r rounds after that, if nobody before it did.
   */
  private due: { tipHash: string; since: number } | undefined;
  private mintAt = Infinity;
  private ownSim: { tipHash: string; draft: Map<string, Account>; complete: boolean } | undefined;
  private mintTimer: NodeJS.Timeout | undefined;
  private mintScheduled = false;
  private syncing = false;
  private repairing = false;
  private lastRepair = 0;
  private syncTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Whether this run continues a previous one from the data directory. */
  private restored = false;

  constructor(readonly config: NodeConfig) {
    super();
    this.setMaxListeners(1_000);
    this.log = config.log;
    this.now = config.now ?? Date.now;
    this.crypto = config.crypto.crypto;
    this.metrics = new Metrics(this.crypto);
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    this.wallet = loadWallet(config.dataDir);
    this.token = loadToken(config.dataDir);
    this.store = new ChainStore(join(config.dataDir, 'chain'));
    this.peers = new Peers(() => this.id, this.log);
    this.n = config.n;
    this.capacity = config.capacity;
  }

  get address(): string {
    return this.wallet.address;
  }

  /** The tip of the best branch: the committed state everything else refers to. */
  get tip(): ChainTip | undefined {
    return this.tree?.best;
  }

  /** The bootstrap is node 0, whether started with -bootstrap or restored from its data directory. */
  get isBootstrap(): boolean {
    return this.config.isBootstrap || this.id === 0;
  }

  /** Opens the store and restores a previous run, or creates the genesis if bootstrap. */
  async open(): Promise<void> {
    await this.store.open();
    mkdirSync(runtimeDir(), { recursive: true, mode: 0o700 });
    writePrivateFile(runtimeTokenPath(this.config.port), this.token + '\n');
    const meta = await this.store.loadMeta();
    if (meta) {
      await this.restore(meta);
      this.restored = true;
    } else if (this.config.isBootstrap) await this.createGenesis();
  }

  /** After the server listens: join the network, or tell the peers where a restarted node is. */
  async begin(): Promise<void> {
    const formed = this.tip !== undefined && this.nodes.length > 0 && this.nodes.length === this.n;
    if (this.restored && formed) await this.announceRestart();
    else if (!this.isBootstrap) await this.join();
    this.syncTimer = setInterval(() => void this.syncIfBehind().then(() => this.repairPool()), SYNC_INTERVAL_MS);
    this.syncTimer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.mintTimer);
    clearInterval(this.syncTimer);
    await this.peers.close();
    await this.store.close();
    rmSync(runtimeTokenPath(this.config.port), { force: true });
  }

  // ---------------------------------------------------------------- forming the network

  private async createGenesis(): Promise<void> {
    const n = this.requireNumber(this.n, 'n');
    const capacity = this.requireNumber(this.capacity, 'capacity');
    const genesis = genesisBlock(this.address, n, this.now(), this.crypto);
    const { params, tip } = genesisTip(genesis, n, capacity, this.crypto);
    this.params = params;
    this.id = 0;
    this.bootstrapAddress = this.address;
    this.nodes = [{ id: 0, address: this.address, host: this.config.host, port: this.config.port, stake: this.config.stake }];
    this.tree = new BlockTree(tip);
    this.record(genesis, JSON.stringify(genesis));
    await this.saveMeta();
    this.log.info(`bootstrap of a ${n}-node network, capacity ${capacity}; waiting for ${n - 1} node(s) to join`);
    if (n === 1) await this.formNetwork();
  }

  private requireNumber(x: number | undefined, name: string): number {
    if (x === undefined || !Number.isSafeInteger(x) || x < 1) {
      throw new Error(`-${name} is required (a positive integer) to start a new network`);
    }
    return x;
  }

  /** A new node asks the bootstrap for an id, retrying while the bootstrap is not up yet. */
  private async join(): Promise<void> {
    const n = this.requireNumber(this.n, 'n');
    const capacity = this.requireNumber(this.capacity, 'capacity');
    const pool = new Pool(this.config.bootstrapUrl, { connections: 1 });
    try {
      const request = signJoin(
        {
          address: this.address,
          host: this.config.host,
          port: this.config.port,
          n,
          capacity,
          stake: this.config.stake,
          verifier_fingerprint: this.config.crypto.fingerprint,
        },
        this.wallet.secretKey,
      );
      // The bootstrap may still be starting: keep trying for a minute.
      const deadline = this.now() + 60_000;
      for (;;) {
        try {
          const status = await requestJson<StatusView>(pool, 'GET', ROUTES.status, undefined, 5_000);
          const mismatch = this.verifierMismatch(status.verifier_fingerprint ?? '', 'the bootstrap');
          if (mismatch) throw new NodeError('VERIFIER_MISMATCH', `${mismatch}; not joining`);
          this.bootstrapAddress = status.address;
          if (this.config.joinAfter !== undefined && status.joined < this.config.joinAfter && status.joined < n) {
            await new Promise((r) => setTimeout(r, 10));
            continue;
          }
          const answer = await requestJson<{ id: number }>(pool, 'POST', ROUTES.peerJoin, JSON.stringify(request), 10_000);
          if (this.id < 0) this.id = answer.id;
          this.log.info(`joined the network at ${this.config.bootstrapUrl} as node ${answer.id}`);
          return;
        } catch (err) {
          if (err instanceof NodeError) throw err; // this node's own refusal: no retry
          const reason = err instanceof Error ? err.message : String(err);
          if (!/ECONNREFUSED|ECONNRESET|fetch failed|other side closed|Timeout/i.test(reason) || this.now() > deadline) {
            throw new Error(`cannot join the network at ${this.config.bootstrapUrl}: ${reason}`);
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    } finally {
      await pool.close();
    }
  }

  /** Bootstrap: registers a joining node (ids in order of arrival; a known address keeps its id). */
  async handleJoin(req: JoinRequest): Promise<{ id: number; bootstrap: string }> {
    if (!this.isBootstrap || !this.params) throw new NodeError('UNKNOWN_NODE', 'this node is not the bootstrap');
    verifyJoin(req);
    const mismatch = req.verifier_fingerprint === undefined ? undefined : this.verifierMismatch(req.verifier_fingerprint, `the node at ${req.host}:${req.port}`);
    if (mismatch) {
      this.log.error(`refused a join: ${mismatch}`);
      throw new NodeError('VERIFIER_MISMATCH', mismatch);
    }
    if (req.n !== this.params.n || req.capacity !== this.params.capacity) {
      throw new NodeError(
        'PARAMS_MISMATCH',
        `this network has n=${this.params.n} and capacity=${this.params.capacity}; the node asked for n=${req.n}, capacity=${req.capacity}`,
      );
    }
    const known = this.nodes.find((x) => x.address === req.address);
    if (known) {
      known.host = req.host;
      known.port = req.port;
      this.peers.set(this.nodes);
      if (this.nodes.length === this.params.n) this.sendNetworkTo(known).catch((err: unknown) => this.log.warn(`cannot resend the node list: ${String(err)}`));
      return { id: known.id, bootstrap: this.address };
    }
    if (this.nodes.length >= this.params.n) {
      throw new NodeError('NETWORK_FULL', `the network is full: all ${this.params.n} nodes have joined`);
    }
    const entry: NodeEntry = { id: this.nodes.length, address: req.address, host: req.host, port: req.port, stake: req.stake };
    this.nodes.push(entry);
    // Decided before the await: two joins in flight would otherwise both see the list complete
    // and form the network twice (seen under load: the funding sent a second time, and refused).
    const completes = this.nodes.length === this.params.n;
    await this.saveMeta();
    this.log.info(`node ${entry.id} joined from ${req.host}:${req.port} (${entry.id + 1}/${this.params.n})`);
    if (completes) setImmediate(() => this.formNetwork().catch((err: unknown) => this.log.error(`forming the network failed: ${String(err)}`)));
    return { id: entry.id, bootstrap: this.address };
  }

  private async announcement(): Promise<NetworkAnnouncement> {
    const params = this.params!;
    const chain = (await this.store.blocksFrom(0, Number.MAX_SAFE_INTEGER)).map((j) => JSON.parse(j) as Block);
    return signNetwork({ n: params.n, capacity: params.capacity, nodes: this.nodes, chain }, this.wallet.secretKey);
  }

  private async sendNetworkTo(entry: NodeEntry): Promise<void> {
    const message = await this.announcement();
    for (let attempt = 0; attempt < 50 && !this.closed; attempt++) {
      try {
        await this.peers.post(entry.id, ROUTES.peerNetwork, message, 30_000);
        return;
      } catch (err) {
        if (attempt === 0) this.log.warn(`cannot send the node list to node ${entry.id}: ${String(err)}; retrying`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  /** Bootstrap, once all n have joined: send the signed list and chain, then fund every node. */
  private async formNetwork(): Promise<void> {
    this.peers.set(this.nodes);
    await Promise.all(this.nodes.filter((x) => x.id !== 0).map((x) => this.sendNetworkTo(x)));
    this.log.info(`all ${this.nodes.length} nodes joined; funding each with 1000 BCC`);
    for (const entry of this.nodes) {
      if (entry.id === 0) continue;
      try {
        this.submitOwn({ type: 'coins', to: entry.id, amount: 1000 * UNITS_PER_BCC });
      } catch (err) {
        this.log.error(`cannot fund node ${entry.id}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    this.maybeInitialStake();
  }

  /** A joining node: accepts the bootstrap's signed list and chain after validating both. */
  async handleNetwork(a: NetworkAnnouncement): Promise<void> {
    if (!this.bootstrapAddress) throw new NodeError('UNKNOWN_NODE', 'this node has not asked to join any network');
    verifyNetwork(a, this.bootstrapAddress);
    const me = a.nodes.find((x) => x.address === this.address);
    if (!me) throw new NodeError('UNKNOWN_NODE', 'the node list does not include this node');
    if (this.params) {
      // Already formed (a repeated announcement): take the list only.
      this.nodes = a.nodes;
      this.peers.set(this.nodes);
      return;
    }
    if (a.chain.length === 0) throw new ProtocolError('BAD_GENESIS', 'a chain has at least its genesis block');
    const { params, tree } = this.replay(a.chain, a.n, a.capacity, (d, tx) => verifyTransaction(d, tx, this.crypto));
    if (params.bootstrap !== this.bootstrapAddress) throw new NodeError('UNKNOWN_NODE', 'the chain is not this bootstrap\'s');
    this.id = me.id;
    this.n = a.n;
    this.capacity = a.capacity;
    this.params = params;
    this.nodes = a.nodes;
    for (const block of a.chain) this.record(block, JSON.stringify(block));
    this.tree = tree;
    this.peers.set(this.nodes);
    await this.saveMeta();
    this.log.info(`received the list of ${a.nodes.length} nodes and a chain of ${a.chain.length} block(s)`);
    this.evaluateReady();
    this.drainFuture();
  }

  /** A restarted node tells every peer where it is now, then catches up. */
  private async announceRestart(): Promise<void> {
    const me = this.nodes.find((x) => x.id === this.id)!;
    me.host = this.config.host;
    me.port = this.config.port;
    this.peers.set(this.nodes);
    const hello = signHello(
      { id: this.id, address: this.address, host: this.config.host, port: this.config.port, verifier_fingerprint: this.config.crypto.fingerprint },
      this.wallet.secretKey,
    );
    await Promise.all(this.peers.ids().map((id) => this.peers.post(id, ROUTES.peerHello, hello, 3_000).catch(() => undefined)));
    this.log.info(`restarted at height ${this.tip?.block.index}; catching up`);
    await this.syncIfBehind();
    // What peers broadcast while this node was down is in their pools, not in any block yet.
    await this.repairPool(true);
  }

  /** A peer restarted, perhaps on another port: update where it is. */
  handleHello(h: Hello): { height: number } {
    verifyHello(h);
    const entry = this.nodes.find((x) => x.id === h.id);
    if (!entry || entry.address !== h.address) throw new NodeError('UNKNOWN_NODE', `node ${h.id} with this address is not in the network`);
    entry.host = h.host;
    entry.port = h.port;
    this.peers.set(this.nodes);
    this.saveMetaQuietly();
    this.log.info(`node ${h.id} is back at ${h.host}:${h.port}`);
    const mismatch = h.verifier_fingerprint === undefined ? undefined : this.verifierMismatch(h.verifier_fingerprint, `node ${h.id}`);
    if (mismatch) this.log.error(`VERIFIER MISMATCH: ${mismatch}`);
    return { height: this.tip?.block.index ?? 0 };
  }

  /**
   * Why a peer with verifier fingerprint `theirs` would disagree with this node on which
   * signatures are valid; undefined if the fingerprints agree.
   */
  private verifierMismatch(theirs: string, who: string): string | undefined {
    const mine = this.config.crypto.fingerprint;
    if (theirs === mine) return undefined;
    return `${who} reports the verifier fingerprint "${theirs.slice(0, 16)}", this node "${mine.slice(0, 16)}" (${this.crypto.name}): their signature checks answer differently`;
  }

  /** Validates a whole chain from its genesis into a block tree; the genesis fixes the parameters. */
  private replay(chain: readonly Block[], n: number, capacity: number, verifyTx: (domain: string, tx: Transaction) => void): { params: NetworkParams; tree: BlockTree } {
    const { params, tip } = genesisTip(chain[0]!, n, capacity, this.crypto);
    const tree = new BlockTree(tip);
    for (const block of chain.slice(1)) tree.add(applyBlock(params, tree.best, block, verifyTx, this.crypto));
    return { params, tree };
  }

  private async restore(meta: NetworkMeta): Promise<void> {
    this.id = meta.id;
    this.n = meta.n;
    this.capacity = meta.capacity;
    this.nodes = meta.nodes;
    this.initialStakeSent = meta.initialStakeSent;
    let params: NetworkParams | undefined;
    let tree: BlockTree | undefined;
    // The chain was validated when it was committed; signatures need not be checked again.
    const trusted = () => undefined;
    for await (const json of this.store.allBlocks()) {
      const block = JSON.parse(json) as Block;
      if (!params || !tree) {
        const start = genesisTip(block, meta.n, meta.capacity, this.crypto);
        params = start.params;
        tree = new BlockTree(start.tip);
      } else {
        tree.add(applyBlock(params, tree.best, block, trusted, this.crypto));
      }
      this.remember(block, json);
      this.indexInbox(block);
      this.evaluateReadyOn(tree.best);
    }
    if (!params || !tree) throw new Error(`the data directory ${this.config.dataDir} has no chain; remove it to start afresh`);
    const tip = tree.best;
    this.params = params;
    this.tree = tree;
    this.bootstrapAddress = params.bootstrap;
    this.log.info(`restored node ${this.id} from ${this.config.dataDir} at height ${tip.block.index}`);
  }

  /** Saves in the background; a failure (the store closing on shutdown) is logged, not fatal. */
  private saveMetaQuietly(): void {
    this.saveMeta().catch((err: unknown) => this.log.warn(`could not save the node list: ${String(err)}`));
  }

  private async saveMeta(): Promise<void> {
    await this.store.saveMeta({
      id: this.id,
      n: this.n ?? 0,
      capacity: this.capacity ?? 0,
      nodes: this.nodes,
      initialStakeSent: this.initialStakeSent,
    });
  }

  // ---------------------------------------------------------------- the node's own wallet

  /** Resolves a recipient: a node id (3, "3", "id3") or an address. */
  resolveRecipient(to: string | number | undefined): string {
    if (to === undefined) throw new NodeError('UNKNOWN_RECIPIENT', 'name a recipient: a node id (3 or id3) or an address');
    const text = String(to).trim();
    const idMatch = /^(?:id)?(\d{1,6})$/.exec(text);
    if (idMatch) {
      const entry = this.nodes.find((x) => x.id === Number(idMatch[1]));
      if (!entry) throw new NodeError('UNKNOWN_RECIPIENT', `there is no node ${idMatch[1]} (ids are 0 to ${this.nodes.length - 1})`);
      return entry.address;
    }
    const shown = text.slice(0, 80);
    if (!this.crypto.isValidAddress(text)) throw new NodeError('UNKNOWN_RECIPIENT', `"${shown}" is neither a node id nor a valid address`);
    return text;
  }

  /**
   * Signs a transaction of this node's wallet, checks it executes after the wallet's pending
   * ones on the committed state, pools it and broadcasts it.
   */
  submitOwn(req: SubmitRequest): SubmitResponse {
    const { params, tip } = this.requireFormed();
    if (req.type !== 'message' && req.amount === undefined) {
      // A missing amount is never read as 0: for a stake that would withdraw it all.
      throw new ProtocolError('MALFORMED', req.type === 'stake' ? 'a stake request needs amount: the new total stake in units (0 withdraws it)' : 'a coin transfer needs amount, in units');
    }
    const receiver = req.type === 'stake' ? NO_ONE : this.resolveRecipient(req.to);
    const body: { -readonly [K in keyof Omit<TxBody, 'sender'>]: Omit<TxBody, 'sender'>[K] } = {
      receiver,
      type: req.type,
      amount: req.amount ?? 0,
      message: req.message ?? '',
      nonce: 0,
    };
    // Executable after the wallet's own pending transactions? (Incoming pending coins don't count.)
    const draft = this.ownDraft(tip);
    body.nonce = this.ownSim!.complete ? accountOf(draft, this.address).nonce : this.pool.nextNonce(tip.ledger, this.address);
    const tx = signTransaction(params.domain, this.wallet.secretKey, body, this.crypto);
    checkTxAgainst(draft, tx);
    this.pool.add(tx, tip.ledger, tip.block.index);
    applyTxToDraft(draft, tx);
    this.metrics.txReceived++;
    this.peers.broadcastTransaction(tx);
    this.scheduleMint();
    return { id: tx.id, nonce: tx.nonce };
  }

  /**
   * The wallet's account as it will be after its own pending transactions, on the current tip.
   * Rebuilt once per tip and then advanced by each new submission, so that a wallet with
   * thousands pending pays O(1) per submission, not O(pending).
   */
  private ownDraft(tip: ChainTip): Map<string, Account> {
    if (this.ownSim?.tipHash !== tip.block.current_hash) {
      const draft = new Map<string, Account>([[this.address, accountOf(tip.ledger, this.address)]]);
      let complete = true;
      try {
        for (const pending of this.pool.pendingOf(tip.ledger, this.address)) applyTxToDraft(draft, pending);
      } catch {
        // a pending transaction can no longer execute: later ones cannot either; the check will say so
        complete = false;
      }
      this.ownSim = { tipHash: tip.block.current_hash, draft, complete };
    }
    return this.ownSim.draft;
  }

  private maybeInitialStake(): void {
    if (this.initialStakeSent || !this.tip || this.config.stake <= 0) return;
    const me = accountOf(this.tip.ledger, this.address);
    if (me.balance < this.config.stake) return;
    this.initialStakeSent = true;
    try {
      this.submitOwn({ type: 'stake', amount: this.config.stake });
      this.log.info(`staking ${this.config.stake / UNITS_PER_BCC} BCC`);
    } catch (err) {
      this.log.warn(`initial stake failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.saveMetaQuietly();
  }

  private requireFormed(): { params: NetworkParams; tip: ChainTip } {
    if (!this.params || !this.tip || this.nodes.length !== this.params.n) {
      throw new NodeError('NOT_FORMED', `the network is not formed yet (${this.nodes.length}/${this.n ?? '?'} nodes have joined)`);
    }
    return { params: this.params, tip: this.tip };
  }

  // ---------------------------------------------------------------- transactions from peers

  /**
   * Verifies (once per node) and pools a batch; returns how many were accepted and why others
   * were not. Works in slices and yields between them, so that a block arriving meanwhile is
   * applied within a slice's time rather than after the whole batch.
   */
  async receiveTransactions(txs: readonly Transaction[]): Promise<{ accepted: number; rejected: Array<{ id: string; code: string; message: string }> }> {
    this.requireFormed();
    let accepted = 0;
    const rejected: Array<{ id: string; code: string; message: string }> = [];
    for (let start = 0; start < txs.length; start += VERIFY_SLICE) {
      if (start > 0) await new Promise((r) => setImmediate(r));
      const { params, tip } = this.requireFormed();
      for (const tx of txs.slice(start, start + VERIFY_SLICE)) {
        this.metrics.txReceived++;
        const pooled = this.pool.get(tx.id);
        if (pooled && sameTx(pooled, tx)) {
          accepted++; // a repeat of a pending transaction: nothing to do
          continue;
        }
        try {
          // Cheap checks first: a replay of a committed transaction costs no signature check.
          const sender = accountOf(tip.ledger, tx.sender);
          if (tx.nonce < sender.nonce) {
            throw new ProtocolError('NONCE_USED', `nonce ${tx.nonce} was already used (the sender's next is ${sender.nonce}): a replay`);
          }
          verifyTransaction(params.domain, tx, this.crypto);
          this.metrics.signaturesVerified++;
          if (debitOf(tx, 0) > totalSupply(params.n)) {
            throw new ProtocolError('INSUFFICIENT_FUNDS', 'the transaction costs more than all the coins in the network');
          }
          // An account with nothing committed cannot pay for anything yet: keys cost nothing to
          // make, so holding their transactions would let anyone fill the pool.
          if (sender.balance === 0 && sender.stake === 0) {
            throw new ProtocolError('INSUFFICIENT_FUNDS', 'the sender has no committed funds; its transactions cannot execute');
          }
          this.pool.add(tx, tip.ledger, tip.block.index);
          accepted++;
        } catch (err) {
          if (!(err instanceof ProtocolError)) throw err;
          this.metrics.rejected(err.code);
          rejected.push({ id: String(tx.id), code: err.code, message: err.message });
        }
      }
      this.scheduleMint();
    }
    return { accepted, rejected };
  }

  /** The block validator's transaction check: skip the signature of a pooled, identical transaction. */
  private readonly verifyCached = (domain: string, tx: Transaction): void => {
    const known = this.pool.get(tx.id);
    if (known && sameTx(known, tx)) return;
    verifyTransaction(domain, tx, this.crypto);
    this.metrics.signaturesVerified++;
  };

  // ---------------------------------------------------------------- blocks

  /**
   * A block from a peer: applied if it extends the best branch or makes a rival branch the best
   * (fork choice), kept if it is a valid rival that does not win, queued if it is ahead of the
   * tip (and the gap fetched), ignored if known; refused if it is invalid, or if it conflicts
   * with a final block.
   */
  receiveBlock(block: Block): 'committed' | 'kept' | 'queued' | 'known' {
    const { tip } = this.requireFormed();
    const tree = this.tree!;
    if (tree.get(block.current_hash)) return 'known';
    const parent = tree.get(block.previous_hash);
    if (parent) {
      if (block.timestamp > this.now() + MAX_CLOCK_AHEAD_MS) {
        throw new NodeError('FUTURE_BLOCK', `block ${block.index} is stamped ${block.timestamp - this.now()} ms ahead of this node's clock`);
      }
      const moved = this.addBlock(block, parent);
      this.drainFuture();
      return moved ? 'committed' : 'kept';
    }
    if (block.index <= tip.block.index) {
      const mine = this.blockAt(block.index);
      if (mine && mine.current_hash === block.current_hash) return 'known';
      this.syncIfSealed(block);
      if (mine) throw new NodeError('CONFLICT', `block ${block.index} conflicts with the committed block at that height, and its parent is not a recent block here`);
      return 'known';
    }
    if (block.index > tip.block.index + 1) {
      // Kept only if near, sealed by a member and not displacing one already kept: anyone can
      // send well-formed garbage, and only a block with a valid seal costs its sender a key.
      if (block.index <= tip.block.index + MAX_FUTURE_BLOCKS && !this.future.has(block.index) && this.idOf(block.validator) !== null) {
        verifyBlockSeal(block, this.crypto);
        this.future.set(block.index, block);
      }
      void this.syncIfBehind(block.index);
      return 'queued';
    }
    // The next index, but its parent is not the tip: a branch this node has not seen, or a forgery.
    this.syncIfSealed(block);
    throw new ProtocolError('BAD_PREVIOUS_HASH', `block ${block.index} does not link to the tip's hash, nor to any recent block`);
  }

  /** A member's validly sealed block from an unknown branch: fetch that branch (fork choice decides). */
  private syncIfSealed(block: Block): void {
    if (this.idOf(block.validator) === null) return;
    try {
      verifyBlockSeal(block, this.crypto);
    } catch {
      return;
    }
    void this.syncIfBehind(block.index);
  }

  private drainFuture(): void {
    for (;;) {
      const tip = this.tip;
      if (!tip) return;
      for (const index of this.future.keys()) if (index <= tip.block.index) this.future.delete(index);
      const next = this.future.get(tip.block.index + 1);
      if (!next) return;
      this.future.delete(next.index);
      const parent = this.tree!.get(next.previous_hash);
      if (!parent) continue;
      try {
        this.addBlock(next, parent);
      } catch (err) {
        this.log.warn(`dropped a queued block: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /**
   * Validates `block` on its parent (the tip, or a recent block of a rival branch) and adds it to
   * the tree; if the best branch moves, follows it. True if the tip moved.
   */
  private addBlock(block: Block, parent: ChainTip, json?: string): boolean {
    const started = performance.now();
    const next = applyBlock(this.params!, parent, block, this.verifyCached, this.crypto);
    const moved = this.tree!.add(next);
    if (!moved) return false;
    this.follow(moved, performance.now() - started, json);
    return true;
  }

  /** Everything that follows a move of the best branch: store, views, pool, metrics, events, minting. */
  private follow(moved: BranchSwitch, ms: number, json?: string): void {
    const returned = moved.reverted.length > 0 ? this.revert(moved) : [];
    const last = moved.applied[moved.applied.length - 1];
    for (const next of moved.applied) {
      const block = next.block;
      this.record(block, next === last && json !== undefined ? json : JSON.stringify(block));
      this.noteDropped(this.pool.prune(block.transactions, next.ledger, block.index));
      this.metrics.blockApplied(block, next === last ? ms : 0, block.validator === this.address);
      this.emitBlock(block);
    }
    const tip = this.tip!;
    for (const tx of returned) {
      try {
        this.pool.add(tx, tip.ledger, tip.block.index);
      } catch {
        this.noteDropped([tx], 'the block that held it was replaced by a better branch, and it can no longer execute');
      }
    }
    this.evaluateReady();
    this.maybeInitialStake();
    clearTimeout(this.mintTimer);
    this.mintTimer = undefined;
    this.mintAt = Infinity;
    this.scheduleMint();
  }

  /**
   * Leaves the blocks a better branch replaces; returns their transactions that the new branch
   * does not hold, oldest first, to go back to the pool.
   */
  private revert(moved: BranchSwitch): Transaction[] {
    const oldest = moved.reverted[moved.reverted.length - 1]!.block;
    const fork = oldest.index - 1;
    const kept = new Set<string>();
    for (const t of moved.applied) for (const tx of t.block.transactions) kept.add(tx.id);
    const returned: Transaction[] = [];
    for (let i = moved.reverted.length - 1; i >= 0; i--) {
      for (const tx of moved.reverted[i]!.block.transactions) if (!kept.has(tx.id)) returned.push(tx);
    }
    const blocks = moved.reverted.map((t) => t.block);
    this.store.revert(blocks);
    while ((this.recent[this.recent.length - 1]?.block.index ?? -1) > fork) this.recent.pop();
    while ((this.inbox[this.inbox.length - 1]?.block ?? -1) > fork) this.inbox.pop();
    this.metrics.reverted(blocks);
    this.log.warn(
      `fork choice: replaced ${blocks.length} block(s) above height ${fork} with a better branch of ${moved.applied.length}; ${returned.length} transaction(s) return to the pool`,
    );
    const event: ReorgEvent = { fork_index: fork, reverted: blocks.map((b) => b.current_hash), returned_tx_ids: returned.map((tx) => tx.id) };
    this.emit('reorg', event);
    return returned;
  }

  /** Remembers why this wallet's own transactions left the pool without a block. */
  private noteDropped(txs: readonly Transaction[], reason = 'it can no longer execute (its nonce was taken or it waited too long)'): void {
    for (const tx of txs) {
      if (tx.sender !== this.address) continue;
      if (this.dropped.size >= MAX_DROPPED) this.dropped.delete(this.dropped.keys().next().value!);
      this.dropped.set(tx.id, reason);
    }
  }

  /** Persists a block of the best branch and adds it to the in-memory views. */
  private record(block: Block, json: string): void {
    this.store.append(block, json);
    this.remember(block, json);
    this.indexInbox(block);
  }

  private remember(block: Block, json: string): void {
    for (const tx of block.transactions) this.txIndex.add(tx.id, block.index);
    this.recent.push({ block, json });
    if (this.recent.length > RECENT_BLOCKS) this.recent.shift();
  }

  private indexInbox(block: Block): void {
    for (const tx of block.transactions) {
      if (tx.type === 'message' && tx.receiver === this.address) {
        this.inbox.push({ id: tx.id, from: tx.sender, from_id: this.idOf(tx.sender), message: tx.message, block: block.index, timestamp: block.timestamp });
      }
    }
  }

  private blockAt(index: number): Block | undefined {
    const first = this.recent[0]?.block.index ?? 0;
    return this.recent[index - first]?.block;
  }

  private emitBlock(block: Block): void {
    const event: BlockEvent = {
      index: block.index,
      hash: block.current_hash,
      validator: block.validator,
      validator_id: this.idOf(block.validator),
      transactions: block.transactions.length,
      timestamp: block.timestamp,
      tx_ids: block.transactions.map((t) => t.id),
    };
    this.emit('block', event);
  }

  /** Ready once the bootstrap's transfers and every node's configured stake are committed (latched). */
  private evaluateReady(): void {
    if (this.tip) this.evaluateReadyOn(this.tip);
  }

  private evaluateReadyOn(tip: ChainTip): void {
    if (this.ready || this.nodes.length !== this.n || this.nodes.length === 0) return;
    const bootstrap = accountOf(tip.ledger, this.nodes[0]!.address);
    if (bootstrap.nonce < this.nodes.length - 1) return;
    for (const entry of this.nodes) if (entry.stake > 0 && accountOf(tip.ledger, entry.address).stake === 0) return;
    this.ready = true;
    this.log.info(`the network is ready at height ${tip.block.index}`);
    this.emit('ready');
  }

  // ---------------------------------------------------------------- minting

  private scheduleMint(): void {
    if (this.mintScheduled) return;
    this.mintScheduled = true;
    setImmediate(() => {
      this.mintScheduled = false;
      this.tryMint();
    });
  }

  /**
   * The first later round in which this node is the validator (-1 if none of the 64) and the
   * validators of the rounds before it. Computed only once a block has been due for a round's
   * length: in a busy network the next block comes first and this is never needed.
   */
  private laterRounds(): { myRound: number; before: string[] } {
    const tip = this.tip!;
    if (this.laterCache?.hash !== tip.block.current_hash) {
      const myRound = roundFor(this.params!, tip, this.address);
      this.laterCache = { hash: tip.block.current_hash, myRound, before: myRound > 0 ? validatorsOfRounds(this.params!, tip, myRound) : [] };
    }
    return this.laterCache;
  }

  /**
   * How long after the block became due this node's round opens: each earlier round lasts
   * `failoverMs`, or only ROUND_MS when its validator is a peer this node cannot reach (a node
   * that is down refuses connections at once; a stalled one is given the full round).
   */
  private waitForRound(before: readonly string[]): number {
    let wait = 0;
    for (const address of before) {
      const id = this.idOf(address);
      wait += id !== null && this.peers.unreachable(id) ? ROUND_MS : this.failoverMs;
    }
    return wait;
  }

  /**
   * Mints when this node's round has come (SPEC A; SPEC B, "No stuck transactions" and
   * "Validator failure"). A block is due once `capacity` transactions can execute on the tip, or
   * once the block timeout has passed with fewer (at once while the network forms). Round 0's
   * validator mints when the block is due; round r's once rounds 0 … r-1 have passed with no
   * block (waitForRound).
   */
  private tryMint(): void {
    if (this.closed || !this.params || !this.tip || this.nodes.length !== this.params.n) return;
    const tip = this.tip;
    const hash = tip.block.current_hash;
    const first = nextValidator(this.params, tip) === this.address; // drawn once per tip (chain.ts)
    if (this.laterCache?.hash === hash && this.laterCache.myRound < 0) return; // no round of this height is this node's
    const now = this.now();
    // Not round 0's validator, the block already due and a timer set: nothing new to decide
    // (the common case, once per batch received).
    if (!first && this.due?.tipHash === hash && this.due.since <= now && this.mintAt !== Infinity) return;
    const capacity = this.params.capacity;
    const txs = this.pool.select(tip.ledger, capacity);
    if (txs.length === 0) return;
    const full = txs.length >= capacity || !this.ready;
    const dueFrom = full ? now : this.config.blockTimeoutMs > 0 ? now + this.config.blockTimeoutMs : undefined;
    if (dueFrom === undefined) return; // partial blocks are disabled: wait for a full one
    if (this.due?.tipHash !== hash) this.due = { tipHash: hash, since: dueFrom };
    else this.due.since = Math.min(this.due.since, dueFrom);
    let round = 0;
    let at = this.due.since;
    if (!first) {
      // No later round opens before one round's shortest length: look again then.
      at = this.due.since + ROUND_MS;
      if (at <= now) {
        const later = this.laterRounds();
        if (later.myRound < 0) return;
        round = later.myRound;
        at = this.due.since + this.waitForRound(later.before);
      }
    }
    if (at <= now) {
      this.mint(txs, round);
      return;
    }
    if (at < this.mintAt) {
      clearTimeout(this.mintTimer);
      this.mintAt = at;
      this.mintTimer = setTimeout(() => {
        this.mintTimer = undefined;
        this.mintAt = Infinity;
        this.tryMint();
      }, at - now);
    }
  }

  private get failoverMs(): number {
    return Math.max(ROUND_MS, this.config.failoverMs ?? DEFAULT_FAILOVER_MS);
  }

  private mint(txs: Transaction[], round: number): void {
    const tip = this.tip!;
    const timestamp = Math.max(this.now(), earliestTimestamp(tip.block, round));
    const block = signBlock(tip.block, txs, timestamp, this.wallet.secretKey, this.crypto);
    const json = JSON.stringify(block);
    try {
      this.addBlock(block, tip, json);
    } catch (err) {
      this.log.error(`minted an invalid block (a bug): ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (round > 0) this.log.warn(`no block came from the validators of rounds 0 to ${round - 1} in time: minted block ${block.index} as round ${round}'s`);
    this.peers.broadcastBlock(json);
  }

  // ---------------------------------------------------------------- catching up

  /**
   * Fetches missing blocks until no peer is ahead or holds a rival tip of the same height: from
   * the peer that claims the greatest height first, and from the next one when a peer fails to
   * answer, answers nothing, or answers blocks that do not apply — so one peer that lies about
   * its height cannot hold a node back.
   */
  async syncIfBehind(hint?: number): Promise<void> {
    if (this.syncing || this.closed || !this.params || !this.tip) return;
    this.syncing = true;
    try {
      for (let pass = 0; pass < 1_000; pass++) {
        const heights = await Promise.all(
          this.peers.ids().map((id) =>
            this.peers.get<StatusView>(id, ROUTES.status, 3_000).then(
              (s) => ({ id, height: s.height, hash: s.last_hash }),
              () => ({ id, height: -1, hash: '' }),
            ),
          ),
        );
        const tip = this.tip.block;
        const ahead = heights
          .filter((h) => h.height > tip.index || (h.height === tip.index && h.hash !== tip.current_hash && !this.tree!.get(h.hash)))
          .sort((a, b) => b.height - a.height);
        if (ahead.length === 0 && (hint === undefined || hint <= tip.index)) return;
        let progressed = false;
        for (const peer of ahead) {
          if (await this.fetchFrom(peer.id)) {
            progressed = true;
            break;
          }
        }
        if (!progressed) return;
        this.drainFuture();
      }
    } finally {
      this.syncing = false;
    }
  }

  /**
   * Takes the next page of a peer's blocks, from the tip's own height so that a branch that
   * differs shows at once; if it does, takes the peer's branch from above the final blocks.
   * True if the tip moved.
   */
  private async fetchFrom(peer: number): Promise<boolean> {
    const before = this.tip!.block;
    try {
      let blocks = await this.peers.fetchBlocks(peer, before.index, MAX_BLOCKS_PER_PAGE);
      if (blocks.length > 0 && blocks[0]!.current_hash !== before.current_hash) {
        blocks = await this.peers.fetchBlocks(peer, this.tree!.rootIndex + 1, MAX_BLOCKS_PER_PAGE);
      }
      for (const block of blocks) {
        if (this.tree!.get(block.current_hash)) continue;
        const parent = this.tree!.get(block.previous_hash);
        if (!parent) break;
        this.addBlock(block, parent);
      }
    } catch (err) {
      this.log.warn(`catching up from node ${peer} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    return this.tip!.block.current_hash !== before.current_hash;
  }

  /**
   * Fetches a peer's pending transactions when this pool has a gap (a sender's next nonce is
   * missing while later ones wait): a broadcast this node missed — it was down, or a request
   * failed — would otherwise hold that sender back for good. At most once per interval.
   */
  async repairPool(force = false): Promise<void> {
    if (this.closed || !this.tip || this.repairing) return;
    if (!force && (!this.pool.hasGap(this.tip.ledger) || this.now() - this.lastRepair < POOL_REPAIR_INTERVAL_MS)) return;
    const peers = this.peers.ids();
    if (peers.length === 0) return;
    this.repairing = true;
    this.lastRepair = this.now();
    try {
      const peer = peers[Math.floor(this.lastRepair / 7) % peers.length]!;
      const txs = await this.peers.get<Transaction[]>(peer, ROUTES.peerPool, 20_000);
      const { accepted } = await this.receiveTransactions(txs);
      if (accepted > 0) this.log.info(`took ${accepted} pending transaction(s) from node ${peer}'s pool`);
    } catch (err) {
      this.log.warn(`could not repair the pool: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.repairing = false;
    }
  }

  /** Pending transactions, oldest first, for a peer repairing its pool. */
  poolPage(): Transaction[] {
    return this.pool.all().slice(0, MAX_POOL_PAGE);
  }

  // ---------------------------------------------------------------- views for the API

  idOf(address: string): number | null {
    return this.nodes.find((x) => x.address === address)?.id ?? null;
  }

  status(): StatusView {
    const tip = this.tip;
    return {
      id: this.id,
      address: this.address,
      n: this.n ?? 0,
      capacity: this.capacity ?? 0,
      height: tip?.block.index ?? 0,
      ready: this.ready,
      last_hash: tip?.block.current_hash ?? '',
      next_validator: tip && this.params ? nextValidator(this.params, tip) : '',
      pool: this.pool.size,
      verifier: this.crypto.name,
      verifier_fingerprint: this.config.crypto.fingerprint,
      joined: this.nodes.length,
    };
  }

  accounts(): AccountView[] {
    const out: AccountView[] = [];
    for (const [address, acc] of this.tip?.ledger ?? []) out.push({ id: this.idOf(address), address, ...acc });
    return out.sort((a, b) => (a.id ?? Infinity) - (b.id ?? Infinity) || (a.address < b.address ? -1 : 1));
  }

  account(address: string): AccountView {
    const acc = this.tip ? accountOf(this.tip.ledger, address) : { balance: 0, stake: 0, nonce: 0 };
    return { id: this.idOf(address), address, ...acc };
  }

  inboxView(limit = 100): InboxEntry[] {
    return this.inbox.slice(-limit).reverse();
  }

  latestBlockJson(): string | undefined {
    return this.recent[this.recent.length - 1]?.json;
  }

  /** Blocks from `from` as JSON text: from memory when recent, else from the store. */
  async blocksJson(from: number, limit: number): Promise<string[]> {
    const first = this.recent[0]?.block.index;
    if (first !== undefined && from >= first) {
      return this.recent.slice(from - first, from - first + limit).map((r) => r.json);
    }
    return this.store.blocksFrom(from, limit);
  }

  async transactionStatus(id: string): Promise<TxStatusView> {
    if (this.pool.has(id)) return { id, status: 'pending' };
    // The index says where to look; the block itself confirms (an entry may be a replaced block's).
    for (const index of this.txIndex.candidates(id).reverse()) {
      const block = this.blockAt(index) ?? (await this.store.blocksFrom(index, 1)).map((j) => JSON.parse(j) as Block)[0];
      if (block?.index === index && block.transactions.some((tx) => tx.id === id)) return { id, status: 'committed', block: index };
    }
    const reason = this.dropped.get(id);
    if (reason) return { id, status: 'dropped', reason };
    return { id, status: 'unknown' };
  }

  /** Waits until the chain is on disk (for a clean stop). */
  flush(): Promise<void> {
    return this.store.flush();
  }
}

