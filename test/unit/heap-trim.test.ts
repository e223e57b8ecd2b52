import { afterEach, describe, expect, it, vi } from 'vitest';
import { HEAP_TRIM_INTERVAL_MS, nativeHeapTrim, trimEvery } from '../../src/node/heap-trim.js';

describe("giving the C library's free memory back", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("calls the binding's malloc_trim, which answers whether it returned memory (where the binding is built)", () => {
    const trim = nativeHeapTrim(process.env);
    if (process.env.BLOCKCHAT_NO_NATIVE === '1') expect(trim).toBeUndefined();
    else expect(typeof trim?.()).toBe('boolean');
  });

  it('trims nothing when the binding is turned off', () => {
    expect(nativeHeapTrim({ BLOCKCHAT_NO_NATIVE: '1' })).toBeUndefined();
  });

  it('trims at every interval until stopped, reporting what each trim answered', () => {
    vi.useFakeTimers();
    const answers = [true, false, true];
    const trim = vi.fn(() => answers.shift() ?? false);
    const done: boolean[] = [];
    const stop = trimEvery(trim, (released) => done.push(released));
    vi.advanceTimersByTime(HEAP_TRIM_INTERVAL_MS - 1);
    expect(trim).not.toHaveBeenCalled();
    vi.advanceTimersByTime(2 * HEAP_TRIM_INTERVAL_MS + 1);
    expect(done).toEqual([true, false, true]);
    stop();
    vi.advanceTimersByTime(10 * HEAP_TRIM_INTERVAL_MS);
    expect(trim).toHaveBeenCalledTimes(3);
  });
});
