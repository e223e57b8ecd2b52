/**
 * Forming the network (SPEC A, "Joining"; SPEC B, "Durability" and "Security"): the bootstrap
 * creates the genesis and hands out ids in order of arrival; once all n have joined it sends the
 * signed node list and chain to every node and funds each. A joining node asks for its id and
 * accepts the announcement after validating it. A restarted node resumes from its data directory
 * and tells the peers where it is now (hello). The bootstrap's announcements are in announce.ts;
 * the signed messages are the core's (src/core/peer-auth.ts).
 */
import type { NodeCrypto } from '../../crypto/suite.js';
import { API } from '../../api/routes.js';
import { genesisBlock } from '../../core/block.js';
import { genesisTipV2 } from '../../core/consensus.js';
import { ProtocolError } from '../../core/errors.js';
import {
  signHello,
  signJoin,
  verifyHello,
  verifyJoin,
  verifyNetwork,
  type Hello,
  type JoinRequest,
  type NetworkAnnouncement,
  type NodeEntry,
} from '../../core/peer-auth.js';
import { verifyTransaction } from '../../core/transaction.js';
import { FinalTree } from '../chain/final-tree.js';
import type { ChainFollower } from '../chain/index.js';
import type { NodeConfig } from '../config.js';
import type { ChainStore } from '../db/index.js';
import { NodeError } from '../errors.js';
import type { PeerGate } from '../http/peer-auth.js';
import type { Logger } from '../logger.js';
import type { Peers } from '../network/index.js';
import type { ChainSync } from '../sync/index.js';
import type { OwnWallet, WalletKey } from '../wallet/index.js';
import { Announcer } from './announce.js';
import { askToJoin } from './join.js';
import type { Membership } from './membership.js';
import type { Readiness } from './readiness.js';
import { replayChain, restoreChain } from './restore.js';

export { Membership } from './membership.js';
export { Readiness } from './readiness.js';
export type { Hello, JoinRequest, NetworkAnnouncement, NodeEntry } from '../../core/peer-auth.js';

function requireNumber(x: number | undefined, name: string): number {
  if (x === undefined || !Number.isSafeInteger(x) || x < 1) {
    throw new Error(`-${name} is required (a positive integer) to start a new network`);
  }
  return x;
}

export class Formation {
  /** Whether this run continues a previous one from the data directory. */
  private restored = false;
  /** The `answer_nonce` of this node's last join, while it waits for the announcement. */
  private awaited: string | undefined;
  /** The domain of the network this node asked to join (from the bootstrap's challenge). */
  private joinedDomain: string | undefined;
  /** Bootstrap: the announcements to the members (announce.ts). */
  private readonly announcer: Announcer;

  constructor(
    private readonly config: NodeConfig,
    private readonly key: WalletKey,
    private readonly members: Membership,
    private readonly chain: ChainFollower,
    private readonly readiness: Readiness,
    private readonly wallet: OwnWallet,
    private readonly sync: ChainSync,
    private readonly peers: Peers,
    private readonly store: ChainStore,
    private readonly now: () => number,
    private readonly log: Logger,
    private readonly crypto: NodeCrypto,
    private readonly gate: PeerGate,
    private readonly random: (bytes: number) => string,
  ) {
    this.announcer = new Announcer(key, members, chain, wallet, peers, store, log);
  }

  /** True when `nonce` is the answer nonce of this node's join, while it waits for the announcement. */
  awaits(nonce: string | undefined): boolean {
    return this.awaited !== undefined && nonce === this.awaited;
  }

  /** The bootstrap is node 0, whether started with -bootstrap or restored from its data directory. */
  get isBootstrap(): boolean {
    return this.config.isBootstrap || this.members.id === 0;
  }

