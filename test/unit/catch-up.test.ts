/**
 * Catch-up under protocol version 2 (docs/protocol.md, "Catch-up and pool repair"; ChainSync,
 * src/node/sync/index.ts) with fake peers and real signed blocks: a node on a longer branch learns
 * a shorter one whose latest justified checkpoint is higher (fork choice prefers it whatever its
 * length), although a peer that claims a still higher checkpoint and serves nothing new is asked
 * first; that peer is then left alone while it repeats the same claim, so that the node counts as
 * caught up, and asked again once the claim is 10 s old. And a pool repair takes from a peer's
 * pool only what fills the gap, or after a restart the whole page and the node's own pending
 * transactions. (The resend of what no block takes: peers-resend.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import type { API } from '../../src/api/routes.js';
import type { StatusView } from '../../src/api/types.js';
import type { TipV2 } from '../../src/core/consensus.js';
import { TxPool } from '../../src/core/pool.js';
import type { Block, Transaction } from '../../src/core/types.js';
import { nobleNodeCrypto } from '../../src/crypto/fallbacks.js';
import { ChainFollower, FinalTree } from '../../src/node/chain/index.js';
import type { ChainStore } from '../../src/node/db/index.js';
import { Emitter, type NodeEvents } from '../../src/node/events.js';
import { Membership } from '../../src/node/formation/membership.js';
import { Readiness } from '../../src/node/formation/readiness.js';
import type { Logger } from '../../src/node/logger.js';
import { ChainSync, type SyncPeers } from '../../src/node/sync/index.js';
import { advance, coinsTx, KEYS4, NET, PARAMS } from './v2-fixtures.js';

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** `count` blocks on `tip`, each carrying the votes of `voters` for the vote to cast; all the tips, in order. */
function chainOn(tip: TipV2, count: number, voters: typeof KEYS4): TipV2[] {
  const out: TipV2[] = [];
  for (let i = 0; i < count; i++) out.push((tip = advance(tip, 1, voters)));
  return out;
}

// Early on the finality table is the bootstrap's alone: its votes justify, nobody else's count.
const LONG = chainOn(NET.tip, 12, []); // nobody votes: justifies nothing above the genesis
const SHORT = chainOn(NET.tip, 6, [KEYS4[0]!]); // the bootstrap votes: justifies a checkpoint

/** A fake peer: what its GET /status claims and its chain for GET /blocks (or a failure). */
interface FakePeer {
  status: Partial<StatusView> | Error;
  chain: readonly Block[] | Error;
  /** Its pool page, when not the one given to nodeOn (or a failure). */
  pool?: readonly Transaction[] | Error;
  /** Its answer to GET /peer/pool?sender=<the node's own address>. */
  own?: readonly Transaction[];
}

function statusOf(tips: readonly TipV2[]): Partial<StatusView> {
  const last = tips.at(-1)!;
  const { height, hash } = last.finality.justified;
  return { height: last.block.index, last_hash: last.block.current_hash, justified_height: height, justified_hash: hash };
}

/**
 * A node's follower on `tips` (from the genesis), its catch-up over `peers`, and the log of what
 * it asked whom. Its wallet is KEYS4[1]'s. What the repair takes is recorded, and pooled if `pools`.
 */
