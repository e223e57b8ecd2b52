/**
 * The in-memory table of an id index (id-index.ts), for transaction ids and block hashes alike: an
 * open-addressing table of the first 64 bits of each id and its block's index, 12 bytes a slot. It
 * doubles when it would be more than three quarters full, so it holds 16 to 32 bytes per entry;
 * when it holds 65,536 the id index takes them out to sort (`bucketed`) and write as a run on
 * disk, and clears it, so it stays at 1.5 MB.
 *
 * Why not one LevelDB key per transaction: an entry under a random key made LevelDB compact all
 * the time, and storing a block cost several times the CPU it costs alone. Runs written once,
 * sorted, cost a sort and a sequential write per 65,536 entries.
 */
import { prefixWord } from './index-keys.js';
import { BUCKETS, SortingRun } from './sorting-run.js';

const EMPTY = -1;
const INITIAL_SLOTS = 1 << 12;
/** Bytes a slot takes: two words of id prefix and the block index. */
const SLOT_BYTES = 12;

export class IdTable {
  /** Two 32-bit words of id prefix per slot. */
  private keys = new Uint32Array(2 * INITIAL_SLOTS);
  /** The block index per slot; EMPTY when free. */
  private blocks = new Int32Array(INITIAL_SLOTS).fill(EMPTY);
  private used = 0;

  /** How many entries it holds. */
  get size(): number {
    return this.used;
  }

  /** The bytes its table takes. */
  get bytes(): number {
    return this.blocks.length * SLOT_BYTES;
  }

  /** Notes that block `block` holds `id` (64 lower-case hex characters). */
  add(id: string, block: number): void {
    // Linear probing at three quarters full: some 2.5 probes to find an entry, 8.5 to miss.
    if (4 * (this.used + 1) > 3 * this.blocks.length) this.grow();
    const hi = prefixWord(id, 0);
    const lo = prefixWord(id, 8);
    const mask = this.blocks.length - 1;
    let slot = lo & mask;
    while (this.blocks[slot] !== EMPTY) {
      if (this.blocks[slot] === block && this.keys[2 * slot] === hi && this.keys[2 * slot + 1] === lo) return; // already there
      slot = (slot + 1) & mask;
    }
    this.keys[2 * slot] = hi;
    this.keys[2 * slot + 1] = lo;
    this.blocks[slot] = block;
    this.used++;
  }

  /** The blocks that may hold `id`, newest entry last (almost always one, or none). */
  candidates(id: string): number[] {
    const out: number[] = [];
    if (!/^[0-9a-f]{16}/.test(id)) return out;
    const hi = prefixWord(id, 0);
    const lo = prefixWord(id, 8);
    const mask = this.blocks.length - 1;
    for (let slot = lo & mask; this.blocks[slot] !== EMPTY; slot = (slot + 1) & mask) {
      if (this.keys[2 * slot] === hi && this.keys[2 * slot + 1] === lo) out.push(this.blocks[slot]!);
    }
    return out;
  }

  /**
   * The blocks that may hold a transaction whose id starts with `prefix` (1 to 16 hex characters
   * are compared; the caller confirms in the block), at most `max`: a scan of the whole table,
   * about a millisecond per 100,000 entries.
   */
  candidatesByPrefix(prefix: string, max: number): number[] {
    const out = new Set<number>();
    const text = prefix.slice(0, 16);
    if (!/^[0-9a-f]+$/.test(text)) return [];
    const hiChars = Math.min(8, text.length);
    const loChars = text.length - hiChars;
    const hiShift = 32 - 4 * hiChars;
    const loShift = 32 - 4 * loChars;
    const hi = parseInt(text.slice(0, hiChars), 16) >>> 0;
    const lo = loChars > 0 ? parseInt(text.slice(8), 16) >>> 0 : 0;
    for (let slot = 0; slot < this.blocks.length && out.size < max; slot++) {
      if (this.blocks[slot] === EMPTY) continue;
      if (hiShift < 32 && this.keys[2 * slot]! >>> hiShift !== hi) continue;
      if (loChars > 0 && this.keys[2 * slot + 1]! >>> loShift !== lo) continue;
      out.add(this.blocks[slot]!);
    }
    return [...out];
  }

  /**
   * Every entry as a record of three words (id prefix high, low, block index), put in groups by
   * the first 16 bits of the id (a counting sort: two passes over the table), for a SortingRun to
   * finish sorting: linear, not n·log n.
   */
  bucketed(): SortingRun {
    const starts = new Uint32Array(BUCKETS + 1);
    for (let slot = 0; slot < this.blocks.length; slot++) {
      if (this.blocks[slot] !== EMPTY) starts[(this.keys[2 * slot]! >>> 16) + 1]!++;
    }
    for (let b = 1; b <= BUCKETS; b++) starts[b]! += starts[b - 1]!;
    const out = new Uint32Array(3 * this.used);
    const next = starts.slice(0, BUCKETS);
    for (let slot = 0; slot < this.blocks.length; slot++) {
      if (this.blocks[slot] === EMPTY) continue;
      const at = 3 * next[this.keys[2 * slot]! >>> 16]!++;
      out[at] = this.keys[2 * slot]!;
      out[at + 1] = this.keys[2 * slot + 1]!;
      out[at + 2] = this.blocks[slot]!;
    }
    return new SortingRun(out, starts);
  }

  /** Forgets every entry and keeps the table's size (the next entries fill it again). */
  clear(): void {
    this.blocks.fill(EMPTY);
    this.used = 0;
  }

  private grow(): void {
    const keys = this.keys;
    const blocks = this.blocks;
    this.keys = new Uint32Array(keys.length * 2);
    this.blocks = new Int32Array(blocks.length * 2).fill(EMPTY);
    const mask = this.blocks.length - 1;
    for (let old = 0; old < blocks.length; old++) {
      if (blocks[old] === EMPTY) continue;
      let slot = keys[2 * old + 1]! & mask;
      while (this.blocks[slot] !== EMPTY) slot = (slot + 1) & mask;
      this.keys[2 * slot] = keys[2 * old]!;
      this.keys[2 * slot + 1] = keys[2 * old + 1]!;
      this.blocks[slot] = blocks[old]!;
    }
  }
}
