import { describe, expect, it } from 'vitest';
import { memoryWindow, victimOf } from '../../scripts/soak-schedule.js';

describe('the soak schedule', () => {
  it('kills node 1, the bootstrap once, then the members in turn', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((m) => victimOf(m, 5))).toEqual([1, 0, 2, 3, 4, 1, 2, 3, 4]);
  });

  it("compares each node's first and last minutes without a restart, from the second minute on", () => {
    const killed = [undefined, ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((m) => victimOf(m, 5))];
    // rows:       0: none, 1: node 1, 2: node 0, 3: 2, 4: 3, 5: 4, 6: 1, 7: 2, 8: 3, 9: 4
    expect(memoryWindow(killed, 0)).toEqual({ first: 1, last: 9 });
    expect(memoryWindow(killed, 1)).toEqual({ first: 2, last: 9 });
    expect(memoryWindow(killed, 4)).toEqual({ first: 1, last: 8 });
  });

  it('has nothing to compare when fewer than two minutes ran whole', () => {
    expect(memoryWindow([undefined, 1], 1)).toBeUndefined();
    expect(memoryWindow([undefined, 1, 0], 1)).toBeUndefined();
    expect(memoryWindow([undefined, 1, 0], 2)).toEqual({ first: 1, last: 2 });
  });
});
