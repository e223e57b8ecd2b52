/**
 * The bootstrap's delivery of an announcement (src/node/formation/deliver.ts), over a fake
 * `peers.call` that answers from a script: transport failures and "try again" answers are retried
 * with doubling, bounded pauses for as long as it takes; a member's final refusal stops at once
 * and is logged once with its code; a new join nonce meanwhile is sent for. A member nobody
 * listens for, as a real client reports it (UNREACHABLE, status 0), is retried too.
 */
import { describe, expect, it } from 'vitest';
import { ApiError, NodeClient } from '../../client/api.js';
import { API } from '../../src/api/routes.js';
import { deliver, RETRY_FIRST_MS, RETRY_MAX_MS, worthRetrying } from '../../src/node/formation/deliver.js';
import type { Logger } from '../../src/node/logger.js';
import { freePortBase } from '../../src/tools/network.js';

const refused = (status: number, code: string) => new ApiError(status, code, `refused with ${code}`);
const down = () => new TypeError('fetch failed'); // what undici throws when nobody listens

/** A member whose `peers.call` answers each attempt from `script` (an error, or undefined for 200). */
function member(script: (Error | undefined)[], opts: { nonces?: string[]; closeAfter?: number } = {}) {
  const sent: string[] = [];
  const pauses: number[] = [];
  const warnings: string[] = [];
  const nonces = opts.nonces ?? ['n1'];
  let nonce = 0;
  const log: Logger = { debug: () => undefined, info: () => undefined, warn: (m) => warnings.push(m), error: () => undefined };
  const call = (n: string): Promise<void> => {
    sent.push(n);
    // A join arriving while this send is in flight changes the nonce to carry.
    if (nonce < nonces.length - 1) nonce++;
    const answer = script.shift();
    return answer ? Promise.reject(answer) : Promise.resolve();
  };
  const run = deliver({
    to: 'node 2',
    nonce: () => nonces[nonce]!,
    send: call,
    stopped: () => opts.closeAfter !== undefined && sent.length >= opts.closeAfter,
    sleep: (ms) => {
      pauses.push(ms);
      return Promise.resolve();
    },
    log,
  });
  return { run, sent, pauses, warnings };
}

describe('delivering an announcement', () => {
  it('retries a member that is down, then busy, with pauses doubling up to the cap, until it accepts', async () => {
    const script = [...Array.from({ length: 9 }, down), refused(503, 'BUSY'), refused(429, 'RATE_LIMITED'), refused(500, 'INTERNAL')];
    const m = member([...script, undefined]);
    expect(await m.run).toBe('delivered');
    expect(m.sent).toHaveLength(13);
    expect(m.pauses).toHaveLength(12);
    expect(m.pauses[0]).toBe(RETRY_FIRST_MS);
    expect(m.pauses[1]).toBe(2 * RETRY_FIRST_MS);
    expect(Math.max(...m.pauses)).toBe(RETRY_MAX_MS);
    expect(m.pauses.at(-1)).toBe(RETRY_MAX_MS);
    expect(m.warnings).toHaveLength(1); // the failure is logged once, not at each attempt
  });

  it('keeps trying beyond any fixed count while the member stays unreachable, and stops when the node closes', async () => {
    const m = member(Array.from({ length: 500 }, down), { closeAfter: 400 });
    expect(await m.run).toBe('stopped');
    expect(m.sent).toHaveLength(400);
  });

  it.each([
    [401, 'STALE_CHALLENGE'],
    [403, 'UNKNOWN_NODE'],
    [422, 'BAD_SIGNATURE'],
    [400, 'BAD_REQUEST'],
    [409, 'CONFLICT'],
  ])('stops at once on the final refusal %i %s and logs its code once', async (status, code) => {
    const m = member([refused(status, code), undefined]);
    expect(await m.run).toBe('refused');
    expect(m.sent).toEqual(['n1']);
    expect(m.pauses).toEqual([]);
    expect(m.warnings).toHaveLength(1);
    expect(m.warnings[0]).toContain(code);
  });

  it('sends for the new nonce when the member joins again during a send, even one it refused', async () => {
    const m = member([refused(401, 'STALE_CHALLENGE'), undefined], { nonces: ['n1', 'n2'] });
    expect(await m.run).toBe('delivered');
    expect(m.sent).toEqual(['n1', 'n2']);
  });

  it('retries a member that cannot be reached as a real client reports it (UNREACHABLE, status 0) until it accepts', async () => {
    // What peers.call throws when nobody listens on the member's port (or no route leads to it).
    const port = await freePortBase(1);
    const unreachable = await NodeClient.forPort(port)
      .call(API.status, { timeoutMs: 5_000 })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(unreachable).toBeInstanceOf(ApiError);
    expect(unreachable).toMatchObject({ status: 0, code: 'UNREACHABLE' });
    const m = member([unreachable as ApiError, unreachable as ApiError, undefined]);
    expect(await m.run).toBe('delivered');
    expect(m.sent).toEqual(['n1', 'n1', 'n1']);
    expect(m.pauses).toEqual([RETRY_FIRST_MS, 2 * RETRY_FIRST_MS]);
    expect(worthRetrying(new ApiError(0, 'UNREACHABLE', 'connect EHOSTUNREACH'))).toBe(true);
  });

  it('tells transport failures and "try again" codes from final refusals', () => {
    expect(worthRetrying(down())).toBe(true);
    expect(worthRetrying(refused(503, 'NOT_FORMED'))).toBe(true);
    expect(worthRetrying(refused(502, 'BAD_GATEWAY'))).toBe(true);
    expect(worthRetrying(refused(403, 'UNKNOWN_NODE'))).toBe(false);
    expect(worthRetrying(refused(401, 'STALE_CHALLENGE'))).toBe(false);
  });
});