function nodeOn(
  tips: readonly TipV2[],
  peers: Map<number, FakePeer>,
  clock: { now: number },
  poolPage: readonly Transaction[] = [],
  pools = false,
) {
  const events = new Emitter<NodeEvents>();
  const pool = new TxPool();
  const members = new Membership(4, 5, {} as ChainStore, events, quiet);
  const chain = new ChainFollower(KEYS4[1]!.address, members, pool, events, () => clock.now, quiet, nobleNodeCrypto());
  chain.start(PARAMS, new FinalTree(NET.tip));
  for (const t of tips) chain.addBlock(t.block, chain.tree!.get(t.block.previous_hash)!);
  const asked: string[] = [];
  const received: Transaction[] = [];
  const fake: SyncPeers = {
    ids: () => [...peers.keys()],
    call: ((id: number, route: typeof API.status) => {
      asked.push(`${id} ${route.url}`);
      const s = peers.get(id)!.status;
      return s instanceof Error ? Promise.reject(s) : Promise.resolve(s);
    }) as SyncPeers['call'],
    fetchBlocks: (id, from, limit) => {
      asked.push(`${id} /blocks`);
      const c = peers.get(id)!.chain;
      return c instanceof Error ? Promise.reject(c) : Promise.resolve(c.slice(from, from + limit));
    },
    fetchPool: (id, _timeoutMs, sender) => {
      asked.push(`${id} /peer/pool${sender === undefined ? '' : `?sender=${sender === KEYS4[1]!.address ? 'own' : sender}`}`);
      const page = peers.get(id)?.pool;
      if (page instanceof Error) return Promise.reject(page);
      return Promise.resolve(sender === undefined ? [...(page ?? poolPage)] : [...(peers.get(id)?.own ?? [])]);
    },
  };
  const sync = new ChainSync(
    chain,
    KEYS4[1]!.address,
    new Readiness(members, events, quiet),
    pool,
    {
      receive: (txs: readonly Transaction[]) => {
        received.push(...txs);
        if (pools) for (const tx of txs) pool.add(tx, chain.tip!.ledger, chain.tip!.block.index);
        return Promise.resolve({ accepted: pools ? txs.length : 0, rejected: [] });
      },
    },
    fake,
    events,
    () => clock.now,
    quiet,
  );
  return { chain, sync, asked, pool, received };
}

const blocks = (tips: readonly TipV2[]): Block[] => [NET.tip.block, ...tips.map((t) => t.block)];

describe('catch-up towards a shorter branch with a higher justified checkpoint', () => {
  it('a node on the longer branch switches to it, though a lying peer claiming more is asked first', async () => {
    expect(SHORT.at(-1)!.finality.justified.height).toBeGreaterThan(0);
    expect(LONG.at(-1)!.finality.justified.height).toBe(0);
    const liar: FakePeer = {
      status: { height: 5, last_hash: 'ab'.repeat(32), justified_height: 1_000, justified_hash: 'cd'.repeat(32) },
      chain: blocks(LONG), // nothing the node does not hold
    };
    const peers = new Map<number, FakePeer>([
      [0, { status: statusOf(SHORT), chain: blocks(SHORT) }],
      [2, liar],
      [3, { status: new Error('unreachable'), chain: new Error('unreachable') }],
    ]);
    const clock = { now: Date.now() };
    const { chain, sync, asked } = nodeOn(LONG, peers, clock);
    expect(chain.tip!.block.current_hash).toBe(LONG.at(-1)!.block.current_hash);

    await sync.catchUp();
    expect(chain.tip!.block.current_hash).toBe(SHORT.at(-1)!.block.current_hash);
    expect(chain.tip!.finality.justified).toEqual(SHORT.at(-1)!.finality.justified);
    // the liar (the highest claim) was asked first, gave nothing, and then the honest peer
    const fetches = asked.filter((a) => a.endsWith('/blocks'));
    expect(fetches[0]).toBe('2 /blocks');
    expect(fetches).toContain('0 /blocks');
    // the liar repeats its claim: left alone, so no peer is ahead
    expect(sync.caughtUp).toBe(true);

    // still the same claim 10 s later: asked again, once
    asked.length = 0;
    await sync.catchUp();
    expect(asked.filter((a) => a.endsWith('/blocks'))).toEqual([]);
    clock.now += 10_001;
    await sync.catchUp();
    expect(asked.filter((a) => a.endsWith('/blocks'))).toEqual(['2 /blocks']);
    expect(chain.tip!.block.current_hash).toBe(SHORT.at(-1)!.block.current_hash);
    sync.close();
  });

  it('a node on the better branch stays there when a peer holds the longer, less justified one', async () => {
    const peers = new Map<number, FakePeer>([[0, { status: statusOf(LONG), chain: blocks(LONG) }]]);
    const { chain, sync, asked } = nodeOn(SHORT, peers, { now: Date.now() });
    await sync.catchUp();
    expect(asked.filter((a) => a.endsWith('/blocks')).length).toBeGreaterThan(0);
    expect(chain.tip!.block.current_hash).toBe(SHORT.at(-1)!.block.current_hash);
    sync.close();
  });
});

