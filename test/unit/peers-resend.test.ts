/**
 * The pool's resend (src/node/network/resend.ts, Resend; docs/protocol.md, "Catch-up and pool
 * repair"): a node whose tip stands while its pool holds transactions that could make a block sends
 * them to its peers again, once the tip has stood 5 s and then every 5 s; Peers.resendTransactions
 * queues them again only for the peers that have sent everything queued for them before, so that
 * resends repeated every few seconds never pile up behind a peer that is down.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TipV2 } from '../../src/core/consensus.js';
import { TxPool } from '../../src/core/pool.js';
import type { Transaction } from '../../src/core/types.js';
import type { Logger } from '../../src/node/logger.js';
import { Peers } from '../../src/node/network/peers.js';
import { Resend, RESEND_IDLE_MS } from '../../src/node/network/resend.js';
import type { WalletKey } from '../../src/node/wallet/index.js';
import { advance, coinsTx, KEYS4, NET } from './v2-fixtures.js';

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
let peers: Peers | undefined;

afterEach(async () => {
  await peers?.close();
  peers = undefined;
});

/** The outbox of peer `id`: what waits to be sent to it. */
function outboxOf(p: Peers, id: number): string[] {
  return (p as unknown as { peers: Map<number, { outbox: string[] }> }).peers.get(id)!.outbox;
}

describe('resending pooled transactions', () => {
  it('queues them for the peers with nothing waiting, and skips a peer whose earlier sends still wait', () => {
    const key = { address: KEYS4[0]!.address, secretKey: KEYS4[0]!.secret } as WalletKey;
    peers = new Peers(() => 0, quiet, { key, domain: () => undefined, random: () => '00' });
    // ports nobody listens on: nothing leaves before the assertions (sending starts on a later turn)
    peers.set([1, 2, 3].map((id) => ({ id, address: KEYS4[id]!.address, host: '127.0.0.1', port: 9, stake: 0 })));
    outboxOf(peers, 2).push('{"earlier":true}'); // node 2 is down: an earlier send still waits
    const txs = [0, 1, 2].map((nonce) => coinsTx(KEYS4[0]!, KEYS4[1]!.address, 100, nonce));

    expect(peers.resendTransactions(txs)).toBe(2);
    expect(outboxOf(peers, 1)).toHaveLength(3);
    expect(outboxOf(peers, 3)).toHaveLength(3);
    expect(outboxOf(peers, 2)).toEqual(['{"earlier":true}']);
    expect(JSON.parse(outboxOf(peers, 1)[0]!)).toEqual(txs[0]);
    // a second resend before anything left: nobody gets a second copy
    expect(peers.resendTransactions(txs)).toBe(0);
    expect(outboxOf(peers, 1)).toHaveLength(3);
  });
});

describe('resending what no block takes', () => {
  it('sends the transactions that could make a block to the peers once the tip has stood 5 s, and again every 5 s', () => {
    const clock = { now: Date.now() };
    let tip: TipV2 = advance(NET.tip, 1, [KEYS4[0]!]);
    const pool = new TxPool();
    const sent: Transaction[] = [];
    const resend = new Resend(
      () => tip,
      pool,
      {
        resendTransactions: (txs) => {
          sent.push(...txs);
          return 3;
        },
      },
      () => clock.now,
      quiet,
    );
    const to = KEYS4[1]!.address;
    const [t0, t1, t3] = [coinsTx(KEYS4[0]!, to, 100, 0), coinsTx(KEYS4[0]!, to, 100, 1), coinsTx(KEYS4[0]!, to, 100, 3)];
    for (const tx of [t0, t1, t3]) pool.add(tx, tip.ledger, tip.block.index);

    expect(resend.resendStuck()).toBe(0); // the tip is new to it
    clock.now += RESEND_IDLE_MS - 1;
    expect(resend.resendStuck()).toBe(0);
    clock.now += 1;
    expect(resend.resendStuck()).toBe(2);
    expect(sent.map((tx) => tx.id)).toEqual([t0.id, t1.id]); // not nonce 3, which waits for nonce 2
    clock.now += RESEND_IDLE_MS - 1;
    expect(resend.resendStuck()).toBe(0);
    clock.now += 1;
    expect(resend.resendStuck()).toBe(2);

    // a block takes the first: the wait starts again on the new tip, for what is left
    sent.length = 0;
    tip = advance(tip, 1, [], { transactions: [t0] });
    pool.prune([t0], tip.ledger, tip.block.index);
    expect(resend.resendStuck()).toBe(0);
    clock.now += RESEND_IDLE_MS;
    expect(resend.resendStuck()).toBe(1);
    expect(sent.map((tx) => tx.id)).toEqual([t1.id]);
  });

  it('never starts after close (a node stopped while it was still starting)', () => {
    vi.useFakeTimers();
    try {
      const clock = { now: 0 };
      const tip: TipV2 = advance(NET.tip, 1, [KEYS4[0]!]);
      const pool = new TxPool();
      pool.add(coinsTx(KEYS4[0]!, KEYS4[1]!.address, 100, 0), tip.ledger, tip.block.index);
      let sends = 0;
      const resend = new Resend(
        () => tip,
        pool,
        { resendTransactions: () => ++sends },
        () => clock.now,
        quiet,
      );
      resend.close();
      resend.start();
      for (let k = 0; k < 10; k++) {
        clock.now += RESEND_IDLE_MS;
        vi.advanceTimersByTime(RESEND_IDLE_MS);
      }
      expect(sends).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
