/**
 * The bootstrap's announcements (SPEC A, "Joining"; SPEC B, "Security"): once all n have joined,
 * it sends every member the signed node list and chain, for the nonce of that member's latest
 * join, then funds each; a member that joins again gets the announcement again for its new nonce.
 */
import { API } from '../../api/routes.js';
import { JOIN_HEADER, type NetworkAnnouncement, type NodeEntry, signNetwork } from '../../core/peer-auth.js';
import { UNITS_PER_BCC } from '../../core/params.js';
import type { Block } from '../../core/types.js';
import type { ChainFollower } from '../chain/index.js';
import type { ChainStore } from '../db/index.js';
import type { Logger } from '../logger.js';
import type { Peers } from '../network/index.js';
import type { OwnWallet, WalletKey } from '../wallet/index.js';
import { deliver } from './deliver.js';
import type { Membership } from './membership.js';

/** How long funding waits for the announcements to be delivered before it goes ahead. */
const ANNOUNCE_BEFORE_FUNDING_MS = 10_000;

export class Announcer {
  private closed = false;
  /** Per member, the nonce its announcement must carry and whether one is being sent. */
  private readonly announcing = new Map<number, { nonce: string; sending: boolean; host: string; port: number }>();

  constructor(
    private readonly key: WalletKey,
    private readonly members: Membership,
    private readonly chain: ChainFollower,
    private readonly wallet: OwnWallet,
    private readonly peers: Peers,
    private readonly store: ChainStore,
    private readonly log: Logger,
  ) {}

  /** A member that joined with `nonce` awaits an announcement carrying it (none sent yet). */
  expect(entry: NodeEntry, nonce: string): void {
    this.announcing.set(entry.id, { nonce, sending: false, host: entry.host, port: entry.port });
  }

  close(): void {
    this.closed = true;
  }

  /**
   * A join from a known member: once formed, the announcement goes again for its new nonce; one
   * in flight per member at a time, and nothing for a join that repeats the last one.
   */
  announceTo(entry: NodeEntry, nonce: string, n: number): void {
    const last = this.announcing.get(entry.id);
    if (last && last.nonce === nonce && last.host === entry.host && last.port === entry.port) return;
    const state = { nonce, sending: last?.sending ?? false, host: entry.host, port: entry.port };
    this.announcing.set(entry.id, state);
    if (this.members.nodes.length === n && !state.sending)
      this.sendNetworkTo(entry).catch((err: unknown) => this.log.warn(`cannot resend the node list: ${String(err)}`));
  }

  private async announcement(to: NodeEntry, nonce: string): Promise<NetworkAnnouncement> {
    const params = this.chain.params!;
    const chain = (await this.store.blocksFrom(0, Number.MAX_SAFE_INTEGER)).map((j) => JSON.parse(j) as Block);
    return signNetwork(
      { n: params.n, capacity: params.capacity, nodes: this.members.nodes, chain, to: to.address, answer_nonce: nonce },
      this.key.secretKey,
    );
  }

  /**
   * Sends the announcement for the member's latest join nonce, again while that nonce changes;
   * retried while the member cannot be reached, dropped when it refuses it for good (deliver.ts).
   */
  private async sendNetworkTo(entry: NodeEntry): Promise<void> {
    const state = this.announcing.get(entry.id);
    if (!state || state.sending) return;
    state.sending = true;
    try {
      const outcome = await deliver({
        to: `node ${entry.id}`,
        nonce: () => state.nonce,
        send: async (nonce) => {
          const body = await this.announcement(entry, nonce);
          await this.peers.call(entry.id, API.peerNetwork, { body, timeoutMs: 30_000, headers: { [JOIN_HEADER]: nonce } });
        },
        stopped: () => this.closed,
        sleep: (ms) => new Promise((r) => setTimeout(r, ms).unref()),
        log: this.log,
      });
      // Nothing to send after a restart any more (a new join gives a new nonce).
      if (outcome !== 'stopped' && this.members.joinNonces[entry.id] === state.nonce) {
        delete this.members.joinNonces[entry.id];
        this.members.saveQuietly();
      }
    } finally {
      state.sending = false;
    }
  }

  /** After a restart of the bootstrap before the network was ready: sends what the members still await. */
  resendPending(): void {
    for (const entry of this.members.nodes) if (this.announcing.has(entry.id)) void this.sendNetworkTo(entry);
  }

  /** Bootstrap, once all n have joined: send the signed list and chain, then fund every node. */
  async formNetwork(): Promise<void> {
    const nodes = this.members.nodes;
    this.members.changed();
    // Funding waits for the announcements, but not for a member that stays unreachable: its
    // announcement goes on in the background.
    let timer: NodeJS.Timeout | undefined;
    const sent = Promise.all(nodes.filter((x) => x.id !== 0).map((x) => this.sendNetworkTo(x)));
    await Promise.race([sent, new Promise((r) => (timer = setTimeout(r, ANNOUNCE_BEFORE_FUNDING_MS)))]);
    clearTimeout(timer);
    this.log.info(`all ${nodes.length} nodes joined; funding each with 1000 BCC`);
    this.fundMembers();
  }

  /**
   * The bootstrap's transactions of the forming: funds the members (`fund`), then sends its own
   * initial stake unless sent already. Once every member has joined, and again by a bootstrap
   * restarted before the network was ready (what it sent before the restart is not sent again).
   */
  fundMembers(): void {
    this.fund();
    this.wallet.maybeInitialStake();
  }

  /**
   * Funds nodes 1 … n−1 in order, node i with the bootstrap's nonce i − 1 (docs/protocol.md,
   * "Forming the network"). A node whose nonce is taken already, committed or pending, was funded
   * before a restart; a funding never takes another nonce, so that no node is funded twice.
   */
  private fund(): void {
    for (const entry of this.members.nodes) {
      if (entry.id === 0) continue;
      try {
        const next = this.wallet.nextNonce();
        if (next > entry.id - 1) continue; // funded before the restart
        if (next < entry.id - 1) throw new Error(`its funding takes nonce ${entry.id - 1}, but the next one is ${next}`);
        this.wallet.submit({ type: 'coins', to: entry.id, amount: 1000 * UNITS_PER_BCC });
        this.log.info(`funded node ${entry.id} with 1000 BCC`);
      } catch (err) {
        this.log.error(`cannot fund node ${entry.id}: ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
    }
  }
}
