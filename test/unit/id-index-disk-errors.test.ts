import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IdIndex } from '../../src/node/chain/id-index.js';

const id = (s: string): string => createHash('sha256').update(s).digest('hex');

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** An index whose deferred work runs at once, and the errors it reported. */
function indexIn(spillAt: number): { index: IdIndex; dir: string; errors: unknown[] } {
  const root = mkdtempSync(join(tmpdir(), 'id-index-err-'));
  dirs.push(root);
  const dir = join(root, 'runs');
  const errors: unknown[] = [];
  const index = new IdIndex(dir, { spillAt, schedule: (next) => next(), onError: (err) => errors.push(err) });
  return { index, dir, errors };
}

describe('the index when its disk fails', () => {
  it('keeps new entries in memory once a run cannot be written, reports it once, and never throws into a commit', () => {
    const { index, dir, errors } = indexIn(100);
    for (let i = 0; i < 100; i++) index.add(id(`a-${i}`), i);
    expect(readdirSync(dir)).toHaveLength(1);
    // The directory is gone and a file stands in its place: every later write fails.
    rmSync(dir, { recursive: true });
    writeFileSync(dir, 'not a directory');
    for (let i = 0; i < 1_000; i++) expect(() => index.add(id(`b-${i}`), 1_000 + i)).not.toThrow();
    expect(errors).toHaveLength(1);
    for (let i = 0; i < 1_000; i++) expect(index.candidates(id(`b-${i}`))).toEqual([1_000 + i]);
  });

  it('gives up merging when a merge cannot write, keeps its runs whole, and still finds every entry', () => {
    const { index, dir, errors } = indexIn(100);
    for (let i = 0; i < 300; i++) index.add(id(`c-${i}`), i);
    expect(index.runLevels).toEqual([0, 0, 0]);
    // The fourth run is file 3; the merge's output would be file 4: a directory there refuses it.
    mkdirSync(join(dir, 'run-00000004.tmp'));
    for (let i = 300; i < 800; i++) index.add(id(`c-${i}`), i);
    expect(errors).toHaveLength(1);
    expect(index.runLevels).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    for (let i = 0; i < 800; i++) expect(index.candidates(id(`c-${i}`))).toEqual([i]);
  });

  it('reports a run cut short instead of answering from stale bytes, and answers from the rest', () => {
    const { index, dir, errors } = indexIn(100);
    for (let i = 0; i < 200; i++) index.add(id(`d-${i}`), i);
    const [first] = readdirSync(dir).sort();
    truncateSync(join(dir, first!), 12 * 10);
    const found = Array.from({ length: 200 }, (_, i) => index.candidates(id(`d-${i}`)));
    expect(errors.length).toBeGreaterThan(0);
    // The second run (ids 100 to 199) is whole: each is found where it is.
    for (let i = 100; i < 200; i++) expect(found[i]).toEqual([i]);
    // Of the first, only what the cut left can be found, and nothing is found in a wrong block.
    found.slice(0, 100).forEach((blocks, i) => expect(blocks.every((b) => b === i)).toBe(true));
  });
});
