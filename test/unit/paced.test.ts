/** The paced load of the soak and the flood (src/tools/paced.ts). */
import { describe, expect, it } from 'vitest';
import type { SubmitRequest } from '../../src/api/types.js';
import { waitFor } from '../../src/tools/network.js';
import { startPacedLoad } from '../../src/tools/paced.js';

describe('startPacedLoad', () => {
  it("spreads each tick's transfers over that tick's senders, one batch each, and stops", async () => {
    const sent: Array<{ sender: number; reqs: SubmitRequest[] }> = [];
    const offered: number[] = [];
    let answered = 0;
    const stop = startPacedLoad({
      rate: 1_000,
      tickMs: 10, // 10 transfers a tick
      maxInFlight: 2,
      senders: () => (sent.length < 3 ? [0, 1, 2] : [1, 2]),
      request: (sender, i, k, s) => ({ type: 'coins', to: sender, amount: 1000 * k + 10 * i + s }),
      offered: (count) => offered.push(count),
      send: async (sender, reqs) => {
        sent.push({ sender, reqs });
        await Promise.resolve();
        answered++;
      },
    });
    await waitFor('five ticks sent', async () => sent.length >= 3 + 2 * 4);
    await stop();
    expect(answered).toBe(sent.length);

    expect(offered.length).toBeGreaterThan(0);
    expect(offered.every((c) => c === 10)).toBe(true);
    // tick 0: three senders, 4 + 3 + 3; later ticks: two senders, 5 + 5
    expect(sent.slice(0, 3).map((x) => [x.sender, x.reqs.length])).toEqual([
      [0, 4],
      [1, 3],
      [2, 3],
    ]);
    expect(sent.slice(3, 5).map((x) => [x.sender, x.reqs.length])).toEqual([
      [1, 5],
      [2, 5],
    ]);
    expect(sent[1]!.reqs.map((r) => (r.type === 'coins' ? r.amount : -1))).toEqual([10, 11, 12]);
    expect(sent[4]!.reqs.map((r) => (r.type === 'coins' ? r.amount : -1))).toEqual([1010, 1011, 1012, 1013, 1014]);
  });
});
