/**
 * A run being sorted in memory before it goes to disk (id-index.ts): the entries of an id table as
 * records of three words, put in groups by the first 16 bits of their id by a counting sort
 * (IdTable.bucketed), each group then sorted by insertion (ids are hashes: a group holds about one
 * entry at 65,536). The groups are sorted some at a time, so that the sort takes a few short turns
 * of the event loop rather than one long one; the entries can be looked up at any point, since a
 * lookup reads only the groups its keys fall in, sorted or not.
 */
import { compareRecord, type KeyRange } from './index-keys.js';

/** Groups of the counting sort: the first 16 bits of an id. */
export const BUCKETS = 1 << 16;

export class SortingRun {
  /** Groups sorted so far. */
  private sorted = 0;

  /**
   * `words`: the records, group by group; `starts`: where each group starts (BUCKETS + 1 record
   * numbers, the last one the number of records).
   */
  constructor(
    readonly words: Uint32Array,
    private readonly starts: Uint32Array,
  ) {}

  /** The bytes it takes. */
  get bytes(): number {
    return this.words.byteLength + this.starts.byteLength;
  }

  /**
   * Sorts up to `groups` more groups; true once all are sorted: `words` then holds the records
   * ordered by id prefix, then block, as a run on disk does.
   */
  sortSome(groups: number): boolean {
    const end = Math.min(BUCKETS, this.sorted + groups);
    for (; this.sorted < end; this.sorted++) insertionSort(this.words, this.starts[this.sorted]!, this.starts[this.sorted + 1]!);
    return this.sorted === BUCKETS;
  }

  /** Calls `visit` with the block of every record whose key is in `range` until it returns false; false if it did. */
  scan(range: KeyRange, visit: (block: number) => boolean): boolean {
    for (let group = range.fromHi >>> 16; group <= range.toHi >>> 16; group++) {
      for (let r = this.starts[group]!; r < this.starts[group + 1]!; r++) {
        if (compareRecord(this.words, r, range.fromHi, range.fromLo, 0) < 0) continue;
        if (compareRecord(this.words, r, range.toHi, range.toLo, 0xffffffff) > 0) continue;
        if (!visit(this.words[3 * r + 2]!)) return false;
      }
    }
    return true;
  }
}

/** Sorts records `from` to `to` (exclusive) of three words by (high, low, block). */
function insertionSort(words: Uint32Array, from: number, to: number): void {
  for (let i = from + 1; i < to; i++) {
    const hi = words[3 * i]!;
    const lo = words[3 * i + 1]!;
    const block = words[3 * i + 2]!;
    let j = i - 1;
    while (j >= from && compareRecord(words, j, hi, lo, block) > 0) {
      words.copyWithin(3 * j + 3, 3 * j, 3 * j + 3);
      j--;
    }
    words[3 * j + 3] = hi;
    words[3 * j + 4] = lo;
    words[3 * j + 5] = block;
  }
}
