import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { IdIndex } from '../../src/node/chain/id-index.js';
import { IdTable } from '../../src/node/chain/id-table.js';

const id = (s: string): string => createHash('sha256').update(s).digest('hex');

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * An index spilling every `spillAt` entries into a fresh directory. Its deferred work (spills,
 * merge slices) waits in a queue: `drain` runs all of it, `step` the first; `add` adds and drains.
 */
function diskIndex(spillAt: number): {
  index: IdIndex;
  dir: string;
  add: (id: string, block: number) => void;
  drain: () => number;
  step: () => void;
  waiting: () => number;
} {
  const root = mkdtempSync(join(tmpdir(), 'id-index-'));
  dirs.push(root);
  const dir = join(root, 'runs');
  const queue: Array<() => void> = [];
  const index = new IdIndex(dir, { spillAt, schedule: (next) => queue.push(next) });
  const drain = (): number => {
    let tasks = 0;
    for (; queue.length > 0; tasks++) queue.shift()!();
    return tasks;
  };
  const add = (id: string, block: number): void => {
    index.add(id, block);
    drain();
  };
  return { index, dir, add, drain, step: () => queue.shift()!(), waiting: () => queue.length };
}

describe('the id index with older entries on disk', () => {
  it('finds the block of each of 100,000 ids spilled in 100 runs and merged, and nothing for others', () => {
    const { index, dir, add } = diskIndex(1_000);
    const ids = Array.from({ length: 100_000 }, (_, i) => id(`tx-${i}`));
    ids.forEach((x, i) => add(x, Math.floor(i / 20) + 1));
    ids.forEach((x, i) => expect(index.candidates(x)).toEqual([Math.floor(i / 20) + 1]));
    for (let i = 0; i < 1_000; i++) expect(index.candidates(id(`absent-${i}`))).toEqual([]);
    // 100 runs of level 0 merge fourfold into 1 of level 3, 2 of level 2, 1 of level 1: 100 = 1210 in base 4.
    expect([...index.runLevels].sort()).toEqual([1, 2, 2, 3]);
    expect(readdirSync(dir).length).toBe(4);
  });

  it('keeps its memory the same however many entries it holds, where the table alone grows with them', () => {
    const { index, add } = diskIndex(4_096);
    const alone = new IdTable();
    const bytes: number[] = [];
    for (let i = 1; i <= 200_000; i++) {
      add(id(`soak-${i}`), Math.floor(i / 50));
      alone.add(id(`soak-${i}`), Math.floor(i / 50));
      if (i % 20_000 === 0) bytes.push(index.bytes);
    }
    expect(bytes.length).toBe(10);
    // The table's size once full, a page buffer, and 8 bytes of first keys per 256 entries on disk.
    expect(Math.max(...bytes) - Math.min(...bytes)).toBeLessThanOrEqual((8 * 200_000) / 256);
    expect(alone.bytes).toBeGreaterThan(20 * Math.max(...bytes));
  });

  it('answers from the runs being merged while a merge is under way, and from the merged run after', () => {
    const { index, add, drain, step, waiting } = diskIndex(1_000);
    const ids = Array.from({ length: 4_000 }, (_, i) => id(`m-${i}`));
    ids.slice(0, -1).forEach((x, i) => add(x, i));
    index.add(ids[3_999]!, 3_999);
    expect(index.runLevels).toEqual([0, 0, 0]); // the fourth run is written after the commit, not in it
    ids.forEach((x, i) => expect(index.candidates(x)).toEqual([i]));
    while (index.runLevels.length < 4) step(); // the spill's slices, the last one writing the fourth run
    expect(waiting()).toBe(1); // a merge's first slice
    expect(index.runLevels).toEqual([0, 0, 0, 0]);
    ids.forEach((x, i) => expect(index.candidates(x)).toEqual([i]));
    drain();
    expect(index.runLevels).toEqual([1]);
    ids.forEach((x, i) => expect(index.candidates(x)).toEqual([i]));
  });

  it('answers from the entries being spilled while they are sorted a slice per turn, and from the run after', () => {
    const { index, add, step } = diskIndex(1_000);
    const ids = Array.from({ length: 1_100 }, (_, i) => id(`s-${i}`));
    ids.slice(0, 999).forEach((x, i) => add(x, i));
    index.add(ids[999]!, 999);
    step(); // the spill takes the table's entries out to sort them
    let added = 1_000;
    let slices = 0;
    while (index.runLevels.length === 0) {
      index.add(ids[added]!, added); // new entries arrive between the slices
      added++;
      ids.slice(0, added).forEach((x, i) => expect(index.candidates(x)).toEqual([i]));
      for (const prefix of ['a', ids[5]!.slice(0, 3), ids[1_000]!.slice(0, 2)]) {
        const expected = ids.slice(0, added).flatMap((x, i) => (x.startsWith(prefix) ? [i] : []));
        expect(expected.length).toBeGreaterThan(0);
        expect(index.candidatesByPrefix(prefix, 10_000).sort((a, b) => a - b)).toEqual(expected);
      }
      step();
      slices++;
    }
    expect(slices).toBeGreaterThan(1);
    expect(index.runLevels).toEqual([0]);
    ids.slice(0, added).forEach((x, i) => expect(index.candidates(x)).toEqual([i]));
    ids.slice(added).forEach((x) => add(x, 5_000));
    ids.slice(added).forEach((x) => expect(index.candidates(x)).toEqual([5_000]));
  });

  it('gives every block an id was added with (a replaced branch), once each', () => {
    const { index, add } = diskIndex(100);
    const moved = id('moved');
    add(moved, 7);
    for (let i = 0; i < 99; i++) add(id(`filler-${i}`), 8);
    add(moved, 7); // the same entry again, now in the table
    add(moved, 9);
    for (let i = 0; i < 500; i++) add(id(`more-${i}`), 10);
    expect(index.runLevels.length).toBeGreaterThan(1);
    expect(index.candidates(moved)).toEqual([7, 9]);
  });

  it('finds every entry of an id whose entries fill more than a page of a run (256 records)', () => {
    const { index, add } = diskIndex(1_000);
    const busy = id('busy');
    for (let i = 0; i < 2_000; i++) add(i % 3 === 0 ? busy : id(`f-${i}`), i);
    const expected = Array.from({ length: 2_000 }, (_, i) => i).filter((i) => i % 3 === 0);
    expect(index.runLevels.length).toBe(2);
    expect(index.candidates(busy)).toEqual(expected);
  });

  it('finds ids by prefix across the runs and the table, as a scan of every id would', () => {
    const { index, add } = diskIndex(500);
    const ids = Array.from({ length: 5_000 }, (_, i) => id(`p-${i}`));
    ids.forEach((x, i) => add(x, i));
    expect(index.runLevels.length).toBeGreaterThan(0);
    for (const prefix of ['a', '0f', 'ff', ids[77]!.slice(0, 3), ids[4_321]!.slice(0, 12), ids[10]!.slice(0, 16)]) {
      const expected = ids.flatMap((x, i) => (x.startsWith(prefix) ? [i] : []));
      expect(expected.length).toBeGreaterThan(0);
      expect(index.candidatesByPrefix(prefix, 10_000).sort((a, b) => a - b)).toEqual(expected);
      expect(index.candidatesByPrefix(prefix, 1)).toHaveLength(1);
    }
    expect(index.candidatesByPrefix('XYZ', 10)).toEqual([]);
  });

  it('removes what a crashed node left when it writes its first run, and its files when closed', () => {
    const root = mkdtempSync(join(tmpdir(), 'id-index-'));
    dirs.push(root);
    const dir = join(root, 'runs');
    mkdirSync(dir);
    writeFileSync(join(dir, 'run-00000000'), 'left by a crash');
    writeFileSync(join(dir, 'run-00000007.tmp'), 'a merge cut off');
    const index = new IdIndex(dir, { spillAt: 10, schedule: (next) => next() });
    for (let i = 0; i < 9; i++) index.add(id(`c-${i}`), i);
    expect(readdirSync(dir).length).toBe(2); // nothing written yet: the files may still be another process's
    index.add(id('c-9'), 9);
    expect(readdirSync(dir)).toEqual(['run-00000000']);
    expect(index.candidates(id('c-3'))).toEqual([3]);
    index.close();
    expect(existsSync(dir)).toBe(false);
  });

  it('property: every id added is found in the block it was added with, whatever the spill size', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string(), fc.nat(1_000_000)), { maxLength: 2_000 }),
        fc.integer({ min: 1, max: 300 }),
        (entries, spillAt) => {
          const { index, drain } = diskIndex(spillAt);
          for (const [s, block] of entries) index.add(id(s), block);
          drain();
          for (const [s, block] of entries) expect(index.candidates(id(s))).toContain(block);
          index.close();
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe('the in-memory table sorted for a run', () => {
  it('gives every entry once, ordered by id prefix then block', () => {
    const table = new IdTable();
    const entries = Array.from({ length: 20_000 }, (_, i) => [id(`s-${i}`), i % 97] as const);
    for (const [x, block] of entries) table.add(x, block);
    table.add(entries[5]![0], 1_000); // one id in two blocks
    const run = table.bucketed();
    let slices = 1;
    while (!run.sortSome(4_096)) slices++;
    expect(slices).toBe(16);
    const words = run.words;
    expect(words.length).toBe(3 * 20_001);
    const key = (at: number): string =>
      `${words[3 * at]!.toString(16).padStart(8, '0')}${words[3 * at + 1]!.toString(16).padStart(8, '0')}:${String(words[3 * at + 2]).padStart(8, '0')}`;
    const keys = Array.from({ length: 20_001 }, (_, at) => key(at));
    expect(keys).toEqual([...keys].sort());
    const expected = [...entries, [entries[5]![0], 1_000] as const]
      .map(([x, block]) => `${x.slice(0, 16)}:${String(block).padStart(8, '0')}`)
      .sort();
    expect(keys).toEqual(expected);
    table.clear();
    expect(table.size).toBe(0);
    expect(table.candidates(entries[0]![0])).toEqual([]);
  });
});
