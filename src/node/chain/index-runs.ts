/**
 * The older part of an id index (id-index.ts) on disk, so that a node's memory does not grow with
 * its chain: sorted runs of records of three 32-bit words (the first 64 bits of an id, the index
 * of the block holding it), 12 bytes a record. A run is written once, from the in-memory table
 * when it fills, and never changed; memory keeps only the first key of each 256-record page, so a
 * lookup reads one page (rarely two) of each run. Four runs of one level are merged into one of
 * the next, a slice at a time between other work, so there are a few runs per fourfold of the
 * chain's size, not one per table filled.
 *
 * Derived data, like the table: the files are removed when the node stops, and what a crash left
 * is removed before the first run is written; the replay of the node's blocks when it starts fills
 * them again. So they need no crash safety, and use the machine's byte order.
 */
import { closeSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readExactly, writeAll } from '../fs-exact.js';
import { compareRecord, type KeyRange } from './index-keys.js';

const RECORD_BYTES = 12;
const PAGE_RECORDS = 256;
const PAGE_BYTES = PAGE_RECORDS * RECORD_BYTES;
/** How many runs of one level are merged into one of the next. */
const FAN_IN = 4;
/** Records a merge moves before it lets other work run. */
const MERGE_SLICE = 16_384;

/** One sorted run file, open for reading. */
interface Run {
  readonly path: string;
  readonly fd: number;
  readonly records: number;
  readonly level: number;
  /** The first key (two words) of each page. */
  readonly fences: Uint32Array;
}

export class IndexRuns {
  /** Oldest first. */
  private runs: Run[] = [];
  /** How many runs there are of each level (index: the level). */
  private perLevel: number[] = [];
  private merging: RunMerge | undefined;
  private files = 0;
  private closed = false;
  /** A merge failed: no other is tried (the disk is full or gone). */
  private mergeFailed = false;
  /** One page read at a time (lookups are synchronous). */
  private readonly page = new Uint8Array(PAGE_BYTES);
  private readonly pageWords = new Uint32Array(this.page.buffer);

  /**
   * Keeps runs in `dir`, which it empties when it writes the first (what a previous run of the
   * node left; not before: until the node holds its store's lock, another process may own the
   * directory). `schedule` runs a merge's next slice later (setImmediate in a node; tests may run
   * it at once). A merge that fails (the disk) is given up, its inputs kept, and no other is
   * started: `onError` hears of it.
   */
  constructor(
    private readonly dir: string,
    private readonly schedule: (next: () => void) => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** How many runs there are now, and of which levels (for tests and metrics). */
  get levels(): number[] {
    return this.runs.map((run) => run.level);
  }

  /** Bytes kept in memory: the pages' first keys, and a merge's buffers while one runs. */
  get bytes(): number {
    return this.runs.reduce((sum, run) => sum + run.fences.byteLength, PAGE_BYTES) + (this.merging?.bytes ?? 0);
  }

  /**
   * Writes sorted records (three words each, as a SortingRun holds once sorted) as a new run. Throws
   * if the disk refuses (the run is then not kept).
   */
  append(records: Uint32Array): void {
    if (this.closed || records.length === 0) return;
    if (this.files === 0) {
      rmSync(this.dir, { recursive: true, force: true });
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    }
    const path = this.nextPath();
    const fd = openSync(path, 'w');
    try {
      writeAll(fd, new Uint8Array(records.buffer, records.byteOffset, records.byteLength));
    } catch (err) {
      rmSync(path, { force: true });
      throw err;
    } finally {
      closeSync(fd);
    }
    const count = records.length / 3;
    const fences = new Uint32Array(2 * Math.ceil(count / PAGE_RECORDS));
    for (let p = 0; p < fences.length / 2; p++) {
      fences[2 * p] = records[3 * p * PAGE_RECORDS]!;
      fences[2 * p + 1] = records[3 * p * PAGE_RECORDS + 1]!;
    }
    this.runs.push({ path, fd: openSync(path, 'r'), records: count, level: 0, fences });
    this.perLevel[0] = (this.perLevel[0] ?? 0) + 1;
    this.startMerge();
  }

  /**
   * Calls `visit` with the block index of every record whose key is in `range`, newest run first,
   * until it returns false. Throws if a run cannot be read.
   */
  scan(range: KeyRange, visit: (block: number) => boolean): void {
    for (let r = this.runs.length - 1; r >= 0; r--) if (!this.scanRun(this.runs[r]!, range, visit)) return;
  }

  /** Stops merging, closes the files and removes them. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.merging?.abandon();
    this.merging = undefined;
    for (const run of this.runs) closeSync(run.fd);
    this.runs = [];
    this.perLevel = [];
    if (this.files > 0) rmSync(this.dir, { recursive: true, force: true });
  }

  private scanRun(run: Run, range: KeyRange, visit: (block: number) => boolean): boolean {
    const pages = run.fences.length / 2;
    // The last page whose first key is below the range: records in range may start in its tail.
    let low = 0;
    let high = pages - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (compareKey(run.fences, mid, range.fromHi, range.fromLo) < 0) low = mid;
      else high = mid - 1;
    }
    for (let p = low; p < pages; p++) {
      const count = this.readPage(run, p);
      for (let r = 0; r < count; r++) {
        if (compareRecord(this.pageWords, r, range.fromHi, range.fromLo, 0) < 0) continue;
        if (compareRecord(this.pageWords, r, range.toHi, range.toLo, 0xffffffff) > 0) return true;
        if (!visit(this.pageWords[3 * r + 2]!)) return false;
      }
    }
    return true;
  }

  /** Reads page `p` of `run` into this.page; returns its record count. */
  private readPage(run: Run, p: number): number {
    const count = Math.min(PAGE_RECORDS, run.records - p * PAGE_RECORDS);
    readExactly(run.fd, this.page, count * RECORD_BYTES, p * PAGE_BYTES);
    return count;
  }

  private nextPath(): string {
    return join(this.dir, `run-${String(this.files++).padStart(8, '0')}`);
  }

  /** Merges the oldest FAN_IN runs of the lowest level that has that many, if no merge runs. */
  private startMerge(): void {
    if (this.merging || this.closed || this.mergeFailed) return;
    const level = this.perLevel.findIndex((runs) => runs >= FAN_IN);
    if (level < 0) return;
    const inputs = this.runs.filter((run) => run.level === level).slice(0, FAN_IN);
    let merge: RunMerge;
    try {
      merge = new RunMerge(inputs, this.nextPath());
    } catch (err) {
      this.giveUpMerging(err);
      return;
    }
    this.merging = merge;
    const slice = (): void => {
      if (this.merging !== merge) return;
      let output: Run;
      try {
        if (!merge.step(MERGE_SLICE)) {
          this.schedule(slice);
          return;
        }
        output = { ...merge.finish(), level: level + 1 };
      } catch (err) {
        merge.abandon();
        this.merging = undefined;
        this.giveUpMerging(err);
        return;
      }
      this.merging = undefined;
      const at = this.runs.indexOf(inputs[0]!);
      this.runs = this.runs.filter((run) => !inputs.includes(run));
      this.runs.splice(at, 0, output);
      this.perLevel[level]! -= FAN_IN;
      this.perLevel[level + 1] = (this.perLevel[level + 1] ?? 0) + 1;
      for (const run of inputs) closeSync(run.fd);
      try {
        for (const run of inputs) rmSync(run.path, { force: true });
      } catch (err) {
        this.onError(err); // files left behind; the next start removes them
      }
      this.startMerge();
    };
    this.schedule(slice);
  }

  /** The runs stay as they are (each is whole and sorted): lookups cost a page more per run. */
  private giveUpMerging(err: unknown): void {
    this.mergeFailed = true;
    this.onError(err);
  }
}

/** Key `at` of a fence array (two words a key) against (hi, lo). */
function compareKey(fences: Uint32Array, at: number, hi: number, lo: number): number {
  return fences[2 * at]! - hi || fences[2 * at + 1]! - lo;
}

/** One input of a merge: a run read a page at a time. */
class MergeInput {
  private readonly page = new Uint8Array(PAGE_BYTES);
  readonly words = new Uint32Array(this.page.buffer);
  /** The current record within the page. */
  at = 0;
  private count = 0;
  private nextPage = 0;

