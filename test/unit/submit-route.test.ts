/**
 * POST /transactions without a network: what it answers for accepted and refused transactions,
 * and its rate limits per client address and per sender (429 with Retry-After).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { Transaction } from '../../src/api/types.js';
import { Emitter, type NodeEvents } from '../../src/node/events.js';
import { registerAccountRoutes, submitLimits, type SubmitLimits } from '../../src/node/http/account-routes.js';
import type { TransactionsResult } from '../../src/node/ingest/index.js';
import type { AddressViews } from '../../src/node/views/addresses.js';

const tx = (sender: string, nonce: number): Transaction => ({
  sender,
  receiver: 'b'.repeat(66),
  type: 'coins',
  amount: 100,
  message: '',
  nonce,
  id: String(nonce).padStart(64, '0'),
  signature: 'c'.repeat(128),
});

let app: FastifyInstance | undefined;
afterEach(() => app?.close());

function serve(limits: SubmitLimits, refuse: (t: Transaction) => boolean = () => false) {
  const broadcast: string[] = [];
  const events = new Emitter<NodeEvents>();
  events.on('clientTransaction', (t) => broadcast.push(t.id));
  app = Fastify();
  registerAccountRoutes(
    app,
    {
      addressViews: {} as AddressViews,
      transactions: {
        receive: (txs): Promise<TransactionsResult> =>
          Promise.resolve(
            refuse(txs[0]!)
              ? { accepted: 0, rejected: [{ id: txs[0]!.id, code: 'NONCE_USED', message: 'used' }] }
              : { accepted: 1, rejected: [] },
          ),
      },
      events,
    },
    limits,
  );
  const post = (t: Transaction) => app!.inject({ method: 'POST', url: '/transactions', payload: t });
  return { post, broadcast };
}

const plenty = { burst: 1000, perSecond: 1000 };

describe('POST /transactions', () => {
  it('answers 202 with the id and sends an accepted transaction to the peers; a refusal keeps its code', async () => {
    const { post, broadcast } = serve({ perClient: plenty, perSender: plenty }, (t) => t.nonce === 9);
    const ok = await post(tx('a'.repeat(66), 1));
    expect(ok.statusCode).toBe(202);
    expect(ok.json()).toEqual({ id: tx('a', 1).id, status: 'pending' });
    const refused = await post(tx('a'.repeat(66), 9));
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ code: 'NONCE_USED' });
    expect(broadcast).toEqual([tx('a', 1).id]);
  });

  it('limits each client address: 429 RATE_LIMITED with Retry-After once its burst is spent', async () => {
    const { post } = serve({ perClient: { burst: 2, perSecond: 0.5 }, perSender: plenty });
    expect((await post(tx('a'.repeat(66), 1))).statusCode).toBe(202);
    expect((await post(tx('d'.repeat(66), 2))).statusCode).toBe(202);
    const limited = await post(tx('e'.repeat(66), 3));
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ code: 'RATE_LIMITED' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it("limits each sender by what it got accepted: others' refused transactions do not spend its allowance", async () => {
    const a = 'a'.repeat(66);
    const { post } = serve({ perClient: plenty, perSender: { burst: 1, perSecond: 0.1 } }, (t) => t.nonce >= 100);
    // Refused (e.g. forged in a's name): a's allowance is untouched.
    expect((await post(tx(a, 100))).statusCode).toBe(422);
    expect((await post(tx(a, 101))).statusCode).toBe(422);
    expect((await post(tx(a, 1))).statusCode).toBe(202);
    const limited = await post(tx(a, 2));
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Another sender from the same client is not limited by a's.
    expect((await post(tx('d'.repeat(66), 3))).statusCode).toBe(202);
  });

  it('--client-rate R and --sender-rate S allow 3 s of R per client and 4 s of S per sender at once', () => {
    expect(submitLimits(2, 1)).toEqual({ perClient: { burst: 6, perSecond: 2 }, perSender: { burst: 4, perSecond: 1 } });
  });
});
