/**
 * A bootstrap restarted after every member joined but before it funded them all
 * (Formation.begin, the restart of a forming network): once its catch-up and pool repair are
 * over it sends the fundings still to send, each member's with its own nonce, and none again that
 * went out before the restart. The wallet must open first: its hold refuses anything signed while
 * a restart's pool repair is not over (RESUMING), and a funding refused then was never sent again.
 * The formation, the wallet, its journal, the readiness, the chain and the pool are the real
 * parts; the peers and the catch-up are stand-ins (no peer answers; the catch-up is at once).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UNITS_PER_BCC } from '../../src/core/params.js';
import { TxPool } from '../../src/core/pool.js';
import { nobleNodeCrypto } from '../../src/crypto/fallbacks.js';
import { ChainFollower, FinalTree } from '../../src/node/chain/index.js';
import type { NodeConfig } from '../../src/node/config.js';
import type { ChainStore } from '../../src/node/db/index.js';
import { Emitter, type NodeEvents } from '../../src/node/events.js';
import { Formation, Membership, Readiness } from '../../src/node/formation/index.js';
import type { PeerGate } from '../../src/node/http/peer-auth.js';
import type { Logger } from '../../src/node/logger.js';
import type { Peers } from '../../src/node/network/index.js';
import type { ChainSync } from '../../src/node/sync/index.js';
import { OwnWallet, WalletJournal } from '../../src/node/wallet/index.js';
import { KEYS4, NET, PARAMS } from './v2-fixtures.js';

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const bootstrap = KEYS4[0]!;
const FUNDING = 1000 * UNITS_PER_BCC;

/**
 * The bootstrap's node as its process starts: every member joined (the members saved in its
 * store), the stored chain the genesis, a fresh pool, and the wallet's journal at `path`.
 */
function bootstrapNode(path: string, restarted: boolean) {
  const events = new Emitter<NodeEvents>();
  const errors: string[] = [];
  const log: Logger = { ...quiet, error: (m) => errors.push(m) };
  const crypto = nobleNodeCrypto();
  const members = new Membership(4, 5, { saveMeta: () => Promise.resolve() } as unknown as ChainStore, events, quiet);
  members.id = 0;
  members.nodes = KEYS4.map((k, id) => ({ id, address: k.address, host: '127.0.0.1', port: 5000 + id, stake: 0 }));
  const pool = new TxPool();
  const chain = new ChainFollower(bootstrap.address, members, pool, events, () => 0, quiet, crypto);
  chain.start(PARAMS, new FinalTree(NET.tip));
  const readiness = new Readiness(members, events, quiet);
  const key = { secretKey: bootstrap.secret, address: bootstrap.address };
  const wallet = new OwnWallet(key, 0, chain, members, readiness, pool, events, log, crypto, new WalletJournal(path));
  if (restarted) {
    // what Formation.open does with a stored chain
    wallet.restoreJournal();
    readiness.holdUntilCaughtUp();
  }
  const config = { host: '127.0.0.1', port: 5000, isBootstrap: true, stake: 0, crypto: { fingerprint: 'f'.repeat(64) } };
  const peers = { ids: () => [] } as unknown as Peers;
  // The catch-up finds nothing newer (resumed at once); the pool repair finds nothing.
  const sync = { catchUp: () => Promise.resolve(readiness.resume(chain.tip)), repairPool: () => Promise.resolve() } as unknown as ChainSync;
  const formation = new Formation(
    config as unknown as NodeConfig,
    key,
    members,
    chain,
    readiness,
    wallet,
    sync,
    peers,
    {} as ChainStore,
    () => 0,
    log,
    crypto,
    {} as PeerGate,
    () => '00',
  );
  // (Formation.open found the store's meta and chain: a restart)
  (formation as unknown as { restored: boolean }).restored = restarted;
  return { formation, wallet, pool, errors };
}

describe('a bootstrap restarted before it funded every member', () => {
  it('sends the fundings still to send once its wallet opens, each with its own nonce, none twice', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'blockchat-bootstrap-')), 'wallet-journal');
    dirs.push(join(path, '..'));
    // Before the restart: node 1 was funded (nonce 0), then the process died.
    const before = bootstrapNode(path, false);
    const first = before.wallet.submit({ type: 'coins', to: 1, amount: FUNDING });
    expect(first.nonce).toBe(0);
    before.wallet.close();

    const after = bootstrapNode(path, true);
    await after.formation.begin();
    const fundings = after.pool.all().map((tx) => [tx.receiver, tx.nonce, tx.amount]);
    expect(fundings).toEqual([
      [KEYS4[1]!.address, 0, FUNDING],
      [KEYS4[2]!.address, 1, FUNDING],
      [KEYS4[3]!.address, 2, FUNDING],
    ]);
    expect(after.errors).toEqual([]);
    after.formation.close();
    after.wallet.close();
  });
});
