/**
 * The node's chain on disk: LevelDB through classic-level (SPEC B, "Durability"). One write per
 * block, under a key that grows with its index; LevelDB's own log recovers a write cut off by a
 * crash, so a store is never left half-written. Blocks are kept as the JSON text they travel in,
 * so serving them needs no re-serialisation. Which block holds a transaction is derived data,
 * kept by the id index (chain/id-index.ts; in memory and in files removed when the node stops) and rebuilt from the blocks when the node starts.
 */
import { ClassicLevel } from 'classic-level';
import type { Block } from '../../core/types.js';

const BLOCK = 'b:';
const META = 'm:network';

function blockKey(index: number): string {
  return BLOCK + String(index).padStart(16, '0');
}

/** What a node must remember about its network besides the chain. */
export interface NetworkMeta {
  id: number;
  n: number;
  capacity: number;
  /** Each node's configured initial stake, in units, by id. */
  nodes: Array<{ id: number; address: string; host: string; port: number; stake: number }>;
  /**
   * Written by older versions: the initial stake was sent. Kept when true (Membership), since
   * their journal's rewrites dropped old stake lines; newer versions read the wallet's own
   * transactions (OwnWallet.initialStakeSent).
   */
  initialStakeSent?: boolean;
  /**
   * The bootstrap: each member's latest join `answer_nonce`, by id, so that a bootstrap restarted
   * before the network formed still sends them the announcement. Absent in older stores.
   */
  joinNonces?: Record<number, string>;
}

export class ChainStore {
  private readonly db: ClassicLevel<string, string>;
  /** Writes are chained so that they land in commit order. */
  private pending: Promise<void> = Promise.resolve();
  private failure: Error | undefined;

  constructor(path: string) {
    // Small buffers: writes are one batch per block and reads are mostly recent blocks, which the
    // node keeps in memory; LevelDB's defaults (4 MB memtable, 8 MB cache) cost a node ~10 MB.
    this.db = new ClassicLevel<string, string>(path, {
      valueEncoding: 'utf8',
      keyEncoding: 'utf8',
      writeBufferSize: 1024 * 1024,
      cacheSize: 2 * 1024 * 1024,
    });
  }

  async open(): Promise<void> {
    await this.db.open();
  }

  async close(): Promise<void> {
    await this.pending.catch(() => undefined);
    await this.db.close();
  }

  /** Queues a committed block for writing, in order. */
  append(block: Block, json: string): void {
    this.queue((batch) => batch.put(blockKey(block.index), json));
  }

  /** Queues one atomic batch, written after every batch queued before it. */
  private queue(fill: (batch: ReturnType<ClassicLevel<string, string>['batch']>) => void): void {
    this.pending = this.pending.then(async () => {
      try {
        const batch = this.db.batch();
        fill(batch);
        await batch.write();
      } catch (err) {
        this.failure = err instanceof Error ? err : new Error(String(err));
      }
    });
  }

  /**
   * Queues the removal of blocks a better branch replaced (fork choice), before that branch's
   * blocks are appended in their place.
   */
  revert(blocks: readonly Block[]): void {
    this.queue((batch) => {
      for (const block of blocks) batch.del(blockKey(block.index));
    });
  }

  /** Resolves once every queued write has landed; rejects if one failed. */
  async flush(): Promise<void> {
    await this.pending;
    if (this.failure) throw this.failure;
  }

  async saveMeta(meta: NetworkMeta): Promise<void> {
    await this.flush();
    await this.db.put(META, JSON.stringify(meta));
  }

  async loadMeta(): Promise<NetworkMeta | undefined> {
    const text = await this.db.get(META);
    return text === undefined ? undefined : (JSON.parse(text) as NetworkMeta);
  }

  /** Every stored block's JSON, in index order (a restart's replay). */
  async *allBlocks(): AsyncGenerator<string> {
    yield* this.db.values({ gte: BLOCK, lt: BLOCK + '~' });
  }

  /**
   * Closes the database and opens it again, which unmaps the table files reads have mapped.
   * LevelDB maps each table file it reads into the process and keeps it mapped while the file
   * stays open, so a read of the whole chain (a restart's replay) would leave the chain's size on
   * disk in the node's resident memory for as long as it runs (55–65 MB a restart in the soak).
   * Waits for the queued writes first; nothing may read or write the store meanwhile.
   */
  async unmapTables(): Promise<void> {
    await this.pending.catch(() => undefined);
    await this.db.close();
    await this.db.open();
  }

  /** Up to `limit` blocks' JSON from `from` on. */
  async blocksFrom(from: number, limit: number): Promise<string[]> {
    await this.pending;
    return this.db.values({ gte: blockKey(from), lt: BLOCK + '~', limit }).all();
  }
}
