/**
 * The node's initial stake (src/node/wallet/index.ts, maybeInitialStake): sent once the wallet
 * holds that much; a refusal (the network not formed yet, the pool full…) leaves it to be tried
 * again at the next head, logged once per reason; once sent, never sent again. A restarted node's
 * wallet neither sends it nor signs anything while it is held (Readiness.walletHeld: its pending
 * transactions may be in its peers' pools only), and sends it once the wallet opens.
 */
import { describe, expect, it, vi } from 'vitest';
import type { ChainFollower } from '../../src/node/chain/index.js';
import { NodeError } from '../../src/node/errors.js';
import { Emitter, type NodeEmitter, type NodeEvents } from '../../src/node/events.js';
import type { Membership } from '../../src/node/formation/membership.js';
import { Readiness } from '../../src/node/formation/readiness.js';
import type { Logger } from '../../src/node/logger.js';
import { OwnWallet, type WalletJournal, type WalletKey } from '../../src/node/wallet/index.js';
import type { TxPool } from '../../src/core/pool.js';
import type { NodeCrypto } from '../../src/crypto/suite.js';

const ADDRESS = '02' + 'ab'.repeat(32);
const STAKE = 1_000;

function setUp(held = false) {
  const events: NodeEmitter = new Emitter<NodeEvents>();
  const chain = { tip: { ledger: new Map([[ADDRESS, { balance: 5 * STAKE, stake: 0, nonce: 0 }]]) } } as unknown as ChainFollower;
  const members = { nodes: [], n: 4 } as unknown as Membership;
  const warnings: string[] = [];
  const log: Logger = { debug: () => undefined, info: () => undefined, warn: (m) => warnings.push(m), error: () => undefined };
  const key = { address: ADDRESS } as WalletKey;
  // (a membership of its own: never ready, so that the heads sent here only reach the wallet)
  const readiness = new Readiness({ nodes: [], n: 4 } as unknown as Membership, events, log);
  if (held) readiness.holdUntilCaughtUp();
  // what the wallet signed: nothing yet (a stake journaled or pending, or a stake committed, counts as sent)
  const journal = { append: vi.fn(), holdsStake: false };
  const pool = { pendingOf: () => [] } as unknown as TxPool;
  const wallet = new OwnWallet(
    key,
    STAKE,
    chain,
    members,
    readiness,
    pool,
    events,
    log,
    {} as NodeCrypto,
    journal as unknown as WalletJournal,
  );
  /** A stand-in for submit that signs: the stake it sends is journaled, as the real one does. */
  const signs = () => {
    journal.holdsStake = true;
    return { id: 'ff'.repeat(32), nonce: 0 };
  };
  const head = () => events.emit('head', undefined as never);
  // the restart's catch-up and pool repair are over: the wallet opens (`walletOpen`)
  const walletOpen = () => {
    readiness.resume(undefined);
    readiness.poolRestored();
  };
  return { wallet, chain, members, warnings, head, walletOpen, signs };
}

describe('the initial stake', () => {
  it('is tried again at the next head after a refusal, and sent once', () => {
    const { wallet, warnings, head, signs } = setUp();
    const submit = vi
      .spyOn(wallet, 'submit')
      .mockImplementationOnce(() => {
        throw new NodeError('NOT_FORMED', 'the network is not formed yet');
      })
      .mockImplementationOnce(() => {
        throw new NodeError('NOT_FORMED', 'the network is not formed yet');
      })
      .mockImplementation(signs);
    head();
    head();
    head();
    head();
    expect(submit).toHaveBeenCalledTimes(3);
    expect(submit).toHaveBeenLastCalledWith({ type: 'stake', amount: STAKE });
    expect(warnings).toHaveLength(1); // the same reason twice, logged once
  });

  it('is not sent before the wallet holds that much', () => {
    const { wallet, head } = setUp();
    (wallet as unknown as { stake: number }).stake = 10 * STAKE;
    const submit = vi.spyOn(wallet, 'submit');
    head();
    expect(submit).not.toHaveBeenCalled();
  });

  it('is not sent while a restarted wallet is held, and is sent when it opens', () => {
    const { wallet, warnings, head, walletOpen, signs } = setUp(true);
    const submit = vi.spyOn(wallet, 'submit').mockImplementation(signs);
    head();
    head();
    expect(submit).not.toHaveBeenCalled();
    expect(warnings).toEqual([]);
    walletOpen();
    head();
    expect(submit).toHaveBeenCalledTimes(1);
  });
});

describe("the bootstrap's initial stake", () => {
  it("waits for the members' fundings, which take its nonces 0 … n − 2", () => {
    const { wallet, chain, members, head } = setUp();
    const ledger = new Map([[ADDRESS, { balance: 5 * STAKE, stake: 0, nonce: 0 }]]);
    let hash = 0;
    const tipAt = (nonce: number) => {
      ledger.set(ADDRESS, { balance: 5 * STAKE, stake: 0, nonce });
      (chain as unknown as { tip: unknown }).tip = { ledger, block: { current_hash: String(++hash) } };
    };
    (members as unknown as { nodes: unknown[] }).nodes = [{ id: 0, address: ADDRESS }, { id: 1 }, { id: 2 }, { id: 3 }];
    (wallet as unknown as { pool: unknown }).pool = { pendingOf: () => [] };
    const submit = vi.spyOn(wallet, 'submit').mockImplementation(() => ({ id: 'ff'.repeat(32), nonce: 3 }));
    tipAt(2); // nodes 1 and 2 funded, node 3 not yet
    head();
    expect(submit).not.toHaveBeenCalled();
    tipAt(3);
    head();
    expect(submit).toHaveBeenCalledTimes(1);
    expect(submit).toHaveBeenLastCalledWith({ type: 'stake', amount: STAKE });
  });
});

describe("a restarted node's wallet", () => {
  it('refuses to sign while it is held (RESUMING), before choosing a nonce', () => {
    const { wallet, chain } = setUp(true);
    (chain as unknown as { formed: () => unknown }).formed = () => ({ params: {}, tip: chain.tip });
    expect(() => wallet.submit({ type: 'coins', to: 1, amount: 100 })).toThrow(expect.objectContaining({ code: 'RESUMING' }));
  });

  it('a request waits for it to open, or at most the time given', async () => {
    const { wallet, walletOpen } = setUp(true);
    let opened = false;
    const waiting = wallet.opened(60_000).then(() => (opened = true));
    await Promise.resolve();
    expect(opened).toBe(false);
    walletOpen();
    await waiting;
    expect(opened).toBe(true);

    const held = setUp(true);
    vi.useFakeTimers();
    try {
      let gaveUp = false;
      const giving = held.wallet.opened(1_000).then(() => (gaveUp = true));
      await vi.advanceTimersByTimeAsync(999);
      expect(gaveUp).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await giving;
      expect(gaveUp).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
