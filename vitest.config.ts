import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // the flood runs on its own: `npm run flood` (vitest.flood.config.ts)
    exclude: ['test/flood/**', '**/node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration suites start real node processes; two cores cannot run many networks at once.
    fileParallelism: false,
  },
});
