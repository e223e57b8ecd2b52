/**
 * The pool's resend (src/node/network/peers.ts, resendTransactions; ChainSync.resendStuck): it
 * queues the transactions again only for the peers that have sent everything queued for them
 * before, so that resends repeated every few seconds never pile up behind a peer that is down.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/node/logger.js';
import { Peers } from '../../src/node/network/peers.js';
import type { WalletKey } from '../../src/node/wallet/index.js';
import { coinsTx, KEYS4 } from './v2-fixtures.js';

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
