/**
 * The minter's search for its own round (src/node/minter/index.ts): a node that is not round 0's
 * validator draws the later rounds only once round 1 has opened, and then mints in its own round;
 * each look at the tip searches once (RoundSearch.find), in round 0 alone or in every round.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BlockV2 } from '../../src/core/blockv2.js';
import { roundDrawV2, roundScheduleV2, type TipV2 } from '../../src/core/consensus.js';
import { LIVE_ROUND_MS, MAX_ROUNDS, ROUND_MS } from '../../src/core/params.js';
import type { TxPool } from '../../src/core/pool.js';
import { validatorsAt } from '../../src/core/seed.js';
import type { Transaction } from '../../src/core/types.js';
import { nobleNodeCrypto } from '../../src/crypto/fallbacks.js';
import type { ChainFollower } from '../../src/node/chain/index.js';
import { Emitter, type NodeEvents } from '../../src/node/events.js';
import type { Membership } from '../../src/node/formation/membership.js';
import type { Readiness } from '../../src/node/formation/readiness.js';
import type { Logger } from '../../src/node/logger.js';
import { Minter } from '../../src/node/minter/index.js';
import { RoundSearch } from '../../src/node/minter/round-search.js';
import { coinsTx, KEYS4, N_NODES, PARAMS, stakedChain } from './v2-fixtures.js';

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

describe('Minter: the rounds after 0 are drawn once round 1 opens', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'minter-rounds-'));
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a later round’s validator draws round 0 alone until round 1 opens, then mints in its own round, one search a look', () => {
    const tip: TipV2 = stakedChain().at(-1)!;
    const height = tip.block.index + 1;
    const rounds = validatorsAt(tip.seed, height, PARAMS.bootstrap, MAX_ROUNDS);
    // a staker whose first round at this height is 2 or later: its search must go past round 1
    const found = KEYS4.map((k) => ({ k, round: rounds.indexOf(k.address) })).find((x) => x.round >= 2);
    expect(found).toBeDefined();
    const { k, round } = found!;

    const [a, b] = KEYS4;
    const txs: Transaction[] = Array.from({ length: PARAMS.capacity }, (_, i) => coinsTx(a!, b!.address, 1, 100 + i));
    const added: BlockV2[] = [];
    const chain = {
      params: PARAMS,
      tip,
      finalized: tip.finality.finalized,
      contentNotFinal: false,
      addBlock: (block: BlockV2) => {
        added.push(block);
        return true;
      },
    } as unknown as ChainFollower;
    const events = new Emitter<NodeEvents>();
    const minter = new Minter(
      { address: k.address, secretKey: k.secret },
      { blockTimeoutMs: 0 },
      chain,
      { nodes: Array.from({ length: N_NODES }) } as unknown as Membership,
      { resuming: false, ready: true } as unknown as Readiness,
      { select: () => txs } as unknown as TxPool,
      { votesFor: () => [], evidenceFor: () => [] },
      events,
      () => Date.now(),
      quiet,
      nobleNodeCrypto(),
      dir,
    );
    vi.setSystemTime(tip.block.timestamp + 1);
    const draw = roundDrawV2(PARAMS, tip); // the minter's draw of this tip (one per tip)
    expect(draw.drawnRounds).toBe(0);
    const searches = vi.spyOn(RoundSearch.prototype, 'find');

    minter.schedule();
    vi.advanceTimersToNextTimer(); // the look on the next turn: a full block is due now
    expect(draw.drawnRounds).toBe(1);
    expect(added).toHaveLength(0);
    expect(searches.mock.calls.map((c) => c[3])).toEqual([false]);

    const schedule = roundScheduleV2(PARAMS, tip);
    // round 0's validator made the block of its last turn: its round is the long one, and round 1
    // opens only after it — the opening validity checks (a minter waiting r · ROUND_MS would not)
    expect(tip.live.has(rounds[0]!)).toBe(true);
    expect(schedule.openingOf(1)).toBe(LIVE_ROUND_MS);
    vi.advanceTimersByTime(ROUND_MS);
    expect(draw.drawnRounds).toBe(1);
    vi.advanceTimersByTime(schedule.openingOf(1) - ROUND_MS); // round 1 opens: the search goes on to this node's round
    expect(draw.drawnRounds).toBe(round + 1);
    expect(added).toHaveLength(0);
    expect(searches.mock.calls.map((c) => c[3])).toEqual([false, true]); // one search on that look, in every round

    vi.advanceTimersByTime(schedule.openingOf(round) - schedule.openingOf(1) - 1);
    expect(added).toHaveLength(0); // a ms before its round opens
    vi.advanceTimersByTime(1); // its round opens: it mints
    expect(added).toHaveLength(1);
    expect(searches).toHaveBeenCalledTimes(3);
    searches.mockRestore();
    expect(added[0]!.round).toBe(round);
    expect(added[0]!.validator).toBe(k.address);
    minter.close();
  });
});