describe('pool repair', () => {
  it("takes from a peer's pool only what fills the gap, and asks nobody once there is none", async () => {
    const clock = { now: Date.now() };
    const to = KEYS4[1]!.address;
    const tx = (nonce: number): Transaction => coinsTx(KEYS4[0]!, to, 100, nonce);
    // the peer holds nonces 0 to 3, and 5 behind its own gap
    const page = [tx(5), tx(0), tx(1), tx(2), tx(3)];
    const peers = new Map<number, FakePeer>([[0, { status: statusOf(SHORT), chain: blocks(SHORT) }]]);
    const { chain, sync, pool, asked, received } = nodeOn(SHORT, peers, clock, page);
    const tip = chain.tip!;
    for (const nonce of [1, 2]) pool.add(tx(nonce), tip.ledger, tip.block.index); // nonce 0 missed

    await sync.repairPool();
    expect(asked).toEqual(['0 /peer/pool']);
    expect(received.map((t) => t.nonce)).toEqual([0, 3]);

    pool.add(tx(0), tip.ledger, tip.block.index);
    clock.now += 5_000;
    await sync.repairPool();
    expect(asked).toEqual(['0 /peer/pool']); // no gap: not asked again
    sync.close();
  });

  it('after a restart takes the whole page, from the first peer that answers, each tried in turn', async () => {
    const clock = { now: Math.floor(Date.now() / 21) * 21 }; // the rotation starts at the first peer (node 0)
    const to = KEYS4[1]!.address;
    const tx = (nonce: number): Transaction => coinsTx(KEYS4[0]!, to, 100, nonce);
    // nonces 2 and 3 wait behind a gap here: the block holding 0 and 1 has not come yet, say
    const page = [tx(2), tx(3)];
    const down = new Error('connection refused');
    const peers = new Map<number, FakePeer>([
      [0, { status: statusOf(SHORT), chain: blocks(SHORT), pool: down }],
      [2, { status: statusOf(SHORT), chain: blocks(SHORT), pool: down }],
      [3, { status: statusOf(SHORT), chain: blocks(SHORT), pool: page }],
    ]);
    const { sync, asked, received } = nodeOn(SHORT, peers, clock);
    await sync.repairPool(true);
    expect(asked.filter((a) => a.endsWith('/peer/pool'))).toHaveLength(3);
    expect(asked.slice(-2).sort()).toEqual(['3 /peer/pool', '3 /peer/pool?sender=own']);
    expect(received.map((t) => t.nonce)).toEqual([2, 3]);
    sync.close();
  });

  it("after a restart also takes the wallet's own pending transactions that the peer's page leaves out", async () => {
    const clock = { now: Math.floor(Date.now() / 21) * 21 };
    const me = KEYS4[1]!;
    // a chain on which the wallet (KEYS4[1]) has coins, its own nonces 0 to 3 pending at the peer
    const funded = advance(SHORT.at(-1)!, 1, [KEYS4[0]!], { transactions: [coinsTx(KEYS4[0]!, me.address, 50_000, 0)] });
    const others = [1, 2, 3, 4].map((nonce) => coinsTx(KEYS4[0]!, KEYS4[2]!.address, 100, nonce));
    const own = [0, 1, 2, 3].map((nonce) => coinsTx(me, KEYS4[2]!.address, 100, nonce));
    // its page (the 10,000 oldest of a busy pool: here four) holds others' only, and one of the wallet's
    const page = [...others, own[0]!];
    const peers = new Map<number, FakePeer>([[0, { status: statusOf([funded]), chain: blocks([...SHORT, funded]), pool: page, own }]]);
    const { chain, sync, pool, received } = nodeOn([...SHORT, funded], peers, clock, [], true);
    expect(pool.nextNonce(chain.tip!.ledger, me.address)).toBe(0);

    await sync.repairPool(true);
    expect(received.map((t) => t.id)).toEqual([...page, ...own.slice(1)].map((t) => t.id)); // own[0] once
    // the wallet's next transaction follows those it gave before the restart
    expect(pool.nextNonce(chain.tip!.ledger, me.address)).toBe(4);
    sync.close();
  });
});
