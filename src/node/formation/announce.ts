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
import type { Membership } from './membership.js';

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

  /** Sends the announcement for the member's latest join nonce, again while that nonce changes. */
  private async sendNetworkTo(entry: NodeEntry): Promise<void> {
    const state = this.announcing.get(entry.id);
    if (!state || state.sending) return;
    state.sending = true;
    try {
      let sent: string | undefined;
      while (sent !== state.nonce && !this.closed) {
        const nonce = state.nonce;
        const message = await this.announcement(entry, nonce);
        for (let attempt = 0; attempt < 50 && !this.closed; attempt++) {
          try {
            await this.peers.call(entry.id, API.peerNetwork, { body: message, timeoutMs: 30_000, headers: { [JOIN_HEADER]: nonce } });
            break;
          } catch (err) {
            if (attempt === 0) this.log.warn(`cannot send the node list to node ${entry.id}: ${String(err)}; retrying`);
            if (state.nonce !== nonce) break; // it joined again meanwhile: send for the new nonce
            await new Promise((r) => setTimeout(r, 200));
          }
        }
        sent = nonce;
      }
    } finally {
      state.sending = false;
    }
  }

  /** Bootstrap, once all n have joined: send the signed list and chain, then fund every node. */
  async formNetwork(): Promise<void> {
    const nodes = this.members.nodes;
    this.members.changed();
    await Promise.all(nodes.filter((x) => x.id !== 0).map((x) => this.sendNetworkTo(x)));
    this.log.info(`all ${nodes.length} nodes joined; funding each with 1000 BCC`);
    for (const entry of nodes) {
      if (entry.id === 0) continue;
      try {
        this.wallet.submit({ type: 'coins', to: entry.id, amount: 1000 * UNITS_PER_BCC });
      } catch (err) {
        this.log.error(`cannot fund node ${entry.id}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    this.wallet.maybeInitialStake();
  }
}