  /** Restores a previous run from the store, or creates the genesis if bootstrap. */
  async open(): Promise<void> {
    const meta = await this.store.loadMeta();
    if (meta) {
      this.members.load(meta);
      const params = await restoreChain(this.store, meta, this.chain, this.readiness, this.config.dataDir, this.crypto);
      this.members.bootstrapAddress = params.bootstrap;
      this.log.info(`restored node ${this.members.id} from ${this.config.dataDir} at height ${this.chain.tip!.block.index}`);
      this.restored = true;
      // What the wallet accepted before, not in the stored chain: back into the pool (its journal).
      this.wallet.restoreJournal();
      // The network went on meanwhile: no block nor vote on this tip before catching up.
      this.readiness.holdUntilCaughtUp();
      // The bootstrap, restarted before the network formed: the members that joined before the
      // restart wait for an announcement carrying the nonce of their join.
      if (this.isBootstrap) {
        for (const entry of this.members.nodes) {
          const nonce = this.members.joinNonces[entry.id];
          if (entry.id !== 0 && nonce !== undefined) this.announcer.expect(entry, nonce);
        }
      }
    } else if (this.config.isBootstrap) await this.createGenesis();
  }

  /** After the server listens: join the network, or tell the peers where a restarted node is. */
  async begin(): Promise<void> {
    const { nodes, n } = this.members;
    const formed = this.chain.tip !== undefined && nodes.length > 0 && nodes.length === n;
    if (this.restored && formed) {
      // The bootstrap, restarted after every member joined but before the network was ready: the
      // members it had not announced to yet wait for it still, and some may not be funded.
      const forming = this.isBootstrap && !this.readiness.ready;
      if (forming) this.announcer.resendPending();
      try {
        await this.announceRestart();
      } finally {
        // After the catch-up and the pool repair: the funding sent before the restart is known.
        // The wallet opens first, or the fundings still to send would be refused (RESUMING) and
        // never sent again; in the same turn, so that they take the bootstrap's first nonces
        // before any request that waited for the wallet (announce.ts, fund), and its initial
        // stake waits for them (OwnWallet.maybeInitialStake).
        this.readiness.poolRestored();
        if (forming) this.announcer.fundMembers();
      }
      return;
    }
    // restored before the network formed: nothing went on without it
    this.readiness.resume(this.chain.tip);
    this.readiness.poolRestored();
    if (!this.isBootstrap) await this.join();
  }

  close(): void {
    this.announcer.close();
  }

  private async createGenesis(): Promise<void> {
    const n = requireNumber(this.members.n, 'n');
    const capacity = requireNumber(this.members.capacity, 'capacity');
    const genesis = genesisBlock(this.key.address, n, this.now(), this.crypto);
    const { params, tip } = genesisTipV2(genesis, n, capacity, this.crypto);
    this.members.id = 0;
    this.members.bootstrapAddress = this.key.address;
    this.members.nodes = [{ id: 0, address: this.key.address, host: this.config.host, port: this.config.port, stake: this.config.stake }];
    this.chain.start(params, new FinalTree(tip), [{ block: genesis, json: JSON.stringify(genesis) }]);
    await this.members.save();
    this.log.info(`bootstrap of a ${n}-node network, capacity ${capacity}; waiting for ${n - 1} node(s) to join`);
    if (n === 1) await this.announcer.formNetwork();
  }

  /** A new node asks the bootstrap for an id, retrying while the bootstrap is not up yet. */
  private async join(): Promise<void> {
    const n = requireNumber(this.members.n, 'n');
    const capacity = requireNumber(this.members.capacity, 'capacity');
    const { address, secretKey } = this.key;
    // The announcement to this node must carry this nonce; drawn once per run, so that an
    // announcement of an earlier run is refused.
    const answer_nonce = (this.awaited ??= this.random(32));
    const request = (challenge: { domain: string; address: string; nonce: string }) =>
      signJoin(
        challenge.address,
        {
          address,
          host: this.config.host,
          port: this.config.port,
          n,
          capacity,
          stake: this.config.stake,
          verifier_fingerprint: this.config.crypto.fingerprint,
          domain: challenge.domain,
          nonce: challenge.nonce,
          answer_nonce,
        },
        secretKey,
      );
    const id = await askToJoin(
      this.config.bootstrapUrl,
      request,
      this.config.joinAfter,
      (challenge) => {
        this.members.bootstrapAddress = challenge.address;
        this.joinedDomain = challenge.domain;
      },
      (status) => this.verifierMismatch(status.verifier_fingerprint ?? '', 'the bootstrap'),
      this.now,
      this.log,
      this.config.tls,
    );
    if (this.members.id < 0) this.members.id = id;
  }

