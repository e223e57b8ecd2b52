/**
 * Durability (SPEC B): a node killed with SIGKILL in the middle of a load — the bootstrap too —
 * restarts alone from its data directory, even with the last record of its store torn, keeps its
 * id, address and coins, and catches up; every node converges on one chain, nothing committed is
 * lost, and each of its own transactions that was pending either commits or is no longer pending.
 */
import { appendFileSync, readdirSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { totalSupply } from '../../src/core/params.js';
import { ApiError, type NodeClient } from '../../client/api.js';
import type { Block } from '../../src/core/types.js';
import { useNetwork, supply, waitAgreement, waitFor } from './harness.js';

const N = 4;
const t = useNetwork(N, 5);

/**
 * Keeps every live node's wallet sending small transfers until stopped; records what each
 * accepted, and what each refused. A node that is killed or restarting cannot be reached
 * (UNREACHABLE): the only refusal a load may meet. Any other is recorded (the first ten), and
 * fails the test.
 */
function startLoad(clients: () => NodeClient[], skip: Set<number>) {
  const accepted: string[][] = Array.from({ length: N }, () => []);
  const unreachable: number[] = Array.from({ length: N }, () => 0);
  const unexpected: string[] = [];
  let running = true;
  const loops = Array.from({ length: N }, async (_, i) => {
    for (let k = 0; running; k++) {
      if (skip.has(i)) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      try {
        const r = await clients()[i]!.submit({ type: 'coins', to: (i + 1 + (k % (N - 1))) % N, amount: 1 + (k % 7) });
        accepted[i]!.push(r.id);
      } catch (err) {
        if (err instanceof ApiError && err.code === 'UNREACHABLE') unreachable[i]!++;
        else if (unexpected.length < 10)
          unexpected.push(`node ${i}: ${err instanceof ApiError ? `${err.code} ${err.message}` : String(err)}`);
        await new Promise((r) => setTimeout(r, 20)); // back off: the node is down, restarting or refusing
      }
    }
  });
  return {
    accepted,
    unreachable,
    unexpected,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/**
 * Cuts the last bytes off the newest LevelDB log and appends garbage, as a crash in the middle
 * of a write would; throws if the store holds no log. Returns the log and its size before.
 */
function tearStore(dataDir: string): { log: string; size: number } {
  const chain = join(dataDir, 'chain');
  const logs = readdirSync(chain)
    .filter((f) => f.endsWith('.log'))
    .map((f) => join(chain, f));
  const newest = logs.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  if (!newest) throw new Error(`no LevelDB log to tear in ${chain}: ${readdirSync(chain).join(', ')}`);
  const size = statSync(newest).size;
  if (size > 16) truncateSync(newest, size - 7);
  appendFileSync(newest, Buffer.from([0xde, 0xad, 0xbe]));
  return { log: newest, size };
}

async function heightOf(c: NodeClient): Promise<number> {
  return (await c.status()).height;
}

async function crashAndRecover(victim: number): Promise<void> {
  const skip = new Set<number>();
  const load = startLoad(() => t.clients, skip);
  const before = await t.clients[victim]!.status();
  const wallet = await t.clients[victim]!.wallet();
  const survivors = t.clients.filter((_, i) => i !== victim);
  let committedAtCrash: Block[] = [];
  let ownBeforeCrash: string[];
  let pendingAtCrash = '';
  try {
    await waitFor('the load to commit some blocks', async () => (await heightOf(t.clients[(victim + 1) % N]!)) >= before.height + 3);
    // The crash comes while the victim holds one of its own transactions pending.
    await waitFor('the victim to hold one of its own transactions pending', async () => {
      const last = load.accepted[victim]!.at(-1);
      if (last === undefined || (await t.clients[victim]!.transaction(last)).status !== 'pending') return false;
      pendingAtCrash = last;
      return true;
    });
    expect(load.unexpected).toEqual([]);

    // Crash: SIGKILL, then tear the last record of its store.
    skip.add(victim);
    await t.net.stopNode(victim, true);
    committedAtCrash = await survivors[0]!.blocks(0, 500);
    const torn = tearStore(join(t.dataRoot, `node-${victim}`));
    const tail = readFileSync(torn.log).subarray(-3);
    expect(tail.equals(Buffer.from([0xde, 0xad, 0xbe])), `${torn.log} was not torn`).toBe(true);
    expect(statSync(torn.log).size).toBe(torn.size > 16 ? torn.size - 7 + 3 : torn.size + 3);
    ownBeforeCrash = [...load.accepted[victim]!];

    // The others keep going (they stall only while the lottery names the dead node).
    await waitFor(
      'the load to go on without it',
      async () => (await survivors[0]!.status()).pool > 0 || (await heightOf(survivors[0]!)) > committedAtCrash.length,
    );

    await t.net.restartNode(victim);
    t.clients[victim] = t.client(victim);
    skip.delete(victim);
    const back = await t.clients[victim].status();
    expect(back.id).toBe(victim);
    expect(back.address).toBe(before.address);

    await waitFor(
      'the restarted node to follow the network',
      async () => {
        const [mine, theirs] = await Promise.all([heightOf(t.clients[victim]!), heightOf(survivors[0]!)]);
        return mine >= theirs && mine > committedAtCrash[committedAtCrash.length - 1]!.index;
      },
      120_000,
    );
  } finally {
    await load.stop();
  }
  // Every submit was accepted, but those to the victim while it was killed or restarting.
  expect(load.unexpected).toEqual([]);
  expect(load.unreachable.filter((_, i) => i !== victim)).toEqual(Array.from({ length: N - 1 }, () => 0));
  const hash = await waitAgreement(t.clients, 120_000);
  expect(hash).toMatch(/^[0-9a-f]{64}$/);

  // Nothing committed before the crash is lost, on any node.
  for (const c of t.clients) {
    const now = await c.blocks(0, committedAtCrash.length);
    expect(now.map((b) => b.current_hash)).toEqual(committedAtCrash.map((b) => b.current_hash));
  }
  // Every node, the restarted one included (it rebuilt its transaction index from its store),
  // says which block holds each transaction committed before the crash.
  const placed = committedAtCrash.slice(1).flatMap((b) => b.transactions.map((tx) => [tx.id, b.index] as const));
  expect(placed.length).toBeGreaterThan(0);
  for (const [id, index] of placed.filter((_, i) => i % Math.ceil(placed.length / 300) === 0)) {
    for (const c of t.clients) expect(await c.transaction(id)).toMatchObject({ id, status: 'final', block: index });
  }
  // One state everywhere; the supply is whole; the victim keeps its coins (it may have spent some).
  const views = await Promise.all(t.clients.map((c) => c.accounts()));
  for (const v of views) {
    expect(v).toEqual(views[0]);
    expect(supply(v)).toBe(totalSupply(N));
  }
  const after = views[0]!.find((a) => a.address === wallet.address)!;
  expect(after.balance + after.stake).toBeGreaterThan(0);
  expect(after.nonce).toBeGreaterThanOrEqual(wallet.nonce);
  // Its own transactions accepted before the crash, one of them pending then: committed, or no
  // longer pending anywhere.
  expect(ownBeforeCrash).toContain(pendingAtCrash);
  for (const id of ownBeforeCrash) {
    const states = await Promise.all(t.clients.map((c) => c.transaction(id)));
    expect(
      states.every((s) => s.status !== 'pending'),
      `${id}: ${JSON.stringify(states)}`,
    ).toBe(true);
    expect(new Set(states.map((s) => s.status)).size, `${id} committed on some nodes only`).toBe(1);
  }
}

// A restart alone may take up to RESTART_TIMEOUT_MS (2 minutes) on a loaded machine, and the
// catch-up after it as long: each test is given 5 minutes.
describe('crash and restart from the data directory', () => {
  it('a node killed mid-load, with its store torn, restarts, catches up, and loses nothing', async () => {
    await crashAndRecover(2);
  }, 300_000);

  it('the bootstrap killed mid-load restarts the same way', async () => {
    await crashAndRecover(0);
  }, 300_000);
});
