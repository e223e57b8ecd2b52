import { defineConfig } from 'vitest/config';

// `npm run flood`: the minute-long flood of test/flood/, a measurement run on its own (like
// `npm run soak`), not part of the suite that CI runs.
export default defineConfig({
  test: {
    include: ['test/flood/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
