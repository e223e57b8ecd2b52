/**
 * Readiness (src/node/formation/readiness.ts) as the one place that says whether a restarted node
 * has caught up since its restart: held from the restart, resumed once, `resumed` told once.
 */
import { describe, expect, it } from 'vitest';
import type { TipV2 } from '../../src/core/consensus.js';
import type { ChainStore } from '../../src/node/db/index.js';
import { Emitter, type NodeEvents } from '../../src/node/events.js';
import { Membership } from '../../src/node/formation/membership.js';
import { Readiness } from '../../src/node/formation/readiness.js';
import type { Logger } from '../../src/node/logger.js';
import { NET } from './v2-fixtures.js';

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function readiness() {
  const events = new Emitter<NodeEvents>();
  const resumed: TipV2[] = [];
  events.on('resumed', (tip) => resumed.push(tip));
  let walletOpened = 0;
  events.on('walletOpen', () => walletOpened++);
  return {
    r: new Readiness(new Membership(4, 5, {} as ChainStore, events, quiet), events, quiet),
    resumed,
    walletOpened: () => walletOpened,
  };
}

describe('Readiness: caught up since a restart', () => {
  it('a node that did not restart is not held, and resuming it tells nothing', () => {
    const { r, resumed } = readiness();
    expect(r.resuming).toBe(false);
    r.resume(NET.tip);
    expect(resumed).toEqual([]);
  });

  it('a restarted node is held until it resumes, and `resumed` is told once, with the tip', () => {
    const { r, resumed } = readiness();
    r.holdUntilCaughtUp();
    expect(r.resuming).toBe(true);
    r.resume(NET.tip);
    expect(r.resuming).toBe(false);
    r.resume(NET.tip);
    expect(resumed).toEqual([NET.tip]);
  });

  it('resumed before it has a chain: no longer held, nothing told', () => {
    const { r, resumed } = readiness();
    r.holdUntilCaughtUp();
    r.resume(undefined);
    expect(r.resuming).toBe(false);
    expect(resumed).toEqual([]);
  });

  it("a restarted node's wallet is held until it has resumed and its pool is restored, in either order; told once", async () => {
    const { r, walletOpened } = readiness();
    expect(r.walletHeld).toBe(false);
    r.holdUntilCaughtUp();
    expect(r.walletHeld).toBe(true);
    let caughtUp = false;
    const once = r.whenResumed().then(() => (caughtUp = true));
    await Promise.resolve();
    expect(caughtUp).toBe(false);
    r.resume(NET.tip);
    await once;
    expect(caughtUp).toBe(true);
    expect(r.walletHeld).toBe(true); // caught up, but what its wallet sent before may be in the peers' pools only
    r.poolRestored();
    expect(r.walletHeld).toBe(false);
    r.poolRestored();
    expect(walletOpened()).toBe(1);

    const other = readiness();
    other.r.holdUntilCaughtUp();
    other.r.poolRestored();
    expect(other.r.walletHeld).toBe(true); // not caught up yet
    expect(other.walletOpened()).toBe(0); // nobody is told the wallet opens while it is held
    other.r.resume(NET.tip);
    expect(other.r.walletHeld).toBe(false);
    expect(other.walletOpened()).toBe(1);
  });

  it('a node that did not restart: its wallet is never held, and a pool restored tells nothing', () => {
    const { r, walletOpened } = readiness();
    r.poolRestored();
    expect(r.walletHeld).toBe(false);
    expect(walletOpened()).toBe(0);
  });
});
