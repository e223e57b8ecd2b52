import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { addressOf } from '../../src/core/crypto.js';
import { drawTicket, drawValidator, roundOf, ticketsOf, validatorsByRound } from '../../src/core/lottery.js';
import { KEYS, loadVectors } from './fixtures.js';

/**
 * The hash the lottery draws from can be overridden per counter value, to reach the rejection
 * branch: with a safe-integer total T, a real SHA-256 output is rejected with probability below
 * 2^-203 (see test/vectors/lottery.json), so no real seed exercises it.
 */
const hashOverride = vi.hoisted(() => ({ byCounter: new Map<number, Uint8Array>() }));
vi.mock('../../src/core/crypto.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/core/crypto.js')>();
  return {
    ...real,
    sha256Bytes(data: Uint8Array): Uint8Array {
      if (hashOverride.byCounter.size > 0 && data.length >= 4) {
        const c = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(data.length - 4, false);
        const forced = hashOverride.byCounter.get(c);
        if (forced) return forced;
      }
      return real.sha256Bytes(data);
    },
  };
});

interface LotteryVector {
  name: string;
  seed: string;
  stakers: Array<[string, number]>;
  total: number;
  counter: number;
  ticket: number;
  validator: string;
}
const vectors = loadVectors<{ cases: LotteryVector[] }>('lottery.json').cases;

const sha = (data: string | Uint8Array): Buffer => createHash('sha256').update(data).digest();
const bigOf = (b: Uint8Array): bigint => BigInt('0x' + Buffer.from(b).toString('hex'));
const bytesOf = (x: bigint): Uint8Array => Uint8Array.from(Buffer.from(x.toString(16).padStart(64, '0'), 'hex'));
const TWO_256 = 1n << 256n;
const seedInput = (seed: string, c: number): Buffer => {
  const b = Buffer.alloc(36);
  Buffer.from(seed, 'hex').copy(b);
  b.writeUInt32BE(c, 32);
  return b;
};
/** The staker whose range of consecutive tickets (in the given order) holds `ticket`. */
const holderAt = (stakers: ReadonlyArray<readonly [string, number]>, ticket: number): string => {
  let end = 0;
  const holder = stakers.find(([, stake]) => ticket < (end += stake));
  if (!holder) throw new Error(`ticket ${ticket} is outside every range`);
  return holder[0];
};

