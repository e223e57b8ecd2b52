import { describe, expect, it, vi } from 'vitest';
import { HEAP_TRIM_MIN_GROWTH, trimWhenGrown } from '../../src/node/heap-trim.js';

const MB = 1024 * 1024;

describe('trimming only when resident memory grew since the last trim', () => {
  it('takes the measure first, then trims once the resident size rose by HEAP_TRIM_MIN_GROWTH above its lowest', () => {
    const sizes = [100 * MB, 96 * MB, 96 * MB + HEAP_TRIM_MIN_GROWTH - 1, 96 * MB + HEAP_TRIM_MIN_GROWTH, 90 * MB];
    const rss = vi.fn(() => sizes.shift()!);
    const trim = vi.fn(() => true);
    const gated = trimWhenGrown(trim, rss);
    expect(gated()).toBeUndefined(); // 100: the first measure
    expect(gated()).toBeUndefined(); // 96: lower still
    expect(gated()).toBeUndefined(); // one byte short of the growth above 96
    expect(trim).not.toHaveBeenCalled();
    expect(gated()).toBe(true); // grown by exactly the minimum: trims, then measures (90)
    expect(trim).toHaveBeenCalledTimes(1);
    expect(rss).toHaveBeenCalledTimes(5);
  });

  it('measures the growth from the size after the last trim, and answers what the trim answered', () => {
    let size = 200 * MB;
    const trim = vi.fn(() => {
      size = 150 * MB;
      return false;
    });
    const gated = trimWhenGrown(trim, () => size, 8 * MB);
    gated();
    size = 210 * MB;
    expect(gated()).toBe(false);
    size = 150 * MB + 8 * MB - 1;
    expect(gated()).toBeUndefined(); // 210 is gone: the growth counts from 150
    size = 150 * MB + 8 * MB;
    expect(gated()).toBe(false);
    expect(trim).toHaveBeenCalledTimes(2);
  });
});
