/**
 * The minter's round (src/node/minter/): drawn once per tip, and this node's first round of that
 * draw allowed by its proposal record. The draw and the round are kept for one tip: a new tip
 * gives a new draw, and a new proposal record (a block signed at this height, then not taken) a
 * later round of the same draw. Driven through the minter's events on stand-ins, with a clock far
 * ahead of the chain's timestamps so that a round due is a round open.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BlockV2 } from '../../src/core/blockv2.js';
import { roundScheduleV2, type TipV2 } from '../../src/core/consensus.js';
import { MAX_ROUNDS, SEED_EPOCH_BLOCKS } from '../../src/core/params.js';
import type { TxPool } from '../../src/core/pool.js';
import { validatorsAt } from '../../src/core/seed.js';
import type { ChainFollower } from '../../src/node/chain/index.js';
import { Emitter, type NodeEvents } from '../../src/node/events.js';
import type { Membership } from '../../src/node/formation/membership.js';
import type { Readiness } from '../../src/node/formation/readiness.js';
import { Minter } from '../../src/node/minter/index.js';
import type { KeyPair } from './fixtures.js';
import { coinsTx, KEYS4, N_NODES, PARAMS, stakedChain } from './v2-fixtures.js';
import { countingCrypto, quiet } from './voting-fixtures.js';

const K = KEYS4[1]!;
let tips: TipV2[] = [];
beforeAll(() => {
  tips = stakedChain(3 * SEED_EPOCH_BLOCKS).filter((t) => t.block.index >= 2 * SEED_EPOCH_BLOCKS);
});

/** The validators of the rounds for the block after `tip`, in order. */
const drawOn = (tip: TipV2): string[] => validatorsAt(tip.seed, tip.block.index + 1, PARAMS.bootstrap, MAX_ROUNDS);

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/**
 * A minter of `key` on a stand-in chain whose tip a test sets; a full pool, so that a block is
 * due at once. `minted` gets each block it adds; `clock` is its time.
 */
function minterOf(key: KeyPair, tip: TipV2) {
  const dir = mkdtempSync(join(tmpdir(), 'minter-'));
  dirs.push(dir);
  const minted: BlockV2[] = [];
  const chain = {
    params: PARAMS,
    tip,
    finalized: { height: 0 },
    contentNotFinal: false,
    addBlock: (block: BlockV2) => void minted.push(block),
  };
  const txs = Array.from({ length: PARAMS.capacity }, (_, i) => coinsTx(KEYS4[0]!, key.address, 100, i));
  const pool = { select: () => txs } as unknown as TxPool;
  const members = { nodes: { length: N_NODES } } as unknown as Membership;
  const readiness = { resuming: false, ready: true } as unknown as Readiness;
  const extras = { votesFor: () => [], evidenceFor: () => [] };
  const events = new Emitter<NodeEvents>();
  const time = { now: tip.block.timestamp + 3_600_000 };
  const minter = new Minter(
    { address: key.address, secretKey: key.secret },
    { blockTimeoutMs: 0 },
    chain as unknown as ChainFollower,
    members,
    readiness,
    pool,
    extras,
    events,
    () => time.now,
    quiet,
    countingCrypto().crypto,
    dir,
  );
  /** The tip moves to `t`: the minter looks, on the next turn of the event loop. */
  const head = async (t: TipV2) => {
    chain.tip = t;
    events.emit('head', t);
    await new Promise((r) => setImmediate(r));
  };
  /** Transactions arrive on the same tip: the minter looks again. */
  const poke = async () => {
    events.emit('peerTransactions', { received: 1, verified: 1 });
    await new Promise((r) => setImmediate(r));
  };
  return { minter, minted, head, poke, time };
}

describe("the minter's round, one draw per tip", () => {
  it('a new tip gives a new draw: round 0 on the tip where it is drawn first, no block on one where it is drawn later', async () => {
    const first = tips.find((t) => drawOn(t)[0] === K.address);
    const later = tips.find((t) => drawOn(t).indexOf(K.address) > 0);
    expect(first, 'no tip where K is drawn first').toBeDefined();
    expect(later, 'no tip where K is drawn in a later round').toBeDefined();
    const m = minterOf(K, later!);
    await m.head(later!);
    expect(m.minted).toEqual([]); // its round is not open yet
    await m.head(first!);
    expect(m.minted.map((b) => [b.previous_hash, b.round])).toEqual([[first!.block.current_hash, 0]]);
    await m.head(later!);
    expect(m.minted).toHaveLength(1);
    m.minter.close();
  });

  it('a new proposal record on the same tip gives its next round of the same draw', async () => {
    // A tip where K is drawn first and again in a later round.
    const tip = tips.find((t) => drawOn(t)[0] === K.address && drawOn(t).indexOf(K.address, 1) > 0);
    expect(tip, 'no tip where K is drawn first and again later').toBeDefined();
    const next = drawOn(tip!).indexOf(K.address, 1);
    const m = minterOf(K, tip!);
    await m.head(tip!);
    expect(m.minted.map((b) => b.round)).toEqual([0]);
    // Its round-0 block is not taken (the tip stays): once its next round has opened, it mints in it.
    m.time.now += roundScheduleV2(PARAMS, tip!).openingOf(next);
    await m.poke();
    expect(m.minted.map((b) => [b.previous_hash, b.round])).toEqual([
      [tip!.block.current_hash, 0],
      [tip!.block.current_hash, next],
    ]);
    m.minter.close();
  });
});
