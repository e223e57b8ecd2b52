/**
 * Giving the C library's free memory back to the system, now and then. A loaded node frees most
 * of what it allocates outside V8 (socket and HTTP buffers, LevelDB's batches and blocks), but
 * glibc returns only the top of its heap by itself, even with NODE_MALLOC_ENV's settings
 * (src/node-flags.ts): the free pages in between stay resident. A node's resident memory rose
 * from 217 to 323 MB between 70,000 and 130,000 transfers while its JS heap stayed near 60 MB;
 * one malloc_trim(0) brought it to 168 MB (bench/results/report.md, "Soak with finality").
 */
import { loadBinding } from '../crypto/native.js';

/** How often a running node trims (a trim of a few hundred MB of heap takes milliseconds). */
export const HEAP_TRIM_INTERVAL_MS = 10_000;

/** The binding's trimHeap, or undefined where the binding is not loaded (BLOCKCHAT_NO_NATIVE=1, not built). */
export function nativeHeapTrim(env: { BLOCKCHAT_NO_NATIVE?: string }): (() => boolean) | undefined {
  if (env.BLOCKCHAT_NO_NATIVE === '1') return undefined;
  const binding = loadBinding();
  if (binding instanceof Error || typeof binding.trimHeap !== 'function') return undefined;
  return () => binding.trimHeap();
}

/**
 * Resident memory (bytes) a node must have gained since its last trim for the next one to run: a
 * trim returns only pages that became resident again since the last one, and malloc_trim walks the
 * whole heap whatever it finds (some 10 ms of a loaded node's CPU each time).
 */
export const HEAP_TRIM_MIN_GROWTH = 8 * 1024 * 1024;

/**
 * `trim`, run only when the resident size `rss()` rose by `minGrowth` bytes above the lowest it
 * was since the last trim; undefined (nothing done) otherwise. The first call only takes the measure.
 */
export function trimWhenGrown(trim: () => boolean, rss: () => number, minGrowth = HEAP_TRIM_MIN_GROWTH): () => boolean | undefined {
  let low = Infinity;
  return () => {
    const now = rss();
    low = Math.min(low, now);
    if (now - low < minGrowth) return undefined;
    const released = trim();
    low = rss();
    return released;
  };
}

/**
 * Calls `trim` every `intervalMs` (the timer does not keep the process alive), and `done` with
 * what it answered (undefined: it did not trim). Returns the function that stops it.
 */
export function trimEvery<R extends boolean | undefined>(
  trim: () => R,
  done: (released: R) => void,
  intervalMs = HEAP_TRIM_INTERVAL_MS,
): () => void {
  const timer = setInterval(() => done(trim()), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
