/**
 * The store after a restart's replay (src/node/formation/restore.ts, restoreChain, and
 * src/node/db/store.ts, unmapTables): reading the whole chain leaves none of LevelDB's table files
 * mapped into the process, so a restarted node's resident memory does not keep the chain's size on
 * disk; the store still reads and writes afterwards. A stored block the rules now refuse (a
 * directory of another version of the protocol) stops the start with what to do about it.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nobleCrypto } from '../../src/core/crypto.js';
import type { ChainFollower } from '../../src/node/chain/index.js';
import { ChainStore, type NetworkMeta } from '../../src/node/db/index.js';
import type { Readiness } from '../../src/node/formation/readiness.js';
import { restoreChain } from '../../src/node/formation/restore.js';
import { validatorsOfRoundsV2 } from '../../src/core/consensus.js';
import { ROUND_MS } from '../../src/core/params.js';
import { blockOn, CAPACITY, keyOf, N_NODES, PARAMS, mint, stakedChain } from './v2-fixtures.js';

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

describe('the store after a restart replayed the whole chain', () => {
  it('keeps no table file mapped, and still reads and writes', async () => {
    const tips = stakedChain(400);
    const path = join(dir, 'chain');
    const writing = new ChainStore(path);
    await writing.open();
    for (const { block } of tips) writing.append(block, JSON.stringify(block));
    await writing.flush();
    await writing.close();

    const store = new ChainStore(path);
    await store.open(); // which writes the log of the writes into a table file
    expect(readdirSync(path).filter((f) => f.endsWith('.ldb')).length).toBeGreaterThan(0); // the replay reads table files
    const remembered: number[] = [];
    const chain = { remember: (block) => remembered.push(block.index), start: () => undefined } as Pick<
      ChainFollower,
      'remember' | 'start'
    >;
    const readiness = { evaluate: () => undefined } as Pick<Readiness, 'evaluate'>;
    const meta = { n: N_NODES, capacity: CAPACITY } as NetworkMeta;
    await restoreChain(store, meta, chain as ChainFollower, readiness as Readiness, path, nobleCrypto);
    expect(remembered).toEqual(tips.map((t) => t.block.index));
    expect(residentTablesKb(path)).toBe(0);

    const next = mint(tips.at(-1)!).block;
    store.append(next, JSON.stringify(next));
    await store.flush();
    expect((await store.blocksFrom(next.index - 1, 10)).length).toBe(2);
    await store.close();
  });

  it('refuses a stored block stamped under an older round rule, naming the directory and what to do', async () => {
    const tips = stakedChain();
    const tip = tips.find((t) => {
      const [v0, v1] = validatorsOfRoundsV2(PARAMS, t, 2);
      return t.live.has(v0!) && v0 !== v1;
    })!;
    const upTo = tips.slice(0, tips.indexOf(tip) + 1);
    // round 1 stamped 250 ms after its parent: the old rule; round 0's validator is live, so its round lasts 1 s
    const by = keyOf(validatorsOfRoundsV2(PARAMS, tip, 2)[1]!);
    const old = blockOn(tip, {}, { by, round: 1, timestamp: tip.block.timestamp + ROUND_MS });
    const path = join(dir, 'old-rules');
    const writing = new ChainStore(path);
    await writing.open();
    for (const block of [...upTo.map((t) => t.block), old]) writing.append(block, JSON.stringify(block));
    await writing.flush();
    await writing.close();

    const store = new ChainStore(path);
    await store.open();
    const chain = { remember: () => undefined, start: () => undefined } as Pick<ChainFollower, 'remember' | 'start'>;
    const readiness = { evaluate: () => undefined } as Pick<Readiness, 'evaluate'>;
    const meta = { n: N_NODES, capacity: CAPACITY } as NetworkMeta;
    await expect(restoreChain(store, meta, chain as ChainFollower, readiness as Readiness, path, nobleCrypto)).rejects.toThrow(
      new RegExp(`block ${old.index} stored in ${path} .*TOO_EARLY.*remove it and form the network again`),
    );
    await store.close();
  });
});