  /** Bootstrap: registers a joining node (ids in order of arrival; a known address keeps its id). */
  async handleJoin(req: JoinRequest): Promise<{ id: number; bootstrap: string }> {
    const params = this.chain.params;
    if (!this.isBootstrap || !params) throw new NodeError('UNKNOWN_NODE', 'this node is not the bootstrap');
    this.gate.check(req.nonce);
    if (req.domain !== params.domain) throw new NodeError('UNKNOWN_NODE', 'the join request names another network');
    verifyJoin(this.key.address, req);
    const mismatch =
      req.verifier_fingerprint === undefined
        ? undefined
        : this.verifierMismatch(req.verifier_fingerprint, `the node at ${req.host}:${req.port}`);
    if (mismatch) {
      this.log.error(`refused a join: ${mismatch}`);
      throw new NodeError('VERIFIER_MISMATCH', mismatch);
    }
    if (req.n !== params.n || req.capacity !== params.capacity) {
      throw new NodeError(
        'PARAMS_MISMATCH',
        `this network has n=${params.n} and capacity=${params.capacity}; the node asked for n=${req.n}, capacity=${req.capacity}`,
      );
    }
    const nodes = this.members.nodes;
    const known = nodes.find((x) => x.address === req.address);
    if (known) {
      this.gate.spend(req.nonce, req.address);
      const moved = known.host !== req.host || known.port !== req.port;
      known.host = req.host;
      known.port = req.port;
      if (moved) this.members.changed();
      if (this.members.joinNonces[known.id] !== req.answer_nonce || moved) {
        this.members.joinNonces[known.id] = req.answer_nonce;
        this.members.saveQuietly();
      }
      this.announcer.announceTo(known, req.answer_nonce, params.n);
      return { id: known.id, bootstrap: this.key.address };
    }
    if (nodes.length >= params.n) {
      throw new NodeError('NETWORK_FULL', `the network is full: all ${params.n} nodes have joined`);
    }
    this.gate.spend(req.nonce, req.address); // its signer is a member from here on
    const entry: NodeEntry = { id: nodes.length, address: req.address, host: req.host, port: req.port, stake: req.stake };
    nodes.push(entry);
    this.announcer.expect(entry, req.answer_nonce);
    this.members.joinNonces[entry.id] = req.answer_nonce;
    // Decided before the await: two joins in flight would otherwise both see the list complete
    // and form the network twice (seen under load: the funding sent a second time, and refused).
    const completes = nodes.length === params.n;
    await this.members.save();
    this.log.info(`node ${entry.id} joined from ${req.host}:${req.port} (${entry.id + 1}/${params.n})`);
    if (completes)
      setImmediate(
        () => void this.announcer.formNetwork().catch((err: unknown) => this.log.error(`forming the network failed: ${String(err)}`)),
      );
    return { id: entry.id, bootstrap: this.key.address };
  }

