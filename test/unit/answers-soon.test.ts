/**
 * answersSoon (src/node/sync/index.ts): a catch-up pass takes the peers' heights that came by a
 * grace period after the first answer, so that one busy peer does not hold every pass.
 */
import { describe, expect, it } from 'vitest';
import { answersSoon } from '../../src/node/sync/index.js';

describe('answersSoon', () => {
  it('returns every answer, in the order asked, when all come', async () => {
    const later = new Promise<string>((r) => setTimeout(() => r('b'), 5));
    expect(await answersSoon([Promise.resolve('a'), later, Promise.resolve('c')], 10_000)).toEqual(['a', 'b', 'c']);
  });

  it('leaves out a peer that has not answered by the grace period after the first answer', async () => {
    const never = new Promise<string>(() => undefined);
    expect(await answersSoon([never, Promise.resolve('a'), Promise.resolve('b')], 20)).toEqual(['a', 'b']);
  });

  it('answers an empty list with nothing', async () => {
    expect(await answersSoon([], 20)).toEqual([]);
  });
});
