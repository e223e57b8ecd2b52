/** A voting part (src/node/voting/) on stand-ins, and a signature suite that counts its work: for the voting unit tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { nobleCrypto } from '../../src/core/crypto.js';
import type { Vote } from '../../src/core/vote.js';
import type { NodeCrypto } from '../../src/crypto/suite.js';
import type { ChainFollower } from '../../src/node/chain/index.js';
import { Emitter, type NodeEvents } from '../../src/node/events.js';
import type { Logger } from '../../src/node/logger.js';
import { Voting } from '../../src/node/voting/index.js';
import type { KeyPair } from './fixtures.js';
import { PARAMS } from './v2-fixtures.js';

export const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** The reference suite, counting signature checks by signature and SHA-256 calls by input text. */
export function countingCrypto(): { crypto: NodeCrypto; verified: string[]; hashed: string[] } {
  const verified: string[] = [];
  const hashed: string[] = [];
  const crypto: NodeCrypto = {
    ...nobleCrypto,
    verifyHash: (hash, signature, address) => (verified.push(signature), nobleCrypto.verifyHash(hash, signature, address)),
    sha256Hex: (data) => (typeof data === 'string' && hashed.push(data), nobleCrypto.sha256Hex(data)),
    keyTablesMade: () => 0,
    prepare: () => undefined,
  };
  return { crypto, verified, hashed };
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/**
 * A voting part of the staker `key` on a stand-in chain follower and readiness (it reads only
 * these), the verifier it installs, and the emitter it follows (a test emits `head` on it).
 */
export function votingWith(
  crypto: NodeCrypto,
  key: KeyPair,
): { voting: Voting; verifyVote: (domain: string, v: Vote, id: string) => string; events: Emitter<NodeEvents> } {
  const dir = mkdtempSync(join(tmpdir(), 'voting-'));
  dirs.push(dir);
  const chain = { params: PARAMS, verifyVote: undefined } as unknown as ChainFollower;
  const readiness = { resuming: false };
  const events = new Emitter<NodeEvents>();
  const voting = new Voting({ secretKey: key.secret, address: key.address }, chain, readiness, events, quiet, crypto, dir);
  return { voting, verifyVote: chain.verifyVote!, events };
}