describe('lottery vectors from the independent reference', () => {
  it.each(vectors.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const sorted = [...v.stakers].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    expect(v.stakers).toEqual(sorted);
    expect(v.total).toBe(v.stakers.reduce((s, [, x]) => s + x, 0));
    expect(drawTicket(v.seed, v.total)).toBe(v.ticket);
    expect(drawValidator(v.seed, v.stakers, 'fallback')).toBe(v.validator);
  });

  it('covers totals up to the largest safe integer', () => {
    expect(vectors.some((v) => v.total === Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(vectors.some((v) => v.ticket > 2 ** 52)).toBe(true);
  });
});

describe('drawValidator', () => {
  const seed = sha('seed').toString('hex');

  it('returns the fallback (the bootstrap) when nobody stakes', () => {
    expect(drawValidator(seed, [], 'bootstrap')).toBe('bootstrap');
    expect(drawValidator(seed, [[KEYS[0]!.address, 0]], 'bootstrap')).toBe('bootstrap');
  });

  it('always names the single staker', () => {
    for (let i = 0; i < 50; i++) {
      expect(drawValidator(sha(`s${i}`).toString('hex'), [[KEYS[2]!.address, 1 + i * 7]], 'fb')).toBe(KEYS[2]!.address);
    }
  });

  it('never names a staker with stake 0', () => {
    for (let i = 0; i < 200; i++) {
      const v = drawValidator(
        sha(`z${i}`).toString('hex'),
        [
          ['a', 3],
          ['b', 0],
          ['c', 2],
        ],
        'fb',
      );
      expect(['a', 'c']).toContain(v);
    }
  });

  it('is deterministic: every call gives the ticket and validator computed here from SHA-256', () => {
    const stakers: Array<[string, number]> = KEYS.map((k, i) => [k.address, 1000 * (i + 1)]);
    const total = stakers.reduce((sum, [, stake]) => sum + stake, 0);
    for (let i = 0; i < 20; i++) {
      const s = sha(`d${i}`).toString('hex');
      // counter 0 is accepted for every real seed (rejection has probability below 2^-203)
      const ticket = Number(bigOf(sha(seedInput(s, 0))) % BigInt(total));
      for (let call = 0; call < 2; call++) {
        expect(drawValidator(s, stakers, 'fb')).toBe(holderAt(stakers, ticket));
        expect(drawTicket(s, 12345)).toBe(Number(bigOf(sha(seedInput(s, 0))) % 12345n));
      }
    }
  });

  it('maps tickets onto consecutive ranges in the given (address) order', () => {
    // total 6: tickets 0 → a, 1..2 → b, 3..5 → c
    const stakers: Array<[string, number]> = [
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ];
    for (let i = 0; i < 100; i++) {
      const s = sha(`r${i}`).toString('hex');
      const t = drawTicket(s, 6);
      expect(drawValidator(s, stakers, 'fb')).toBe(t === 0 ? 'a' : t <= 2 ? 'b' : 'c');
    }
  });

  it('uses counter 0 when it is accepted: ticket = SHA-256(seed ‖ 0000) mod T', () => {
    for (let i = 0; i < 50; i++) {
      const s = sha(`c${i}`).toString('hex');
      const x = bigOf(sha(seedInput(s, 0)));
      expect(drawTicket(s, 14_000)).toBe(Number(x % 14_000n));
    }
  });

  it('rejects bad totals', () => {
    for (const t of [0, -1, 1.5, Number.NaN, 2 ** 53]) {
      expect(() => drawTicket(seed, t)).toThrow(RangeError);
      expect(() => drawTicket(seed, t)).toThrow(/\S/); // with a reason
    }
  });
});

describe('rounds (validator failure): the counter goes on', () => {
  const first = <T>(it: Iterator<T>, k: number): T[] => Array.from({ length: k }, () => it.next().value as T);

  it("round r's ticket is SHA-256(seed ‖ r) mod T when no draw is rejected; round 0 is the SPEC ticket", () => {
    for (let i = 0; i < 20; i++) {
      const s = sha(`rounds${i}`).toString('hex');
      const tickets = first(ticketsOf(s, 14_000), 5);
      expect(tickets[0]).toBe(drawTicket(s, 14_000));
      tickets.forEach((t, r) => expect(t).toBe(Number(bigOf(sha(seedInput(s, r))) % 14_000n)));
    }
  });

  it('a rejected draw is skipped, so the next round takes the next accepted one', () => {
    const s = sha('skip').toString('hex');
    hashOverride.byCounter = new Map([[1, bytesOf(TWO_256 - 1n)]]);
    try {
      const [t0, t1] = first(ticketsOf(s, 3), 2);
      expect(t0).toBe(Number(bigOf(sha(seedInput(s, 0))) % 3n));
      expect(t1).toBe(Number(bigOf(sha(seedInput(s, 2))) % 3n));
    } finally {
      hashOverride.byCounter = new Map();
    }
  });

  it("validators by round map each round's ticket onto the stakers; every round is the fallback when nobody stakes", () => {
    const stakers: Array<[string, number]> = [
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ];
    const s = sha('vbr').toString('hex');
    const tickets = first(ticketsOf(s, 6), 8);
    expect(first(validatorsByRound(s, stakers, 'fb'), 8)).toEqual(tickets.map((t) => (t === 0 ? 'a' : t <= 2 ? 'b' : 'c')));
    expect(first(validatorsByRound(s, [], 'fb'), 3)).toEqual(['fb', 'fb', 'fb']);
  });

  it('roundOf is the first round a staker wins, -1 for one who wins none of the rounds asked or does not stake', () => {
    const stakers: Array<[string, number]> = [
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ];
    for (let i = 0; i < 30; i++) {
      const s = sha(`ro${i}`).toString('hex');
      const order = first(validatorsByRound(s, stakers, 'fb'), 64);
      for (const who of ['a', 'b', 'c']) expect(roundOf(s, stakers, 'fb', who, 64)).toBe(order.indexOf(who));
      expect(roundOf(s, stakers, 'fb', order[0]!, 1)).toBe(0);
      expect(roundOf(s, stakers, 'fb', 'z', 64)).toBe(-1);
      expect(roundOf(s, stakers, 'fb', 'a', 0)).toBe(-1);
    }
    expect(roundOf(sha('nobody stakes').toString('hex'), [], 'fb', 'fb', 5)).toBe(0);
  });

  it('roundOf looks at exactly `rounds` rounds: a first win in round r needs rounds > r', () => {
    const stakers: Array<[string, number]> = [
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ];
    let checked = 0;
    for (let i = 0; i < 30; i++) {
      const s = sha(`ro${i}`).toString('hex');
      const order = first(validatorsByRound(s, stakers, 'fb'), 64);
      for (const who of ['a', 'b', 'c']) {
        const r = order.indexOf(who);
        if (r < 1) continue;
        expect(roundOf(s, stakers, 'fb', who, r)).toBe(-1);
        expect(roundOf(s, stakers, 'fb', who, r + 1)).toBe(r);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });
});

describe('rejection sampling (forced hash outputs)', () => {
  const seed = sha('rejection').toString('hex');
  const withForced = <T>(forced: Array<[number, bigint]>, run: () => T): T => {
    hashOverride.byCounter = new Map(forced.map(([c, x]) => [c, bytesOf(x)]));
    try {
      return run();
    } finally {
      hashOverride.byCounter = new Map();
    }
  };

  it('with T = 3, x = 2^256 − 1 ≥ 2^256 − (2^256 mod 3) is rejected and counter 1 decides', () => {
    const x1 = bigOf(sha(seedInput(seed, 1)));
    const t = withForced([[0, TWO_256 - 1n]], () => drawTicket(seed, 3));
    expect(t).toBe(Number(x1 % 3n));
  });

  it('rejects every x from the limit up, and accepts x = limit − 1', () => {
    const T = 3n;
    const limit = TWO_256 - (TWO_256 % T); // 2^256 − 1
    const x2 = bigOf(sha(seedInput(seed, 2)));
    expect(
      withForced(
        [
          [0, limit],
          [1, TWO_256 - 1n],
        ],
        () => drawTicket(seed, 3),
      ),
    ).toBe(Number(x2 % T));
    expect(withForced([[0, limit - 1n]], () => drawTicket(seed, 3))).toBe(Number((limit - 1n) % T));
  });

  it('with a total that divides 2^256 nothing is rejected: x = 2^256 − 1 gives ticket T − 1', () => {
    expect(withForced([[0, TWO_256 - 1n]], () => drawTicket(seed, 2))).toBe(1);
    expect(withForced([[0, TWO_256 - 1n]], () => drawTicket(seed, 2 ** 52))).toBe(2 ** 52 - 1);
  });

  it('with a large odd total the boundary is exact', () => {
    const T = 14_000;
    const limit = TWO_256 - (TWO_256 % BigInt(T));
    const x1 = bigOf(sha(seedInput(seed, 1)));
    expect(withForced([[0, limit]], () => drawTicket(seed, T))).toBe(Number(x1 % BigInt(T)));
    expect(withForced([[0, limit - 1n]], () => drawTicket(seed, T))).toBe(T - 1);
  });

  it('uses the real hash again when nothing is forced', () => {
    const x0 = bigOf(sha(seedInput(seed, 0)));
    expect(drawTicket(seed, 3)).toBe(Number(x0 % 3n));
  });
});

describe('fairness over 10,000 seeds', () => {
  it("each staker's share of draws is within 5 standard deviations of its stake share", () => {
    const addresses = [...KEYS.map((k) => k.address), addressOf(sha('fifth staker').toString('hex'))].sort();
    const stakes = [1000, 1000, 1000, 1000, 10_000]; // 10, 10, 10, 10, 100 BCC
    const stakers: Array<[string, number]> = addresses.map((a, i) => [a, stakes[i]!]);
    const total = stakes.reduce((a, b) => a + b, 0);
    const draws = 10_000;
    const wins = new Map<string, number>();
    for (let i = 0; i < draws; i++) {
      const counter = Buffer.alloc(4);
      counter.writeUInt32BE(i);
      const seed = sha(counter).toString('hex');
      const v = drawValidator(seed, stakers, 'fallback');
      wins.set(v, (wins.get(v) ?? 0) + 1);
    }
    expect(wins.has('fallback')).toBe(false);
    for (const [address, stake] of stakers) {
      const p = stake / total;
      const mean = draws * p;
      const sd = Math.sqrt(draws * p * (1 - p));
      const got = wins.get(address) ?? 0;
      expect(
        Math.abs(got - mean),
        `${address.slice(0, 8)}: ${got} wins, expected ${mean.toFixed(0)} ± ${sd.toFixed(1)}`,
      ).toBeLessThanOrEqual(5 * sd);
    }
  });

  it('tickets are uniform over a small total (no modulo bias visible)', () => {
    const T = 7;
    const counts = new Array<number>(T).fill(0);
    const draws = 7_000;
    for (let i = 0; i < draws; i++) counts[drawTicket(sha(`u${i}`).toString('hex'), T)]!++;
    const p = 1 / T;
    const sd = Math.sqrt(draws * p * (1 - p));
    for (const c of counts) expect(Math.abs(c - draws * p)).toBeLessThanOrEqual(5 * sd);
  });
});