  constructor(private readonly run: Run) {
    this.load();
  }

  get done(): boolean {
    return this.at >= this.count;
  }

  advance(): void {
    if (++this.at >= this.count) this.load();
  }

  private load(): void {
    this.at = 0;
    this.count = Math.max(0, Math.min(PAGE_RECORDS, this.run.records - this.nextPage * PAGE_RECORDS));
    if (this.count > 0) readExactly(this.run.fd, this.page, this.count * RECORD_BYTES, this.nextPage++ * PAGE_BYTES);
  }
}

/** A merge of sorted runs into one, written to a temporary file and renamed when complete. */
class RunMerge {
  private readonly inputs: MergeInput[];
  private readonly temp: string;
  private readonly fd: number;
  /** A page of output waiting to be written. */
  private readonly out = new Uint32Array(3 * PAGE_RECORDS);
  private outCount = 0;
  private written = 0;
  private readonly fences: number[] = [];
  private open = true;

  constructor(
    inputs: readonly Run[],
    private readonly path: string,
  ) {
    this.inputs = inputs.map((run) => new MergeInput(run));
    this.temp = `${path}.tmp`;
    this.fd = openSync(this.temp, 'w');
  }

  get bytes(): number {
    return (this.inputs.length + 1) * PAGE_BYTES + 8 * this.fences.length;
  }

  /** Moves up to `limit` records to the output; true once every input is used up. */
  step(limit: number): boolean {
    for (let moved = 0; moved < limit; moved++) {
      let least: MergeInput | undefined;
      for (const input of this.inputs) {
        if (input.done) continue;
        const w = input.words;
        const a = input.at;
        if (!least || compareRecord(w, a, least.words[3 * least.at]!, least.words[3 * least.at + 1]!, least.words[3 * least.at + 2]!) < 0) {
          least = input;
        }
      }
      if (!least) return true;
      this.out.set(least.words.subarray(3 * least.at, 3 * least.at + 3), 3 * this.outCount);
      if (++this.outCount === PAGE_RECORDS) this.flush();
      least.advance();
    }
    return this.inputs.every((input) => input.done);
  }

  /** Writes what is left and puts the run in place; returns it open for reading. */
  finish(): Omit<Run, 'level'> {
    this.flush();
    closeSync(this.fd);
    this.open = false;
    renameSync(this.temp, this.path);
    return { path: this.path, fd: openSync(this.path, 'r'), records: this.written, fences: Uint32Array.from(this.fences) };
  }

  /** Gives up: closes and removes the output written so far. */
  abandon(): void {
    if (this.open) closeSync(this.fd);
    this.open = false;
    rmSync(this.temp, { force: true });
  }

  private flush(): void {
    if (this.outCount === 0) return;
    this.fences.push(this.out[0]!, this.out[1]!);
    writeAll(this.fd, new Uint8Array(this.out.buffer, 0, this.outCount * RECORD_BYTES));
    this.written += this.outCount;
    this.outCount = 0;
  }
}
