/**
 * The keys of an id index (id-index.ts): the first 64 bits of an id as two 32-bit words, and the
 * records of three words (those two and a block index) that its table gives to be sorted
 * (id-table.ts, sorting-run.ts) and its runs keep on disk (index-runs.ts).
 */

/** Record `at` of `words` against the record (hi, lo, block): negative when it sorts first. */
export function compareRecord(words: Uint32Array, at: number, hi: number, lo: number, block: number): number {
  return words[3 * at]! - hi || words[3 * at + 1]! - lo || words[3 * at + 2]! - block;
}

/** 32 bits of a hex id from character `at` (ids are hashes: every bit is as good as another). */
export function prefixWord(id: string, at: number): number {
  return parseInt(id.slice(at, at + 8), 16) >>> 0;
}

/** A range of keys, both ends included: [fromHi, fromLo] to [toHi, toLo]. */
export interface KeyRange {
  fromHi: number;
  fromLo: number;
  toHi: number;
  toLo: number;
}
