/**
 * The store after a restart's replay (src/node/db/store.ts, allBlocks): reading the whole chain
 * leaves none of LevelDB's table files mapped into the process, so a restarted node's resident
 * memory does not keep the chain's size on disk; the store still reads and writes afterwards.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChainStore } from '../../src/node/db/index.js';
import type { Block } from '../../src/core/types.js';

const dir = mkdtempSync(join(tmpdir(), 'store-tables-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Kilobytes of table files of `path` resident in this process (from /proc/self/smaps). */
function residentTablesKb(path: string): number {
  let kb = 0;
  let inTable = false;
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) inTable = line.includes(path) && line.endsWith('.ldb');
    else if (inTable && line.startsWith('Rss:')) kb += Number(/(\d+)/.exec(line)![1]);
  }
  return kb;
}

const block = (index: number): Block => ({ index, padding: index.toString(16).padStart(8, '0').repeat(256) }) as unknown as Block; // 2 kB each

describe('the store after a replay of the whole chain', () => {
  it('keeps no table file mapped, and still reads and writes', async () => {
    const path = join(dir, 'chain');
    const writing = new ChainStore(path);
    await writing.open();
    for (let i = 0; i < 6_000; i++) writing.append(block(i), JSON.stringify(block(i)));
    await writing.flush();
    await writing.close();
    expect(readdirSync(path).filter((f) => f.endsWith('.ldb')).length).toBeGreaterThan(0); // the replay reads table files

    const store = new ChainStore(path);
    await store.open();
    let count = 0;
    for await (const json of store.allBlocks()) if ((JSON.parse(json) as Block).index === count) count++;
    expect(count).toBe(6_000);
    expect(residentTablesKb(path)).toBe(0);

    store.append(block(6_000), JSON.stringify(block(6_000)));
    await store.flush();
    expect((await store.blocksFrom(5_999, 10)).length).toBe(2);
    await store.close();
  });
});
