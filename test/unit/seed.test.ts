import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyBlockV2 } from '../../src/core/consensus.js';
import { ONION_LENGTH, SEED_EPOCH_BLOCKS as L } from '../../src/core/params.js';
import {
  acceptLimit,
  advanceSeed,
  checkReveal,
  genesisSeedState,
  holderOfTicket,
  ticketOf,
  type SeedState,
  validatorsAt,
  type Stakers,
} from '../../src/core/seed.js';
import { OnionChain } from '../../src/core/onion.js';
import { stakersOf, type Ledger } from '../../src/core/state.js';
import { codeOf } from './fixtures.js';
import { advance, blockOn, coinsTx, DOMAIN, KEYS4, NET, PARAMS, stakeTx } from './v2-fixtures.js';

const ADDR = KEYS4.map((k) => k.address);
const hex32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));

function ledgerWith(stakes: number[]): Ledger {
  return new Map(stakes.map((s, i) => [ADDR[i]!, { balance: 1000, stake: s, nonce: 0 }]));
}

/** The first `n` validators drawn for each of the heights from `from` to `to`. */
function drawsOf(s: SeedState, from: number, to: number, n = 3): string[][] {
  const out: string[][] = [];
  for (let h = from; h <= to; h++) out.push(validatorsAt(s, h, 'bootstrap', n));
  return out;
}

describe('the seed ignores what a validator chooses', () => {
  it('two blocks that differ in timestamp, transactions and stake leave the same seed and the same draws', () => {
    const t = advance(NET.tip, 2, [KEYS4[0]!], { transactions: [coinsTx(KEYS4[0]!, ADDR[1]!, 50_000, 0)] });
    const a = blockOn(t, { transactions: [stakeTx(KEYS4[0]!, 5_000, 1), coinsTx(KEYS4[0]!, ADDR[2]!, 700, 2)] });
    const b = blockOn(t, { transactions: [coinsTx(KEYS4[0]!, ADDR[3]!, 100, 1)] }, { timestamp: a.timestamp + 37 });
    expect(a.current_hash).not.toBe(b.current_hash);
    const ta = applyBlockV2(PARAMS, t, a);
    const tb = applyBlockV2(PARAMS, t, b);
    expect(ta.seed.mix).toBe(tb.seed.mix);
    expect(ta.seed.seed).toBe(tb.seed.seed);
    expect(drawsOf(ta.seed, ta.block.index + 1, ta.block.index + 40)).toEqual(drawsOf(tb.seed, tb.block.index + 1, tb.block.index + 40));
  });

  it('whatever stake a block leaves, the draws of this epoch and the next are unchanged (random ledgers, every height of an epoch)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 4, maxLength: 4 }),
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 4, maxLength: 4 }),
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 4, maxLength: 4 }),
        fc.integer({ min: 0, max: 3 * L }),
        hex32,
        (before, stakesA, stakesB, height, seed) => {
          const base: SeedState = {
            ...genesisSeedState(DOMAIN),
            seed,
            stakers: stakersOf(ledgerWith(before)),
            nextStakers: stakersOf(ledgerWith(before)),
          };
          const v = ADDR[0]!;
          const reveal = '33'.repeat(32); // commits v's first onion: the same in both
          const a = advanceSeed(base, height, v, reveal, ledgerWith(stakesA));
          const b = advanceSeed(base, height, v, reveal, ledgerWith(stakesB));
          expect(a.mix).toBe(b.mix);
          expect(a.seed).toBe(b.seed);
          expect(a.stakers).toEqual(b.stakers);
          // the heights up to the end of the next epoch draw alike
          const end = (Math.floor((height + 1) / L) + 1) * L + L - 1;
          expect(drawsOf(a, height + 1, Math.min(end, height + 2 * L), 2)).toEqual(
            drawsOf(b, height + 1, Math.min(end, height + 2 * L), 2),
          );
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('the stake snapshot of an epoch', () => {
  it('is the ledger after the last block of the epoch before the previous one', () => {
    const onion = new OnionChain('77'.repeat(32), 4 * L);
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 4, maxLength: 4 }), { minLength: 4 * L, maxLength: 4 * L }),
        (stakesPerBlock) => {
          let s = genesisSeedState(DOMAIN);
          const ledgers: Ledger[] = [new Map()];
          for (let h = 1; h <= 4 * L - 1; h++) {
            const ledger = ledgerWith(stakesPerBlock[h]!);
            ledgers.push(ledger);
            const entry = s.onions.get(ADDR[0]!);
            s = advanceSeed(s, h, ADDR[0]!, entry ? onion.value(entry.count + 1) : onion.root, ledger);
            if ((h + 1) % L === 0) {
              const k = (h + 1) / L; // the epoch that starts next
              const expected: Stakers = k >= 2 ? stakersOf(ledgers[(k - 1) * L - 1]!) : [];
              expect(s.stakers).toEqual(expected);
            }
          }
        },
      ),
      { numRuns: 20 },
    );
  });
});

describe('the draw', () => {
  it('gives every staker exactly as many tickets as its stake', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 4 }), (stakes) => {
        const stakers: Stakers = stakes.map((s, i) => [ADDR[i]!, s] as const);
        const total = stakes.reduce((a, b) => a + b, 0);
        const counts = new Map<string, number>();
        for (let t = 0; t < total; t++) {
          const h = holderOfTicket(stakers, t);
          counts.set(h, (counts.get(h) ?? 0) + 1);
        }
        stakers.forEach(([a, s]) => expect(counts.get(a)).toBe(s));
      }),
    );
  });

  it('accepts a 256-bit draw exactly below the largest multiple of T, so every ticket has as many preimages', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: (1n << 53n) - 1n }), fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }), (T, x) => {
        const limit = acceptLimit(T);
        expect(limit % T).toBe(0n);
        expect((1n << 256n) - limit < T).toBe(true);
        const ticket = ticketOf(x, T);
        if (x < limit) expect(ticket).toBe(x % T);
        else expect(ticket).toBeUndefined();
        expect(ticketOf(limit, T)).toBeUndefined();
        expect(ticketOf(limit - 1n, T)).toBe((limit - 1n) % T);
      }),
    );
  });
});

describe('onion reveals', () => {
  it('a reveal must hash to the last value; only a used-up onion or a first block commits a new root', () => {
    const v = ADDR[1]!;
    const first = checkReveal(new Map(), v, '55'.repeat(32));
    expect(first).toEqual({ entry: { last: '55'.repeat(32), count: 0, roots: 1 }, contributes: false });
    const onions = new Map([[v, { last: '55'.repeat(32), count: 3, roots: 1 }]]);
    expect(codeOf(() => checkReveal(onions, v, '66'.repeat(32)))).toBe('BAD_REVEAL');
    const used = new Map([[v, { last: '55'.repeat(32), count: ONION_LENGTH, roots: 1 }]]);
    expect(checkReveal(used, v, '66'.repeat(32))).toEqual({ entry: { last: '66'.repeat(32), count: 0, roots: 2 }, contributes: false });
    expect(codeOf(() => checkReveal(new Map(), v, 'zz'))).toBe('BAD_REVEAL');
  });
});
