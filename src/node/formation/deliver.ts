/**
 * The bootstrap's delivery of one member's announcement (docs/protocol.md, "Forming the
 * network"): retried with back-off while the member cannot be reached or answers "try again",
 * given up at once when the member refuses it for good.
 */
import { ApiError } from '../../../client/api.js';
import type { Logger } from '../logger.js';

/** The first pause after a failed send, doubled after each failure up to RETRY_MAX_MS. */
export const RETRY_FIRST_MS = 200;
export const RETRY_MAX_MS = 5_000;

/** The answers of a member that may change: it is busy, rate-limits, or is not ready yet. */
const TRY_AGAIN = new Set(['BUSY', 'RATE_LIMITED', 'NOT_FORMED']);

/**
 * Whether a failed send may succeed later: a transport failure (refused, reset, no route, timed
 * out: what `peers.call` reports as UNREACHABLE, status 0, or any error that is not an answer), a
 * 5xx, 408 or 429, or a "try again" code. Any other 4xx is the member's final word on this
 * announcement (a bad signature, a nonce it no longer awaits, not addressed to it…).
 */
export function worthRetrying(err: unknown): boolean {
  if (!(err instanceof ApiError) || err.status === 0) return true;
  return err.status >= 500 || err.status === 408 || err.status === 429 || TRY_AGAIN.has(err.code);
}

export interface Delivery {
  /** Who it goes to, for the log ("node 3"). */
  readonly to: string;
  /** The nonce the announcement must carry now: it changes when the member joins again. */
  nonce(): string;
  /** Sends the announcement for `nonce`; rejects as `Peers.call` does. */
  send(nonce: string): Promise<void>;
  /** True once the node is closing: stop. */
  stopped(): boolean;
  sleep(ms: number): Promise<void>;
  log: Logger;
}

/**
 * Sends until the member accepted the announcement for its latest nonce ('delivered'), refused it
 * for good ('refused', logged once with its code and reason), or the node closes ('stopped').
 * Transport failures and "try again" answers are retried for as long as it takes — a member down
 * now may come back — with pauses doubling from RETRY_FIRST_MS to RETRY_MAX_MS, logged once.
 */
export async function deliver(d: Delivery): Promise<'delivered' | 'refused' | 'stopped'> {
  let pause = RETRY_FIRST_MS;
  let warned = false;
  while (!d.stopped()) {
    const nonce = d.nonce();
    try {
      await d.send(nonce);
      if (d.nonce() === nonce) return 'delivered';
      continue; // it joined again meanwhile: send for the new nonce
    } catch (err) {
      if (d.nonce() !== nonce) {
        pause = RETRY_FIRST_MS;
        continue;
      }
      if (!worthRetrying(err)) {
        const what = err instanceof ApiError ? `${err.code} (${err.status}): ${err.message}` : String(err);
        d.log.warn(`${d.to} refused the node list: ${what}; not sending it again until it joins again`);
        return 'refused';
      }
      if (!warned) d.log.warn(`cannot send the node list to ${d.to}: ${err instanceof Error ? err.message : String(err)}; retrying`);
      warned = true;
    }
    await d.sleep(pause);
    pause = Math.min(pause * 2, RETRY_MAX_MS);
  }
  return 'stopped';
}
