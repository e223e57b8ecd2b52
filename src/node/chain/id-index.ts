/**
 * Which block holds each id (a transaction's, or a block's own hash): the newest entries in an
 * in-memory table (id-table.ts), older ones in sorted runs on disk (index-runs.ts). When the table
 * holds SPILL_AT entries they are taken out of it, sorted a slice per turn of the event loop
 * (sorting-run.ts; found there meanwhile) and written as a run, and the table starts again, at
 * the same size: so a node's memory stays the same however long its chain grows, and a lookup
 * costs a probe of the table and a page read per run. Without a directory (tests that run a chain in memory) the
 * table just grows.
 *
 * An entry only says where to look (ids are SHA-256 hashes, so 64 bits almost never collide): the
 * caller confirms in the block itself, and entries of blocks a better branch replaced are not
 * removed, the confirmation finds them stale.
 */
import { IdTable } from './id-table.js';
import { prefixWord, type KeyRange } from './index-keys.js';
import { IndexRuns } from './index-runs.js';
import type { SortingRun } from './sorting-run.js';

/** Entries the in-memory table takes before they go to disk (1.5 MB of table). */
export const SPILL_AT = 65_536;
/** Groups of a spill's sort sorted per turn of the event loop (of 65,536: eight turns). */
const SORT_SLICE = 8_192;

export interface IdIndexOptions {
  /** Entries the table takes before they go to disk. */
  spillAt?: number;
  /** Runs work later (setImmediate in a node; tests run it when they choose). */
  schedule?: (next: () => void) => void;
  /** Hears of a disk error; the index then keeps what it has and holds new entries in memory. */
  onError?: (err: unknown) => void;
}

export class IdIndex {
  private readonly recent = new IdTable();
  private readonly runs: IndexRuns | undefined;
  private readonly spillAt: number;
  private readonly schedule: (next: () => void) => void;
  private readonly onError: (err: unknown) => void;
  /**
   * The entries taken out of the table to be written as a run: found here until the run is on
   * disk (for good if the disk failed).
   */
  private spilling: SortingRun | undefined;
  /** A spill is scheduled or under way. */
  private spillDue = false;
  /** The disk failed: nothing more is written there. */
  private diskFailed = false;
  private closed = false;

  /** `dir`: where the runs go; none to keep everything in memory. */
  constructor(dir?: string, options: IdIndexOptions = {}) {
    this.spillAt = options.spillAt ?? SPILL_AT;
    this.schedule = options.schedule ?? ((next) => setImmediate(next));
    this.onError = options.onError ?? (() => undefined);
    this.runs = dir === undefined ? undefined : new IndexRuns(dir, this.schedule, (err) => this.onError(err));
  }

  /** The bytes it keeps in memory. */
  get bytes(): number {
    return this.recent.bytes + (this.spilling?.bytes ?? 0) + (this.runs?.bytes ?? 0);
  }

  /** The levels of the runs on disk, oldest first. */
  get runLevels(): number[] {
    return this.runs?.levels ?? [];
  }

  /**
   * Notes that block `block` holds `id` (64 lower-case hex characters). Never throws: it is called
   * while a block is committed. A full table is written out later, not within that commit.
   */
  add(id: string, block: number): void {
    this.recent.add(id, block);
    this.spillWhenFull();
  }

  private spillWhenFull(): void {
    if (this.runs && !this.diskFailed && !this.spillDue && this.recent.size >= this.spillAt) {
      this.spillDue = true;
      this.schedule(() => this.spill());
    }
  }

  /**
   * Takes the table's entries out (a counting sort's two passes), then sorts them a slice per
   * turn, and writes them as a run on the last; the table takes new entries meanwhile.
   */
  private spill(): void {
    if (!this.runs || this.diskFailed || this.closed) return;
    const run = this.recent.bucketed();
    this.recent.clear();
    this.spilling = run;
    const slice = (): void => {
      if (this.closed) return;
      if (!run.sortSome(SORT_SLICE)) {
        this.schedule(slice);
        return;
      }
      try {
        this.runs!.append(run.words);
      } catch (err) {
        this.diskFailed = true; // its entries stay in memory, in `spilling`
        this.onError(err);
        return;
      }
      this.spilling = undefined;
      this.spillDue = false;
      this.spillWhenFull();
    };
    this.schedule(slice);
  }

  /** The blocks that may hold `id`, those on disk first, by index (almost always one, or none). */
  candidates(id: string): number[] {
    if (!/^[0-9a-f]{16}/.test(id)) return [];
    const older: number[] = [];
    const hi = prefixWord(id, 0);
    const lo = prefixWord(id, 8);
    const range = { fromHi: hi, fromLo: lo, toHi: hi, toLo: lo };
    const visit = (block: number): boolean => older.push(block) > 0;
    this.scanRuns(range, visit);
    this.spilling?.scan(range, visit);
    return [...new Set([...older.sort((a, b) => a - b), ...this.recent.candidates(id)])];
  }

  /**
   * The blocks that may hold an id starting with `prefix` (1 to 16 hex characters compared), at
   * most `max`: the table's first, then those being spilled, then the newest run's, and so on.
   */
  candidatesByPrefix(prefix: string, max: number): number[] {
    const range = prefixRange(prefix);
    if (!range) return [];
    const out = new Set(this.recent.candidatesByPrefix(prefix, max));
    const visit = (block: number): boolean => out.add(block).size < max;
    if (this.spilling?.scan(range, visit) !== false) this.scanRuns(range, visit);
    return [...out].slice(0, max);
  }

  /** The runs' entries in `range`; what a run that cannot be read held is missing (and reported). */
  private scanRuns(range: KeyRange, visit: (block: number) => boolean): void {
    try {
      this.runs?.scan(range, visit);
    } catch (err) {
      this.onError(err);
    }
  }

  /** Stops a spill under way and closes the runs' files. */
  close(): void {
    this.closed = true;
    this.runs?.close();
  }
}

/** The keys an id starting with `prefix` may have, or undefined when it is not hex. */
function prefixRange(prefix: string): KeyRange | undefined {
  const text = prefix.slice(0, 16);
  if (!/^[0-9a-f]+$/.test(text)) return undefined;
  const from = text.padEnd(16, '0');
  const to = text.padEnd(16, 'f');
  return { fromHi: prefixWord(from, 0), fromLo: prefixWord(from, 8), toHi: prefixWord(to, 0), toLo: prefixWord(to, 8) };
}