  /** A joining node: accepts the bootstrap's signed list and chain after validating both. */
  async handleNetwork(a: NetworkAnnouncement): Promise<void> {
    const bootstrap = this.members.bootstrapAddress;
    if (!bootstrap) throw new NodeError('UNKNOWN_NODE', 'this node has not asked to join any network');
    if (!this.awaits(a.answer_nonce)) throw new NodeError('STALE_CHALLENGE', 'this node awaits no announcement with this nonce');
    if (a.to !== this.key.address) throw new NodeError('UNKNOWN_NODE', 'the announcement is addressed to another node');
    verifyNetwork(a, bootstrap);
    const me = a.nodes.find((x) => x.address === this.key.address);
    if (!me) throw new NodeError('UNKNOWN_NODE', 'the node list does not include this node');
    if (a.chain[0]?.current_hash !== this.joinedDomain)
      throw new NodeError('UNKNOWN_NODE', 'the chain is not the one of the network this node joined');
    if (this.chain.params) {
      // Formed already (restored before the network formed, then joined again): take the list only.
      this.awaited = undefined;
      this.members.nodes = a.nodes;
      this.members.changed();
      return;
    }
    if (a.chain.length === 0) throw new ProtocolError('BAD_GENESIS', 'a chain has at least its genesis block');
    const { params, tree } = replayChain(
      a.chain,
      a.n,
      a.capacity,
      (d, tx) => verifyTransaction(d, tx, this.crypto),
      this.crypto,
      this.now(),
    );
    if (params.bootstrap !== bootstrap) throw new NodeError('UNKNOWN_NODE', "the chain is not this bootstrap's");
    if (!this.awaits(a.answer_nonce)) throw new NodeError('STALE_CHALLENGE', 'an announcement was accepted meanwhile');
    this.awaited = undefined;
    this.members.id = me.id;
    this.members.n = a.n;
    this.members.capacity = a.capacity;
    this.members.nodes = a.nodes;
    this.chain.start(
      params,
      tree,
      a.chain.map((block) => ({ block, json: JSON.stringify(block) })),
    );
    this.members.changed();
    await this.members.save();
    this.log.info(`received the list of ${a.nodes.length} nodes and a chain of ${a.chain.length} block(s)`);
    this.readiness.evaluate(tree.best);
    this.chain.drainFuture();
  }

  /**
   * A restarted node tells every peer where it is now and catches up meanwhile (catching up needs
   * no session: GET /status and GET /blocks are public), then repairs its pool. The caller opens
   * the wallet after it (Readiness.poolRestored).
   */
  private async announceRestart(): Promise<void> {
    const { id, nodes } = this.members;
    const me = nodes.find((x) => x.id === id)!;
    me.host = this.config.host;
    me.port = this.config.port;
    this.members.changed();
    const domain = this.chain.params!.domain;
    const helloTo = async (peer: number): Promise<void> => {
      const nonce = await this.peers.challenge(peer, 3_000);
      const body = {
        id,
        address: this.key.address,
        host: this.config.host,
        port: this.config.port,
        verifier_fingerprint: this.config.crypto.fingerprint,
        nonce,
      };
      const hello = signHello(domain, this.peers.entry(peer)!.address, body, this.key.secretKey);
      await this.peers.callAsMember(peer, API.peerHello, { body: hello, timeoutMs: 3_000 });
    };
    const caughtUp = this.sync.catchUp();
    await Promise.all(
      this.peers
        .ids()
        .map((peer) =>
          helloTo(peer).catch((err: unknown) =>
            this.log.debug(`no hello to node ${peer}: ${err instanceof Error ? err.message : String(err)}`),
          ),
        ),
    );
    this.log.info(`restarted at height ${this.chain.tip?.block.index}; peers told, catching up`);
    // Caught up once (resumed), or the catch-up over: under load it may go on chasing the tip.
    await Promise.race([caughtUp, this.readiness.whenResumed()]);
    // What peers broadcast while this node was down, and what its wallet sent before, is in
    // their pools, not in any block yet.
    await this.sync.repairPool(true);
  }

  /** A peer restarted, perhaps on another port: update where it is. */
  handleHello(h: Hello, sessionMember: string): { height: number } {
    this.gate.check(h.nonce);
    if (h.address !== sessionMember) throw new NodeError('UNKNOWN_NODE', 'the hello is not from the member of this session');
    const entry = this.members.nodes.find((x) => x.id === h.id);
    if (!entry || entry.address !== h.address) throw new NodeError('UNKNOWN_NODE', `node ${h.id} with this address is not in the network`);
    verifyHello(this.chain.params!.domain, this.key.address, h);
    this.gate.spend(h.nonce, h.address);
    entry.host = h.host;
    entry.port = h.port;
    this.members.changed();
    this.members.saveQuietly();
    this.log.info(`node ${h.id} is back at ${h.host}:${h.port}`);
    this.peers.revived(h.id);
    const mismatch = h.verifier_fingerprint === undefined ? undefined : this.verifierMismatch(h.verifier_fingerprint, `node ${h.id}`);
    if (mismatch) this.log.error(`VERIFIER MISMATCH: ${mismatch}`);
    return { height: this.chain.tip?.block.index ?? 0 };
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
}
