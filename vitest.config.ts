import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // the flood runs on its own: `npm run flood` (vitest.flood.config.ts)
    exclude: ['test/flood/**', '**/node_modules/**'],
    testTimeout: 60_000,
    // A hook that launches a network waits for it to form for up to readyTimeout (two minutes for
    // up to ten nodes, src/tools/network.ts): on a loaded machine forming takes most of a minute.
    hookTimeout: 150_000,
    // Integration suites start real node processes; two cores cannot run many networks at once.
    fileParallelism: false,
  },
});
