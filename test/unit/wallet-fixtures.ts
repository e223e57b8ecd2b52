/**
 * The node's own wallet on real parts (a chain follower on the genesis of v2-fixtures.ts, a pool,
 * a journal in a temporary directory), for the tests of the wallet and its journal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TipV2 } from '../../src/core/consensus.js';
import { TxPool } from '../../src/core/pool.js';
import type { Transaction } from '../../src/core/types.js';
import { nobleNodeCrypto } from '../../src/crypto/fallbacks.js';
import { ChainFollower, FinalTree } from '../../src/node/chain/index.js';
import type { ChainStore } from '../../src/node/db/index.js';
import { Emitter, type NodeEvents } from '../../src/node/events.js';
import { Membership } from '../../src/node/formation/membership.js';
import type { Logger } from '../../src/node/logger.js';
import { OwnWallet, WalletJournal } from '../../src/node/wallet/index.js';
import { KEYS4, NET, PARAMS } from './v2-fixtures.js';

export const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
/** The wallet's key (the bootstrap's: the genesis gives it every coin) and another member's. */
export const [me, you] = [KEYS4[0]!, KEYS4[1]!];

const dirs: string[] = [];
/** Removes the directories journalPath made (after each test). */
export function removeJournalDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function journalPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'blockchat-journal-'));
  dirs.push(dir);
  return join(dir, 'wallet-journal');
}

/**
 * A wallet on the genesis (its key holds every coin there), or on `tip`, with a fresh pool, as a
 * restart has; `stake`: its configured initial stake, in units (then it is listed as node 1, not
 * the bootstrap, whose stake waits for its fundings).
 */
export function walletOn(path: string, pool = new TxPool(), stake = 0, tip: TipV2 = NET.tip) {
  const events = new Emitter<NodeEvents>();
  const errors: string[] = [];
  const log: Logger = { ...quiet, error: (m) => errors.push(m) };
  const crypto = nobleNodeCrypto();
  const members = new Membership(4, 5, {} as ChainStore, events, quiet);
  const order = stake > 0 ? [KEYS4[1]!, me, KEYS4[2]!, KEYS4[3]!] : KEYS4;
  members.nodes = order.map((k, id) => ({ id, address: k.address, host: '127.0.0.1', port: 5000 + id, stake: 0 }));
  const chain = new ChainFollower(me.address, members, pool, events, () => 0, quiet, crypto);
  chain.start(PARAMS, new FinalTree(tip));
  const readiness = { walletHeld: false, whenWalletOpen: () => Promise.resolve() };
  const journal = new WalletJournal(path);
  const key = { secretKey: me.secret, address: me.address };
  const wallet = new OwnWallet(key, stake, chain, members, readiness, pool, events, log, crypto, journal);
  const restored: Transaction[][] = [];
  events.on('walletRestored', (txs) => restored.push([...txs]));
  /** What the wallet announced (`ownTransaction`): each transaction and the JSON text the peers get. */
  const announced: Array<{ tx: Transaction; json: string }> = [];
  events.on('ownTransaction', (own) => announced.push(own));
  const open = () => events.emit('walletOpen', undefined);
  return { wallet, pool, restored, announced, open, journal, chain, errors, members };
}
