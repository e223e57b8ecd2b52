/**
 * What this node remembers about its network besides the chain, kept as the store's meta (so
 * that a restart resumes it): its own id, the network's size and block capacity, the members (id,
 * address, where to reach them, configured stake) and (the bootstrap) each member's latest join
 * nonce. Whether its initial stake went out is not kept here: the wallet's own transactions say
 * so (OwnWallet.initialStakeSent) — except in a record of an older version, which kept it as a
 * flag; such a flag is kept, since that version's journal rewrites dropped old stake lines.
 */
import type { NodeEmitter } from '../events.js';
import type { Logger } from '../logger.js';
import type { ChainStore, NetworkMeta } from '../db/index.js';
import type { NodeEntry } from '../../core/peer-auth.js';

export class Membership {
  id = -1;
  n: number | undefined;
  capacity: number | undefined;
  nodes: NodeEntry[] = [];
  /** The bootstrap's address: this node's own for the bootstrap, else learnt when joining. */
  bootstrapAddress: string | undefined;
  /** The bootstrap: each member's latest join `answer_nonce`, by id (its announcement carries it). */
  joinNonces: Record<number, string> = {};
  /** An older version's record said the initial stake was sent (its journal may no longer show it). */
  stakeSentByOlderVersion = false;

  constructor(
    n: number | undefined,
    capacity: number | undefined,
    private readonly store: ChainStore,
    private readonly events: NodeEmitter,
    private readonly log: Logger,
  ) {
    this.n = n;
    this.capacity = capacity;
  }

  /** A member's id, or null for an address that is no member's. */
  idOf(address: string): number | null {
    return this.nodes.find((x) => x.address === address)?.id ?? null;
  }

  /** Tells the peers (and anything else that follows `members`) of a new list or a member's new place. */
  changed(): void {
    this.events.emit('members', this.nodes);
  }

  /** Takes what a previous run saved. */
  load(meta: NetworkMeta): void {
    this.id = meta.id;
    this.n = meta.n;
    this.capacity = meta.capacity;
    this.nodes = meta.nodes;
    this.joinNonces = meta.joinNonces ?? {};
    this.stakeSentByOlderVersion = meta.initialStakeSent === true;
  }

  async save(): Promise<void> {
    await this.store.saveMeta({
      id: this.id,
      n: this.n ?? 0,
      capacity: this.capacity ?? 0,
      nodes: this.nodes,
      joinNonces: this.joinNonces,
      ...(this.stakeSentByOlderVersion ? { initialStakeSent: true } : {}),
    });
  }

  /** Saves in the background; a failure (the store closing on shutdown) is logged, not fatal. */
  saveQuietly(): void {
    this.save().catch((err: unknown) => this.log.warn(`could not save the node list: ${String(err)}`));
  }
}
