/** A new node asks the bootstrap for an id (SPEC A, "Joining"). */
import { Pool } from 'undici';
import { ApiError } from '../../../client/api.js';
import { API } from '../../api/routes.js';
import type { PeerChallenge, StatusView } from '../../api/types.js';
import { CHALLENGE_HEADER, type JoinRequest } from '../../core/peer-auth.js';
import { NodeError } from '../errors.js';
import type { Logger } from '../logger.js';
import { connectOptions, peerClient, type PeerTls } from '../network/index.js';

/**
 * Sends the signed join request to the bootstrap at `url`, on a fresh challenge of the bootstrap,
 * retrying for a minute while the bootstrap is not up yet or forgot the challenge (it restarted
 * between the challenge and the join: STALE_CHALLENGE); with `joinAfter`, waits until the
 * bootstrap counts that many nodes. `onBootstrap` learns the bootstrap's address and domain from
 * the challenge the request answers. Resolves to the id given.
 */
export async function askToJoin(
  url: string,
  request: (challenge: PeerChallenge) => JoinRequest,
  joinAfter: number | undefined,
  onBootstrap: (challenge: PeerChallenge) => void,
  /** Why this node must not join a bootstrap whose status says so (its verifier differs); undefined to go on. */
  refuse: (status: StatusView) => string | undefined,
  now: () => number,
  log: Logger,
  /** The CA to trust for an https bootstrap URL. */
  tls?: PeerTls,
): Promise<number> {
  const pool = new Pool(url, { connections: 1, ...connectOptions(tls) });
  const bootstrap = peerClient(url, pool);
  try {
    const deadline = now() + 60_000;
    for (;;) {
      try {
        const status = await bootstrap.call(API.status, { timeoutMs: 5_000 });
        const refusal = refuse(status);
        if (refusal) throw new NodeError('VERIFIER_MISMATCH', `${refusal}; not joining`);
        if (joinAfter !== undefined && status.joined < joinAfter && status.joined < status.n) {
          await new Promise((r) => setTimeout(r, 10));
          continue;
        }
        const challenge = await bootstrap.call(API.peerChallenge, { timeoutMs: 5_000 });
        onBootstrap(challenge);
        const headers = { [CHALLENGE_HEADER]: challenge.nonce };
        const answer = await bootstrap.call(API.peerJoin, { body: request(challenge), timeoutMs: 10_000, headers });
        log.info(`joined the network at ${url} as node ${answer.id}`);
        return answer.id;
      } catch (err) {
        if (err instanceof NodeError) throw err; // this node's own refusal: no retry
        const reason = err instanceof Error ? err.message : String(err);
        const stale = err instanceof ApiError && err.code === 'STALE_CHALLENGE';
        if ((!stale && !/ECONNREFUSED|ECONNRESET|fetch failed|other side closed|Timeout/i.test(reason)) || now() > deadline) {
          throw new Error(`cannot join the network at ${url}: ${reason}`, { cause: err });
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    await pool.close();
  }
}
